import type { ContactOutcome } from '../domain/sync/classify-contact.js';

/**
 * What became of one decided record in a cycle, from a closed set: the classification's
 * outcomes for a qualified contact that needs no write (`converted`, `already_routed`, …), and
 * what the write made of the rest. Contacts changed only by Handoff's own write-back are not
 * decided, so they have no outcome.
 * - `routed`: an owner was chosen, and Lead, Task and decision are written;
 * - `kept_owner`: the rep who already owned the Lead keeps it, now with a due date and a Task;
 * - `not_qualified`: the definition did not qualify it;
 * - `quarantined`: a value or a write failed; the record waits in the quarantine.
 */
export type DecisionOutcome =
  | 'routed'
  | 'kept_owner'
  | 'not_qualified'
  | 'quarantined'
  | Exclude<ContactOutcome['kind'], 'route' | 'keep_owner'>;

/** Where a decided record came from: a HubSpot contact or a Lead born in Salesforce. */
export type DecisionSource = 'hubspot' | 'salesforce';

/** What `on_breach` did about a missed deadline (`recorded`: `on_breach: none`). */
export type EscalationKind = 'reassigned' | 'notified' | 'recorded';

/**
 * The business events the admin watches (the `/metrics` counters), told by the use cases at the
 * one place each happens, after the write that makes it true: a write that failed and is retried
 * later is told once, when it succeeds. Implementations only count: they never throw and never
 * do I/O, so telling an event cannot fail or slow the work. Events carry labels from closed or
 * configured sets (outcomes, pool and rule ids, reasons, error codes), never a record id or any
 * personal data. A dry run tells nothing.
 */
export interface HandoffEvents {
  /** One record decided, once per record and run. */
  decided(outcome: DecisionOutcome, source: DecisionSource): void;
  /**
   * A lead given its owner (routed, or kept by its rep): `pool` and `rule` as routing chose
   * them, null when none applied (an account owner has no pool; a kept owner has neither).
   */
  routed(route: {
    readonly pool: string | null;
    readonly rule: string | null;
    readonly ownerKept: boolean;
  }): void;
  /** A rep's rejection was returned (marketing told when there is a contact; Lead to nurture). */
  rejectionReturned(reason: string): void;
  /**
   * One assignment's first-touch deadline settled: `met` when the owner touched the lead in
   * time; `firstTouchMinutes` from routing to that touch, null when nobody has touched it (a
   * breach found overdue) or the routing instant is unknown.
   */
  slaAssessed(met: boolean, firstTouchMinutes: number | null): void;
  /** `on_breach` carried out for one missed deadline. */
  escalated(kind: EscalationKind): void;
  /** A record entered (or went back to) the quarantine, with its error code. */
  quarantined(code: string): void;
  /**
   * A contact's change reached Salesforce: milliseconds from its change in HubSpot to the
   * write. Told only for changes the run was started by (see `CycleContext.newChanges`).
   */
  handedOff(latencyMs: number): void;
}

/** For callers that count nothing (the CLI's one-off commands, tests). */
export const noHandoffEvents: HandoffEvents = {
  decided: () => undefined,
  routed: () => undefined,
  rejectionReturned: () => undefined,
  slaAssessed: () => undefined,
  escalated: () => undefined,
  quarantined: () => undefined,
  handedOff: () => undefined,
};
