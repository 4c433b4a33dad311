import { qualify, type QualificationResult } from '../../domain/qualification/qualify.js';
import { dueForOwner } from '../../domain/routing/assign-owner.js';
import type { RoutingDecision } from '../../domain/routing/route-lead.js';
import type { SlaDue } from '../../domain/sla/compute-sla-due-at.js';
import { MS_PER_DAY } from '../../domain/time/zoned-time.js';
import { SALESFORCE_ACTIVITY_TYPES, type Activity } from '../../domain/model.js';
import type { SalesforceBornLead } from '../../ports/salesforce-lead-source.port.js';
import { assignLeads } from '../assignment/assign-leads.js';
import {
  decisionFields,
  decisionTask,
  personName,
  writeAssignments,
  type AssignmentWrite,
  type Decided,
} from '../assignment/write-assignments.js';
import { routedProperties } from './contact-properties.js';
import { bornDecisionId } from './describe-decision.js';
import { lookUpAccounts, routingRequest } from './account-owners.js';
import { needsEngagement } from './sync-page.js';
import type { CycleContext, SyncCycleDeps } from './sync-cycle.types.js';

/** Quarantine keys of Salesforce-born Leads (contacts' keys are their HubSpot ids). */
export const BORN_KEY_PREFIX = 'lead:';
/** Where the pass over Salesforce-born Leads has got to. */
export const BORN_STREAM = 'salesforce.born';
/** A first pass (or one after Redis lost its cursor) looks back this far. */
const FIRST_LOOKBACK_DAYS = 30;
/** Leads decided and written together. */
const BATCH = 1_000;

type Qualified = QualificationResult & { readonly qualified: true };

interface PlannedLead {
  readonly lead: SalesforceBornLead;
  readonly qualification: Qualified;
  readonly routing: RoutingDecision | null;
  readonly sla: SlaDue;
  readonly ownerId: string;
  readonly decisionId: string;
  readonly ownerKept: boolean;
}

/**
 * Leads born in Salesforce (web-to-lead, imports, keyed in by a rep, partner portals) get the
 * same definition as HubSpot contacts: qualified from their Salesforce fields and the engagement
 * Salesforce holds, routed under the shared rotation, given a due date, a Task and an SLA timer.
 * A Lead whose email belongs to a HubSpot contact is left to the HubSpot pass, which matches it
 * by email. `which`: the Leads the change probe named, or `scan` for every such Lead changed
 * since this pass's cursor.
 */
export async function syncSalesforceBornLeads(
  deps: SyncCycleDeps,
  which: 'scan' | readonly string[],
  context: CycleContext,
): Promise<void> {
  if (which !== 'scan') {
    if (which.length === 0) return;
    // Quarantined ones among them leave the quarantine once this pass has been through them
    // (decided, or no longer born in Salesforce); one that failed again has a new entry.
    const held = await deps.state.quarantined(which.map((id) => `${BORN_KEY_PREFIX}${id}`));
    await decideBorn(deps, await deps.salesforceLeads.bornLeads({ ids: which }), context);
    await deps.state.release(held);
    return;
  }
  const since =
    (await deps.state.cursor(BORN_STREAM)) ??
    new Date(context.now.getTime() - FIRST_LOOKBACK_DAYS * MS_PER_DAY);
  const leads = await deps.salesforceLeads.bornLeads({ since });
  for (let start = 0; start < leads.length; start += BATCH) {
    const batch = leads.slice(start, start + BATCH);
    await decideBorn(deps, batch, context);
    const newest = batch.at(-1)?.modifiedAt;
    if (newest !== undefined) await deps.state.advanceCursor(BORN_STREAM, newest, context.epoch);
  }
  if (leads.length === 0) await deps.state.advanceCursor(BORN_STREAM, since, context.epoch);
}

async function decideBorn(
  deps: SyncCycleDeps,
  leads: readonly SalesforceBornLead[],
  context: CycleContext,
): Promise<void> {
  if (leads.length === 0) return;
  const { definition } = deps;
  const { summary, now } = context;
  const born = summary.salesforce_born;
  born.pulled += leads.length;
  // Marketing's record decides when there is one: the HubSpot pass matches this Lead by email.
  const emails = leads.flatMap((lead) => (lead.email === null ? [] : [lead.email]));
  const inHubSpot =
    emails.length === 0 ? new Map<string, string>() : await deps.contacts.contactIdsByEmail(emails);
  const own = leads.filter(
    (lead) => lead.email === null || !inHubSpot.has(lead.email.toLowerCase()),
  );
  born.in_hubspot += leads.length - own.length;
  const engaged = own.filter((lead) => needsEngagement(definition, lead.attributes, now));
  // Only what the definition weights is read.
  const weighted = SALESFORCE_ACTIVITY_TYPES.filter(
    (type) => (definition.qualification.engagement.salesforce_activities[type] ?? 0) !== 0,
  );
  const reading = engaged.length > 0 && weighted.length > 0;
  // When activities are read, the account owners of every Lead that may qualify (all gates hold,
  // and fit plus the most engagement can give reaches the threshold) are asked with them: they
  // share its Composite call instead of a query of their own after qualifying.
  const [activities] = await Promise.all([
    reading
      ? deps.salesforceLeads.activities(
          engaged.map((lead) => lead.id),
          weighted,
        )
      : new Map<string, readonly Activity[]>(),
    reading
      ? lookUpAccounts(
          deps,
          engaged.flatMap((lead) => (lead.email === null ? [] : [lead.email])),
          context,
        )
      : undefined,
  ]);
  const qualified: { lead: SalesforceBornLead; qualification: Qualified }[] = [];
  for (const lead of own) {
    const qualification = qualify({
      lead: { attributes: lead.attributes },
      activities: activities.get(lead.id) ?? [],
      definition,
      now,
    });
    born.decided += 1;
    if (qualification.qualified) qualified.push({ lead, qualification });
    else deps.events?.decided('not_qualified', 'salesforce');
  }
  born.qualified += qualified.length;
  if (qualified.length === 0) return;

  // Already known when they were asked with the activities.
  await lookUpAccounts(
    deps,
    qualified.flatMap(({ lead }) => (lead.email === null ? [] : [lead.email])),
    context,
  );
  // A rep who already owns the Lead keeps it (with a due date and a Task); the rest are routed.
  const kept = qualified.filter(({ lead }) => context.activeReps.has(lead.ownerId));
  const toRoute = qualified.filter(({ lead }) => !context.activeReps.has(lead.ownerId));
  const assignments = await assignLeads({
    state: deps.state,
    definition,
    users: context.users,
    requests: toRoute.map(({ lead, qualification }) =>
      routingRequest(lead.attributes, lead.email, qualification.tier, context),
    ),
    routedAt: now,
    epoch: context.epoch,
  });
  const planned: PlannedLead[] = [
    ...kept.map(({ lead, qualification }): PlannedLead => ({
      lead,
      qualification,
      routing: null,
      sla: dueForOwner({
        owner: lead.ownerId,
        tier: qualification.tier,
        definition,
        directory: context.users,
        routedAt: now,
      }),
      ownerId: lead.ownerId,
      decisionId: bornDecisionId(lead.id, definition),
      ownerKept: true,
    })),
    ...toRoute.map(({ lead, qualification }, index): PlannedLead => {
      const { routing, sla } = assignments[index] as (typeof assignments)[number];
      return {
        lead,
        qualification,
        routing,
        sla,
        ownerId: routing.owner,
        decisionId: bornDecisionId(lead.id, definition),
        ownerKept: false,
      };
    }),
  ];
  await writeBornDecisions(deps, planned, context);
}

function decided(item: PlannedLead): Decided {
  return { ...item, attributes: item.lead.attributes };
}

/**
 * Through writeAssignments (Tasks first, then the Lead with its decision): a Lead carries a
 * decision only once its Task exists, and the pass never sees a decided Lead again.
 */
async function writeBornDecisions(
  deps: SyncCycleDeps,
  planned: readonly PlannedLead[],
  context: CycleContext,
): Promise<void> {
  const { summary, now } = context;
  const fields = (item: PlannedLead) => ({
    ...decisionFields(decided(item), now, true),
    leadId: item.lead.id,
  });
  for (const item of planned)
    deps.plan?.({
      contactId: null,
      leadId: item.lead.id,
      action: item.ownerKept ? 'keep_owner' : 'route',
      decisionId: item.decisionId,
      ownerId: item.ownerId,
      due: item.sla.due.toISOString(),
      salesforce: { ...fields(item), due: item.sla.due.toISOString() },
      hubspot: null,
      name: personName(item.lead.attributes) || undefined,
      ownerName: context.names.get(item.ownerId),
      timezone: item.sla.timezone,
    });
  const { routed: written, failures } = await writeAssignments(
    deps,
    planned.map((item): AssignmentWrite => ({
      key: item.lead.id,
      leadId: item.lead.id,
      decisionId: item.decisionId,
      ownerId: item.ownerId,
      due: item.sla.due,
      task: decisionTask(deps.definition, decided(item), item.lead.id),
      update: fields(item),
      openTasks: item.lead.openTasks,
    })),
    summary,
  );
  const routedIds = new Set(written.map((write) => write.key));
  const routed = planned.filter((item) => routedIds.has(item.lead.id));
  summary.salesforce_born.routed += routed.length;
  // Marketing sees these leads in HubSpot too, and a rejection has a contact to return to.
  if (deps.definition.feedback.create_hubspot_contacts)
    await deps.outbox.createForLeads(
      routed
        .filter((item) => item.lead.email !== null)
        .map((item) => ({
          leadId: item.lead.id,
          properties: routedProperties(
            deps.definition,
            {
              score: item.qualification.score,
              tier: item.qualification.tier,
              ownerId: item.ownerId,
              due: item.sla.due,
            },
            context.names,
          ),
        })),
    );
  for (const item of routed) {
    deps.events?.decided(item.ownerKept ? 'kept_owner' : 'routed', 'salesforce');
    deps.events?.routed({
      pool: item.routing?.pool ?? null,
      rule: item.routing?.rule ?? null,
      ownerKept: item.ownerKept,
    });
    deps.log.info(
      {
        leadId: item.lead.id,
        ownerId: item.ownerId,
        rule: item.routing?.rule ?? null,
        due: item.sla.due.toISOString(),
        decisionId: item.decisionId,
        source: 'salesforce',
      },
      'lead routed',
    );
  }
  for (const [leadId, failure] of failures) {
    summary.quarantined += 1;
    deps.events?.decided('quarantined', 'salesforce');
    await deps.state.quarantine({
      system: 'salesforce',
      key: `${BORN_KEY_PREFIX}${leadId}`,
      code: failure.code,
      reason: `${failure.kind}: ${failure.message}`,
      at: now.toISOString(),
    });
    deps.log.warn({ leadId, code: failure.code, kind: failure.kind }, 'record quarantined');
  }
}
