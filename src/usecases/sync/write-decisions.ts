import type { Definition } from '../../domain/definition.js';
import { routedWrite } from '../../domain/lifecycle/lead-lifecycle.js';
import type { AttributeValue } from '../../domain/model.js';
import type { ContactUpdate } from '../../ports/contact-writer.port.js';
import type {
  FollowUpTask,
  LeadUpdate,
  NewLead,
  OpenTask,
  WriteOutcome,
} from '../../ports/lead-store.port.js';
import { followUpTask, isUserId } from '../assignment/follow-up-task.js';
import { contactUpdate, routedProperties } from './contact-properties.js';
import { describeDecision } from './describe-decision.js';
import type { CycleContext, Planned, SyncCycleDeps } from './sync-cycle.types.js';

export const ROUTED_STATUS = 'Open - Not Contacted';

/** `First Last` from a lead's attributes, or '' when it has neither. */
export function personName(attributes: Readonly<Record<string, AttributeValue>>): string {
  return [attributes['first_name'], attributes['last_name']]
    .filter((part) => typeof part === 'string' && part !== '')
    .join(' ');
}

function leadFields(
  item: Planned,
  withDecision: boolean,
  routedAt: Date,
): Omit<LeadUpdate, 'leadId'> {
  return {
    ownerId: item.ownerId,
    status: ROUTED_STATUS,
    score: item.qualification.score,
    tier: item.qualification.tier,
    due: item.sla.due,
    routedAt,
    reason: describeDecision(item.qualification, item.routing, item.sla, item.ownerKept),
    // A new decision starts a new lifecycle: no breach yet, whatever an earlier one had.
    ...(withDecision
      ? {
          decisionId: item.decisionId,
          lifecycle: routedWrite(item.qualification.definitionVersion),
          slaBreached: false,
        }
      : {}),
  };
}

function plannedProperties(
  definition: Definition,
  item: Planned,
  names: ReadonlyMap<string, string>,
): Record<string, string> {
  return routedProperties(
    definition,
    {
      score: item.qualification.score,
      tier: item.qualification.tier,
      ownerId: item.ownerId,
      due: item.sla.due,
    },
    names,
  );
}

/**
 * Writes in the order that leaves no gap if the process dies between two calls: new Leads
 * first (without the decision id), then the Tasks (upserted on the decision id), then the Leads'
 * owned fields with the decision id; the caller then queues the HubSpot write-back it returns. A Lead carries
 * its decision id only once its Task exists, and a routed Lead whose contact still lacks the
 * properties is repaired by a later cycle.
 */
export async function writeDecisions(
  deps: SyncCycleDeps,
  planned: readonly Planned[],
  context: CycleContext,
): Promise<ContactUpdate[]> {
  if (planned.length === 0) return [];
  const { summary } = context;
  // Only a dry run keeps the list: a backfill's would hold every decision in memory.
  const record = deps.plan;
  if (record !== undefined)
    for (const item of planned)
      record({
        contactId: item.contact.id,
        leadId: item.lead?.id ?? null,
        action: item.lead === null ? 'create_lead' : item.ownerKept ? 'keep_owner' : 'route',
        decisionId: item.decisionId,
        ownerId: item.ownerId,
        due: item.sla.due.toISOString(),
        salesforce: { ...leadFields(item, true, context.now), due: item.sla.due.toISOString() },
        hubspot: plannedProperties(deps.definition, item, context.names),
        name: personName(item.contact.attributes) || undefined,
        ownerName: context.names.get(item.ownerId),
        timezone: item.sla.timezone,
      });

  const failures = new Map<string, WriteOutcome & { ok: false }>();
  const leadIds = new Map<string, string>();
  for (const item of planned) if (item.lead !== null) leadIds.set(item.contact.id, item.lead.id);

  // The decision id is withheld until the Task exists (see above).
  const creates: NewLead[] = planned
    .filter((item) => item.lead === null)
    .map((item) => ({
      ...leadFields(item, false, context.now),
      hubspotContactId: item.contact.id,
      attributes: item.contact.attributes,
    }));
  for (const outcome of await deps.leads.createLeads(creates)) {
    if (outcome.ok) leadIds.set(outcome.key, outcome.id);
    else failures.set(outcome.key, outcome);
  }
  summary.written.salesforce += creates.length;

  const withLead = planned.filter((item) => leadIds.has(item.contact.id));
  // Tasks need a User owner; a queue-owned Lead gets its Task when a rep takes it.
  const tasks = withLead.flatMap((item) => {
    const task = taskOf(deps.definition, item, leadIds.get(item.contact.id) ?? '');
    return task === null ? [] : [task];
  });
  for (const outcome of await deps.leads.upsertTasks(tasks)) {
    if (outcome.ok && outcome.created) summary.tasks_created += 1;
    if (!outcome.ok) {
      const item = withLead.find((candidate) => candidate.decisionId === outcome.key);
      if (item !== undefined) failures.set(item.contact.id, outcome);
    }
  }
  summary.written.salesforce += tasks.length;
  // An attempt that died after its Task and before its Lead may have given this decision to a rep
  // (the rotation has moved on since): a decision that now goes to a queue closes that Task. A
  // Lead created just now had no earlier attempt (that attempt would have created it, and this
  // one found it), so only Leads that existed are looked at.
  await closeEarlierAttempts(
    deps,
    withLead.filter((item) => !isUserId(item.ownerId) && !failures.has(item.contact.id)),
  );

  const ready = withLead.filter((item) => !failures.has(item.contact.id));
  const updates = ready.map((item): LeadUpdate => ({
    ...leadFields(item, true, context.now),
    leadId: leadIds.get(item.contact.id) ?? '',
    // A Lead matched by salesforceleadid or email gets linked to its contact, so later cycles
    // (and a marketer's view) find it by the external id.
    ...(item.lead !== null && item.lead.hubspotContactId === null
      ? { hubspotContactId: item.contact.id }
      : {}),
    // A rep's old rejection must not be read as the reason of the next one.
    ...(item.lead !== null &&
    (item.lead.rejection.reason !== null || item.lead.rejection.comment !== null)
      ? { clearRejection: true }
      : {}),
  }));
  const updateOutcomes = await deps.leads.updateLeads(updates);
  summary.written.salesforce += updates.length;
  for (const [index, outcome] of updateOutcomes.entries()) {
    const item = ready[index];
    if (item !== undefined && !outcome.ok) failures.set(item.contact.id, outcome);
  }

  const routed = ready.filter((item) => !failures.has(item.contact.id));
  tellHandedOff(deps, routed, context);
  await deps.timers.schedule(
    routed.map((item) => ({ leadId: leadIds.get(item.contact.id) ?? '', due: item.sla.due })),
  );
  const contactUpdates = routed
    .map((item) =>
      contactUpdate(item.contact, plannedProperties(deps.definition, item, context.names)),
    )
    .filter((update): update is ContactUpdate => update !== null);

  for (const item of planned) {
    const failure = failures.get(item.contact.id);
    if (failure === undefined) {
      summary.routed += 1;
      deps.events?.decided(item.ownerKept ? 'kept_owner' : 'routed', 'hubspot');
      deps.events?.routed({
        pool: item.routing?.pool ?? null,
        rule: item.routing?.rule ?? null,
        ownerKept: item.ownerKept,
      });
      deps.log.info(
        {
          contactId: item.contact.id,
          leadId: leadIds.get(item.contact.id),
          ownerId: item.ownerId,
          rule: item.routing?.rule ?? null,
          due: item.sla.due.toISOString(),
          decisionId: item.decisionId,
        },
        'lead routed',
      );
      continue;
    }
    summary.quarantined += 1;
    deps.events?.decided('quarantined', 'hubspot');
    await deps.state.quarantine({
      system: 'salesforce',
      key: item.contact.id,
      code: failure.code,
      reason: `${failure.kind}: ${failure.message}`,
      at: context.now.toISOString(),
    });
    deps.log.warn(
      { contactId: item.contact.id, code: failure.code, kind: failure.kind },
      'record quarantined',
    );
  }
  return contactUpdates;
}

/**
 * Closes the Tasks an interrupted attempt at these queue-bound decisions gave a rep. The Leads'
 * lookup read their open Handoff Tasks with them: only where it could not are they asked for.
 */
async function closeEarlierAttempts(
  deps: SyncCycleDeps,
  toQueues: readonly Planned[],
): Promise<void> {
  const known: OpenTask[] = [];
  const unknown: string[] = [];
  for (const { lead, decisionId } of toQueues) {
    if (lead === null) continue;
    if (lead.openTasks === null) unknown.push(decisionId);
    else known.push(...lead.openTasks.filter((task) => task.decisionId === decisionId));
  }
  if (known.length > 0) await deps.leads.completeTasks(known);
  if (unknown.length > 0) await deps.leads.closeTasks(unknown);
}

/**
 * The latency of contacts whose change started this run, from that change in HubSpot to the
 * Lead's write (just done). Older changes read by a first cycle, a backfill or a retry are left
 * out: see `CycleContext.newChanges`.
 */
function tellHandedOff(
  deps: SyncCycleDeps,
  routed: readonly Planned[],
  context: CycleContext,
): void {
  const { events } = deps;
  if (events === undefined || context.newChanges !== true) return;
  const writtenAt = deps.now().getTime();
  for (const item of routed)
    events.handedOff(Math.max(0, writtenAt - item.contact.modifiedAt.getTime()));
}

function taskOf(definition: Definition, item: Planned, leadId: string): FollowUpTask | null {
  const name = personName(item.contact.attributes);
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
