import {
  managerTaskId,
  rejectedWrite,
  type LeadLifecycle,
} from '../../domain/lifecycle/lead-lifecycle.js';
import { normalizeRejection } from '../../domain/rejection/normalize-rejection.js';
import type { RejectionFeedback } from '../../ports/contact-feedback.port.js';
import type { HandoffLead } from '../../ports/lead-lifecycle.port.js';
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
  /** Rejections left for the next run (HubSpot not reached, or the Lead write refused). */
  failed: number;
}

/** A rejected Lead waiting to be handed to nurture once marketing has its feedback. */
export interface PendingReturn {
  readonly leadId: string;
  /** Its lifecycle now: the assignment's open Task is closed, then the stage is written. */
  readonly lifecycle: LeadLifecycle;
  /** The rejection event whose HubSpot side must be done first; null without a contact. */
  readonly eventId: string | null;
  readonly ownerId: string;
  readonly reason: string;
  /**
   * The rejection reason as normalized (what marketing sees). Optional while scans kept on jobs
   * queued before it existed drain (they count as `default_reason`).
   */
  readonly rejectionReason?: string;
  /** ISO; the cursor stays before a Lead that could not be returned. */
  readonly modifiedAt: string;
}

export interface RejectionScan {
  readonly summary: FeedbackSummary;
  readonly pending: readonly PendingReturn[];
}

/**
 * A scan as it comes back from where a job kept it between its steps (JSON): the instants are
 * strings again, and writing them back needs Dates. Harmless on a scan that never left memory.
 */
export function rejectionScanFromJson(scan: RejectionScan): RejectionScan {
  return {
    ...scan,
    pending: scan.pending.map((pending) => ({
      ...pending,
      lifecycle: {
        ...pending.lifecycle,
        breachedAt:
          pending.lifecycle.breachedAt === null ? null : new Date(pending.lifecycle.breachedAt),
      },
    })),
  };
}

/**
 * The rejection loop, first half. A routed Lead in one of `feedback.rejected_statuses` whose
 * stage is not yet `rejected` or `returned` is a rejection: its feedback (properties, note, nurture
 * list, lifecycle stage) goes to the HubSpot outbox, and the Lead is listed for
 * `returnToNurture`, which runs once HubSpot has it. Nothing is lost if HubSpot is down: the Lead
 * keeps its stage and is found again.
 */
export async function scanRejections(deps: LifecycleDeps): Promise<RejectionScan> {
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
  if (leads.length === 0) return { summary, pending: [] };
  const people = await loadPeople(deps.directory);
  const nurtureOwner = definition.feedback.nurture_owner ?? definition.routing.fallback_owner;
  const events: RejectionFeedback[] = [];
  const pending: PendingReturn[] = [];
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
    const eventId =
      lead.hubspotContactId === null ? null : `${lead.id}:${lead.lifecycle.assignmentId}`;
    if (lead.hubspotContactId === null || eventId === null) summary.without_contact += 1;
    else
      events.push({
        eventId,
        contactId: lead.hubspotContactId,
        properties: {
          status: 'rejected',
          rejection_reason: result.reason,
          rejection_comment: result.comment ?? '',
          rejected_at: lead.modifiedAt.toISOString(),
          rejected_by: rep,
        },
        note: noteText(lead, result, rep, lead.lifecycle.definitionVersion ?? definition.version),
        at: lead.modifiedAt.toISOString(),
        nurtureListId: result.nurtureList,
        lifecycleStage: result.lifecycleStage,
      });
    pending.push({
      leadId: lead.id,
      lifecycle: lead.lifecycle,
      eventId,
      ownerId: nurtureOwner,
      rejectionReason: result.reason,
      reason: appendReason(
        lead.reason,
        now,
        `Rejected by ${who(people.names, lead.ownerId)}: ${result.reason}${flagNote(result)}${result.comment === null ? '' : ` — ${result.comment}`}; returned to ${who(people.names, nurtureOwner)} for nurture.`,
      ),
      modifiedAt: lead.modifiedAt.toISOString(),
    });
  }
  await deps.outbox.sendFeedback(events);
  return { summary, pending };
}

/**
 * The rejection loop, second half, once HubSpot has its side: each Lead whose event was
 * delivered (or has no contact to tell) goes to the nurture owner, its open Handoff Task closed,
 * its stage set (`returned`, or `rejected` with no contact) — the stage, in Salesforce, makes
 * this once per rejection event. The others stay as they are and the cursor stays before them,
 * so the next run tries again.
 */
export async function returnToNurture(
  deps: LifecycleDeps,
  scan: RejectionScan,
  delivered: ReadonlySet<string>,
): Promise<FeedbackSummary> {
  const now = deps.now();
  const summary = { ...scan.summary };
  const ready = scan.pending.filter(
    (entry) => entry.eventId === null || delivered.has(entry.eventId),
  );
  const failed = scan.pending.filter((entry) => !ready.includes(entry));
  // The rep's Task, and a manager's about a missed deadline: nobody needs to act on either now.
  await deps.leads.closeTasks(
    ready.flatMap((entry) => [entry.lifecycle.assignmentId, managerTaskId(entry.lifecycle)]),
  );
  const outcomes = await deps.leads.updateLeads(
    ready.map((entry) => ({
      leadId: entry.leadId,
      ownerId: entry.ownerId,
      lifecycle: rejectedWrite(entry.lifecycle, entry.eventId !== null),
      reason: entry.reason,
    })),
  );
  outcomes.forEach((outcome, index) => {
    const entry = ready[index];
    if (outcome.ok) {
      summary.returned_to_nurture += 1;
      deps.events?.rejectionReturned(
        entry?.rejectionReason ?? deps.definition.feedback.default_reason,
      );
    } else if (entry !== undefined) failed.push(entry);
  });
  summary.failed = failed.length;
  for (const entry of failed)
    deps.log.warn({ leadId: entry.leadId }, 'rejection not returned yet; retried next run');
  await finishScan(
    deps.state,
    REJECTIONS_STREAM,
    now,
    failed.map((entry) => ({ modifiedAt: new Date(entry.modifiedAt) })),
  );
  deps.log.info({ ...summary }, 'rejection scan finished');
  return summary;
}

/** What the admin reads on the Lead when the rep's reason was replaced. */
function flagNote(
  result: Extract<ReturnType<typeof normalizeRejection>, { kind: 'rejection' }>,
): string {
  if (result.flag === 'missing') return ' (no reason given; flagged)';
  if (result.flag === 'unknown')
    return ` (given “${result.givenReason ?? ''}”, not in the agreed list; flagged)`;
  return '';
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
