import type { Logger } from 'pino';
import type { FeedbackDefinition } from '../../domain/definition.js';
import type { HistoricLead } from '../../domain/backtest/historic-lead.js';
import { emailDomain } from '../sync/match-lead.js';
import { leadOutcome } from '../../domain/backtest/lead-outcome.js';
import type { ReplayUser } from '../../domain/backtest/replay-definition.js';
import type { AwayPeriod } from '../../domain/routing/availability.js';
import type {
  CreatedContact,
  HistoryWindow,
  MarketingHistory,
  SalesHistory,
  SalesLeadRecord,
} from '../../ports/backtest-history.port.js';
import { SALESFORCE_ACTIVITY_TYPES, type Activity } from '../../domain/model.js';

export interface BacktestHistoryDeps {
  readonly marketing: MarketingHistory;
  readonly sales: SalesHistory;
  readonly feedback: FeedbackDefinition;
  /** The status of a Lead nobody has worked yet. */
  readonly openStatus: string;
  readonly log: Logger;
}

export interface BacktestHistory {
  readonly leads: readonly HistoricLead[];
  readonly users: ReadonlyMap<string, ReplayUser>;
  readonly away: readonly AwayPeriod[];
}

/**
 * Contacts created in the window, one search page at a time. Each search starts at the newest
 * creation instant read so far (keyset) rather than paging one query, so HubSpot's 10,000-result
 * cap never applies to the window; a page made of one instant alone is paged by offset.
 */
async function* createdPages(
  marketing: MarketingHistory,
  window: HistoryWindow,
): AsyncGenerator<readonly string[]> {
  let from = window.from;
  let after: string | null = null;
  const seen = new Set<string>();
  for (;;) {
    const page = await marketing.createdContacts({ from, to: window.to }, after);
    const fresh = page.contacts.filter((contact) => !seen.has(contact.id));
    for (const contact of fresh) seen.add(contact.id);
    if (fresh.length > 0) yield fresh.map((contact) => contact.id);
    const last = page.contacts.at(-1);
    if (page.nextAfter === null || last === undefined) return;
    if (last.createdAt > from) {
      from = last.createdAt;
      after = null;
    } else after = page.nextAfter;
  }
}

function matchLead(
  contact: CreatedContact,
  byContact: ReadonlyMap<string, SalesLeadRecord>,
  byEmail: ReadonlyMap<string, SalesLeadRecord>,
): SalesLeadRecord | null {
  return (
    byContact.get(contact.id) ??
    (contact.email === null ? undefined : byEmail.get(contact.email.toLowerCase())) ??
    null
  );
}

/** Earliest created first, so a contact with several Leads is matched with its first. */
function indexLeads(leads: readonly SalesLeadRecord[]): {
  byContact: Map<string, SalesLeadRecord>;
  byEmail: Map<string, SalesLeadRecord>;
} {
  const byContact = new Map<string, SalesLeadRecord>();
  const byEmail = new Map<string, SalesLeadRecord>();
  for (const lead of [...leads].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    if (lead.hubspotContactId !== null && !byContact.has(lead.hubspotContactId))
      byContact.set(lead.hubspotContactId, lead);
    const email = lead.email?.toLowerCase();
    if (email !== undefined && !byEmail.has(email)) byEmail.set(email, lead);
  }
  return { byContact, byEmail };
}

/**
 * The backtest's history, read-only: the HubSpot contacts created in the window with their
 * attributes' history, engagements and form conversions; their Salesforce Leads (matched by
 * HubSpot contact id, else e-mail) with touches and outcomes; users and away periods. Reads in
 * pages of 100 contacts and IN lists, never per record.
 */
export async function readBacktestHistory(
  deps: BacktestHistoryDeps,
  window: HistoryWindow,
): Promise<BacktestHistory> {
  const { marketing, sales } = deps;
  const contacts: CreatedContact[] = [];
  const activities = new Map<string, readonly Activity[]>();
  for await (const ids of createdPages(marketing, window)) {
    contacts.push(...(await marketing.contactsWithHistory(ids)));
    for (const [id, list] of await marketing.engagements(ids)) activities.set(id, list);
    deps.log.debug({ contacts: contacts.length }, 'backtest history page read');
  }
  const leads = await sales.leadsFor(
    contacts.map((contact) => contact.id),
    contacts.flatMap((contact) => (contact.email === null ? [] : [contact.email])),
  );
  const { byContact, byEmail } = indexLeads(leads);
  const matched = new Map(
    contacts.map((contact) => [contact, matchLead(contact, byContact, byEmail)]),
  );
  // Leads born in Salesforce are decided like contacts unless a replayed contact has their e-mail
  // (live, such a Lead is left to its contact).
  const contactEmails = new Set(
    contacts.flatMap((contact) => (contact.email === null ? [] : [contact.email.toLowerCase()])),
  );
  const matchedIds = new Set(
    [...matched.values()].flatMap((lead) => (lead === null ? [] : [lead.id])),
  );
  const born = (await sales.bornLeads(window)).filter(
    (lead) =>
      !matchedIds.has(lead.id) &&
      (lead.email === null || !contactEmails.has(lead.email.toLowerCase())),
  );
  const leadIds = [...matchedIds, ...born.map((lead) => lead.id)];
  const domainOf = (email: string | null): string | null => emailDomain(email);
  // Every Salesforce activity type is read, whatever this definition counts: the candidate and
  // the baseline may count different ones, and the cache then serves both.
  const [touches, salesforceActivities, users, away, accounts] = await Promise.all([
    sales.touches(leadIds),
    sales.salesforceActivities(leadIds, SALESFORCE_ACTIVITY_TYPES),
    sales.users(),
    sales.awayPeriods(window),
    sales.accountsByDomain(
      [...contacts.map((contact) => contact.email), ...born.map((lead) => lead.email)].flatMap(
        (email) => domainOf(email) ?? [],
      ),
    ),
  ]);
  const outcomeOf = (lead: SalesLeadRecord | null) =>
    leadOutcome({
      lead,
      touches: lead === null ? [] : (touches.get(lead.id) ?? []),
      feedback: deps.feedback,
      openStatus: deps.openStatus,
    });
  const fromHubSpot: HistoricLead[] = contacts.map((contact) => {
    const lead = matched.get(contact) ?? null;
    return {
      contactId: contact.id,
      leadId: lead?.id ?? null,
      email: contact.email,
      createdAt: contact.createdAt,
      attributes: contact.attributes,
      activities: [
        ...(activities.get(contact.id) ?? []),
        ...contact.conversions,
        ...(lead === null ? [] : (salesforceActivities.get(lead.id) ?? [])),
      ],
      account: accounts.get(domainOf(contact.email) ?? '') ?? null,
      outcome: outcomeOf(lead),
    };
  });
  const fromSalesforce: HistoricLead[] = born.map((lead) => ({
    // Known by their own id, as everywhere Handoff names a Lead without a contact.
    contactId: `lead:${lead.id}`,
    leadId: lead.id,
    email: lead.email,
    createdAt: lead.createdAt,
    // Salesforce keeps no history of these fields unless field history tracking is on: today's
    // values stand for all time.
    attributes: Object.fromEntries(
      Object.entries(lead.attributes).map(([name, value]) => [name, [{ value, at: new Date(0) }]]),
    ),
    activities: salesforceActivities.get(lead.id) ?? [],
    account: accounts.get(domainOf(lead.email) ?? '') ?? null,
    outcome: outcomeOf(lead),
  }));
  return {
    leads: [...fromHubSpot, ...fromSalesforce],
    users,
    away,
  };
}
