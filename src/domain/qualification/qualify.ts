import { conditionHolds, describeCondition } from '../conditions/evaluate-condition.js';
import { ownValue, type Definition, type EngagementDefinition } from '../definition.js';
import {
  activitySource,
  type Activity,
  type ActivitySource,
  type Lead,
  type Reason,
} from '../model.js';
import { MS_PER_DAY } from '../time/zoned-time.js';

export interface QualifyInput {
  readonly lead: Lead;
  readonly activities: readonly Activity[];
  readonly definition: Definition;
  readonly now: Date;
}

interface QualificationCommon {
  /** round(fit + engagement), half away from zero. */
  readonly score: number;
  readonly fit: number;
  /** Decayed and capped; not rounded. */
  readonly engagement: number;
  /** Every gate, every fit rule, every engagement type, every ignored activity. */
  readonly reasons: readonly Reason[];
  readonly definitionVersion: string;
}

export type QualificationResult =
  | (QualificationCommon & { readonly qualified: true; readonly tier: string })
  | (QualificationCommon & { readonly qualified: false; readonly tier: null });

/** Rounds half away from zero (Math.round rounds -2.5 to -2). */
export function roundHalfAwayFromZero(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

interface EngagementTotals {
  readonly engagement: number;
  readonly reasons: readonly Reason[];
}

const NO_ENGAGEMENT: EngagementTotals = { engagement: 0, reasons: [] };

/** The reason rule of an activity's engagement: `engagement.call`, `engagement.salesforce.call`. */
export function engagementRule(activity: Pick<Activity, 'type' | 'source'>): string {
  return activitySource(activity) === 'salesforce'
    ? `engagement.salesforce.${activity.type}`
    : `engagement.${activity.type}`;
}

/** Points of one activity at age zero, from the map of its system; undefined: not weighted. */
function weightOf(activity: Activity, engagement: EngagementDefinition): number | undefined {
  return activitySource(activity) === 'salesforce'
    ? ownValue<number | undefined>(engagement.salesforce_activities, activity.type)
    : ownValue(engagement.activities, activity.type);
}

/** ` in Salesforce` for Salesforce activities; HubSpot's texts stay as they always were. */
function systemSuffix(source: ActivitySource): string {
  return source === 'salesforce' ? ' in Salesforce' : '';
}

interface TypeTotal {
  readonly rule: string;
  readonly type: string;
  readonly source: ActivitySource;
  points: number;
  count: number;
}

type IgnoredActivities = Map<
  string,
  { readonly rule: string; readonly source: ActivitySource; readonly cause: string; count: number }
>;

function recordIgnored(ignored: IgnoredActivities, activity: Activity, cause: string): void {
  const source = activitySource(activity);
  const key = `${source}\u0000${activity.type}\u0000${cause}`;
  const entry = ignored.get(key) ?? { rule: engagementRule(activity), source, cause, count: 0 };
  entry.count += 1;
  ignored.set(key, entry);
}

/**
 * HubSpot and Salesforce activities, each weighted by its own system's map, decayed with the one
 * half-life, summed and capped once at `max_points`. One reason per system and type.
 */
function scoreEngagement(
  activities: readonly Activity[],
  engagement: EngagementDefinition,
  nowMs: number,
): EngagementTotals {
  if (activities.length === 0) return NO_ENGAGEMENT;
  const totals = new Map<string, TypeTotal>();
  const ignored: IgnoredActivities = new Map();
  for (const activity of activities) {
    const weight = weightOf(activity, engagement);
    const atMs = activity.at.getTime();
    if (weight === undefined) {
      recordIgnored(ignored, activity, 'activity type not in the definition');
      continue;
    }
    if (Number.isNaN(atMs) || atMs > nowMs) {
      recordIgnored(
        ignored,
        activity,
        Number.isNaN(atMs) ? 'activity without a valid time' : 'activity after now',
      );
      continue;
    }
    const source = activitySource(activity);
    const key = `${source}\u0000${activity.type}`;
    const entry = totals.get(key) ?? {
      rule: engagementRule(activity),
      type: activity.type,
      source,
      points: 0,
      count: 0,
    };
    const ageDays = (nowMs - atMs) / MS_PER_DAY;
    entry.points += weight * Math.pow(0.5, ageDays / engagement.half_life_days);
    entry.count += 1;
    totals.set(key, entry);
  }
  const reasons: Reason[] = [];
  let total = 0;
  for (const { rule, type, source, points, count } of totals.values()) {
    total += points;
    reasons.push({
      rule,
      kind: 'engagement',
      points,
      detail: `${count} × ${type}${systemSuffix(source)}, halved every ${engagement.half_life_days} days`,
    });
  }
  for (const { rule, source, cause, count } of ignored.values()) {
    reasons.push({
      rule,
      kind: 'activity_ignored',
      points: 0,
      detail: `${count} ignored${systemSuffix(source)}: ${cause}`,
    });
  }
  if (total > engagement.max_points) {
    reasons.push({
      rule: 'engagement.max_points',
      kind: 'engagement_capped',
      points: engagement.max_points - total,
      detail: `engagement capped at ${engagement.max_points}`,
    });
    total = engagement.max_points;
  }
  return { engagement: total, reasons };
}

function tierFor(score: number, tiers: Readonly<Record<string, number>>): string | null {
  let best: { name: string; minimum: number } | null = null;
  for (const [name, minimum] of Object.entries(tiers)) {
    if (minimum <= score && (best === null || minimum > best.minimum)) best = { name, minimum };
  }
  return best?.name ?? null;
}

/**
 * Applies the qualification definition to one lead at `now`.
 *
 * Qualified ⇔ every gate holds and score ≥ threshold; the tier is the one with the highest
 * minimum ≤ score. Engagement decays with a half-life and is capped; a HubSpot activity (no
 * `source`) is weighted by `engagement.activities` under rule `engagement.<type>`, a Salesforce one
 * by `engagement.salesforce_activities` under `engagement.salesforce.<type>`, and both share the
 * one cap. Activities of unweighted types or later than `now` count 0 and are listed as ignored.
 * Never throws for business outcomes.
 */
export function qualify(input: QualifyInput): QualificationResult {
  const { lead, activities, definition, now } = input;
  const { qualification } = definition;
  const reasons: Reason[] = [];

  let gatesHold = true;
  for (const gate of qualification.gates) {
    const holds = conditionHolds(ownValue(lead.attributes, gate.field), gate);
    gatesHold &&= holds;
    reasons.push({
      rule: gate.id,
      kind: holds ? 'gate_passed' : 'gate_failed',
      points: 0,
      detail: describeCondition(gate.field, gate),
    });
  }

  let fit = 0;
  for (const rule of qualification.fit) {
    const holds = conditionHolds(ownValue(lead.attributes, rule.field), rule);
    if (holds) fit += rule.points;
    reasons.push({
      rule: rule.id,
      kind: holds ? 'fit_matched' : 'fit_missed',
      points: holds ? rule.points : 0,
      detail: describeCondition(rule.field, rule),
    });
  }

  const engagement = scoreEngagement(activities, qualification.engagement, now.getTime());
  reasons.push(...engagement.reasons);

  const score = roundHalfAwayFromZero(fit + engagement.engagement);
  const common = {
    score,
    fit,
    engagement: engagement.engagement,
    reasons,
    definitionVersion: definition.version,
  };
  const tier =
    gatesHold && score >= qualification.threshold ? tierFor(score, qualification.tiers) : null;
  return tier === null
    ? { ...common, qualified: false, tier: null }
    : { ...common, qualified: true, tier };
}
