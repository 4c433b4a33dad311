import { describe, expect, it } from 'vitest';
import type { HandoffLead, LeadLifecycleStore } from '../../../src/ports/lead-lifecycle.port.js';
import type { SalesDirectory } from '../../../src/ports/sales-directory.port.js';
import { ReportCache } from '../../../src/usecases/dashboard/report-cache.js';
import { makeDefinition } from '../../support/factories.js';

const START = Date.parse('2026-11-30T12:00:00Z');

/** Ports that count the report's Salesforce reads; `fail` makes the next read throw. */
function counting() {
  const counts = { reads: 0, fail: false };
  const lifecycle: LeadLifecycleStore = {
    routedSince: () => {
      counts.reads += 1;
      if (counts.fail) return Promise.reject(new Error('salesforce down'));
      return Promise.resolve([] as HandoffLead[]);
    },
    touches: () => Promise.resolve(new Map()),
    watchedLeads: () => Promise.resolve([]),
    routedLeadsByIds: () => Promise.resolve([]),
    routedLeadsByEmail: () => Promise.resolve([]),
    leadsWithActivitySince: () => Promise.resolve([]),
    rejectedLeads: () => Promise.resolve([]),
  };
  const directory: SalesDirectory = {
    users: () => Promise.resolve([]),
    queues: () => Promise.resolve([]),
    openLeadCounts: () => Promise.resolve(new Map()),
    awayPeriods: () => Promise.resolve(null),
  };
  return { counts, deps: { definition: makeDefinition(), lifecycle, directory } };
}

const weekBefore = (now: Date): Date => new Date(now.getTime() - 7 * 86_400_000);

describe('ReportCache', () => {
  it('reads Salesforce once per period and minute, and says as of when', async () => {
    let clock = START;
    const { counts, deps } = counting();
    const cache = new ReportCache(deps, () => new Date(clock), 60_000);
    const [first, concurrent] = await Promise.all([
      cache.read('7d', weekBefore),
      cache.read('7d', weekBefore),
    ]);
    expect(counts.reads).toBe(1);
    expect(concurrent).toBe(first);
    expect(first.asOf).toEqual(new Date(START));
    expect(first.freshUntil).toEqual(new Date(START + 60_000));
    expect(first.report.since).toBe(new Date(START - 7 * 86_400_000).toISOString());

    clock = START + 59_999;
    expect((await cache.read('7d', weekBefore)).asOf).toEqual(new Date(START));
    await cache.read('30d', (now) => new Date(now.getTime() - 30 * 86_400_000));
    expect(counts.reads).toBe(2);

    clock = START + 60_000;
    const next = await cache.read('7d', weekBefore);
    expect(counts.reads).toBe(3);
    expect(next.asOf).toEqual(new Date(START + 60_000));
    expect(next.report.until).toBe(new Date(START + 60_000).toISOString());
  });

  it('forgets a failed read, so the next request reads again', async () => {
    const { counts, deps } = counting();
    const cache = new ReportCache(deps, () => new Date(START));
    counts.fail = true;
    await expect(cache.read('7d', weekBefore)).rejects.toThrow('salesforce down');
    counts.fail = false;
    await expect(cache.read('7d', weekBefore)).resolves.toMatchObject({ report: { routed: 0 } });
    expect(counts.reads).toBe(2);
  });

  it('keeps a bounded number of periods, dropping the oldest', async () => {
    const { counts, deps } = counting();
    const cache = new ReportCache(deps, () => new Date(START));
    for (let day = 1; day <= 9; day += 1)
      await cache.read(`since:${day}`, () => new Date(START - day * 86_400_000));
    expect(counts.reads).toBe(9);
    await cache.read('since:9', () => new Date(START));
    expect(counts.reads).toBe(9);
    // The first period was pushed out by the ninth.
    await cache.read('since:1', () => new Date(START - 86_400_000));
    expect(counts.reads).toBe(10);
  });
});
