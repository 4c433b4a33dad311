import { conditionHolds, describeCondition } from '../conditions/evaluate-condition.js';
import type { Definition, Pool, RoutingRule } from '../definition.js';
import type { Lead } from '../model.js';

/** What routing needs to know about one Salesforce user, as of now. */
export interface DirectoryUser {
  readonly active: boolean;
  readonly outOfOffice: boolean;
  /** Open leads the user currently owns, for `max_open`. */
  readonly openLeads: number;
  /** The user's own IANA zone (Salesforce `TimeZoneSidKey`), when known. */
  readonly timezone?: string | null | undefined;
}

/** Users by Salesforce User id. A user missing here counts as inactive. */
export type Directory = ReadonlyMap<string, DirectoryUser>;

/** Smooth weighted round-robin counters: pool → member owner id → current weight. */
export type RotationState = Readonly<Record<string, Readonly<Record<string, number>>>>;

export type RoutingReasonKind =
  'rule_matched' | 'rule_skipped' | 'member_picked' | 'member_skipped' | 'fallback';

export interface RoutingReason {
  /** Rule id, or `pool.<name>` for pool-level lines. */
  readonly rule: string;
  readonly kind: RoutingReasonKind;
  readonly owner?: string | undefined;
  readonly detail: string;
}

export interface RoutingDecision {
  /** `assigned`: a rule picked an owner; `fallback`: nobody eligible, `fallback_owner` gets it. */
  readonly kind: 'assigned' | 'fallback';
  /** The rule that matched; null when no rule matched. */
  readonly rule: string | null;
  readonly pool: string | null;
  readonly owner: string;
  readonly reasons: readonly RoutingReason[];
  readonly definitionVersion: string;
}

export interface RouteLeadInput {
  readonly lead: Lead;
  readonly definition: Definition;
  readonly directory: Directory;
  readonly rotation: RotationState;
}

export interface RouteLeadResult {
  readonly decision: RoutingDecision;
  /** The rotation to store; equal to the input when no pool pick happened. */
  readonly nextRotation: RotationState;
}

function ineligibility(
  user: DirectoryUser | undefined,
  maxOpen: number | undefined,
): string | null {
  if (user === undefined) return 'not a known user';
  if (!user.active) return 'inactive';
  if (user.outOfOffice) return 'out of office';
  if (maxOpen !== undefined && user.openLeads >= maxOpen) {
    return `at capacity (${user.openLeads}/${maxOpen} open)`;
  }
  return null;
}

function whenHolds(rule: RoutingRule, lead: Lead): boolean {
  if (rule.when === undefined) return true;
  return Object.entries(rule.when).every(([field, operators]) =>
    conditionHolds(lead.attributes[field], operators),
  );
}

function describeWhen(rule: RoutingRule): string {
  if (rule.when === undefined) return 'no conditions';
  return Object.entries(rule.when)
    .map(([field, operators]) => describeCondition(field, operators))
    .join(' and ');
}

interface PoolPick {
  readonly owner: string | null;
  readonly counters: Readonly<Record<string, number>>;
  readonly reasons: readonly RoutingReason[];
}

/**
 * Smooth weighted round robin (nginx's algorithm) over the eligible members: every eligible
 * member's counter grows by its weight, the largest counter wins (earlier member on ties), and the
 * winner gives back the eligible members' total weight. Over a full cycle each member is picked
 * exactly `weight` times, interleaved rather than in bursts.
 */
function pickFromPool(
  poolName: string,
  pool: Pool,
  directory: Directory,
  current: Readonly<Record<string, number>>,
): PoolPick {
  const reasons: RoutingReason[] = [];
  const eligible: { owner: string; weight: number }[] = [];
  for (const member of pool.members) {
    const why = ineligibility(directory.get(member.owner), member.max_open);
    if (why === null) eligible.push(member);
    else {
      reasons.push({
        rule: `pool.${poolName}`,
        kind: 'member_skipped',
        owner: member.owner,
        detail: why,
      });
    }
  }
  if (eligible.length === 0) return { owner: null, counters: current, reasons };

  const counters: Record<string, number> = { ...current };
  let totalWeight = 0;
  let pickedOwner = '';
  let pickedCounter = -Infinity;
  for (const member of eligible) {
    const counter = (counters[member.owner] ?? 0) + member.weight;
    counters[member.owner] = counter;
    totalWeight += member.weight;
    if (counter > pickedCounter) {
      pickedOwner = member.owner;
      pickedCounter = counter;
    }
  }
  counters[pickedOwner] = pickedCounter - totalWeight;
  reasons.push({
    rule: `pool.${poolName}`,
    kind: 'member_picked',
    owner: pickedOwner,
    detail: `weighted round robin among ${eligible.length} eligible of ${pool.members.length}`,
  });
  return { owner: pickedOwner, counters, reasons };
}

/**
 * Chooses the owner of a qualified lead: the first matching rule wins. `account_owner` rules match
 * when the lead's account is owned by an active user; pool rules pick by smooth weighted round
 * robin among active, in-office members under `max_open`; when a matched pool has nobody eligible,
 * or no rule matches, the lead goes to `fallback_owner`. Pure: the rotation comes in and the next
 * rotation goes out.
 */
export function routeLead(input: RouteLeadInput): RouteLeadResult {
  const { lead, definition, directory, rotation } = input;
  const { routing } = definition;
  const reasons: RoutingReason[] = [];
  const decide = (
    kind: RoutingDecision['kind'],
    rule: string | null,
    pool: string | null,
    owner: string,
    nextRotation: RotationState = rotation,
  ): RouteLeadResult => ({
    decision: { kind, rule, pool, owner, reasons, definitionVersion: definition.version },
    nextRotation,
  });
  const fallback = (rule: string | null, pool: string | null, detail: string): RouteLeadResult => {
    reasons.push({
      rule: rule ?? 'routing',
      kind: 'fallback',
      owner: routing.fallback_owner,
      detail,
    });
    return decide('fallback', rule, pool, routing.fallback_owner);
  };

  for (const rule of routing.rules) {
    if (!whenHolds(rule, lead)) {
      reasons.push({ rule: rule.id, kind: 'rule_skipped', detail: `not ${describeWhen(rule)}` });
      continue;
    }
    if (rule.account_owner === true) {
      const accountOwner = lead.account?.owner;
      if (accountOwner === undefined) {
        reasons.push({ rule: rule.id, kind: 'rule_skipped', detail: 'no matched account' });
        continue;
      }
      const why = ineligibility(directory.get(accountOwner), undefined);
      if (why !== null) {
        reasons.push({
          rule: rule.id,
          kind: 'rule_skipped',
          owner: accountOwner,
          detail: `account owner is ${why}`,
        });
        continue;
      }
      reasons.push({
        rule: rule.id,
        kind: 'rule_matched',
        owner: accountOwner,
        detail: 'owner of the matched account',
      });
      return decide('assigned', rule.id, null, accountOwner);
    }
    if (rule.owner !== undefined) {
      reasons.push({
        rule: rule.id,
        kind: 'rule_matched',
        owner: rule.owner,
        detail: describeWhen(rule),
      });
      return decide('assigned', rule.id, null, rule.owner);
    }
    const poolName = rule.pool;
    if (poolName === undefined) {
      // The loader requires a target on every rule; a hand-built definition may lack one.
      reasons.push({ rule: rule.id, kind: 'rule_skipped', detail: 'no pool or owner to route to' });
      continue;
    }
    const pool = routing.pools[poolName];
    if (pool === undefined) return fallback(rule.id, poolName, `pool ${poolName} is not defined`);
    reasons.push({
      rule: rule.id,
      kind: 'rule_matched',
      detail: `${describeWhen(rule)} → pool ${poolName}`,
    });
    const pick = pickFromPool(poolName, pool, directory, rotation[poolName] ?? {});
    reasons.push(...pick.reasons);
    if (pick.owner === null)
      return fallback(rule.id, poolName, `nobody eligible in pool ${poolName}`);
    return decide('assigned', rule.id, poolName, pick.owner, {
      ...rotation,
      [poolName]: pick.counters,
    });
  }
  return fallback(null, null, 'no routing rule matched');
}
