import { conditionHolds, describeCondition } from '../conditions/evaluate-condition.js';
import {
  ownValue,
  type ConditionOperators,
  type Definition,
  type Pool,
  type RoutingRule,
} from '../definition.js';
import type { Lead } from '../model.js';
import { workingHoursOf } from './working-hours.js';

/** What routing needs to know about one Salesforce user, as of now. */
export interface DirectoryUser {
  readonly active: boolean;
  readonly outOfOffice: boolean;
  /** Open leads the user currently owns, for `max_open`. */
  readonly openLeads: number;
  /** The user's own IANA zone (Salesforce `TimeZoneSidKey`), when known. */
  readonly timezone?: string | null | undefined;
  /** When the current out-of-office period ends, for the routing explanation. */
  readonly backAt?: Date | undefined;
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
  /** The routing instant: pools routed within working hours look at each member's local time. */
  readonly at: Date;
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
  if (user.outOfOffice)
    return user.backAt === undefined
      ? 'out of office'
      : `out of office until ${user.backAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (maxOpen !== undefined && user.openLeads >= maxOpen) {
    return `at capacity (${user.openLeads}/${maxOpen} open)`;
  }
  return null;
}

interface CompiledWhen {
  readonly conditions: readonly (readonly [string, ConditionOperators])[];
  readonly description: string;
}

const compiledWhens = new WeakMap<RoutingRule, CompiledWhen>();

/** A rule's conditions as a list, and their description, computed once per (immutable) rule. */
function compileWhen(rule: RoutingRule): CompiledWhen {
  let compiled = compiledWhens.get(rule);
  if (compiled === undefined) {
    const conditions = Object.entries(rule.when ?? {});
    compiled = {
      conditions,
      description:
        conditions.length === 0
          ? 'no conditions'
          : conditions
              .map(([field, operators]) => describeCondition(field, operators))
              .join(' and '),
    };
    compiledWhens.set(rule, compiled);
  }
  return compiled;
}

function whenHolds(when: CompiledWhen, lead: Lead): boolean {
  for (const [field, operators] of when.conditions) {
    if (!conditionHolds(ownValue(lead.attributes, field), operators)) return false;
  }
  return true;
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
  input: RouteLeadInput,
  current: Readonly<Record<string, number>>,
): PoolPick {
  const { directory, definition, at } = input;
  const rule = `pool.${poolName}`;
  const reasons: RoutingReason[] = [];
  const skip = (owner: string, detail: string): void => {
    reasons.push({ rule, kind: 'member_skipped', owner, detail });
  };
  const eligible: { owner: string; weight: number }[] = [];
  for (const member of pool.members) {
    const why = ineligibility(directory.get(member.owner), member.max_open);
    if (why === null) eligible.push(member);
    else skip(member.owner, why);
  }
  if (eligible.length === 0) return { owner: null, counters: current, reasons };

  let candidates = eligible;
  let pickedWhy = `weighted round robin among ${eligible.length} eligible of ${pool.members.length}`;
  if (pool.within_working_hours === true) {
    const hours = eligible.map((member) => ({
      member,
      hours: workingHoursOf(member, directory.get(member.owner)?.timezone, definition.sla, at),
    }));
    const working = hours.filter((entry) => entry.hours.opensAt === at.getTime());
    for (const entry of hours) {
      if (entry.hours.opensAt !== at.getTime())
        skip(entry.member.owner, `outside working hours (${entry.hours.localNow})`);
    }
    if (working.length > 0) {
      candidates = working.map((entry) => entry.member);
      pickedWhy = `weighted round robin among ${candidates.length} in working hours of ${pool.members.length}`;
    } else {
      // Nobody is at work: the lead waits for the first morning rather than for the fallback
      // owner, so it goes to the member (or members) whose working hours start soonest.
      const soonest = Math.min(
        ...hours.map((entry) => entry.hours.opensAt ?? Number.POSITIVE_INFINITY),
      );
      const first = hours.filter((entry) => entry.hours.opensAt === soonest);
      if (first.length === 0) return { owner: null, counters: current, reasons };
      candidates = first.map((entry) => entry.member);
      pickedWhy = `nobody in working hours; working hours start soonest (${first[0]?.hours.nextStart ?? ''})`;
    }
  }

  const counters: Record<string, number> = { ...current };
  let totalWeight = 0;
  let pickedOwner = '';
  let pickedCounter = -Infinity;
  for (const member of candidates) {
    const counter = (ownValue(counters, member.owner) ?? 0) + member.weight;
    counters[member.owner] = counter;
    totalWeight += member.weight;
    if (counter > pickedCounter) {
      pickedOwner = member.owner;
      pickedCounter = counter;
    }
  }
  counters[pickedOwner] = pickedCounter - totalWeight;
  reasons.push({ rule, kind: 'member_picked', owner: pickedOwner, detail: pickedWhy });
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
  const reasons: RoutingReason[] = [];
  for (const rule of input.definition.routing.rules) {
    const outcome = applyRule(rule, input, reasons);
    if (outcome !== null) return finish(outcome, reasons, input.definition);
  }
  return finish(
    fallback(null, null, 'no routing rule matched', input, reasons),
    reasons,
    input.definition,
  );
}

/** Who gets the lead and the rotation after it, before reasons and version are attached. */
interface Outcome {
  readonly kind: RoutingDecision['kind'];
  readonly rule: string | null;
  readonly pool: string | null;
  readonly owner: string;
  readonly nextRotation: RotationState;
}

function finish(
  outcome: Outcome,
  reasons: readonly RoutingReason[],
  definition: Definition,
): RouteLeadResult {
  const { kind, rule, pool, owner, nextRotation } = outcome;
  return {
    decision: { kind, rule, pool, owner, reasons, definitionVersion: definition.version },
    nextRotation,
  };
}

function fallback(
  rule: string | null,
  pool: string | null,
  detail: string,
  input: RouteLeadInput,
  reasons: RoutingReason[],
): Outcome {
  const owner = input.definition.routing.fallback_owner;
  reasons.push({ rule: rule ?? 'routing', kind: 'fallback', owner, detail });
  return { kind: 'fallback', rule, pool, owner, nextRotation: input.rotation };
}

/** The outcome when `rule` decides the lead, or null to try the next rule. */
function applyRule(
  rule: RoutingRule,
  input: RouteLeadInput,
  reasons: RoutingReason[],
): Outcome | null {
  const { lead, definition, directory, rotation } = input;
  const when = compileWhen(rule);
  if (!whenHolds(when, lead)) {
    reasons.push({ rule: rule.id, kind: 'rule_skipped', detail: `not ${when.description}` });
    return null;
  }
  if (rule.account_owner === true) {
    const accountOwner = lead.account?.owner;
    if (accountOwner === undefined) {
      reasons.push({ rule: rule.id, kind: 'rule_skipped', detail: 'no matched account' });
      return null;
    }
    const why = ineligibility(directory.get(accountOwner), undefined);
    if (why !== null) {
      reasons.push({
        rule: rule.id,
        kind: 'rule_skipped',
        owner: accountOwner,
        detail: `account owner is ${why}`,
      });
      return null;
    }
    reasons.push({
      rule: rule.id,
      kind: 'rule_matched',
      owner: accountOwner,
      detail: 'owner of the matched account',
    });
    return {
      kind: 'assigned',
      rule: rule.id,
      pool: null,
      owner: accountOwner,
      nextRotation: rotation,
    };
  }
  if (rule.owner !== undefined) {
    reasons.push({
      rule: rule.id,
      kind: 'rule_matched',
      owner: rule.owner,
      detail: when.description,
    });
    return {
      kind: 'assigned',
      rule: rule.id,
      pool: null,
      owner: rule.owner,
      nextRotation: rotation,
    };
  }
  const poolName = rule.pool;
  if (poolName === undefined) {
    // The loader requires a target on every rule; a hand-built definition may lack one.
    reasons.push({ rule: rule.id, kind: 'rule_skipped', detail: 'no pool or owner to route to' });
    return null;
  }
  const pool = ownValue(definition.routing.pools, poolName);
  if (pool === undefined)
    return fallback(rule.id, poolName, `pool ${poolName} is not defined`, input, reasons);
  reasons.push({
    rule: rule.id,
    kind: 'rule_matched',
    detail: `${when.description} → pool ${poolName}`,
  });
  const pick = pickFromPool(poolName, pool, input, ownValue(rotation, poolName) ?? {});
  reasons.push(...pick.reasons);
  if (pick.owner === null)
    return fallback(rule.id, poolName, `nobody eligible in pool ${poolName}`, input, reasons);
  return {
    kind: 'assigned',
    rule: rule.id,
    pool: poolName,
    owner: pick.owner,
    nextRotation: { ...rotation, [poolName]: pick.counters },
  };
}
