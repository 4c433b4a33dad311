/** Who owns a Lead and since when it exists, whoever routed it. */
export interface LeadOwnership {
  readonly id: string;
  readonly ownerId: string;
  readonly createdAt: Date;
}

/**
 * Leads as Salesforce holds them, routed by Handoff or not: what shadow mode compares its
 * decisions with. Reads only; throws IntegrationError.
 */
export interface LeadHistory {
  /** Unconverted and converted Leads created at or after `since`. */
  createdSince(since: Date): Promise<readonly LeadOwnership[]>;
  /** These Leads (ids Salesforce no longer has are left out). */
  byIds(ids: readonly string[]): Promise<readonly LeadOwnership[]>;
}
