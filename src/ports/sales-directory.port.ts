import type { AwayPeriod } from '../domain/routing/availability.js';

/** A Salesforce user as routing and SLA clocks need it. */
export interface SalesUser {
  readonly id: string;
  readonly name: string;
  readonly active: boolean;
  /** IANA zone (`TimeZoneSidKey`), when set. */
  readonly timezone: string | null;
  readonly managerId: string | null;
}

export interface SalesQueue {
  readonly id: string;
  readonly name: string;
}

/**
 * Who can own leads in Salesforce. Reads only; throws IntegrationError. Pages through every user
 * and queue (SOQL pages of 2,000); counts open leads with one aggregate query, not per owner.
 */
export interface SalesDirectory {
  users(): Promise<readonly SalesUser[]>;
  queues(): Promise<readonly SalesQueue[]>;
  /** Unconverted Leads per owner id whose status is not one of `closedStatuses`. */
  openLeadCounts(closedStatuses: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /**
   * Enabled out-of-office periods overlapping [from, to). Null when the org has Out of Office
   * switched off (Setup › Chatter Settings): the object does not exist and nobody is away.
   */
  awayPeriods(window: {
    readonly from: Date;
    readonly to: Date;
  }): Promise<readonly AwayPeriod[] | null>;
}
