import {
  assignmentIdOf,
  breachWrite,
  managerTaskId,
} from '../../domain/lifecycle/lead-lifecycle.js';
import type { ContactUpdate } from '../../ports/contact-writer.port.js';
import type { HandoffLead } from '../../ports/lead-lifecycle.port.js';
import type { FollowUpTask, LeadUpdate } from '../../ports/lead-store.port.js';
import type { LifecycleDeps } from '../lifecycle/lifecycle.types.js';
import type { People } from '../lifecycle/load-people.js';
import { appendReason, who } from '../lifecycle/reason-history.js';
import { assignLeads } from '../assignment/assign-leads.js';
import { followUpTask, isUserId } from '../assignment/follow-up-task.js';
import { personName } from '../assignment/write-assignments.js';

export interface Breach {
  readonly lead: HandoffLead;
  readonly lateMinutes: number;
}

export interface EscalationResult {
  reassigned: number;
  notified: number;
  recorded: number;
  readonly failed: HandoffLead[];
}

/** A planned escalation: the Lead's new fields, the Task to upsert first, the Tasks to close. */
interface Step {
  readonly lead: HandoffLead;
  readonly kind: 'reassigned' | 'notified' | 'recorded';
  readonly update: LeadUpdate;
  readonly task: FollowUpTask | null;
  /** External ids of the Tasks that no longer need anyone (the late owner's). */
  readonly closeTasks: readonly string[];
  readonly hubspot: ContactUpdate['properties'];
}

function leadName(lead: HandoffLead): string {
  return personName(lead.attributes) || `Lead ${lead.id}`;
}

/**
 * Performs `sla.on_breach` for leads whose due instant passed without a first touch, in the
 * order that leaves no gap if the process dies: HubSpot's `breached` into the outbox, the Tasks
 * (upserted on their external ids), the previous owner's Task closed, then the Lead with its
 * new stage — `breached`, `escalated` or a new assignment is what says the breach is handled, so
 * a rerun repeats nothing that was done.
 */
export async function escalateBreaches(
  deps: LifecycleDeps,
  breaches: readonly Breach[],
  people: People,
  now: Date,
): Promise<EscalationResult> {
  const result: EscalationResult = {
    reassigned: 0,
    notified: 0,
    recorded: 0,
    failed: [],
  };
  if (breaches.length === 0) return result;
  const { on_breach: onBreach } = deps.definition.sla;
  const toReassign = breaches.filter(
    ({ lead }) =>
      onBreach.action === 'reassign' &&
      lead.lifecycle.reassignments < onBreach.max_reassignments &&
      lead.tier !== null &&
      deps.definition.sla.first_touch[lead.tier] !== undefined,
  );
  const reassigned = new Set(toReassign.map(({ lead }) => lead.id));
  const steps: Step[] = [
    ...(await reassign(deps, toReassign, people, now)),
    ...breaches
      .filter(({ lead }) => !reassigned.has(lead.id))
      .map((breach) =>
        onBreach.action === 'none'
          ? record(breach, people, now)
          : notify(deps, breach, people, now),
      ),
  ];

  // HubSpot first: once the Lead carries its stage, no later run would tell marketing.
  await deps.outbox.send(
    steps
      .filter((step) => step.lead.hubspotContactId !== null)
      .map((step) => ({ contactId: step.lead.hubspotContactId ?? '', properties: step.hubspot })),
    { onlyChanges: true },
  );
  const failed = new Set<string>();
  const tasks = steps.filter((step) => step.task !== null);
  const taskOutcomes = await deps.leads.upsertTasks(tasks.map((step) => step.task as FollowUpTask));
  taskOutcomes.forEach((outcome, index) => {
    const lead = tasks[index]?.lead;
    if (!outcome.ok && lead !== undefined) failed.add(lead.id);
  });
  await deps.leads.closeTasks(
    steps.filter((step) => !failed.has(step.lead.id)).flatMap((step) => step.closeTasks),
  );
  const ready = steps.filter((step) => !failed.has(step.lead.id));
  const outcomes = await deps.leads.updateLeads(ready.map((step) => step.update));
  outcomes.forEach((outcome, index) => {
    const lead = ready[index]?.lead;
    if (!outcome.ok && lead !== undefined) failed.add(lead.id);
  });

  // A reassigned lead has a new deadline: its timer moves with it.
  await deps.timers.schedule(
    steps.flatMap((step) =>
      step.kind === 'reassigned' && !failed.has(step.lead.id) && step.update.due !== undefined
        ? [{ leadId: step.lead.id, due: step.update.due }]
        : [],
    ),
  );
  for (const step of steps) {
    if (failed.has(step.lead.id)) {
      result.failed.push(step.lead);
      continue;
    }
    result[step.kind] += 1;
    deps.events?.escalated(step.kind);
    deps.log.info(
      {
        leadId: step.lead.id,
        ownerId: step.lead.ownerId,
        action: step.kind,
        newOwnerId: step.update.ownerId,
        due: step.update.due?.toISOString(),
        decisionId: step.update.decisionId,
      },
      'sla breached',
    );
  }
  return result;
}

/**
 * The next eligible member of the lead's pool, the late owner excluded, under the shared
 * rotation: the same assignment as routing, with a new deadline and Task.
 */
async function reassign(
  deps: LifecycleDeps,
  breaches: readonly Breach[],
  people: People,
  now: Date,
): Promise<Step[]> {
  const { definition } = deps;
  const assignments = await assignLeads({
    state: deps.state,
    definition,
    users: people.directory,
    requests: breaches.map(({ lead }) => ({
      lead: { attributes: lead.attributes, account: null },
      tier: lead.tier ?? '',
      exclude: new Set([lead.ownerId]),
    })),
    routedAt: now,
  });
  return breaches.map(({ lead, lateMinutes }, index): Step => {
    const { routing, sla } = assignments[index] as (typeof assignments)[number];
    const owner = routing.owner;
    const reassignment = lead.lifecycle.reassignments + 1;
    const decisionId = assignmentIdOf(lead.lifecycle.decisionId, reassignment);
    const line = `SLA missed by ${who(people.names, lead.ownerId)}: ${lateMinutes} min late; reassigned to ${who(people.names, owner)} (reassignment ${reassignment} of ${definition.sla.on_breach.max_reassignments}), due ${sla.due.toISOString()}.`;
    return {
      lead,
      kind: 'reassigned',
      update: {
        leadId: lead.id,
        ownerId: owner,
        due: sla.due,
        routedAt: now,
        decisionId,
        lifecycle: breachWrite(lead.lifecycle, lead.ownerId, lead.due ?? now, 'reassigned'),
        slaBreached: true,
        reason: appendReason(lead.reason, now, line),
      },
      task: followUpTask({
        assignmentId: decisionId,
        leadId: lead.id,
        ownerId: owner,
        subject: `Follow up with ${leadName(lead)} (tier ${lead.tier ?? '?'}) — reassigned after a missed SLA`,
        due: sla.due,
        timezone: sla.timezone,
        description: line,
        priority: 'High',
      }),
      closeTasks: [lead.lifecycle.assignmentId, managerTaskId(lead.lifecycle)],
      hubspot: {
        status: 'breached',
        owner: people.names.get(owner) ?? owner,
        due: sla.due.toISOString(),
      },
    };
  });
}

/** A Task for the owner's manager (else the fallback owner, when that is a user). */
function notify(
  deps: LifecycleDeps,
  { lead, lateMinutes }: Breach,
  people: People,
  now: Date,
): Step {
  const fallback = deps.definition.routing.fallback_owner;
  const manager = people.users.get(lead.ownerId)?.managerId ?? fallback;
  const taskId = managerTaskId(lead.lifecycle);
  const line = `SLA missed by ${who(people.names, lead.ownerId)}: ${lateMinutes} min late; ${
    isUserId(manager)
      ? `${who(people.names, manager)} notified`
      : 'nobody to notify (no manager, fallback owner is a queue)'
  }.`;
  const timezone = people.users.get(manager)?.timezone ?? deps.definition.sla.default_timezone;
  return {
    lead,
    kind: 'notified',
    update: {
      leadId: lead.id,
      lifecycle: breachWrite(lead.lifecycle, lead.ownerId, lead.due ?? now, 'escalated'),
      slaBreached: true,
      reason: appendReason(lead.reason, now, line),
    },
    task: followUpTask({
      assignmentId: taskId,
      leadId: lead.id,
      ownerId: manager,
      subject: `SLA missed: ${leadName(lead)} is ${lateMinutes} min past due (owner ${people.names.get(lead.ownerId) ?? lead.ownerId})`,
      due: now,
      timezone,
      description: line,
      priority: 'High',
    }),
    closeTasks: [],
    hubspot: { status: 'breached' },
  };
}

/** `on_breach: none`: the breach is recorded in both systems, nothing else. */
function record({ lead, lateMinutes }: Breach, people: People, now: Date): Step {
  const line = `SLA missed by ${who(people.names, lead.ownerId)}: ${lateMinutes} min late; recorded (on_breach: none).`;
  return {
    lead,
    kind: 'recorded',
    update: {
      leadId: lead.id,
      lifecycle: breachWrite(lead.lifecycle, lead.ownerId, lead.due ?? now, 'breached'),
      slaBreached: true,
      reason: appendReason(lead.reason, now, line),
    },
    task: null,
    closeTasks: [],
    hubspot: { status: 'breached' },
  };
}
