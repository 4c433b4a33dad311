import type { SalesforceFieldKind } from '../domain/installation/owned-fields.js';

/** A field as the integration user sees it in Salesforce's describe. */
export interface DescribedField {
  readonly name: string;
  /** The kind Handoff would create, or `other` for any type it does not use. */
  readonly kind: SalesforceFieldKind | 'other';
  readonly length: number | null;
  /** The integration user may write it (field-level security: edit). */
  readonly updateable: boolean;
  readonly externalId: boolean;
  /** Active picklist values, for picklists. */
  readonly picklistValues: readonly string[];
}

/** A daily API allocation: what the org may spend, and what is left. */
export interface ApiAllowance {
  readonly max: number;
  readonly remaining: number;
}

/**
 * What an installation looks like from Salesforce, for `handoff doctor`. Reads only; throws
 * IntegrationError. A field without field-level security for the integration user is absent,
 * as it is from every query that user makes.
 */
export interface SalesforceInstallation {
  fields(object: 'Lead' | 'Task'): Promise<readonly DescribedField[]>;
  /** `DailyApiRequests` from the org's limits. */
  dailyApiRequests(): Promise<ApiAllowance>;
  /** Salesforce's clock, as its responses date themselves. */
  serverTime(): Promise<Date>;
}

/**
 * Which queues may own Leads, for `handoff doctor` (setup has no use for it, so it is not part of
 * SalesforceInstallation). Throws IntegrationError.
 */
export interface SalesforceLeadQueues {
  /**
   * Ids of the queues with a `QueueSobject` row for Lead (Supported Objects in Setup): a queue
   * without one cannot be given a Lead.
   */
  queuesAcceptingLeads(): Promise<ReadonlySet<string>>;
}

/** A contact property as HubSpot describes it. */
export interface DescribedProperty {
  readonly name: string;
  readonly type: string;
  readonly options: readonly string[];
}

/**
 * What an installation looks like from HubSpot: its contact properties and the token's scopes.
 * Throws IntegrationError (`auth` for a token that is invalid or lacks the scope).
 */
export interface HubSpotInstallation {
  contactProperties(): Promise<readonly DescribedProperty[]>;
  /** The scopes the private app's token was given (`not_found` where the portal will not say). */
  tokenScopes(): Promise<readonly string[]>;
}

/** Redis settings that decide whether queued work survives; null where Redis will not say. */
export interface RedisSettings {
  readonly evictionPolicy: string | null;
  readonly appendOnly: boolean | null;
  /** RDB snapshots configured (`save` not empty). */
  readonly snapshots: boolean | null;
}

export interface RedisInspector {
  settings(): Promise<RedisSettings>;
}
