import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../src/platform/errors.js';
import {
  drawRetry,
  newRetryBudget,
  RETRY_LIMITS,
  retryDelayMs,
  retryInPlace,
  withRetryBudget,
  type RetryOptions,
} from '../../../src/platform/retry-in-place.js';

const classify = (err: unknown): IntegrationError =>
  err instanceof IntegrationError
    ? err
    : new IntegrationError('hubspot', 'transient', 'unclassified', { code: 'UNCLASSIFIED' });

function failing(errors: readonly IntegrationError[]): {
  call: () => Promise<string>;
  calls: () => number;
} {
  let calls = 0;
  return {
    call: () => {
      const err = errors[calls];
      calls += 1;
      return err === undefined ? Promise.resolve('ok') : Promise.reject(err);
    },
    calls: () => calls,
  };
}

function options(overrides: Partial<RetryOptions> = {}): RetryOptions & { waits: number[] } {
  const waits: number[] = [];
  return {
    idempotent: true,
    classify,
    wait: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    waits,
    ...overrides,
  };
}

const transient = (code = 'ERROR_HTTP_503', retryAfterMs?: number) =>
  new IntegrationError('salesforce', 'transient', code, { code, retryAfterMs });

describe('retryInPlace', () => {
  it('retries a transient failure with jittered exponential waits, then succeeds', async () => {
    const { call, calls } = failing([transient(), transient(), transient()]);
    const opts = options();
    await expect(retryInPlace(call, opts)).resolves.toBe('ok');
    expect(calls()).toBe(4);
    // random 0.5 → 75% of 200, 400, 800 ms.
    expect(opts.waits).toEqual([150, 300, 600]);
  });

  it('gives up after the tries of one call and throws the classified error', async () => {
    const { call, calls } = failing(Array.from({ length: 10 }, () => transient()));
    await expect(retryInPlace(call, options())).rejects.toThrow('ERROR_HTTP_503');
    expect(calls()).toBe(RETRY_LIMITS.attemptsPerCall);
  });

  it("waits at least the provider's Retry-After", async () => {
    const { call } = failing([transient('UNABLE_TO_LOCK_ROW', 2_000)]);
    const opts = options();
    await retryInPlace(call, opts);
    expect(opts.waits).toEqual([2_000]);
  });

  it('never sleeps through a long rate limit or retries a permanent failure', async () => {
    const daily = new IntegrationError('salesforce', 'rate_limited', 'daily', {
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: 15 * 60_000,
    });
    const permanent = new IntegrationError('salesforce', 'permanent', 'bad', {
      code: 'INVALID_FIELD',
    });
    for (const err of [daily, permanent]) {
      const { call, calls } = failing([err]);
      await expect(retryInPlace(call, options())).rejects.toBe(err);
      expect(calls()).toBe(1);
    }
    const secondly = new IntegrationError('hubspot', 'rate_limited', '429', {
      code: 'RATE_LIMITED',
      retryAfterMs: 1_000,
    });
    const { call, calls } = failing([secondly]);
    await expect(retryInPlace(call, options())).resolves.toBe('ok');
    expect(calls()).toBe(2);
  });

  it('sends a request that is not idempotent again only when it surely was not applied', async () => {
    const ambiguous = failing([transient('ERROR_HTTP_502')]);
    await expect(retryInPlace(ambiguous.call, options({ idempotent: false }))).rejects.toThrow();
    expect(ambiguous.calls()).toBe(1);
    const refused = failing([transient('ECONNREFUSED')]);
    await expect(retryInPlace(refused.call, options({ idempotent: false }))).resolves.toBe('ok');
    expect(refused.calls()).toBe(2);
  });

  it("shares one job's budget across its calls, and stops retrying once it is spent", async () => {
    const limits = { ...RETRY_LIMITS, retriesPerJob: 3 };
    const budget = newRetryBudget(limits);
    await withRetryBudget(async () => {
      const first = failing([transient(), transient()]);
      await retryInPlace(first.call, options({ limits }));
      const second = failing([transient(), transient()]);
      await expect(retryInPlace(second.call, options({ limits }))).rejects.toThrow();
      expect(second.calls()).toBe(2);
      expect(drawRetry(10)).toBe(false);
    }, budget);
    expect(budget.retried).toBe(3);
    // Outside any job a call has a budget of its own.
    expect(drawRetry(10)).toBe(true);
  });

  it('computes waits from the limits', () => {
    expect(retryDelayMs(transient(), 10, RETRY_LIMITS, () => 1)).toBe(RETRY_LIMITS.maxDelayMs);
    expect(retryDelayMs(transient(), 1, RETRY_LIMITS, () => 0)).toBe(100);
  });
});
