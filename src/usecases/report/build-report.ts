import type { Definition } from '../../domain/definition.js';
import { isReturned } from '../../domain/lifecycle/lead-lifecycle.js';
import { agreedReason, isRejectedStatus } from '../../domain/rejection/normalize-rejection.js';
import { assessFirstTouch, type TouchActivity } from '../../domain/sla/assess-first-touch.js';
import type { HandoffLead, LeadLifecycleStore } from '../../ports/lead-lifecycle.port.js';
import type { SalesDirectory } from '../../ports/sales-directory.port.js';
import { loadPeople, type People } from '../lifecycle/load-people.js';
import { isBornDecision } from '../sync/describe-decision.js';
import { ROUTED_STATUS } from '../assignment/write-assignments.js';

export interface ReportDeps {
  readonly definition: Definition;
  readonly lifecycle: LeadLifecycleStore;
  readonly directory: SalesDirectory;
}

export interface FunnelReport {
  readonly since: string;
  readonly until: string;
  /** MQLs routed in the period (by routing instant). */
  readonly routed: number;
  /** Of those, by where the lead was born: a HubSpot contact, or a Salesforce Lead. */
  readonly routed_by_origin: { readonly hubspot: number; readonly salesforce: number };
  /** First touch by the owner, a status moved on, or converted. */
  readonly accepted: number;
  readonly rejected: number;
  /** Neither touched nor rejected yet. */
  readonly open: number;
  readonly converted: number;
  readonly rejections_by_reason: Record<string, number>;
  readonly rejections_by_source: Record<string, number>;
  /** Only when `mapping.salesforce.campaign` names the Lead field holding the campaign. */
  readonly rejections_by_campaign?: Record<string, number>;
  readonly sla: {
    /** Leads whose first touch came due in the period or happened. */
    readonly due: number;
    readonly met: number;
    readonly breached: number;
    /** met / (met + breached); null when nothing came due. */
    readonly compliance: number | null;
  };
  readonly time_to_first_touch_minutes: {
    readonly median: number | null;
    readonly p90: number | null;
    readonly count: number;
  };
  /** Breaches per owner who let the lead lapse, by name. */
  readonly breaches_by_owner: Record<string, number>;
  /** Rejections per lead source, split by agreed reason (source → reason → count). */
  readonly rejection_reasons_by_source: Record<string, Record<string, number>>;
  /** Rejections per campaign, split by agreed reason; only when a campaign field is mapped. */
  readonly rejection_reasons_by_campaign?: Record<string, Record<string, number>>;
  /**
   * SLA outcomes by the day the MQLs were routed (by ISO week, Monday 00:00 UTC, once the
   * period is longer than 31 days), every bucket of the period listed, empty ones too. The
   * points add up to `sla.met` and `sla.breached`.
   */
  readonly sla_over_time: {
    readonly bucket: 'day' | 'week';
    readonly points: readonly SlaPoint[];
  };
  /** The touched leads of `time_to_first_touch_minutes`, counted in fixed buckets. */
  readonly time_to_first_touch_buckets: readonly TouchBucket[];
}

export interface SlaPoint {
  /** The bucket's first instant (UTC midnight). */
  readonly start: string;
  readonly met: number;
  readonly breached: number;
  readonly compliance: number | null;
}

export interface TouchBucket {
  readonly label: string;
  /** The bucket's upper bound, inclusive; null for the last, open-ended one. */
  readonly up_to_minutes: number | null;
  readonly count: number;
}

/**
 * The histogram's upper bounds: the allowances SLAs are usually written in (a quarter hour, an
 * hour, half a day, a working day), then days for the leads nobody hurried to.
 */
const TOUCH_BUCKETS: readonly { readonly label: string; readonly upTo: number | null }[] = [
  { label: '≤ 15 min', upTo: 15 },
  { label: '15–60 min', upTo: 60 },
  { label: '1–4 h', upTo: 240 },
  { label: '4–8 h', upTo: 480 },
  { label: '8–24 h', upTo: 1_440 },
  { label: '1–3 d', upTo: 4_320 },
  { label: '> 3 d', upTo: null },
];

const DAY_MS = 86_400_000;
/** Past this many days a day per bar is too thin to read: weeks instead. */
const DAILY_BUCKETS_MAX_DAYS = 31;
/** Weeks counted from 1970-01-05, the first Monday of the epoch: they start on Mondays. */
const MONDAY_OFFSET_MS = 4 * DAY_MS;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? null;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function bumpPair(
  counts: Record<string, Record<string, number>>,
  outer: string,
  inner: string,
): void {
  bump((counts[outer] ??= {}), inner);
}

function ratio(met: number, breached: number): number | null {
  return met + breached === 0 ? null : Math.round((met / (met + breached)) * 1000) / 1000;
}

/** The buckets of [since, until]: their starts, and which bucket an instant falls in. */
function timeBuckets(
  since: Date,
  until: Date,
): { bucket: 'day' | 'week'; starts: number[]; indexOf(at: Date): number } {
  const bucket =
    until.getTime() - since.getTime() > DAILY_BUCKETS_MAX_DAYS * DAY_MS ? 'week' : 'day';
  const size = bucket === 'day' ? DAY_MS : 7 * DAY_MS;
  const offset = bucket === 'day' ? 0 : MONDAY_OFFSET_MS;
  const startOf = (ms: number): number => Math.floor((ms - offset) / size) * size + offset;
  const first = startOf(since.getTime());
  const starts: number[] = [];
  for (let start = first; start <= until.getTime(); start += size) starts.push(start);
  return {
    bucket,
    starts,
    // A lead dated outside the period (clock skew between the systems) joins its nearest end.
    indexOf: (at) =>
      Math.min(starts.length - 1, Math.max(0, Math.floor((startOf(at.getTime()) - first) / size))),
  };
}

/**
 * The funnel since `since`, computed only from Salesforce records (Handoff's fields, statuses,
 * Tasks and Events), so it survives a Redis loss and covers Leads routed by earlier
 * installations. A cohort report: every number is about the MQLs routed in the period.
 */
export async function buildReport(deps: ReportDeps, since: Date, now: Date): Promise<FunnelReport> {
  return (await readReport(deps, since, now)).report;
}

/** The report with what it was computed from, for views that list the leads behind it. */
export interface ReportReading {
  readonly report: FunnelReport;
  /** The MQLs routed in the period, as Salesforce returned them. */
  readonly leads: readonly HandoffLead[];
  /** Users and queues by id. */
  readonly names: People['names'];
}

/** `buildReport`, keeping the leads and names it read (one Salesforce read serves both). */
export async function readReport(deps: ReportDeps, since: Date, now: Date): Promise<ReportReading> {
  const { definition } = deps;
  const leads = await deps.lifecycle.routedSince(since);
  const [touches, { names }] = await Promise.all([
    leads.length === 0
      ? new Map<string, readonly TouchActivity[]>()
      : deps.lifecycle.touches(leads.map((lead) => lead.id)),
    loadPeople(deps.directory),
  ]);
  const isRejected = (lead: HandoffLead): boolean =>
    isRejectedStatus(lead.status, definition) || isReturned(lead.lifecycle);
  const campaignMapped = definition.mapping.salesforce['campaign'] !== undefined;

  let accepted = 0;
  let rejected = 0;
  let bornInSalesforce = 0;
  let converted = 0;
  let met = 0;
  let breached = 0;
  const byReason: Record<string, number> = {};
  const bySource: Record<string, number> = {};
  const byCampaign: Record<string, number> = {};
  const byOwner: Record<string, number> = {};
  const reasonsBySource: Record<string, Record<string, number>> = {};
  const reasonsByCampaign: Record<string, Record<string, number>> = {};
  const buckets = timeBuckets(since, now);
  const metByBucket = buckets.starts.map(() => 0);
  const breachedByBucket = buckets.starts.map(() => 0);
  const minutes: number[] = [];
  for (const lead of leads) {
    if (isBornDecision(lead.lifecycle.decisionId)) bornInSalesforce += 1;
    for (const owner of lead.lifecycle.breachedOwners) bump(byOwner, names.get(owner) ?? owner);
    if (lead.isConverted) converted += 1;
    if (isRejected(lead)) {
      rejected += 1;
      const reason = agreedReason(lead.rejectionReason, definition).reason;
      const source = lead.leadSource ?? '(none)';
      bump(byReason, reason);
      bump(bySource, source);
      bumpPair(reasonsBySource, source, reason);
      const campaign = lead.attributes['campaign'];
      if (campaignMapped) {
        const name = typeof campaign === 'string' && campaign !== '' ? campaign : '(none)';
        bump(byCampaign, name);
        bumpPair(reasonsByCampaign, name, reason);
      }
    }
    if (lead.due === null) continue;
    const touch = assessFirstTouch({
      lead: { ...lead, due: lead.due },
      activities: touches.get(lead.id) ?? [],
      routedStatus: ROUTED_STATUS,
      now,
    });
    if (touch.kind === 'touched' || lead.isConverted) {
      if (!isRejected(lead)) accepted += 1;
      // A rejection's status change is dated by Handoff's own later write: no timing to trust.
      if (
        touch.kind === 'touched' &&
        touch.minutes !== null &&
        !(touch.by === 'status' && isRejected(lead))
      )
        minutes.push(touch.minutes);
    }
    // The watch marks a breach as it happens; a lead rejected without one was answered in time
    // (its status change carries Handoff's later write time, not the rep's).
    const late =
      lead.slaBreached ||
      (!isRejected(lead) &&
        (touch.kind === 'overdue' || (touch.kind === 'touched' && !touch.inTime)));
    // routedSince selects by routing instant, else due instant: the same date places the lead.
    const bucket = buckets.indexOf(lead.routedAt ?? lead.due);
    if (late) {
      breached += 1;
      breachedByBucket[bucket] = (breachedByBucket[bucket] ?? 0) + 1;
      // A breach the watch has not recorded yet counts against the current owner.
      if (!lead.slaBreached) bump(byOwner, names.get(lead.ownerId) ?? lead.ownerId);
    } else if (touch.kind === 'touched' || isRejected(lead)) {
      met += 1;
      metByBucket[bucket] = (metByBucket[bucket] ?? 0) + 1;
    }
  }
  minutes.sort((a, b) => a - b);
  const report: FunnelReport = {
    since: since.toISOString(),
    until: now.toISOString(),
    routed: leads.length,
    routed_by_origin: { hubspot: leads.length - bornInSalesforce, salesforce: bornInSalesforce },
    accepted,
    rejected,
    open: leads.length - accepted - rejected,
    converted,
    rejections_by_reason: byReason,
    rejections_by_source: bySource,
    ...(campaignMapped ? { rejections_by_campaign: byCampaign } : {}),
    sla: {
      due: met + breached,
      met,
      breached,
      compliance: ratio(met, breached),
    },
    time_to_first_touch_minutes: {
      median: percentile(minutes, 0.5),
      p90: percentile(minutes, 0.9),
      count: minutes.length,
    },
    breaches_by_owner: byOwner,
    rejection_reasons_by_source: reasonsBySource,
    ...(campaignMapped ? { rejection_reasons_by_campaign: reasonsByCampaign } : {}),
    sla_over_time: {
      bucket: buckets.bucket,
      points: buckets.starts.map((start, index) => {
        const pointMet = metByBucket[index] ?? 0;
        const pointBreached = breachedByBucket[index] ?? 0;
        return {
          start: new Date(start).toISOString(),
          met: pointMet,
          breached: pointBreached,
          compliance: ratio(pointMet, pointBreached),
        };
      }),
    },
    time_to_first_touch_buckets: TOUCH_BUCKETS.map(({ label, upTo }, index) => {
      const above = TOUCH_BUCKETS[index - 1]?.upTo ?? -Infinity;
      return {
        label,
        up_to_minutes: upTo,
        count: minutes.filter((value) => value > above && (upTo === null || value <= upTo)).length,
      };
    }),
  };
  return { report, leads, names };
}
