import { IntegrationError } from '../platform/errors.js';

const BASE_DELAY_MS = 2_000;
const MAX_DELAY_MS = 10 * 60_000;

/**
 * BullMQ backoff for integration failures: the provider's own wait when it said one
 * (`Retry-After`, a 429 policy, Salesforce's daily allocation), else exponential with jitter.
 * `random` is injected so tests are deterministic.
 */
export function integrationBackoff(
  attemptsMade: number,
  err: unknown,
  random: () => number = Math.random,
): number {
  if (err instanceof IntegrationError && err.retryAfterMs !== undefined) return err.retryAfterMs;
  const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}
