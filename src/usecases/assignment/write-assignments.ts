import type { Definition } from '../../domain/definition.js';
import { routedWrite } from '../../domain/lifecycle/lead-lifecycle.js';
import type { AttributeValue } from '../../domain/model.js';
import type { QualificationResult } from '../../domain/qualification/qualify.js';
import type { RoutingDecision } from '../../domain/routing/route-lead.js';
import type { SlaDue } from '../../domain/sla/compute-sla-due-at.js';
import type {
  FollowUpTask,
  LeadStore,
  LeadUpdate,
  OpenTask,
  WriteOutcome,
} from '../../ports/lead-store.port.js';
import type { SlaTimers } from '../../ports/sla-timers.port.js';
import { describeDecision } from '../sync/describe-decision.js';
import { followUpTask, isUserId } from './follow-up-task.js';

export const ROUTED_STATUS = 'Open - Not Contacted';

/** A decision to hand a lead to an owner, wherever the lead came from. */
export interface Decided {
  readonly decisionId: string;
  readonly ownerId: string;
  readonly ownerKept: boolean;
  readonly qualification: QualificationResult & { readonly qualified: true };
  readonly routing: RoutingDecision | null;
  readonly sla: SlaDue;
  /** The lead's attributes: its name goes into the Task's subject. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** `First Last` from a lead's attributes, or '' when it has neither. */
export function personName(attributes: Readonly<Record<string, AttributeValue>>): string {
  return [attributes['first_name'], attributes['last_name']]
    .filter((part) => typeof part === 'string' && part !== '')
    .join(' ');
}

/**
 * The Lead's fields for a decision: owner, status, score, tier, deadline and its explanation;
 * with `withDecision`, the decision id and a fresh lifecycle (no breach yet, whatever an earlier
 * decision had), which a Lead carries only once its Task exists.
 */
export function decisionFields(
  item: Decided,
  routedAt: Date,
  withDecision: boolean,
): Omit<LeadUpdate, 'leadId'> {
  return {
    ownerId: item.ownerId,
    status: ROUTED_STATUS,
    score: item.qualification.score,
    tier: item.qualification.tier,
    due: item.sla.due,
    routedAt,
    reason: describeDecision(item.qualification, item.routing, item.sla, item.ownerKept),
    ...(withDecision
      ? {
          decisionId: item.decisionId,
          lifecycle: routedWrite(item.qualification.definitionVersion),
          slaBreached: false,
        }
      : {}),
  };
}

/** The decision's follow-up Task for a rep (null for a queue): the top tier's is High. */
export function decisionTask(
  definition: Definition,
  item: Decided,
  leadId: string,
): FollowUpTask | null {
  const name = personName(item.attributes);
  return followUpTask({
    assignmentId: item.decisionId,
    leadId,
    ownerId: item.ownerId,
    subject: `Follow up with ${name || 'new MQL'} (tier ${item.qualification.tier})`,
    due: item.sla.due,
    timezone: item.sla.timezone,
    description: describeDecision(item.qualification, item.routing, item.sla, item.ownerKept),
    priority: item.qualification.tier === highestTier(definition) ? 'High' : 'Normal',
  });
}

function highestTier(definition: Definition): string | undefined {
  return Object.entries(definition.qualification.tiers).sort(([, a], [, b]) => b - a)[0]?.[0];
}

/** One decision ready to write to an existing Lead. */
export interface AssignmentWrite {
  /** Whose outcome it is: the contact id, or the Lead id of a Lead born in Salesforce. */
  readonly key: string;
  readonly leadId: string;
  readonly decisionId: string;
  readonly ownerId: string;
  readonly due: Date;
  readonly task: FollowUpTask | null;
  /** The Lead's fields with the decision. */
  readonly update: LeadUpdate;
  /**
   * Handoff's open Tasks on the Lead, as read with it; [] for a Lead created in this attempt (no
   * earlier attempt can have given it a Task); null when unknown.
   */
  readonly openTasks: readonly OpenTask[] | null;
}

export interface AssignmentCounts {
  tasks_created: number;
  readonly written: { salesforce: number };
}

/**
 * Writes decisions to their Leads in the order that leaves no gap if the process dies between
 * two calls: the Tasks first (upserted on the decision id), then the Leads' fields with the
 * decision id, so a Lead carries its decision only once its Task exists and a retry finds it
 * undecided. A decision now going to a queue first closes the Task an interrupted attempt at it
 * may have given a rep (the rotation moved on since). SLA timers are set for the Leads written.
 * Returns the writes that went through and the failures by key.
 */
export async function writeAssignments(
  deps: { readonly leads: LeadStore; readonly timers: SlaTimers },
  writes: readonly AssignmentWrite[],
  counts: AssignmentCounts,
): Promise<{
  readonly routed: readonly AssignmentWrite[];
  readonly failures: ReadonlyMap<string, WriteOutcome & { ok: false }>;
}> {
  const failures = new Map<string, WriteOutcome & { ok: false }>();
  const tasks = writes.flatMap((write) => (write.task === null ? [] : [write.task]));
  for (const outcome of await deps.leads.upsertTasks(tasks)) {
    if (outcome.ok && outcome.created) counts.tasks_created += 1;
    if (!outcome.ok) {
      const write = writes.find((candidate) => candidate.decisionId === outcome.key);
      if (write !== undefined) failures.set(write.key, outcome);
    }
  }
  counts.written.salesforce += tasks.length;
  await closeEarlierAttempts(
    deps.leads,
    writes.filter((write) => !isUserId(write.ownerId) && !failures.has(write.key)),
  );
  const ready = writes.filter((write) => !failures.has(write.key));
  const outcomes = await deps.leads.updateLeads(ready.map((write) => write.update));
  counts.written.salesforce += ready.length;
  outcomes.forEach((outcome, index) => {
    const write = ready[index];
    if (write !== undefined && !outcome.ok) failures.set(write.key, outcome);
  });
  const routed = ready.filter((write) => !failures.has(write.key));
  await deps.timers.schedule(routed.map((write) => ({ leadId: write.leadId, due: write.due })));
  return { routed, failures };
}

/**
 * Closes the Tasks an interrupted attempt at these queue-bound decisions gave a rep. The Leads'
 * lookup read their open Handoff Tasks with them: only where it could not are they asked for.
 */
async function closeEarlierAttempts(
  leads: LeadStore,
  toQueues: readonly AssignmentWrite[],
): Promise<void> {
  const known: OpenTask[] = [];
  const unknown: string[] = [];
  for (const { openTasks, decisionId } of toQueues) {
    if (openTasks === null) unknown.push(decisionId);
    else known.push(...openTasks.filter((task) => task.decisionId === decisionId));
  }
  if (known.length > 0) await leads.completeTasks(known);
  if (unknown.length > 0) await leads.closeTasks(unknown);
}
