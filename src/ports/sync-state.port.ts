import type { RotationState } from '../domain/routing/route-lead.js';

/**
 * Where the sync keeps what must survive restarts and be shared by every worker process:
 * cursors, the round-robin rotation with open-lead counts, and quarantined records. Backed by Redis in production
 * (`maxmemory-policy noeviction`), so any number of processes share one state.
 */
export interface SyncState {
  /** The last fully written modification instant of a stream (`hubspot.contacts`), or null. */
  cursor(stream: string): Promise<Date | null>;
  /** Moves a cursor forward; never backward (a slower worker cannot rewind a faster one). */
  advanceCursor(stream: string, to: Date): Promise<void>;
  /**
   * Runs `decide` against the current routing state (rotation and open-lead counts) and stores
   * the state it returns, atomically: concurrent workers never pick from the same counters and
   * never overfill an owner (optimistic retry on conflict).
   */
  withRouting<T>(
    decide: (state: RoutingState) => { readonly result: T; readonly next: RoutingState },
  ): Promise<T>;
  /**
   * Replaces the open-lead counts with Salesforce's own (read each cycle): the counts Handoff
   * adds between reads are corrected by what reps did meanwhile.
   */
  resetOpenLeads(counts: ReadonlyMap<string, number>): Promise<void>;
  /** Records a record that failed for a reason a later cycle may not repeat. */
  quarantine(entry: QuarantineEntry): Promise<void>;
  /** Forgets a quarantined record (it is about to be retried, or it is gone). */
  release(key: string): Promise<void>;
  quarantined(): Promise<readonly QuarantineEntry[]>;
  /**
   * The idempotency ledger for writes an API cannot make idempotent (a HubSpot note has no
   * external id): which of `keys` are already done in `ledger`.
   */
  done(ledger: string, keys: readonly string[]): Promise<ReadonlySet<string>>;
  markDone(ledger: string, keys: readonly string[]): Promise<void>;
}

/** What routing shares between workers: the round-robin counters and open Leads per owner. */
export interface RoutingState {
  readonly rotation: RotationState;
  readonly openLeads: Readonly<Record<string, number>>;
}

export interface QuarantineEntry {
  readonly system: 'hubspot' | 'salesforce';
  /** The HubSpot contact id the failure belongs to (the sync's unit of work). */
  readonly key: string;
  readonly code: string;
  readonly reason: string;
  readonly at: string;
  /**
   * False for a record no later cycle can fix (its HubSpot contact was deleted or merged): it
   * stays visible to the admin and is not retried.
   */
  readonly retry?: boolean | undefined;
}
