import type { Logger } from 'pino';
import type { Definition } from '../../domain/definition.js';
import { decideLead } from '../../domain/decide-lead.js';
import { qualify, type QualificationResult } from '../../domain/qualification/qualify.js';
import type { Directory, DirectoryUser, RoutingDecision } from '../../domain/routing/route-lead.js';
import { computeSlaDueAt, type SlaDue } from '../../domain/sla/compute-sla-due-at.js';
import { resolveOwnerTimezone } from '../../domain/sla/resolve-owner-timezone.js';
import { formatLocalDate, toWallTime } from '../../domain/time/zoned-time.js';
import type { Activity } from '../../domain/model.js';
import {
  ENGAGEMENT_KINDS,
  type ContactSource,
  type MarketingContact,
} from '../../ports/contact-source.port.js';
import type { ContactUpdate, ContactWriter } from '../../ports/contact-writer.port.js';
import type {
  FollowUpTask,
  LeadStore,
  LeadUpdate,
  NewLead,
  SalesLead,
  WriteOutcome,
} from '../../ports/lead-store.port.js';
import type { SalesDirectory } from '../../ports/sales-directory.port.js';
import type { SyncState } from '../../ports/sync-state.port.js';
import { decisionId, describeDecision } from './describe-decision.js';

export const CONTACTS_STREAM = 'hubspot.contacts';
/** Below HubSpot's 10,000-result search cap with room for records arriving mid-window. */
const WINDOW_RESULTS_MAX = 9_000;
/** Contacts decided and written together: big enough to fill batch reads and writes. */
const PAGE_SIZE = 1_000;
const CLOSED_STATUSES = ['Closed - Converted', 'Closed - Not Converted'];
const ROUTED_STATUS = 'Open - Not Contacted';

export interface SyncCycleDeps {
  readonly definition: Definition;
  readonly contacts: ContactSource;
  readonly contactWriter: ContactWriter;
  readonly leads: LeadStore;
  readonly directory: SalesDirectory;
  readonly state: SyncState;
  readonly log: Logger;
  readonly now: () => Date;
  /** The user Handoff writes as: Leads it owns count as unowned. */
  readonly integrationUserId: string | null;
}

/** One record's planned changes, as `sync --once --dry-run` prints them. */
export interface PlannedChange {
  readonly contactId: string;
  readonly leadId: string | null;
  readonly action: 'route' | 'keep_owner' | 'create_lead' | 'update_hubspot';
  readonly decisionId: string;
  readonly ownerId: string;
  readonly due: string;
  readonly salesforce: Readonly<Record<string, unknown>> | null;
  readonly hubspot: Readonly<Record<string, string>> | null;
}

export interface SyncSummary {
  pulled: { contacts: number; leads_matched: number };
  decided: number;
  qualified: number;
  routed: number;
  skipped: {
    converted: number;
    owned_by_rep: number;
    already_routed: number;
    no_lead: number;
    shared_lead: number;
  };
  written: { salesforce: number; hubspot: number };
  tasks_created: number;
  quarantined: number;
  plan: PlannedChange[];
}

interface Planned {
  readonly contact: MarketingContact;
  readonly lead: SalesLead | null;
  readonly qualification: QualificationResult & { readonly qualified: true };
  readonly routing: RoutingDecision | null;
  readonly sla: SlaDue;
  readonly ownerId: string;
  readonly decisionId: string;
  readonly ownerKept: boolean;
}

const FREE_MAIL = /@(gmail|googlemail|yahoo|hotmail|outlook|live|icloud|aol|proton|gmx)\./i;

function emailDomain(email: unknown): string | null {
  if (typeof email !== 'string' || FREE_MAIL.test(email)) return null;
  const at = email.lastIndexOf('@');
  return at < 0 ? null : email.slice(at + 1).toLowerCase();
}

/**
 * One sync cycle: pull contacts changed since the cursor (windows below the 10,000 cap), their
 * engagements and matching Leads; decide; write Leads, Tasks and contact properties in batches;
 * quarantine per-record failures; advance the cursor only after a page's writes. Idempotent: a
 * decision already on a Lead is not written again, so a second cycle writes nothing.
 */
export async function runSyncCycle(
  deps: SyncCycleDeps,
  options: { dryRun: boolean },
): Promise<SyncSummary> {
  const { definition, log } = deps;
  const summary: SyncSummary = {
    pulled: { contacts: 0, leads_matched: 0 },
    decided: 0,
    qualified: 0,
    routed: 0,
    skipped: { converted: 0, owned_by_rep: 0, already_routed: 0, no_lead: 0, shared_lead: 0 },
    written: { salesforce: 0, hubspot: 0 },
    tasks_created: 0,
    quarantined: 0,
    plan: [],
  };
  const now = deps.now();
  const [users, queues, openCounts] = await Promise.all([
    deps.directory.users(),
    deps.directory.queues(),
    deps.directory.openLeadCounts([...CLOSED_STATUSES, ...definition.feedback.rejected_statuses]),
  ]);
  const names = new Map<string, string>([
    ...users.map((user) => [user.id, user.name] as const),
    ...queues.map((queue) => [queue.id, queue.name] as const),
  ]);
  const directoryUsers = new Map<string, DirectoryUser>(
    users.map((user) => [
      user.id,
      {
        active: user.active,
        outOfOffice: false,
        openLeads: openCounts.get(user.id) ?? 0,
        timezone: user.timezone,
      },
    ]),
  );
  const activeReps = new Set(
    users
      .filter((user) => user.active && user.id !== deps.integrationUserId)
      .map((user) => user.id),
  );

  // Records quarantined by earlier cycles come first: the cursor has moved past them.
  const quarantined = await deps.state.quarantined();
  if (quarantined.length > 0) {
    const ids = [...new Set(quarantined.map((entry) => entry.key))];
    const found = await deps.contacts.contactsByIds(ids);
    // Retried now: a record that fails again is quarantined again; one deleted or merged in
    // HubSpot (absent from `found`) has nothing left to retry.
    if (!options.dryRun) for (const id of ids) await deps.state.release(id);
    for (let start = 0; start < found.length; start += PAGE_SIZE) {
      await processPage(deps, found.slice(start, start + PAGE_SIZE), {
        now,
        directoryUsers,
        names,
        activeReps,
        summary,
        dryRun: options.dryRun,
      });
    }
  }

  const from = (await deps.state.cursor(CONTACTS_STREAM)) ?? new Date(0);
  const windows: { from: Date; to: Date }[] = [{ from, to: new Date(now.getTime() + 1) }];
  while (windows.length > 0) {
    const window = windows.shift() as { from: Date; to: Date };
    const first = await deps.contacts.changedContacts(window, null);
    if (first.total > WINDOW_RESULTS_MAX && window.to.getTime() - window.from.getTime() > 1) {
      const middle = new Date(Math.floor((window.from.getTime() + window.to.getTime()) / 2));
      windows.unshift({ from: window.from, to: middle }, { from: middle, to: window.to });
      continue;
    }
    // The whole window is read before anything is written: Handoff's own writes move contacts'
    // lastmodifieddate, which would shift offset paging and skip records.
    const byId = new Map(first.contacts.map((contact) => [contact.id, contact]));
    for (let after = first.nextAfter; after !== null;) {
      const page = await deps.contacts.changedContacts(window, after);
      for (const contact of page.contacts) byId.set(contact.id, contact);
      after = page.nextAfter;
    }
    const ordered = [...byId.values()].sort(
      (a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime(),
    );
    for (let start = 0; start < ordered.length; start += PAGE_SIZE) {
      const chunk = ordered.slice(start, start + PAGE_SIZE);
      await processPage(deps, chunk, {
        now,
        directoryUsers,
        names,
        activeReps,
        summary,
        dryRun: options.dryRun,
      });
      // Contacts sharing the boundary instant are read again next cycle (GTE) and not written
      // twice: their decision is already on the Lead.
      const newest = chunk.at(-1)?.modifiedAt;
      if (!options.dryRun && newest !== undefined)
        await deps.state.advanceCursor(CONTACTS_STREAM, newest);
    }
  }
  log.info({ ...summary, plan: undefined }, 'sync cycle finished');
  return summary;
}

interface PageContext {
  readonly now: Date;
  readonly directoryUsers: Map<string, DirectoryUser>;
  readonly names: ReadonlyMap<string, string>;
  readonly activeReps: ReadonlySet<string>;
  readonly summary: SyncSummary;
  readonly dryRun: boolean;
}

function matchLead(contact: MarketingContact, leads: readonly SalesLead[]): SalesLead | null {
  const email =
    typeof contact.attributes['email'] === 'string'
      ? contact.attributes['email'].toLowerCase()
      : null;
  return (
    leads.find((lead) => lead.id === contact.salesforceLeadId) ??
    leads.find((lead) => lead.hubspotContactId === contact.id) ??
    leads
      .filter((lead) => email !== null && lead.email?.toLowerCase() === email)
      .sort((a, b) => Number(a.isConverted) - Number(b.isConverted))[0] ??
    null
  );
}

async function processPage(
  deps: SyncCycleDeps,
  contacts: readonly MarketingContact[],
  context: PageContext,
): Promise<void> {
  if (contacts.length === 0) return;
  const { definition } = deps;
  const { summary, now } = context;
  summary.pulled.contacts += contacts.length;
  // Engagements are read only for contacts that could still qualify: every gate holds and fit
  // plus the most engagement can give reaches the threshold. The rest cost no reads.
  const { threshold, engagement } = definition.qualification;
  const candidates = contacts.filter((contact) => {
    const bound = qualify({
      lead: { attributes: contact.attributes },
      activities: [],
      definition,
      now,
    });
    return (
      bound.reasons.every((reason) => reason.kind !== 'gate_failed') &&
      bound.fit + engagement.max_points >= threshold
    );
  });
  const kinds = ENGAGEMENT_KINDS.filter((kind) => (engagement.activities[kind] ?? 0) !== 0);
  const engagements =
    candidates.length === 0 || kinds.length === 0
      ? new Map<string, readonly Activity[]>()
      : await deps.contacts.activities(
          candidates.map((contact) => contact.id),
          kinds,
        );
  const activitiesOf = (contact: MarketingContact): Activity[] => [
    ...(engagements.get(contact.id) ?? []),
    ...(contact.latestConversion === null ? [] : [contact.latestConversion]),
  ];

  const qualified = contacts
    .map((contact) => ({
      contact,
      activities: activitiesOf(contact),
      qualification: qualify({
        lead: { attributes: contact.attributes },
        activities: activitiesOf(contact),
        definition,
        now,
      }),
    }))
    .filter(
      (
        entry,
      ): entry is typeof entry & { qualification: QualificationResult & { qualified: true } } => {
        summary.decided += 1;
        return entry.qualification.qualified;
      },
    );
  summary.qualified += qualified.length;
  if (qualified.length === 0) return;

  const emails = qualified
    .map(({ contact }) => contact.attributes['email'])
    .filter((email): email is string => typeof email === 'string');
  const leads = await deps.leads.findLeads({
    leadIds: qualified
      .map(({ contact }) => contact.salesforceLeadId)
      .filter((id): id is string => id !== null),
    hubspotContactIds: qualified.map(({ contact }) => contact.id),
    emails,
  });
  const domains = [
    ...new Set(emails.map(emailDomain).filter((domain): domain is string => domain !== null)),
  ];
  const accounts =
    domains.length === 0 ? new Map() : await deps.leads.accountOwnersByDomain(domains);
  const directory: Directory = context.directoryUsers;

  const toRoute: {
    contact: MarketingContact;
    lead: SalesLead | null;
    qualification: QualificationResult & { qualified: true };
    activities: Activity[];
    id: string;
  }[] = [];
  const planned: Planned[] = [];
  const repairs: { contact: MarketingContact; desired: Record<string, string> }[] = [];
  // Two contacts can point at one Lead (a stale `salesforceleadid`, a shared email): only the
  // contact the Lead names (its HubSpot id), else the first, decides for it; one Lead, one Task.
  const claims = new Map<string, string>();
  for (const { contact } of qualified) {
    const lead = matchLead(contact, leads);
    if (lead === null) continue;
    if (lead.hubspotContactId === contact.id || !claims.has(lead.id))
      claims.set(lead.id, contact.id);
  }
  for (const { contact, activities, qualification } of qualified) {
    const lead = matchLead(contact, leads);
    if (lead !== null) summary.pulled.leads_matched += 1;
    if (lead !== null && claims.get(lead.id) !== contact.id) {
      summary.skipped.shared_lead += 1;
      deps.log.debug(
        { contactId: contact.id, leadId: lead.id, claimedBy: claims.get(lead.id) },
        'lead matched by another contact',
      );
      continue;
    }
    const id = decisionId(contact.id, definition, qualification, activities);
    if (lead?.isConverted === true) {
      summary.skipped.converted += 1;
      continue;
    }
    if (lead === null && !definition.routing.create_missing_leads) {
      summary.skipped.no_lead += 1;
      continue;
    }
    if (lead !== null && lead.handoff.decisionId === id) {
      summary.skipped.already_routed += 1;
      // Routed, but the process stopped before HubSpot was written: finish that part now.
      if (contact.handoff.status === null)
        repairs.push({
          contact,
          desired: contactProperties(
            definition,
            { ...lead.handoff, ownerId: lead.ownerId },
            context.names,
          ),
        });
      continue;
    }
    const ownedByRep = lead !== null && context.activeReps.has(lead.ownerId);
    if (ownedByRep && lead.handoff.decisionId !== null) {
      // Routed before and now owned by a rep: Handoff never fights a human's ownership.
      summary.skipped.owned_by_rep += 1;
      deps.log.debug(
        {
          contactId: contact.id,
          leadId: lead.id,
          ownerId: lead.ownerId,
          decisionId: id,
          previous: lead.handoff.decisionId,
        },
        'lead kept by its rep',
      );
      continue;
    }
    if (ownedByRep) {
      const timezone = resolveOwnerTimezone({ definition, owner: lead.ownerId, directory });
      const sla = computeSlaDueAt({
        routedAt: now,
        tier: qualification.tier,
        sla: definition.sla,
        timezone,
      });
      planned.push({
        contact,
        lead,
        qualification,
        routing: null,
        sla,
        ownerId: lead.ownerId,
        decisionId: id,
        ownerKept: true,
      });
      continue;
    }
    toRoute.push({ contact, lead, qualification, activities, id });
  }

  if (toRoute.length > 0) {
    const routedNow = await deps.state.withRotation((rotation) => {
      let next = rotation;
      const results: Planned[] = [];
      for (const entry of toRoute) {
        const domain = emailDomain(entry.contact.attributes['email']);
        const account =
          domain === null
            ? undefined
            : (accounts.get(domain) as { accountId: string; ownerId: string } | undefined);
        const decision = decideLead({
          lead: {
            attributes: entry.contact.attributes,
            account:
              account === undefined ? null : { id: account.accountId, owner: account.ownerId },
          },
          activities: entry.activities,
          definition,
          directory,
          rotation: next,
          now,
          routedAt: now,
        });
        if (decision.routing === null || decision.sla === null) continue;
        next = decision.nextRotation;
        const owner = decision.routing.owner;
        const user = context.directoryUsers.get(owner);
        if (user !== undefined)
          context.directoryUsers.set(owner, { ...user, openLeads: user.openLeads + 1 });
        results.push({
          contact: entry.contact,
          lead: entry.lead,
          qualification: entry.qualification,
          routing: decision.routing,
          sla: decision.sla,
          ownerId: owner,
          decisionId: entry.id,
          ownerKept: false,
        });
      }
      return { result: results, next: context.dryRun ? rotation : next };
    });
    planned.push(...routedNow);
  }
  await writePlanned(deps, planned, context);
  if (repairs.length > 0 && !context.dryRun)
    await writeContactProperties(deps, repairs, new Map(), summary);
}

/**
 * Writes in the order that leaves no gap if the process dies between two calls: new Leads
 * first (without the decision id), then the Tasks (upserted on the decision id), then the Leads'
 * owned fields with the decision id, then HubSpot. A Lead carries its decision id only once its
 * Task exists, and a routed Lead whose contact still lacks the properties is repaired later.
 */
async function writePlanned(
  deps: SyncCycleDeps,
  planned: readonly Planned[],
  context: PageContext,
): Promise<void> {
  if (planned.length === 0) return;
  const { summary } = context;
  const fieldsOf = (item: Planned, withDecision = true): Omit<LeadUpdate, 'leadId'> => ({
    ownerId: item.ownerId,
    status: ROUTED_STATUS,
    score: item.qualification.score,
    tier: item.qualification.tier,
    due: item.sla.due,
    reason: describeDecision(item.qualification, item.routing, item.sla, item.ownerKept),
    ...(withDecision ? { decisionId: item.decisionId } : {}),
  });
  for (const item of planned) {
    summary.plan.push({
      contactId: item.contact.id,
      leadId: item.lead?.id ?? null,
      action: item.lead === null ? 'create_lead' : item.ownerKept ? 'keep_owner' : 'route',
      decisionId: item.decisionId,
      ownerId: item.ownerId,
      due: item.sla.due.toISOString(),
      salesforce: { ...fieldsOf(item), due: item.sla.due.toISOString() },
      hubspot: hubspotProperties(deps.definition, item, context.names),
    });
  }
  if (context.dryRun) {
    summary.routed += planned.length;
    return;
  }

  const failures = new Map<string, WriteOutcome & { ok: false }>();
  const leadIds = new Map<string, string>();
  for (const item of planned) if (item.lead !== null) leadIds.set(item.contact.id, item.lead.id);

  const creates: NewLead[] = planned
    .filter((item) => item.lead === null)
    .map((item) => {
      // The decision id is withheld until the Task exists (see above).
      return {
        ...fieldsOf(item, false),
        hubspotContactId: item.contact.id,
        attributes: item.contact.attributes,
      };
    });
  for (const outcome of await deps.leads.createLeads(creates)) {
    if (outcome.ok) leadIds.set(outcome.key, outcome.id);
    else failures.set(outcome.key, outcome);
  }
  summary.written.salesforce += creates.length;

  const withLead = planned.filter((item) => leadIds.has(item.contact.id));
  // Tasks need a User owner; a queue-owned Lead gets its Task when a rep takes it.
  const tasks = withLead
    .filter((item) => item.ownerId.startsWith('005'))
    .map((item) => followUpTask(deps.definition, item, leadIds.get(item.contact.id) ?? ''));
  for (const outcome of await deps.leads.upsertTasks(tasks)) {
    if (outcome.ok && outcome.created) summary.tasks_created += 1;
    if (!outcome.ok) {
      const item = withLead.find((candidate) => candidate.decisionId === outcome.key);
      if (item !== undefined) failures.set(item.contact.id, outcome);
    }
  }
  summary.written.salesforce += tasks.length;

  const ready = withLead.filter((item) => !failures.has(item.contact.id));
  const updates = ready.map((item): LeadUpdate => ({
    ...fieldsOf(item),
    leadId: leadIds.get(item.contact.id) ?? '',
    // A Lead matched by salesforceleadid or email gets linked to its contact, so later cycles
    // (and a marketer's view) find it by the external id.
    ...(item.lead !== null && item.lead.hubspotContactId === null
      ? { hubspotContactId: item.contact.id }
      : {}),
  }));
  const updateOutcomes = await deps.leads.updateLeads(updates);
  summary.written.salesforce += updates.length;
  for (const [index, outcome] of updateOutcomes.entries()) {
    const item = ready[index];
    if (item !== undefined && !outcome.ok) failures.set(item.contact.id, outcome);
  }

  const routed = ready.filter((item) => !failures.has(item.contact.id));
  await writeContactProperties(
    deps,
    routed.map((item) => ({
      contact: item.contact,
      desired: hubspotProperties(deps.definition, item, context.names),
    })),
    failures,
    summary,
  );

  for (const item of planned) {
    const failure = failures.get(item.contact.id);
    if (failure === undefined) {
      summary.routed += 1;
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
    await deps.state.quarantine({
      system: failure.code === 'OBJECT_NOT_FOUND' ? 'hubspot' : 'salesforce',
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
}

/** Diff-based contact writes: only properties whose value differs are sent. */
async function writeContactProperties(
  deps: SyncCycleDeps,
  targets: readonly { contact: MarketingContact; desired: Record<string, string> }[],
  failures: Map<string, WriteOutcome & { ok: false }>,
  summary: SyncSummary,
): Promise<void> {
  const updates: ContactUpdate[] = [];
  for (const { contact, desired } of targets) {
    const changed = Object.fromEntries(
      Object.entries(desired).filter(
        ([owned, value]) => contact.handoff[owned as keyof MarketingContact['handoff']] !== value,
      ),
    );
    if (Object.keys(changed).length > 0)
      updates.push({ contactId: contact.id, properties: changed });
  }
  for (const outcome of await deps.contactWriter.updateContacts(updates))
    if (!outcome.ok) failures.set(outcome.key, outcome);
  summary.written.hubspot += updates.length;
}

function followUpTask(definition: Definition, item: Planned, leadId: string): FollowUpTask {
  const name = [item.contact.attributes['first_name'], item.contact.attributes['last_name']]
    .filter((part) => typeof part === 'string' && part !== '')
    .join(' ');
  return {
    decisionId: item.decisionId,
    leadId,
    ownerId: item.ownerId,
    subject: `Follow up with ${name || 'new MQL'} (tier ${item.qualification.tier})`.slice(0, 255),
    dueDate: formatLocalDate(toWallTime(item.sla.timezone, item.sla.due.getTime())),
    reminderAt: item.sla.due,
    description: describeDecision(item.qualification, item.routing, item.sla, item.ownerKept),
    priority: item.qualification.tier === highestTier(definition) ? 'High' : 'Normal',
  };
}

function highestTier(definition: Definition): string | undefined {
  return Object.entries(definition.qualification.tiers).sort(([, a], [, b]) => b - a)[0]?.[0];
}

/** What a routed contact shows a marketer: Handoff's properties in HubSpot. */
function contactProperties(
  definition: Definition,
  routed: {
    readonly score: number | null;
    readonly tier: string | null;
    readonly ownerId: string;
    readonly due: Date | null;
  },
  names: ReadonlyMap<string, string>,
): Record<string, string> {
  return {
    status: 'routed',
    ...(routed.score === null ? {} : { score: String(routed.score) }),
    ...(routed.tier === null ? {} : { tier: routed.tier }),
    owner: names.get(routed.ownerId) ?? routed.ownerId,
    ...(routed.due === null ? {} : { due: routed.due.toISOString() }),
    definition_version: definition.version,
  };
}

function hubspotProperties(
  definition: Definition,
  item: Planned,
  names: ReadonlyMap<string, string>,
): Record<string, string> {
  return contactProperties(
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
