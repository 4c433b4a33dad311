import { UnrecoverableError, WaitingChildrenError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { IntegrationError, type IntegrationSystem } from '../platform/errors.js';
import { serializeLogError } from '../platform/logger.js';

/** What a processor needs to turn a rate limit into a queue-wide pause. */
export interface RateLimitTarget {
  readonly name: string;
  rateLimit(expireTimeMs: number): Promise<void>;
}

/** The queue the failing job runs on, and the queue that carries each system's work. */
export interface RateLimitTargets {
  readonly own: RateLimitTarget;
  readonly bySystem: Readonly<Record<IntegrationSystem, RateLimitTarget>>;
  /**
   * Pauses the failing job's queue until the installation is fixed; false when this process
   * does not pause (`sync --once` reports the problem and exits instead).
   */
  readonly pauseForInstallation?: (queue: string, problem: string) => Promise<boolean>;
}

const DEFAULT_RATE_LIMIT_MS = 10_000;

/**
 * Turns a failure into BullMQ behaviour: a rate limit pauses the queue of the
 * system that said so (and the failing job's own queue) for the provider's wait without
 * spending an attempt, so HubSpot's 429 never stalls Salesforce work; permanent and auth
 * failures stop retrying; everything else is retried with backoff (unclassified errors are
 * logged at error level).
 */
export async function toBullMqError(
  err: unknown,
  targets: RateLimitTargets,
  log: Logger,
): Promise<Error> {
  // Not a failure: the job parked itself until its children finish.
  if (err instanceof WaitingChildrenError) return err;
  if (!(err instanceof IntegrationError)) {
    // Not one of ours: possibly a raw SDK error with the response (and its headers) on it. Only
    // the safe fields go out, whichever logger this is.
    log.error({ err: serializeLogError(err), kind: 'unclassified' }, 'job failed');
    return err instanceof Error ? err : new Error(String(err));
  }
  switch (err.kind) {
    case 'rate_limited': {
      const wait = err.retryAfterMs ?? DEFAULT_RATE_LIMIT_MS;
      const system = targets.bySystem[err.system];
      const paused = system === targets.own ? [system] : [system, targets.own];
      log.warn(
        {
          system: err.system,
          code: err.code,
          policy: err.policy,
          retryAfterMs: wait,
          paused: paused.map((queue) => queue.name),
        },
        `${err.system} rate limited`,
      );
      await Promise.all(paused.map((queue) => queue.rateLimit(wait)));
      return Worker.RateLimitError();
    }
    case 'installation': {
      // Every job on this queue would fail the same way: park them all, this one included, until
      // an admin fixes the tenant. The job goes back to its queue without spending an attempt.
      if ((await targets.pauseForInstallation?.(targets.own.name, err.message)) === true)
        return Worker.RateLimitError();
      log.error({ system: err.system, code: err.code, kind: err.kind }, 'job failed permanently');
      return new UnrecoverableError(`${err.kind}: ${err.message}`);
    }
    case 'auth':
    case 'permanent':
      log.error({ system: err.system, code: err.code, kind: err.kind }, 'job failed permanently');
      // The kind leads the reason, so whoever waits on the job can tell auth from data problems.
      // Classifier messages that extend `<system> <code>` (a missing field named, with its
      // check) are shown whole; they never carry record values.
      return new UnrecoverableError(
        err.message.startsWith(`${err.system} ${err.code}`)
          ? `${err.kind}: ${err.message}`
          : `${err.kind}: ${err.system} ${err.code}`,
      );
    default:
      log.warn({ system: err.system, code: err.code, kind: err.kind }, 'job will be retried');
      return err;
  }
}
