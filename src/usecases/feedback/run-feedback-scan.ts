import { markDecision } from '../../domain/decision-marks.js';
import { normalizeRejection } from '../../domain/rejection/normalize-rejection.js';
import type { RejectionFeedback } from '../../ports/contact-feedback.port.js';
import type { HandoffLead } from '../../ports/lead-lifecycle.port.js';
import type { LeadUpdate } from '../../ports/lead-store.port.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle.types.js';
import { loadPeople } from '../lifecycle/load-people.js';
import { appendReason, who } from '../lifecycle/reason-history.js';
import { finishScan, scanStart } from '../lifecycle/scan-window.js';

export const REJECTIONS_STREAM = 'salesforce.rejections';

export interface FeedbackSummary {
  rejected: number;
  /** Reasons missing or not in the definition, replaced by `default_reason`: the admin should look. */
  flagged: number;
  /** Rejected Leads with no HubSpot contact to tell. */
  without_contact: number;
  returned_to_nurture: number;
  by_reason: Record<string, number>;
  failed: number;
}

function definitionVersionOf(lead: HandoffLead, fallback: string): string {
  return /\(definition ([^)]+)\)/.exec(lead.reason ?? '')?.[1] ?? fallback;
}

/**
 * The rejection loop's Salesforce side. A routed Lead in one of `feedback.rejected_statuses`
 * whose decision is not yet marked returned is a rejection: its feedback goes to the HubSpot
 * outbox first (durable), then the Lead goes to the nurture owner with the decision marked `~j`
 * and its open Handoff Task closed. The mark, in Salesforce, is what makes this run once per
 * rejection event; a lead routed again and rejected again is a new event.
 */
export async function runFeedbackScan(deps: LifecycleDeps): Promise<FeedbackSummary> {
  const { definition } = deps;
  const now = deps.now();
  const since = await scanStart(deps.state, REJECTIONS_STREAM, now);
  const summary: FeedbackSummary = {
    rejected: 0,
    flagged: 0,
    without_contact: 0,
    returned_to_nurture: 0,
    by_reason: {},
    failed: 0,
  };
  const leads = (
    await deps.lifecycle.rejectedLeads({
      changedSince: since,
      statuses: definition.feedback.rejected_statuses,
    })
  ).filter((lead) => !lead.isConverted);
  if (leads.length === 0) {
    await finishScan(deps.state, REJECTIONS_STREAM, now, []);
    deps.log.info({ ...summary }, 'rejection scan finished');
    return summary;
  }
  const people = await loadPeople(deps.directory);
  const nurtureOwner = definition.feedback.nurture_owner ?? definition.routing.fallback_owner;
  const events: RejectionFeedback[] = [];
  const updates: LeadUpdate[] = [];
  for (const lead of leads) {
    const result = normalizeRejection(
      {
        previousStatus: null,
        status: lead.status,
        reason: lead.rejectionReason,
        comment: lead.rejectionComment,
        changedAt: lead.modifiedAt,
      },
      definition,
    );
    if (result.kind !== 'rejection') continue;
    summary.rejected += 1;
    summary.by_reason[result.reason] = (summary.by_reason[result.reason] ?? 0) + 1;
    if (result.flag !== null) {
      summary.flagged += 1;
      deps.log.warn(
        {
          leadId: lead.id,
          flag: result.flag,
          given: result.givenReason,
          recordedAs: result.reason,
        },
        'rejection reason flagged for the admin',
      );
    }
    const rep = people.names.get(lead.ownerId) ?? lead.ownerId;
    if (lead.hubspotContactId === null) summary.without_contact += 1;
    else
      events.push({
        eventId: `${lead.id}:${lead.decisionId}`,
        contactId: lead.hubspotContactId,
        properties: {
          status: 'rejected',
          rejection_reason: result.reason,
          rejection_comment: result.comment ?? '',
          rejected_at: lead.modifiedAt.toISOString(),
          rejected_by: rep,
        },
        note: noteText(lead, result, rep, definitionVersionOf(lead, definition.version)),
        at: lead.modifiedAt.toISOString(),
        nurtureListId: result.nurtureList,
        lifecycleStage: result.lifecycleStage,
      });
    updates.push({
      leadId: lead.id,
      ownerId: nurtureOwner,
      decisionId: markDecision(lead.decisionId, 'j'),
      reason: appendReason(
        lead.reason,
        now,
        `Rejected by ${who(people.names, lead.ownerId)}: ${result.reason}${result.comment === null ? '' : ` — ${result.comment}`}; returned to ${who(people.names, nurtureOwner)} for nurture.`,
      ),
    });
  }
  // HubSpot first: once queued, the feedback survives a crash before the Lead is marked.
  await deps.outbox.sendFeedback(events);
  await deps.lifecycle.closeTasks(leads.map((lead) => lead.decisionId));
  const failed: HandoffLead[] = [];
  const outcomes = await deps.leads.updateLeads(updates);
  outcomes.forEach((outcome, index) => {
    const lead = leads.find((candidate) => candidate.id === updates[index]?.leadId);
    if (outcome.ok) summary.returned_to_nurture += 1;
    else if (lead !== undefined) failed.push(lead);
  });
  summary.failed = failed.length;
  for (const lead of failed)
    deps.log.warn({ leadId: lead.id }, 'rejection not marked; retried next run');
  await finishScan(deps.state, REJECTIONS_STREAM, now, failed);
  deps.log.info({ ...summary }, 'rejection scan finished');
  return summary;
}

function noteText(
  lead: HandoffLead,
  result: Extract<ReturnType<typeof normalizeRejection>, { kind: 'rejection' }>,
  rep: string,
  version: string,
): string {
  const lines = [
    `Lead returned by sales: ${result.reason}`,
    ...(result.comment === null ? [] : [`Comment: ${result.comment}`]),
    `Rejected by ${rep} on ${lead.modifiedAt.toISOString().slice(0, 10)}`,
    `Score at handoff: ${lead.score ?? '-'} (tier ${lead.tier ?? '-'}), definition ${version}`,
    `May be routed again from ${result.recycleAt.toISOString().slice(0, 10)}${result.nurtureList === null ? '' : `; added to nurture list ${result.nurtureList}`}`,
  ];
  if (result.flag === 'missing') lines.push(`No reason was given; recorded as "${result.reason}".`);
  if (result.flag === 'unknown')
    lines.push(
      `The reason "${result.givenReason ?? ''}" is not in the agreed list; recorded as "${result.reason}".`,
    );
  return lines.join('\n');
}
