import type { Definition } from '../../domain/definition.js';
import { isReturned } from '../../domain/lifecycle/lead-lifecycle.js';
import { agreedReason, isRejectedStatus } from '../../domain/rejection/normalize-rejection.js';
import { assessFirstTouch, type TouchActivity } from '../../domain/sla/assess-first-touch.js';
import type { HandoffLead, LeadLifecycleStore } from '../../ports/lead-lifecycle.port.js';
import type { SalesDirectory } from '../../ports/sales-directory.port.js';
import { loadPeople } from '../lifecycle/load-people.js';
import { isBornDecision } from '../sync/describe-decision.js';
import { ROUTED_STATUS } from '../sync/write-decisions.js';

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
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? null;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * The funnel since `since`, computed only from Salesforce records (Handoff's fields, statuses,
 * Tasks and Events), so it survives a Redis loss and covers Leads routed by earlier
 * installations. A cohort report: every number is about the MQLs routed in the period.
 */
export async function buildReport(deps: ReportDeps, since: Date, now: Date): Promise<FunnelReport> {
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
  const minutes: number[] = [];
  for (const lead of leads) {
    if (isBornDecision(lead.lifecycle.decisionId)) bornInSalesforce += 1;
    for (const owner of lead.lifecycle.breachedOwners) bump(byOwner, names.get(owner) ?? owner);
    if (lead.isConverted) converted += 1;
    if (isRejected(lead)) {
      rejected += 1;
      bump(byReason, agreedReason(lead.rejectionReason, definition).reason);
      bump(bySource, lead.leadSource ?? '(none)');
      const campaign = lead.attributes['campaign'];
      if (campaignMapped)
        bump(byCampaign, typeof campaign === 'string' && campaign !== '' ? campaign : '(none)');
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
    if (late) {
      breached += 1;
      // A breach the watch has not recorded yet counts against the current owner.
      if (!lead.slaBreached) bump(byOwner, names.get(lead.ownerId) ?? lead.ownerId);
    } else if (touch.kind === 'touched' || isRejected(lead)) met += 1;
  }
  minutes.sort((a, b) => a - b);
  return {
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
      compliance: met + breached === 0 ? null : Math.round((met / (met + breached)) * 1000) / 1000,
    },
    time_to_first_touch_minutes: {
      median: percentile(minutes, 0.5),
      p90: percentile(minutes, 0.9),
      count: minutes.length,
    },
    breaches_by_owner: byOwner,
  };
}
