import type { Activity, AttributeValue, SalesforceActivityType } from '../domain/model.js';
import type { OpenTask } from './lead-store.port.js';

/** A Lead created in Salesforce that no HubSpot contact points at, as the definition reads it. */
export interface SalesforceBornLead {
  readonly id: string;
  readonly ownerId: string;
  readonly status: string;
  readonly email: string | null;
  readonly leadSource: string | null;
  readonly modifiedAt: Date;
  /** Canonical attributes and mapped custom keys, read through `mapping.salesforce`. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /**
   * Handoff's open Tasks on the Lead, read with it (an attempt that died before writing the
   * Lead's decision leaves one); null when they could not all be read that way.
   */
  readonly openTasks: readonly OpenTask[] | null;
}

/**
 * Reads Salesforce-born Leads and the engagement Salesforce holds on them.
 *
 * Guarantees: batched reads (IN lists, Composite), never a call per Lead. Throws IntegrationError
 * only. Does not write.
 */
export interface SalesforceLeadSource {
  /**
   * Leads not converted, without `HubSpot_Contact_Id__c` and without a Handoff decision: those
   * changed since `since` (oldest first), or those among `ids` that still are such Leads.
   */
  bornLeads(
    query: { readonly since: Date } | { readonly ids: readonly string[] },
  ): Promise<readonly SalesforceBornLead[]>;
  /**
   * Engagement per Lead id as Salesforce activities (`source: 'salesforce'`): completed Tasks
   * (`call` for logged calls, `email`, else `task`), Events (`meeting`, at their start), and
   * responded campaign memberships (`campaign_response`, at the first response). Only objects
   * that hold one of `types` are read: an org without campaigns is never asked about them.
   */
  activities(
    leadIds: readonly string[],
    types: readonly SalesforceActivityType[],
  ): Promise<ReadonlyMap<string, readonly Activity[]>>;
}
