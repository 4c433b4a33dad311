import { UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { IntegrationError } from '../platform/errors.js';

/** What a processor needs to turn a rate limit into a queue-wide pause. */
export interface RateLimitTarget {
  rateLimit(expireTimeMs: number): Promise<void>;
}

/**
 * Turns a failure into BullMQ behaviour (STYLE.md §B.9): rate limits pause the queue for the
 * provider's wait without spending an attempt; permanent and auth failures stop retrying;
 * everything else is retried with backoff (unclassified errors are logged at error level).
 */
export async function toBullMqError(
  err: unknown,
  queue: RateLimitTarget,
  log: Logger,
): Promise<Error> {
  if (!(err instanceof IntegrationError)) {
    log.error({ err, kind: 'unclassified' }, 'job failed');
    return err instanceof Error ? err : new Error(String(err));
  }
  switch (err.kind) {
    case 'rate_limited':
      log.warn(
        { system: err.system, code: err.code, policy: err.policy, retryAfterMs: err.retryAfterMs },
        `${err.system} rate limited`,
      );
      await queue.rateLimit(err.retryAfterMs ?? 10_000);
      return Worker.RateLimitError();
    case 'auth':
    case 'permanent':
      log.error({ system: err.system, code: err.code, kind: err.kind }, 'job failed permanently');
      // The kind leads the reason, so whoever waits on the job can tell auth from data problems.
      return new UnrecoverableError(`${err.kind}: ${err.system} ${err.code}`);
    default:
      log.warn({ system: err.system, code: err.code, kind: err.kind }, 'job will be retried');
      return err;
  }
}
