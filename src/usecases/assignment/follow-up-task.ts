import { formatLocalDate, toWallTime } from '../../domain/time/zoned-time.js';
import type { FollowUpTask } from '../../ports/lead-store.port.js';

/** Salesforce's Task.Subject holds 255 characters. */
const SUBJECT_MAX = 255;

/** A Salesforce User id (a Task needs a User owner; queues own Leads only). */
export function isUserId(id: string): boolean {
  return id.startsWith('005');
}

/**
 * The Task of an assignment, whoever made it (routing, a kept owner, a reassignment after a
 * missed SLA, a manager told of a breach): due on the deadline's date in the owner's zone, reminding at the exact
 * instant, upserted on the assignment's id so that a retry never makes a second one. Null for a
 * queue: a queue's lead gets its Task when a rep takes it.
 */
export function followUpTask(input: {
  readonly assignmentId: string;
  readonly leadId: string;
  readonly ownerId: string;
  readonly subject: string;
  readonly due: Date;
  /** The owner's zone: the Task's due date is the deadline's date there. */
  readonly timezone: string;
  readonly description: string;
  readonly priority: FollowUpTask['priority'];
}): FollowUpTask | null {
  if (!isUserId(input.ownerId)) return null;
  return {
    decisionId: input.assignmentId,
    leadId: input.leadId,
    ownerId: input.ownerId,
    subject: input.subject.slice(0, SUBJECT_MAX),
    dueDate: formatLocalDate(toWallTime(input.timezone, input.due.getTime())),
    reminderAt: input.due,
    description: input.description,
    priority: input.priority,
  };
}
