import { UnrecoverableError, WaitingChildrenError } from 'bullmq';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { integrationBackoff } from '../../../src/jobs/backoff.js';
import { toBullMqError } from '../../../src/jobs/to-bullmq-error.js';
import { IntegrationError } from '../../../src/platform/errors.js';

const silent = pino({ level: 'silent' });

describe('integrationBackoff', () => {
  it('waits what the provider said when it said it', () => {
    expect(
      integrationBackoff(
        3,
        new IntegrationError('hubspot', 'rate_limited', 'x', { retryAfterMs: 10_000 }),
      ),
    ).toBe(10_000);
  });

  it('grows exponentially with jitter between half and all of the step, capped at ten minutes', () => {
    expect(integrationBackoff(1, new Error('x'), () => 0)).toBe(1_000);
    expect(integrationBackoff(1, new Error('x'), () => 0.999_999)).toBe(2_000);
    expect(integrationBackoff(4, new Error('x'), () => 0.999_999)).toBe(16_000);
    expect(integrationBackoff(30, undefined, () => 0.999_999)).toBe(600_000);
  });
});

describe('toBullMqError', () => {
  const queue = (
    name = 'q',
  ): { name: string; waits: number[]; rateLimit: (ms: number) => Promise<void> } => {
    const waits: number[] = [];
    return { name, waits, rateLimit: (ms) => Promise.resolve(void waits.push(ms)) };
  };

  const targets = () => {
    const own = queue();
    const hubspot = queue();
    const salesforce = queue();
    return { own, hubspot, salesforce, all: { own, bySystem: { hubspot, salesforce } } };
  };

  it('pauses the limited system’s queue and the job’s own, and answers RateLimitError', async () => {
    const { own, hubspot, salesforce, all } = targets();
    const error = await toBullMqError(
      new IntegrationError('salesforce', 'rate_limited', 'x', {
        code: 'REQUEST_LIMIT_EXCEEDED',
        retryAfterMs: 900_000,
      }),
      all,
      silent,
    );
    expect(salesforce.waits).toEqual([900_000]);
    expect(own.waits).toEqual([900_000]);
    // HubSpot work goes on.
    expect(hubspot.waits).toEqual([]);
    expect(error.name).toBe('RateLimitError');
  });

  it('pauses a system queue once when the job runs on it', async () => {
    const hubspot = queue();
    const salesforce = queue();
    await toBullMqError(
      new IntegrationError('hubspot', 'rate_limited', 'x', { code: 'RATE_LIMIT' }),
      { own: hubspot, bySystem: { hubspot, salesforce } },
      silent,
    );
    // No wait given: ten seconds, HubSpot's rolling window.
    expect(hubspot.waits).toEqual([10_000]);
    expect(salesforce.waits).toEqual([]);
  });

  it.each(['permanent', 'auth'] as const)('stops retrying a %s failure', async (kind) => {
    const error = await toBullMqError(
      new IntegrationError('hubspot', kind, 'x', { code: 'VALIDATION_ERROR' }),
      targets().all,
      silent,
    );
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.message).toBe(`${kind}: hubspot VALIDATION_ERROR`);
  });

  it('parks an installation problem in its paused queue, or stops with it where nothing pauses', async () => {
    const problem = new IntegrationError(
      'salesforce',
      'installation',
      'salesforce INVALID_FIELD: Lead.X__c is missing or not visible to the integration user — run handoff doctor',
      { code: 'INVALID_FIELD' },
    );
    const paused: [string, string][] = [];
    const { all } = targets();
    const parked = await toBullMqError(
      problem,
      {
        ...all,
        pauseForInstallation: (name, message) => Promise.resolve(paused.push([name, message]) > 0),
      },
      silent,
    );
    expect(paused).toEqual([['q', problem.message]]);
    // Back to its queue without spending an attempt: it runs once the queue resumes.
    expect(parked.name).toBe('RateLimitError');
    const stopped = await toBullMqError(
      problem,
      { ...all, pauseForInstallation: () => Promise.resolve(false) },
      silent,
    );
    expect(stopped).toBeInstanceOf(UnrecoverableError);
    expect(stopped.message).toBe(`installation: ${problem.message}`);
  });

  it('passes a parked parent through untouched', async () => {
    const parked = new WaitingChildrenError();
    expect(await toBullMqError(parked, targets().all, silent)).toBe(parked);
  });

  it('rethrows transient and unclassified failures for a retry with backoff', async () => {
    const transient = new IntegrationError('hubspot', 'transient', 'x');
    expect(await toBullMqError(transient, targets().all, silent)).toBe(transient);
    const unknown = new TypeError('boom');
    expect(await toBullMqError(unknown, targets().all, silent)).toBe(unknown);
    expect((await toBullMqError('text', targets().all, silent)).message).toBe('text');
  });
});
