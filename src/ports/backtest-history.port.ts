import type { AttributeChange } from '../domain/backtest/historic-lead.js';
import type { OutcomeRecord } from '../domain/backtest/lead-outcome.js';
import type {
  Activity,
  AttributeValue,
  LeadAccount,
  SalesforceActivityType,
} from '../domain/model.js';
import type { AwayPeriod } from '../domain/routing/availability.js';
import type { TouchActivity } from '../domain/sla/assess-first-touch.js';
import type { ReplayUser } from '../domain/backtest/replay-definition.js';

/** A half-open interval [from, to) of creation instants. */
export interface HistoryWindow {
  readonly from: Date;
  readonly to: Date;
}

/** A contact created in the window, each mapped attribute with its values over time. */
export interface CreatedContact {
  readonly id: string;
  readonly email: string | null;
  readonly createdAt: Date;
  readonly attributes: Readonly<Record<string, readonly AttributeChange[]>>;
  /** Form conversions, one per value `recent_conversion_date` took. */
  readonly conversions: readonly Activity[];
}

export interface CreatedContactPage {
  /** Ids and creation instants, oldest first. */
  readonly contacts: readonly { readonly id: string; readonly createdAt: Date }[];
  readonly nextAfter: string | null;
}

/**
 * HubSpot's past, read-only: contacts created in a window and what they did. Search pages of 100
 * ordered by `createdate`, batch reads of 100 with `propertiesWithHistory`, v4 association batch
 * reads; every answer goes through the page cache. Throws IntegrationError.
 */
export interface MarketingHistory {
  createdContacts(window: HistoryWindow, after: string | null): Promise<CreatedContactPage>;
  /** These contacts with their attributes' history (missing ones are left out). */
  contactsWithHistory(ids: readonly string[]): Promise<readonly CreatedContact[]>;
  /** Every engagement (call, email, meeting, note, task) of these contacts, by contact id. */
  engagements(ids: readonly string[]): Promise<ReadonlyMap<string, readonly Activity[]>>;
}

/** A Salesforce Lead as the backtest reads its outcome, and what links it to a contact. */
export interface SalesLeadRecord extends OutcomeRecord {
  readonly id: string;
  readonly hubspotContactId: string | null;
  readonly email: string | null;
}

/** A Lead born in Salesforce, with its mapped attributes. */
export interface BornLeadRecord extends SalesLeadRecord {
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/**
 * Salesforce's past, read-only: the Leads of given contacts and their touches, users and
 * out-of-office periods. SOQL IN lists sharing Composite calls; every answer goes through the
 * page cache. Throws IntegrationError.
 */
export interface SalesHistory {
  /** Leads carrying one of these HubSpot contact ids, or one of these e-mail addresses. */
  leadsFor(
    contactIds: readonly string[],
    emails: readonly string[],
  ): Promise<readonly SalesLeadRecord[]>;
  /** Completed Tasks, logged calls and Events on these Leads. */
  touches(leadIds: readonly string[]): Promise<ReadonlyMap<string, readonly TouchActivity[]>>;
  /**
   * Leads created in the window that no HubSpot contact points at (web-to-lead, imports, keyed in),
   * with their attributes through `mapping.salesforce` as they are today.
   */
  bornLeads(window: HistoryWindow): Promise<readonly BornLeadRecord[]>;
  /** The Salesforce activities of these Leads the definition counts as engagement, with dates. */
  salesforceActivities(
    leadIds: readonly string[],
    types: readonly SalesforceActivityType[],
  ): Promise<ReadonlyMap<string, readonly Activity[]>>;
  /** The Account of each e-mail domain (by its Website) and its owner today. */
  accountsByDomain(domains: readonly string[]): Promise<ReadonlyMap<string, LeadAccount>>;
  /** Users by id, as routing sees them (today's active flag and time zone). */
  users(): Promise<ReadonlyMap<string, ReplayUser>>;
  /** Out-of-office periods overlapping the window; empty when the org has Out of Office off. */
  awayPeriods(window: HistoryWindow): Promise<readonly AwayPeriod[]>;
}
