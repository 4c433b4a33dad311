/**
 * Failures the sandbox can inject, per endpoint or globally:
 * - `rate_limit`: HubSpot 429 (`variant`: `ten_secondly` default, `secondly`, `daily`) with the
 *   real bodies; Salesforce 403 `REQUEST_LIMIT_EXCEEDED`.
 * - `server_error`: a 5xx (`status`, default 503).
 * - `lock_row`: Salesforce `UNABLE_TO_LOCK_ROW`, per record in collections, else HTTP 400.
 * - `expire_session`: the sessions issued so far stop working (Salesforce answers 401
 *   `INVALID_SESSION_ID` until the client gets a new token; HubSpot answers 401 once).
 * - `latency`: adds `latencyMs` before answering.
 * - `partial_batch`: a `fraction` of the records of a batch fail (Salesforce per-record error
 *   `code`, default `UNABLE_TO_LOCK_ROW`; HubSpot 207 with errors).
 * - `reset`: the connection is destroyed without an answer.
 */
export type FaultKind =
  | 'rate_limit'
  | 'server_error'
  | 'lock_row'
  | 'expire_session'
  | 'latency'
  | 'partial_batch'
  | 'reset';

export const FAULT_KINDS: readonly FaultKind[] = [
  'rate_limit',
  'server_error',
  'lock_row',
  'expire_session',
  'latency',
  'partial_batch',
  'reset',
];

export interface FaultSpec {
  readonly kind: FaultKind;
  /** Endpoint name (`contacts.search`), a prefix with `*` (`contacts.*`), or absent for all. */
  readonly endpoint?: string | undefined;
  /** Probability per matching call, 0–1 (default 1). Drawn from a seeded generator. */
  readonly rate?: number | undefined;
  /** Fire at most this many times (default unlimited). */
  readonly times?: number | undefined;
  /** Let this many matching calls through before firing (default 0). */
  readonly afterCalls?: number | undefined;
  readonly latencyMs?: number | undefined;
  readonly status?: number | undefined;
  readonly variant?: string | undefined;
  readonly fraction?: number | undefined;
  /** HubSpot `rate_limit`: a `Retry-After` header of this many seconds. */
  readonly retryAfterSeconds?: number | undefined;
  readonly code?: string | undefined;
}

export interface FaultRule extends FaultSpec {
  readonly id: string;
  readonly fired: number;
  readonly seen: number;
}

/** What the injector decided for one call. */
export interface FaultDecision {
  readonly latencyMs: number;
  /** A fault that answers the call instead of the handler. */
  readonly answer: FaultRule | null;
  /** Batch handlers fail this share of their records. */
  readonly partialBatch: { readonly fraction: number; readonly code: string | undefined } | null;
  /** Salesforce collections answer every record with UNABLE_TO_LOCK_ROW. */
  readonly lockRow: boolean;
}
