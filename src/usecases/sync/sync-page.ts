import { classifyContact } from '../../domain/sync/classify-contact.js';
import type { Definition } from '../../domain/definition.js';
import type { Activity, Lead } from '../../domain/model.js';
import { qualify, type QualificationResult } from '../../domain/qualification/qualify.js';
import { dueForOwner } from '../../domain/routing/assign-owner.js';
import { ENGAGEMENT_KINDS, type MarketingContact } from '../../ports/contact-source.port.js';
import type { ContactUpdate } from '../../ports/contact-writer.port.js';
import type { LeadUpdate, SalesLead } from '../../ports/lead-store.port.js';
import { assignLeads } from '../assignment/assign-leads.js';
import { lookUpAccounts, routingRequest } from './account-owners.js';
import { contactUpdate, routedProperties, type OwnedProperties } from './contact-properties.js';
import { decisionId, isBornDecision, recycledDecisionId } from './describe-decision.js';
import { convertedContactOf, matchLead } from './match-lead.js';
import { recycleAt, recycledUpdate } from './recycle.js';
import type { CycleContext, Planned, SyncCycleDeps } from './sync-cycle.types.js';
import { writeDecisions } from './write-decisions.js';

type Qualified = QualificationResult & { readonly qualified: true };

interface ToRoute {
  readonly contact: MarketingContact;
  readonly lead: SalesLead | null;
  readonly qualification: Qualified;
  readonly activities: readonly Activity[];
  readonly id: string;
}

/**
 * Whether engagement could still make the contact qualify: every gate holds and fit plus the most
 * engagement can give reaches the threshold. Only these contacts' engagements are read.
 */
export function needsEngagement(
  definition: Definition,
  attributes: Lead['attributes'],
  now: Date,
): boolean {
  const { threshold, engagement } = definition.qualification;
  const bound = qualify({
    lead: { attributes },
    activities: [],
    definition,
    now,
  });
  return (
    bound.reasons.every((reason) => reason.kind !== 'gate_failed') &&
    bound.fit + engagement.max_points >= threshold
  );
}

/** Engagements of the contacts that can still qualify; the rest cost no reads. */
async function activitiesFor(
  deps: SyncCycleDeps,
  contacts: readonly MarketingContact[],
  now: Date,
): Promise<ReadonlyMap<string, readonly Activity[]>> {
  const { definition } = deps;
  const { engagement } = definition.qualification;
  const candidates = contacts.filter((contact) =>
    needsEngagement(definition, contact.attributes, now),
  );
  const kinds = ENGAGEMENT_KINDS.filter((kind) => (engagement.activities[kind] ?? 0) !== 0);
  if (candidates.length === 0 || kinds.length === 0) return new Map();
  return deps.contacts.activities(
    candidates.map((contact) => contact.id),
    kinds,
  );
}

/**
 * Decides and writes one page of contacts: qualify, match to Leads, route the ones that need an
 * owner (under the shared rotation in Redis), write them, and queue the HubSpot write-back for
 * routed, repaired and converted contacts.
 */
export async function syncPage(
  deps: SyncCycleDeps,
  contacts: readonly MarketingContact[],
  context: CycleContext,
): Promise<void> {
  if (contacts.length === 0) return;
  // Quarantine entries of this page's contacts, read before deciding: once the page has gone
  // through, those still unchanged leave the quarantine (a record that failed again meanwhile,
  // here or in its write-back job, has a new entry and stays).
  const held = await deps.state.quarantined(contacts.map(({ id }) => id));
  await decideAndWrite(deps, contacts, context);
  await deps.state.release(held);
}

/** Quarantines a contact one of whose values would break a request, with the reason. */
async function quarantineUnusable(
  deps: SyncCycleDeps,
  contact: MarketingContact,
  problem: string,
  context: CycleContext,
): Promise<void> {
  context.summary.quarantined += 1;
  deps.events?.decided('quarantined', 'hubspot');
  // Parked at once: retrying cannot help until the contact changes, and a change brings it
  // back through the cursor.
  await deps.state.quarantine({
    system: 'salesforce',
    key: contact.id,
    code: 'VALUE_UNUSABLE',
    reason: `permanent: ${problem}`,
    at: context.now.toISOString(),
    retry: false,
  });
  deps.log.warn({ contactId: contact.id, code: 'VALUE_UNUSABLE' }, 'record quarantined');
}

async function decideAndWrite(
  deps: SyncCycleDeps,
  contacts: readonly MarketingContact[],
  context: CycleContext,
): Promise<void> {
  const { definition } = deps;
  const { summary, now } = context;
  summary.pulled.contacts += contacts.length;
  for (const contact of contacts) context.seen.add(contact.id);
  const engagements = await activitiesFor(deps, contacts, now);
  // Rejected, past the recycle date and not qualifying: back with marketing.
  const recycledNow: string[] = [];
  const qualified: {
    contact: MarketingContact;
    activities: Activity[];
    qualification: Qualified;
  }[] = [];
  for (const contact of contacts) {
    const activities = [
      ...(engagements.get(contact.id) ?? []),
      ...(contact.latestConversion === null ? [] : [contact.latestConversion]),
    ];
    const qualification = qualify({
      lead: { attributes: contact.attributes },
      activities,
      definition,
      now,
    });
    summary.decided += 1;
    const email = contact.attributes['email'];
    const problem = typeof email === 'string' ? deps.leads.emailProblem(email) : null;
    if (qualification.qualified && problem !== null)
      await quarantineUnusable(deps, contact, problem, context);
    else if (qualification.qualified) qualified.push({ contact, activities, qualification });
    else deps.events?.decided('not_qualified', 'hubspot');
    if (!qualification.qualified && contact.handoff.status === 'rejected') {
      const recycle = recycleAt(definition, contact, null);
      if (recycle !== null && recycle <= now) recycledNow.push(contact.id);
    }
  }
  summary.qualified += qualified.length;
  summary.recycled += recycledNow.length;
  if (qualified.length === 0) {
    await deps.outbox.send(recycledNow.map(recycledUpdate));
    return;
  }

  const emails = qualified
    .map(({ contact }) => contact.attributes['email'])
    .filter((email): email is string => typeof email === 'string');
  // Asked together, the Lead lookups and the account owners share Composite calls.
  const [leads] = await Promise.all([
    deps.leads.findLeads({
      leadIds: qualified
        .map(({ contact }) => contact.salesforceLeadId)
        .filter((id): id is string => id !== null),
      hubspotContactIds: qualified.map(({ contact }) => contact.id),
      emails,
    }),
    lookUpAccounts(deps, emails, context),
  ]);

  const toRoute: ToRoute[] = [];
  const planned: Planned[] = [];
  const writeBack: { contact: MarketingContact; desired: OwnedProperties }[] = [];
  const links: LeadUpdate[] = [];
  const converted: {
    contact: MarketingContact;
    salesforceContactId: string;
    knownOwner: string | null;
  }[] = [];
  // Two contacts can point at one Lead (a stale `salesforceleadid`, a shared email): only the
  // contact the Lead names (its HubSpot id) decides for it, whichever page or cycle reads it;
  // a Lead that names nobody goes to the first contact matching it. One Lead, one Task.
  const claims = new Map<string, string>();
  for (const { contact } of qualified) {
    const lead = matchLead(contact, leads);
    if (lead === null) continue;
    const named = lead.hubspotContactId;
    if (named === null ? !claims.has(lead.id) : named === contact.id)
      claims.set(lead.id, contact.id);
  }
  for (const { contact, activities, qualification } of qualified) {
    const lead = matchLead(contact, leads);
    if (lead !== null) summary.pulled.leads_matched += 1;
    // Rejected before and past its recycle date: qualifying now is a new MQL, with a new id.
    const recycle = recycleAt(definition, contact, lead);
    const decided = decisionId(contact.id, definition, qualification, activities);
    const id =
      recycle !== null && context.now >= recycle ? recycledDecisionId(decided, recycle) : decided;
    const outcome = classifyContact({
      contactId: contact.id,
      contactStatus: contact.handoff.status ?? null,
      lead: lead === null ? null : { ...lead, lifecycle: lead.handoff.lifecycle },
      leadClaimedBy: lead === null ? null : (claims.get(lead.id) ?? null),
      convertedContactId: convertedContactOf(contact, lead),
      decisionId: id,
      recycleAt: recycle,
      leadDecidedInSalesforce: isBornDecision(lead?.handoff.lifecycle?.decisionId),
      ownerIsActiveRep: lead !== null && context.activeReps.has(lead.ownerId),
      createMissingLeads: definition.routing.create_missing_leads,
      now: context.now,
    });
    // Routed and kept-owner decisions are told once written (see writeDecisions).
    if (outcome.kind !== 'route' && outcome.kind !== 'keep_owner')
      deps.events?.decided(outcome.kind, 'hubspot');
    switch (outcome.kind) {
      case 'shared_lead':
        summary.skipped.shared_lead += 1;
        deps.log.debug(
          {
            contactId: contact.id,
            leadId: outcome.lead.id,
            claimedBy: claims.get(outcome.lead.id),
          },
          'lead matched by another contact',
        );
        break;
      case 'converted':
        summary.skipped.converted += 1;
        if (outcome.salesforceContactId !== null)
          converted.push({
            contact,
            salesforceContactId: outcome.salesforceContactId,
            knownOwner:
              lead?.convertedContactId === outcome.salesforceContactId
                ? lead.convertedContactOwnerId
                : null,
          });
        break;
      case 'no_lead':
        summary.skipped.no_lead += 1;
        if (outcome.markMql)
          writeBack.push({
            contact,
            desired: {
              status: 'mql',
              score: String(qualification.score),
              ...(qualification.tier === null ? {} : { tier: qualification.tier }),
              definition_version: definition.version,
            },
          });
        break;
      case 'recycling':
        summary.skipped.recycling += 1;
        break;
      case 'already_routed': {
        summary.skipped.already_routed += 1;
        // A Lead born in Salesforce meets its contact: linked, so feedback reaches marketing.
        if (outcome.lead.hubspotContactId === null)
          links.push({ leadId: outcome.lead.id, hubspotContactId: contact.id });
        if (!outcome.repairHubSpot) break;
        // Routed, but the process stopped before HubSpot was written: finish that part now. The
        // status is set only when missing, because the SLA watch and feedback move it on.
        const desired = routedProperties(
          definition,
          { ...outcome.lead.handoff, ownerId: outcome.lead.ownerId },
          context.names,
        );
        writeBack.push({
          contact,
          desired:
            contact.handoff.status == null
              ? desired
              : { ...desired, status: contact.handoff.status },
        });
        break;
      }
      case 'owned_by_rep':
        summary.skipped.owned_by_rep += 1;
        deps.log.debug(
          {
            contactId: contact.id,
            leadId: outcome.lead.id,
            ownerId: outcome.lead.ownerId,
            decisionId: id,
            previous: outcome.previous,
          },
          'lead kept by its rep',
        );
        break;
      case 'keep_owner': {
        const kept = outcome.lead;
        const sla = dueForOwner({
          owner: kept.ownerId,
          tier: qualification.tier,
          definition,
          directory: context.users,
          routedAt: now,
        });
        planned.push({
          contact,
          lead: kept,
          qualification,
          routing: null,
          sla,
          ownerId: kept.ownerId,
          decisionId: id,
          ownerKept: true,
        });
        break;
      }
      case 'route':
        toRoute.push({ contact, lead, qualification, activities, id });
        break;
      default:
        return outcome satisfies never;
    }
  }

  if (toRoute.length > 0) planned.push(...(await route(deps, toRoute, context)));
  const routedUpdates = await writeDecisions(deps, planned, context);
  if (links.length > 0) {
    await deps.leads.updateLeads(links);
    summary.written.salesforce += links.length;
  }
  if (converted.length > 0) writeBack.push(...(await followConverted(deps, converted, context)));
  const updates = [
    ...writeBack
      .map(({ contact, desired }) => contactUpdate(contact, desired))
      .filter((update): update is ContactUpdate => update !== null),
    ...recycledNow.map(recycledUpdate),
  ];
  // One send per page, so the write-back fills batches of 100.
  await deps.outbox.send([...routedUpdates, ...updates]);
}

/** Owners for the contacts that need one, under the rotation and open-lead counts in Redis. */
async function route(
  deps: SyncCycleDeps,
  toRoute: readonly ToRoute[],
  context: CycleContext,
): Promise<Planned[]> {
  const assignments = await assignLeads({
    state: deps.state,
    definition: deps.definition,
    users: context.users,
    requests: toRoute.map((entry) =>
      routingRequest(
        entry.contact.attributes,
        entry.contact.attributes['email'],
        entry.qualification.tier,
        context,
      ),
    ),
    routedAt: context.now,
    epoch: context.epoch,
  });
  return toRoute.map((entry, index): Planned => {
    const { routing, sla } = assignments[index] as (typeof assignments)[number];
    return {
      contact: entry.contact,
      lead: entry.lead,
      qualification: entry.qualification,
      routing,
      sla,
      ownerId: routing.owner,
      decisionId: entry.id,
      ownerKept: false,
    };
  });
}

/** Converted contacts show `accepted` and their Contact's owner in HubSpot. */
async function followConverted(
  deps: SyncCycleDeps,
  converted: readonly {
    contact: MarketingContact;
    salesforceContactId: string;
    knownOwner: string | null;
  }[],
  context: CycleContext,
): Promise<{ contact: MarketingContact; desired: OwnedProperties }[]> {
  // A converted Lead brought its Contact's owner along; only the connector's bare Contact ids
  // (no Lead matched) are looked up.
  const unknown = converted.filter((entry) => entry.knownOwner === null);
  const owners =
    unknown.length === 0
      ? new Map<string, string>()
      : await deps.leads.contactOwners(unknown.map((entry) => entry.salesforceContactId));
  const result: { contact: MarketingContact; desired: OwnedProperties }[] = [];
  for (const { contact, salesforceContactId, knownOwner } of converted) {
    const owner = knownOwner ?? owners.get(salesforceContactId);
    // A Contact we cannot see (deleted, or no read access) leaves the contact as it is.
    if (owner === undefined) continue;
    const desired: OwnedProperties = {
      status: 'accepted',
      owner: context.names.get(owner) ?? owner,
    };
    result.push({ contact, desired });
  }
  return result;
}
