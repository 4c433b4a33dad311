import type { RotationState } from '../domain/routing/route-lead.js';

/**
 * Where the sync keeps what must survive restarts and be shared by every worker process:
 * cursors, the round-robin rotation with open-lead counts, and quarantined records. Backed by Redis in production
 * (`maxmemory-policy noeviction`), so any number of processes share one state.
 */
export interface SyncState {
  /**
   * The identity of this installation's state in Redis, created when missing. It changes only
   * when Redis loses the state (flushed, restarted without persistence, failed over to an empty
   * replica): a cycle reads it first and refuses to move a cursor once it has changed, so a cycle
   * running across the loss never re-creates a cursor past work that was lost with Redis.
   */
  epoch(): Promise<string>;
  /** The last fully written modification instant of a stream (`hubspot.contacts`), or null. */
  cursor(stream: string): Promise<Date | null>;
  /**
   * Moves a cursor forward; never backward (a slower worker cannot rewind a faster one). With
   * `epoch`, throws StateLostError instead when the state is no longer the one the caller read.
   */
  advanceCursor(stream: string, to: Date, epoch?: string): Promise<void>;
  /** Forgets a stream's cursor: its next read starts from the beginning. */
  clearCursor(stream: string): Promise<void>;
  /**
   * Runs `decide` against the current routing state (rotation and open-lead counts) and stores
   * the state it returns, atomically: concurrent workers never pick from the same counters and
   * never overfill an owner (optimistic retry on conflict). With `epoch`, throws
   * StateLostError instead when Redis no longer holds the state the cycle started on.
   */
  /** The routing state as stored, read only (a dry run starts from it and keeps its own). */
  routing(): Promise<RoutingState>;
  withRouting<T>(
    decide: (state: RoutingState) => { readonly result: T; readonly next: RoutingState },
    epoch?: string,
  ): Promise<T>;
  /**
   * Replaces the open-lead counts with Salesforce's own (read each cycle): the counts Handoff
   * adds between reads are corrected by what reps did meanwhile.
   */
  resetOpenLeads(counts: ReadonlyMap<string, number>): Promise<void>;
  /**
   * Records a record that failed, replacing its earlier entry (if any) and counting the
   * attempt. After five failed attempts (one per cycle) the record is parked (`retry: false`):
   * visible to the admin with its reason, no longer retried by every cycle.
   */
  quarantine(entry: QuarantineEntry): Promise<void>;
  /**
   * Removes entries whose retry succeeded, each only if it is still the entry the caller read
   * (same `seq`): a record that failed again meanwhile, in this cycle or in a write-back job,
   * stays quarantined.
   */
  release(entries: readonly StoredQuarantineEntry[]): Promise<void>;
  /** Every entry, or the entries of `keys` (one round trip either way). */
  quarantined(keys?: readonly string[]): Promise<readonly StoredQuarantineEntry[]>;
  /** Entry counts without reading the entries: total, parked, by code. */
  quarantineCounts(): Promise<QuarantineCounts>;
  /** Makes parked entries retryable again (the admin fixed the cause); returns how many. */
  unpark(keys: readonly string[] | 'all'): Promise<number>;
  /**
   * The idempotency ledger for writes an API cannot make idempotent (a HubSpot note has no
   * external id): which of `keys` are already done in `ledger`.
   */
  done(ledger: string, keys: readonly string[]): Promise<ReadonlySet<string>>;
  markDone(ledger: string, keys: readonly string[]): Promise<void>;
  /**
   * When Handoff's own last write left each contact (its `lastmodifieddate` then). A contact
   * still at that instant has changed only by Handoff's hand and need not be decided again.
   */
  recordOwnWrites(stamps: readonly { readonly key: string; readonly at: Date }[]): Promise<void>;
  ownWrites(keys: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /**
   * SLA timers: when each lead's first touch is due. A lead has one timer (the latest wins). Lost
   * with Redis, they are found again by the reconciliation, which reads due dates from Salesforce.
   */
  addSlaTimers(entries: readonly { readonly leadId: string; readonly due: Date }[]): Promise<void>;
  /** Leads whose timer is at or before `upTo`. */
  dueSlaTimers(upTo: Date): Promise<readonly string[]>;
  /** Drops the timers at or before `upTo` (they were checked). */
  clearSlaTimers(upTo: Date): Promise<void>;
}

export interface QuarantineCounts {
  readonly total: number;
  readonly parked: number;
  readonly by_code: Readonly<Record<string, number>>;
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

/** An entry as stored: how often the record failed, and a stamp that changes on every write. */
export interface StoredQuarantineEntry extends QuarantineEntry {
  readonly attempts: number;
  readonly seq: number;
}
