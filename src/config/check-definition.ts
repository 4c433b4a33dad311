import type { z } from 'zod';
import { compilePattern } from '../domain/conditions/evaluate-condition.js';
import { PatternError } from '../domain/conditions/linear-regex.js';
import {
  CANONICAL_ATTRIBUTES,
  type BusinessHours,
  type ConditionOperators,
  type Definition,
  type FeedbackDefinition,
  type MappingDefinition,
  type QualificationDefinition,
  type RoutingDefinition,
  type SlaDefinition,
} from '../domain/definition.js';
import { attributeNames } from '../domain/mapping.js';
import { parseClockTime } from '../domain/time/business-calendar.js';
import {
  MAX_DURATION_DAYS,
  readDuration,
  subDayMs,
  type Duration,
} from '../domain/time/duration.js';
import { isValidTimeZone, parseLocalDate } from '../domain/time/zoned-time.js';

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

function reporter(ctx: z.RefinementCtx): Report {
  return (path, message) => ctx.addIssue({ code: 'custom', path, message });
}

const USER_ID_PREFIX = '005';
const QUEUE_ID_PREFIX = '00G';
const DURATION_HINT = 'expected a duration such as 90m, 4h, 1d or 2d4h';
/** `sync.poll_interval` bounds, in seconds. */
const MIN_POLL_SECONDS = 1;
const MAX_POLL_SECONDS = 86_400;
/** Longest SLA allowance, in business days (`1d` is one). */
const MAX_ALLOWANCE_BUSINESS_DAYS = MAX_DURATION_DAYS;
/** Longest Salesforce field name, without a namespace and the `__c` suffix. */
const MAX_SALESFORCE_NAME = 40;
const SALESFORCE_NAME_HINT = 'e.g. Industry, Segment__c or pi__campaign__c';
const HUBSPOT_NAME_HINT = 'lowercase letters, digits and underscores, starting with a letter';

/** Records are checked with `Object.hasOwn`: `constructor` is not a tier because objects have one. */
const has = (record: object, key: string): boolean => Object.hasOwn(record, key);

/**
 * Patterns must compile with the linear-time engine: `invalid regular expression: …`, or
 * `unsupported in definition patterns: backreference \1 (definitions run in linear time)`.
 */
function checkPatterns(operators: ConditionOperators, path: Path, report: Report): void {
  for (const key of ['matches', 'not_matches'] as const) {
    const pattern = operators[key];
    if (pattern === undefined) continue;
    try {
      compilePattern(pattern);
    } catch (err) {
      report(
        [...path, key],
        err instanceof PatternError ? err.message : `invalid regular expression: ${String(err)}`,
      );
    }
  }
}

/** A duration's problem as a message; null when it is a duration of at most a year. */
function durationIssue(text: string, read: Duration | string): string | null {
  if (read === 'too_long') return `must be at most ${MAX_DURATION_DAYS}d, got "${text}"`;
  return typeof read === 'string' ? `${DURATION_HINT}, got ${JSON.stringify(text)}` : null;
}

function checkField(
  field: string,
  knownFields: ReadonlySet<string>,
  path: Path,
  report: Report,
): void {
  if (!knownFields.has(field)) {
    report(
      path,
      `unknown attribute "${field}"; use a canonical attribute (${CANONICAL_ATTRIBUTES.join(', ')}) or map a custom key under mapping.hubspot / mapping.salesforce`,
    );
  }
}

function checkUniqueIds(ids: readonly { id: string; path: Path }[], report: Report): void {
  const seen = new Set<string>();
  for (const { id, path } of ids) {
    if (seen.has(id)) report(path, `duplicate rule id "${id}"`);
    seen.add(id);
  }
}

function checkZone(zone: string | undefined, path: Path, report: Report): void {
  if (zone !== undefined && !isValidTimeZone(zone)) {
    report(path, `unknown IANA time zone "${zone}" (e.g. America/New_York, Europe/Berlin)`);
  }
}

/** Rules within `qualification`: unique ids, valid patterns, a tier covering the threshold. */
export function checkQualification(
  qualification: QualificationDefinition,
  ctx: z.RefinementCtx,
): void {
  const report = reporter(ctx);
  const ids: { id: string; path: Path }[] = [];
  qualification.gates.forEach((gate, index) => {
    ids.push({ id: gate.id, path: ['gates', index, 'id'] });
    checkPatterns(gate, ['gates', index], report);
  });
  qualification.fit.forEach((rule, index) => {
    ids.push({ id: rule.id, path: ['fit', index, 'id'] });
    checkPatterns(rule, ['fit', index], report);
  });
  checkUniqueIds(ids, report);
  const minimums = Object.values(qualification.tiers);
  if (minimums.length > 0 && !minimums.some((minimum) => minimum <= qualification.threshold)) {
    report(
      ['tiers'],
      `no tier covers the threshold ${qualification.threshold}: the lowest tier minimum must be <= the threshold, or qualified leads would have no tier`,
    );
  }
}

/** Rules within `routing`: one target per rule, known pools, unique ids, valid pools and owners. */
export function checkRouting(routing: RoutingDefinition, ctx: z.RefinementCtx): void {
  const report = reporter(ctx);
  const poolNames = Object.keys(routing.pools);
  routing.rules.forEach((rule, index) => {
    const path = ['rules', index];
    const targets = [
      rule.account_owner === true,
      rule.pool !== undefined,
      rule.owner !== undefined,
    ];
    if (targets.filter(Boolean).length !== 1) {
      report(path, 'needs exactly one target: account_owner: true, pool or owner');
    }
    if (rule.pool !== undefined && !has(routing.pools, rule.pool)) {
      report(
        [...path, 'pool'],
        `unknown pool "${rule.pool}" (defined: ${poolNames.join(', ') || 'none'})`,
      );
    }
    for (const [field, operators] of Object.entries(rule.when ?? {})) {
      checkPatterns(operators, [...path, 'when', field], report);
    }
  });
  checkUniqueIds(
    routing.rules.map((rule, index) => ({ id: rule.id, path: ['rules', index, 'id'] })),
    report,
  );
  for (const [name, pool] of Object.entries(routing.pools)) {
    const seen = new Set<string>();
    pool.members.forEach((member, index) => {
      const path = ['pools', name, 'members', index];
      if (!member.owner.startsWith(USER_ID_PREFIX)) {
        report(
          [...path, 'owner'],
          `pool members must be Salesforce users (ids starting ${USER_ID_PREFIX})`,
        );
      }
      if (seen.has(member.owner))
        report([...path, 'owner'], `${member.owner} is listed twice in pool ${name}`);
      seen.add(member.owner);
      checkZone(member.timezone, [...path, 'timezone'], report);
      if (member.working_hours !== undefined) {
        if (pool.within_working_hours !== true)
          report(
            [...path, 'working_hours'],
            `has no effect unless pool ${name} sets within_working_hours: true`,
          );
        checkHours(member.working_hours, [...path, 'working_hours'], report);
      }
    });
  }
  checkOwnerOrQueue(routing.fallback_owner, ['fallback_owner'], report);
}

function checkOwnerOrQueue(owner: string | undefined, path: Path, report: Report): void {
  if (
    owner !== undefined &&
    !owner.startsWith(USER_ID_PREFIX) &&
    !owner.startsWith(QUEUE_ID_PREFIX)
  ) {
    report(path, `must be a user (${USER_ID_PREFIX}…) or a queue (${QUEUE_ID_PREFIX}…) id`);
  }
}

/** Rules within `feedback`. */
export function checkFeedback(feedback: FeedbackDefinition, ctx: z.RefinementCtx): void {
  checkOwnerOrQueue(feedback.nurture_owner, ['nurture_owner'], reporter(ctx));
}

/**
 * `start` and `end` are `HH:MM` clock times, `end` after `start`; returns the length of the
 * working day in ms (0 when the hours are invalid).
 */
function checkHours(hours: BusinessHours, path: Path, report: Report): number {
  const start = parseClockTime(hours.start);
  const end = parseClockTime(hours.end);
  if (start === null) report([...path, 'start'], 'expected a time HH:MM such as 09:00');
  if (end === null) report([...path, 'end'], 'expected a time HH:MM such as 17:00 (24:00 allowed)');
  if (start === null || end === null) return 0;
  if (start >= end) {
    report([...path, 'end'], `must be after start ${hours.start}`);
    return 0;
  }
  return (end - start) * 60_000;
}

/** Rules within `sla`: zones, business hours, holiday dates, allowance durations. */
export function checkSla(sla: SlaDefinition, ctx: z.RefinementCtx): void {
  const report = reporter(ctx);
  if (sla.timezone !== 'owner') checkZone(sla.timezone, ['timezone'], report);
  checkZone(sla.default_timezone, ['default_timezone'], report);
  const businessDayMs = checkHours(sla.business_hours, ['business_hours'], report);
  sla.holidays.forEach((holiday, index) => {
    if (parseLocalDate(holiday) === null) {
      report(['holidays', index], `expected a date YYYY-MM-DD, got "${holiday}"`);
    }
  });
  for (const [tier, allowance] of Object.entries(sla.first_touch)) {
    const duration = readDuration(allowance);
    const issue = durationIssue(allowance, duration);
    if (issue !== null) report(['first_touch', tier], issue);
    else if (typeof duration !== 'string' && businessDayMs > 0) {
      const businessDays = duration.days + subDayMs(duration) / businessDayMs;
      if (businessDays > MAX_ALLOWANCE_BUSINESS_DAYS) {
        report(
          ['first_touch', tier],
          `must be at most ${MAX_ALLOWANCE_BUSINESS_DAYS} business days, got "${allowance}" (${Math.ceil(businessDays)} business days of ${sla.business_hours.start}–${sla.business_hours.end})`,
        );
      }
    }
  }
}

/** A duration from 1s to 24h; for `sync.poll_interval`. */
export function checkInterval(interval: string, ctx: z.RefinementCtx): void {
  const duration = readDuration(interval);
  let message = durationIssue(interval, duration);
  if (message === null && typeof duration !== 'string') {
    const seconds = duration.days * 86_400 + subDayMs(duration) / 1000;
    if (seconds < MIN_POLL_SECONDS || seconds > MAX_POLL_SECONDS) {
      message = `must be between ${MIN_POLL_SECONDS}s and 24h, got "${interval}"`;
    }
  }
  if (message !== null) ctx.addIssue({ code: 'custom', message });
}

/** Why `name` is not a Salesforce field API name; null when it is one. */
export function salesforceFieldProblem(name: string): string | null {
  if (!/^[A-Za-z0-9_]+$/.test(name)) return 'only letters, digits and underscores';
  if (!/^[A-Za-z]/.test(name)) return 'must start with a letter';
  if (name.endsWith('__r')) return 'a relationship (__r) is not a field';
  const custom = name.endsWith('__c');
  let body = custom ? name.slice(0, -3) : name;
  // A managed package's namespace: pi__campaign__c.
  const namespaced = custom ? /^[A-Za-z][A-Za-z0-9]{0,14}__(?=[A-Za-z])/.exec(body) : null;
  if (namespaced !== null) body = body.slice(namespaced[0].length);
  if (body.includes('__')) return 'no double underscore except before the custom suffix __c';
  if (body.endsWith('_')) return 'must not end with an underscore';
  if (body.length > MAX_SALESFORCE_NAME) {
    return `at most ${MAX_SALESFORCE_NAME} characters${custom ? ' before __c' : ''}`;
  }
  return null;
}

/** Whether `name` is a HubSpot property internal name. */
export function isHubSpotPropertyName(name: string): boolean {
  return /^[a-z][a-z0-9_]*$/.test(name);
}

/** Field and property names in `mapping`: caught here rather than by the first API call. */
export function checkMapping(mapping: MappingDefinition, ctx: z.RefinementCtx): void {
  const report = reporter(ctx);
  const salesforce = [
    ...Object.entries(mapping.salesforce).map(([key, name]) => ({
      path: ['salesforce', key],
      name,
    })),
    ...Object.entries(mapping.salesforce_fields).map(([key, name]) => ({
      path: ['salesforce_fields', key],
      name,
    })),
  ];
  for (const { path, name } of salesforce) {
    const problem = salesforceFieldProblem(name);
    if (problem !== null) {
      report(
        path,
        `${JSON.stringify(name)} is not a Salesforce field API name: ${problem} (${SALESFORCE_NAME_HINT})`,
      );
    }
  }
  const hubspot = [
    ...Object.entries(mapping.hubspot).map(([key, name]) => ({ path: ['hubspot', key], name })),
    ...Object.entries(mapping.hubspot_properties).map(([key, name]) => ({
      path: ['hubspot_properties', key],
      name,
    })),
  ];
  for (const { path, name } of hubspot) {
    if (!isHubSpotPropertyName(name)) {
      report(
        path,
        `${JSON.stringify(name)} is not a HubSpot property name: ${HUBSPOT_NAME_HINT} (e.g. jobtitle)`,
      );
    }
  }
}

/**
 * Rules that span sections: condition fields must be canonical or mapped, and every tier needs
 * an SLA allowance (and only tiers have one). Runs once every section is valid on its own.
 */
export function checkAcrossSections(definition: Definition, ctx: z.RefinementCtx): void {
  const report = reporter(ctx);
  const { qualification, routing, sla } = definition;
  const knownFields = new Set(attributeNames(definition.mapping));
  qualification.gates.forEach((gate, index) => {
    checkField(gate.field, knownFields, ['qualification', 'gates', index, 'field'], report);
  });
  qualification.fit.forEach((rule, index) => {
    checkField(rule.field, knownFields, ['qualification', 'fit', index, 'field'], report);
  });
  routing.rules.forEach((rule, index) => {
    for (const field of Object.keys(rule.when ?? {})) {
      checkField(field, knownFields, ['routing', 'rules', index, 'when', field], report);
    }
  });
  const tiers = Object.keys(qualification.tiers);
  for (const tier of Object.keys(sla.first_touch)) {
    if (!has(qualification.tiers, tier)) {
      report(['sla', 'first_touch', tier], `unknown tier "${tier}" (tiers: ${tiers.join(', ')})`);
    }
  }
  for (const tier of tiers) {
    if (!has(sla.first_touch, tier)) {
      report(['sla', 'first_touch'], `missing the allowance for tier "${tier}"`);
    }
  }
}
