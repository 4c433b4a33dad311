/**
 * What changed in Salesforce since an instant, asked in one request so that a quiet tenant costs
 * one call per cycle. Lists are null when more changed than one probe reads: the caller then
 * reads the long way (the full scans). Throws IntegrationError only.
 */
export interface SalesforceChanges {
  /** Leads Handoff routed that changed (status, owner, fields: a rep's edit or Handoff's). */
  readonly routedLeads: readonly string[] | null;
  /** Leads with a Task or Event created or changed (a first touch shows up here). */
  readonly activityLeads: readonly string[] | null;
  /**
   * Leads born in Salesforce that changed: not converted, no HubSpot contact link, no Handoff
   * decision (created, imported or edited by anyone, Handoff's integration user included).
   */
  readonly bornLeads: readonly string[] | null;
}

export interface SalesforceChangeProbe {
  /**
   * Changes since `since`, leaving out records whose last change was made by `ignoreUserId`
   * (Handoff's integration user: its own writes are not news to it).
   */
  changesSince(since: Date, ignoreUserId?: string): Promise<SalesforceChanges>;
}
