import type { Definition } from '../../domain/definition.js';
import type { ContactUpdate } from '../../ports/contact-writer.port.js';
import type { NewLead, WriteOutcome } from '../../ports/lead-store.port.js';
import {
  decisionFields,
  decisionTask,
  personName,
  writeAssignments,
  type AssignmentWrite,
  type Decided,
} from '../assignment/write-assignments.js';
import { contactUpdate, routedProperties } from './contact-properties.js';
import type { CycleContext, Planned, SyncCycleDeps } from './sync-cycle.types.js';

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
 * first (without the decision id), then writeAssignments (the Tasks, then the Leads' fields with
 * the decision id); the caller then queues the HubSpot write-back it returns. A routed Lead whose
 * contact still lacks the properties is repaired by a later cycle.
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
        salesforce: {
          ...decisionFields(decided(item), context.now, true),
          due: item.sla.due.toISOString(),
        },
        hubspot: plannedProperties(deps.definition, item, context.names),
        name: personName(item.contact.attributes) || undefined,
        ownerName: context.names.get(item.ownerId),
        timezone: item.sla.timezone,
      });

  const failures = new Map<string, WriteOutcome & { ok: false }>();
  const leadIds = new Map<string, string>();
  for (const item of planned) if (item.lead !== null) leadIds.set(item.contact.id, item.lead.id);

  // New Leads first, without the decision id: it is withheld until the Task exists.
  const creates: NewLead[] = planned
    .filter((item) => item.lead === null)
    .map((item) => ({
      ...decisionFields(decided(item), context.now, false),
      hubspotContactId: item.contact.id,
      attributes: item.contact.attributes,
    }));
  for (const outcome of await deps.leads.createLeads(creates)) {
    if (outcome.ok) leadIds.set(outcome.key, outcome.id);
    else failures.set(outcome.key, outcome);
  }
  summary.written.salesforce += creates.length;

  const writes = planned.flatMap((item): AssignmentWrite[] => {
    const leadId = leadIds.get(item.contact.id);
    if (leadId === undefined) return [];
    return [
      {
        key: item.contact.id,
        leadId,
        decisionId: item.decisionId,
        ownerId: item.ownerId,
        due: item.sla.due,
        task: decisionTask(deps.definition, decided(item), leadId),
        update: {
          ...decisionFields(decided(item), context.now, true),
          leadId,
          // A Lead matched by salesforceleadid or email gets linked to its contact, so later
          // cycles (and a marketer's view) find it by the external id.
          ...(item.lead !== null && item.lead.hubspotContactId === null
            ? { hubspotContactId: item.contact.id }
            : {}),
          // A rep's old rejection must not be read as the reason of the next one.
          ...(item.lead !== null &&
          (item.lead.rejection.reason !== null || item.lead.rejection.comment !== null)
            ? { clearRejection: true }
            : {}),
        },
        // A Lead created just now had no earlier attempt (that attempt would have created it,
        // and this one found it).
        openTasks: item.lead === null ? [] : item.lead.openTasks,
      },
    ];
  });
  const written = await writeAssignments(deps, writes, summary);
  for (const [key, failure] of written.failures) failures.set(key, failure);
  const routedKeys = new Set(written.routed.map((write) => write.key));
  const routed = planned.filter((item) => routedKeys.has(item.contact.id));
  tellHandedOff(deps, routed, context);
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

function decided(item: Planned): Decided {
  return { ...item, attributes: item.contact.attributes };
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
