import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IntegrationError } from './errors.js';

/**
 * How much in-place retrying one job may do. A single call that fails transiently (a 502, a
 * dropped connection, a lock held for a moment, HubSpot's ten-second window) is retried where
 * it failed, so one bad call does not throw away a job's finished work; what the budget cannot
 * absorb goes to BullMQ, which owns longer outages (backoff between attempts, queue-wide pauses
 * for rate limits, Salesforce's daily limit). Limits bound how long a job holds its worker.
 */
export interface RetryLimits {
  /** Tries of one call, the first included. */
  readonly attemptsPerCall: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A provider wait longer than this (a daily limit) is never slept through in place. */
  readonly maxInPlaceWaitMs: number;
  /** Retries one job may spend, over all its calls. */
  readonly retriesPerJob: number;
  /** Time one job may spend waiting between retries. */
  readonly waitPerJobMs: number;
}

export const RETRY_LIMITS: RetryLimits = {
  attemptsPerCall: 5,
  baseDelayMs: 200,
  maxDelayMs: 4_000,
  maxInPlaceWaitMs: 10_000,
  retriesPerJob: 60,
  waitPerJobMs: 90_000,
};

/** What one job has left; shared by every call the job makes (async context). */
export interface RetryBudget {
  retriesLeft: number;
  waitLeftMs: number;
  /** Retries spent so far (reported with the job's counts). */
  retried: number;
}

export function newRetryBudget(limits: RetryLimits = RETRY_LIMITS): RetryBudget {
  return { retriesLeft: limits.retriesPerJob, waitLeftMs: limits.waitPerJobMs, retried: 0 };
}

const jobBudget = new AsyncLocalStorage<RetryBudget>();

/** Runs `work` with its own retry budget: every call it makes draws on the same one. */
export function withRetryBudget<T>(work: () => Promise<T>, budget = newRetryBudget()): Promise<T> {
  return jobBudget.run(budget, work);
}

/**
 * Takes one retry waiting `delayMs` from the current job's budget (or allows it outside a job);
 * false when the budget cannot pay for it.
 */
export function drawRetry(delayMs: number): boolean {
  const budget = jobBudget.getStore();
  return budget === undefined || spend(budget, delayMs);
}

function spend(budget: RetryBudget, delayMs: number): boolean {
  if (budget.retriesLeft <= 0 || budget.waitLeftMs < delayMs) return false;
  budget.retriesLeft -= 1;
  budget.waitLeftMs -= delayMs;
  budget.retried += 1;
  return true;
}

/**
 * Codes that prove the provider did not apply the request: safe to send again even when the
 * request is not idempotent (creating a HubSpot note).
 */
const NOT_APPLIED_CODES = new Set([
  'RATE_LIMITED',
  'UNABLE_TO_LOCK_ROW',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export interface RetryOptions {
  /** Sending it twice has the effect of sending it once (reads, updates, upserts). */
  readonly idempotent: boolean;
  /** Maps whatever the call throws onto the taxonomy (the adapter's classifier). */
  readonly classify: (err: unknown) => IntegrationError;
  /** Called before each retry (metering, logs). */
  readonly onRetry?: (err: IntegrationError, delayMs: number) => void;
  readonly limits?: RetryLimits;
  readonly wait?: (ms: number) => Promise<unknown>;
  readonly random?: () => number;
}

/** The wait before retry number `retry` (1-based): the provider's, else jittered exponential. */
export function retryDelayMs(
  err: IntegrationError,
  retry: number,
  limits: RetryLimits,
  random: () => number,
): number {
  const exponential = Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** (retry - 1));
  // Full jitter spreads workers that failed together; a provider's Retry-After is a floor.
  const jittered = Math.round(exponential * (0.5 + random() / 2));
  return Math.max(err.retryAfterMs ?? 0, jittered);
}

function retryable(err: IntegrationError, idempotent: boolean, limits: RetryLimits): boolean {
  if (err.kind === 'rate_limited')
    return err.retryAfterMs !== undefined && err.retryAfterMs <= limits.maxInPlaceWaitMs;
  if (err.kind !== 'transient') return false;
  if (err.retryAfterMs !== undefined && err.retryAfterMs > limits.maxInPlaceWaitMs) return false;
  return idempotent || NOT_APPLIED_CODES.has(err.code);
}

/**
 * Runs one API call, retrying it in place on a transient failure or a short rate limit, with
 * jittered exponential backoff that honours `Retry-After`, while the job's budget lasts (a call
 * outside any job gets a budget of its own). Throws the classified error when the failure is not
 * transient, the call's tries or the job's budget are spent, or the wait would be too long.
 */
export async function retryInPlace<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const limits = options.limits ?? RETRY_LIMITS;
  const budget = jobBudget.getStore() ?? newRetryBudget(limits);
  const wait = options.wait ?? sleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (raw) {
      const err = options.classify(raw);
      if (attempt >= limits.attemptsPerCall || !retryable(err, options.idempotent, limits))
        throw err;
      const delay = retryDelayMs(err, attempt, limits, random);
      if (!spend(budget, delay)) throw err;
      options.onRetry?.(err, delay);
      await wait(delay);
    }
  }
}
