import {
  breachWrite,
  isBreachHandled,
  isReturned,
  touchedStage,
  touchedWrite,
} from '../../domain/lifecycle/lead-lifecycle.js';
import { isRejectedStatus } from '../../domain/rejection/normalize-rejection.js';
import { assessFirstTouch, type FirstTouch } from '../../domain/sla/assess-first-touch.js';
import { MS_PER_DAY } from '../../domain/time/zoned-time.js';
import type { ContactUpdate } from '../../ports/contact-writer.port.js';
import type { HandoffLead } from '../../ports/lead-lifecycle.port.js';
import type { LeadUpdate } from '../../ports/lead-store.port.js';
import { ROUTED_STATUS } from '../assignment/write-assignments.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle.types.js';
import { loadPeople } from '../lifecycle/load-people.js';
import { appendReason, who } from '../lifecycle/reason-history.js';
import { finishScan, LOOKBACK_DAYS, scanStart } from '../lifecycle/scan-window.js';
import { escalateBreaches, type Breach } from './escalate-breaches.js';

export const SLA_STREAM = 'salesforce.sla';

export interface SlaWatchSummary {
  checked: number;
  accepted: number;
  late_touches: number;
  breached: number;
  reassigned: number;
  notified: number;
  recorded: number;
  /** Leads whose Salesforce write failed; read again next run. */
  failed: number;
}

function emptySummary(): SlaWatchSummary {
  return {
    checked: 0,
    accepted: 0,
    late_touches: 0,
    breached: 0,
    reassigned: 0,
    notified: 0,
    recorded: 0,
    failed: 0,
  };
}

/**
 * The SLA watch in full: finds routed leads whose first touch happened (→ `accepted`/`working` in
 * HubSpot with the time to first touch) or whose due instant passed without one (→ breach and
 * `sla.on_breach`). Its state is read from Salesforce every time — the decision id, due date,
 * status, Tasks and Events — so losing Redis loses nothing and Leads routed by an earlier
 * installation are watched too. The cursor (Redis) only narrows what is re-read.
 *
 * `activity: false` (the periodic reconciliation under `handoff run`) skips the Task and Event
 * scan: the change probe hands those leads to `checkSlaOfLeads` every cycle.
 */
export async function runSlaWatch(
  deps: LifecycleDeps,
  options: { readonly activity: boolean } = { activity: true },
): Promise<SlaWatchSummary> {
  const now = deps.now();
  // An overdue, untouched lead is escalated up to LOOKBACK_DAYS after its due date.
  const lookback = new Date(now.getTime() - LOOKBACK_DAYS * MS_PER_DAY);
  const since = await scanStart(deps.state, SLA_STREAM, now);
  const watched = new Map<string, HandoffLead>();
  // Asked together, the Leads and their Tasks and Events share one Composite call.
  const [leads, touched] = await Promise.all([
    deps.lifecycle.watchedLeads({
      changedSince: since,
      overdueSince: lookback,
      now,
      routedStatus: ROUTED_STATUS,
    }),
    // A logged call or a completed Task does not change the Lead itself.
    options.activity ? deps.lifecycle.leadsWithActivitySince(since) : [],
  ]);
  for (const lead of leads) watched.set(lead.id, lead);
  const active = new Set<string>(touched);
  if (options.activity) {
    const unread = [...active].filter((id) => !watched.has(id));
    for (const lead of await deps.lifecycle.routedLeadsByIds(unread)) watched.set(lead.id, lead);
  }
  // A lead that changed (Handoff just routed it, say) but is not due, still has its routed
  // status and no new Task or Event has nothing to assess: reading its activities would cost
  // calls per 250 leads for every lead a backfill routes.
  const toCheck = [...watched.values()].filter(
    (lead) =>
      active.has(lead.id) ||
      lead.status !== ROUTED_STATUS ||
      lead.due === null ||
      lead.due.getTime() <= now.getTime(),
  );
  const summary = await checkLeads(deps, toCheck, now);
  await finishScan(deps.state, SLA_STREAM, now, summary.failedLeads);
  const { failedLeads: _failed, ...result } = summary;
  deps.log.info({ ...result }, 'sla watch finished');
  return result;
}

/**
 * The SLA check for named leads: a timer that fired at their due instant, or the change probe
 * that saw activity on them. Leads not routed by Handoff are left out.
 */
export async function checkSlaOfLeads(
  deps: LifecycleDeps,
  leadIds: readonly string[],
): Promise<SlaWatchSummary> {
  const now = deps.now();
  if (leadIds.length === 0) return emptySummary();
  const leads = await deps.lifecycle.routedLeadsByIds(leadIds);
  // A failed write is found again by the next probe or the reconciliation.
  const { failedLeads: _failed, ...summary } = await checkLeads(deps, leads, now);
  deps.log.info({ ...summary, leads: leadIds.length }, 'sla check finished');
  return summary;
}

/** First touch or breach for each lead, and what follows; returns the leads whose write failed. */
async function checkLeads(
  deps: LifecycleDeps,
  leads: readonly HandoffLead[],
  now: Date,
): Promise<SlaWatchSummary & { failedLeads: HandoffLead[] }> {
  const { definition } = deps;
  const summary = emptySummary();
  // Rejections belong to the feedback loop; converted Leads are done.
  const candidates = leads.filter(
    (lead) =>
      !lead.isConverted &&
      lead.due !== null &&
      !isRejectedStatus(lead.status, definition) &&
      !isReturned(lead.lifecycle),
  );
  summary.checked = candidates.length;
  if (candidates.length === 0) return { ...summary, failedLeads: [] };
  // Asked together, the activities and the directory share Composite calls. Reassignments
  // route now: who is out of office now matters.
  const [touches, people] = await Promise.all([
    deps.lifecycle.touches(candidates.map((lead) => lead.id)),
    loadPeople(deps.directory, now),
  ]);

  const hubspot: ContactUpdate[] = [];
  const touchedUpdates: LeadUpdate[] = [];
  const breaches: Breach[] = [];
  // First touches of assignments still waiting for one: each settles its deadline once.
  const settled = new Map<string, { met: boolean; minutes: number | null }>();
  for (const lead of candidates) {
    const touch: FirstTouch = assessFirstTouch({
      lead: { ...lead, due: lead.due ?? now },
      activities: touches.get(lead.id) ?? [],
      routedStatus: ROUTED_STATUS,
      now,
    });
    if (touch.kind === 'touched') {
      summary.accepted += 1;
      if (lead.lifecycle.stage === 'routed')
        settled.set(lead.id, { met: touch.inTime, minutes: touch.minutes });
      const stage = touchedWrite(lead.lifecycle, lead.status);
      const status = touchedStage(lead.status);
      if (lead.hubspotContactId !== null)
        hubspot.push({
          contactId: lead.hubspotContactId,
          properties: {
            status,
            first_touch_at: touch.at.toISOString(),
            ...(touch.minutes === null ? {} : { minutes_to_first_touch: String(touch.minutes) }),
          },
        });
      if (!touch.inTime && !lead.slaBreached) {
        summary.late_touches += 1;
        const due = lead.due ?? now;
        const late = Math.round((touch.at.getTime() - due.getTime()) / 60_000);
        touchedUpdates.push({
          leadId: lead.id,
          slaBreached: true,
          lifecycle: {
            ...breachWrite(lead.lifecycle, lead.ownerId, due, 'touched_late'),
            stage: status,
          },
          reason: appendReason(
            lead.reason,
            now,
            `SLA missed by ${who(people.names, lead.ownerId)}: first touch ${late} min after the due time.`,
          ),
        });
      } else if (stage !== null) touchedUpdates.push({ leadId: lead.id, lifecycle: stage });
      continue;
    }
    if (touch.kind === 'overdue' && !isBreachHandled(lead.lifecycle))
      breaches.push({ lead, lateMinutes: touch.lateMinutes });
  }

  await deps.outbox.send(hubspot, { onlyChanges: true });
  const failed: HandoffLead[] = [];
  const outcomes = await deps.leads.updateLeads(touchedUpdates);
  for (const [index, outcome] of outcomes.entries()) {
    const lead = candidates.find((candidate) => candidate.id === touchedUpdates[index]?.leadId);
    if (!outcome.ok && lead !== undefined) failed.push(lead);
    // Told once the stage moved on: a failed write is assessed again by the next run.
    const first = outcome.ok ? settled.get(touchedUpdates[index]?.leadId ?? '') : undefined;
    if (first !== undefined) deps.events?.slaAssessed(first.met, first.minutes);
  }
  const escalation = await escalateBreaches(deps, breaches, people, now);
  for (const { lead } of breaches)
    if (!escalation.failed.includes(lead)) deps.events?.slaAssessed(false, null);
  summary.breached += breaches.length;
  summary.reassigned += escalation.reassigned;
  summary.notified += escalation.notified;
  summary.recorded += escalation.recorded;
  failed.push(...escalation.failed);

  summary.failed = failed.length;
  for (const lead of failed)
    deps.log.warn({ leadId: lead.id }, 'sla update failed; retried next run');
  return { ...summary, failedLeads: failed };
}

/**
 * What an SLA timer does when it fires: checks every lead whose due instant has come (timers
 * falling together are checked together), then drops their timers.
 */
export async function runDueSlaChecks(deps: LifecycleDeps): Promise<SlaWatchSummary> {
  const now = deps.now();
  const due = await deps.state.dueSlaTimers(now);
  const summary = await checkSlaOfLeads(deps, due);
  await deps.state.clearSlaTimers(now);
  return summary;
}
