/**
 * The closed taxonomy every adapter maps provider errors onto. Processors turn
 * the kind into retry behaviour; nothing else inspects SDK errors. `installation`: something
 * Handoff needs is gone from the tenant (a field deleted or hidden from the integration user);
 * an admin fixes it, retrying cannot, and every record would fail the same way.
 */
export type IntegrationErrorKind =
  'transient' | 'rate_limited' | 'auth' | 'permanent' | 'not_found' | 'conflict' | 'installation';

export type IntegrationSystem = 'hubspot' | 'salesforce';

export interface IntegrationErrorDetails {
  /** Provider error code (`REQUEST_LIMIT_EXCEEDED`, `VALIDATION_ERROR`, `ECONNRESET`…). */
  readonly code?: string | undefined;
  readonly status?: number | undefined;
  /** How long to wait before trying again, when the provider said or implied it. */
  readonly retryAfterMs?: number | undefined;
  /** HubSpot's `policyName` of a 429 (`TEN_SECONDLY_ROLLING`, `DAILY`…). */
  readonly policy?: string | undefined;
  readonly cause?: unknown;
}

export class IntegrationError extends Error {
  override readonly name = 'IntegrationError';
  readonly code: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly policy: string | undefined;

  constructor(
    readonly system: IntegrationSystem,
    readonly kind: IntegrationErrorKind,
    message: string,
    details: IntegrationErrorDetails = {},
  ) {
    super(message, { cause: details.cause });
    this.code = details.code ?? kind.toUpperCase();
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.policy = details.policy;
  }
}

/** Socket-level failure codes (Node and undici): the request may not have reached the provider. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/** True for a network failure code, which both systems classify as transient. */
export function isNetworkErrorCode(code: unknown): code is string {
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}

/**
 * Redis lost Handoff's state while a job ran (flushed, or restarted without persistence): the
 * job stops instead of writing a cursor into the emptied Redis past work that was lost with it.
 * The next cycle starts from the beginning and repairs what is missing.
 */
export class StateLostError extends Error {
  override readonly name = 'StateLostError';
  readonly code = 'STATE_LOST';
}
