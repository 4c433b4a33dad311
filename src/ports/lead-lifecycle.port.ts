import type { LeadLifecycle } from '../domain/lifecycle/lead-lifecycle.js';
import type { AttributeValue } from '../domain/model.js';
import type { TouchActivity } from '../domain/sla/assess-first-touch.js';

/** A Lead Handoff routed, with what the SLA watch, the feedback loop and the report read. */
export interface HandoffLead {
  readonly id: string;
  /** The person, for the admin's views (the dashboard); never written to logs. */
  readonly name: string | null;
  readonly email: string | null;
  readonly ownerId: string;
  readonly status: string;
  readonly isConverted: boolean;
  readonly hubspotContactId: string | null;
  readonly leadSource: string | null;
  readonly modifiedAt: Date;
  readonly lifecycle: LeadLifecycle;
  readonly score: number | null;
  readonly tier: string | null;
  readonly due: Date | null;
  readonly routedAt: Date | null;
  /** The history people read (display only: nothing is parsed back out of it). */
  readonly reason: string | null;
  readonly slaBreached: boolean;
  readonly rejectionReason: string | null;
  readonly rejectionComment: string | null;
  /** Canonical attributes read through `mapping.salesforce`, for routing the lead again. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/**
 * What happens to Leads after routing, read from Salesforce (never only from Redis: losing Redis
 * loses no SLA and no rejection). Reads in SOQL pages of 2,000 and IN lists of 100; throws
 * IntegrationError only.
 */
export interface LeadLifecycleStore {
  /**
   * Routed, unconverted Leads changed since `changedSince`, plus those still in `routedStatus`
   * whose due instant lies in [overdueSince, now) — the ones the SLA watch must look at.
   */
  watchedLeads(query: {
    readonly changedSince: Date;
    readonly overdueSince: Date;
    readonly now: Date;
    readonly routedStatus: string;
  }): Promise<readonly HandoffLead[]>;
  /** Routed Leads among these ids (others are left out). */
  routedLeadsByIds(ids: readonly string[]): Promise<readonly HandoffLead[]>;
  /** Routed Leads with this e-mail address, compared as Salesforce does (case-insensitive). */
  routedLeadsByEmail(email: string): Promise<readonly HandoffLead[]>;
  /**
   * Ids of Leads with a Task or Event created or changed since `since` by someone other than
   * Handoff (its own follow-up Tasks are not a rep's activity).
   */
  leadsWithActivitySince(since: Date): Promise<readonly string[]>;
  /** Completed Tasks, logged calls and Events on these Leads. */
  touches(leadIds: readonly string[]): Promise<ReadonlyMap<string, readonly TouchActivity[]>>;
  /** Routed Leads in one of `statuses` changed since `changedSince` whose rejection is not yet returned. */
  rejectedLeads(query: {
    readonly changedSince: Date;
    readonly statuses: readonly string[];
  }): Promise<readonly HandoffLead[]>;
  /** Leads routed at or after `since` (by routing instant, else due instant), converted ones too. */
  routedSince(since: Date): Promise<readonly HandoffLead[]>;
}
