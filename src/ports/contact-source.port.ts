import type { HubSpotOwnedProperty } from '../domain/definition.js';
import type { Activity, AttributeValue } from '../domain/model.js';

export const ENGAGEMENT_KINDS = ['call', 'email', 'meeting', 'note', 'task'] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];

/** A HubSpot contact as the sync sees it. */
export interface MarketingContact {
  readonly id: string;
  /** Canonical attributes and mapped custom keys, read through `mapping.hubspot`. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly modifiedAt: Date;
  /** The native connector's link to a Salesforce Lead (`salesforceleadid`), if any. */
  readonly salesforceLeadId: string | null;
  readonly salesforceContactId: string | null;
  /** The latest form conversion (`Demo request` → type `demo_request`), from the contact itself. */
  readonly latestConversion: Activity | null;
  /** Handoff's own properties as HubSpot holds them now, for diff-based writes. */
  readonly handoff: Readonly<Partial<Record<HubSpotOwnedProperty, string | null>>>;
}

/** Half-open interval [from, to) of `lastmodifieddate`. */
export interface ContactWindow {
  readonly from: Date;
  readonly to: Date;
}

export interface ContactPage {
  readonly contacts: readonly MarketingContact[];
  /** Matches of the whole window; above 10,000 the caller must split the window. */
  readonly total: number;
  readonly nextAfter: string | null;
}

/**
 * Reads contacts and their engagement signals from HubSpot.
 *
 * Guarantees: pages of at most 200 ordered by modification time, then id; activities for many
 * contacts in batched calls (v4 association batch reads of 1,000, object batch reads of 100), never one
 * call per contact. Throws IntegrationError only. Does not write.
 */
export interface ContactSource {
  changedContacts(window: ContactWindow, after: string | null): Promise<ContactPage>;
  /**
   * Contacts Handoff marked `rejected` at or before `instant` (search, every page up to the
   * 10,000-result cap): the ones whose recycle date may have passed.
   */
  rejectedBefore(instant: Date): Promise<readonly MarketingContact[]>;
  /**
   * The contact ids holding these emails (lower-cased email → id), by batch reads of 100 on
   * `email`; emails no contact holds are absent.
   */
  contactIdsByEmail(emails: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** These contacts now (batch reads of 100); missing (deleted, merged) ones are left out. */
  contactsByIds(ids: readonly string[]): Promise<readonly MarketingContact[]>;
  /**
   * Engagements per contact id, as activities `call`, `email`, `meeting`, `note`, `task`; only
   * the given kinds are read (the definition scores the others 0, so reading them is waste).
   */
  activities(
    contactIds: readonly string[],
    kinds: readonly EngagementKind[],
  ): Promise<ReadonlyMap<string, readonly Activity[]>>;
}
