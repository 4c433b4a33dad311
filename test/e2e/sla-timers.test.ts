import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisSyncState } from '../../src/adapters/redis/redis-sync-state.adapter.js';
import { slaTimers } from '../../src/jobs/sla-timers.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const opened: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close();
});

describe('SLA timers over real Redis and BullMQ', () => {
  it('keeps one deadline per lead and wakes one job per minute, however often scheduled', async () => {
    const prefix = `test-${randomUUID()}`;
    const redis = new Redis(REDIS_URL);
    const queue = new Queue('salesforce', { connection: { url: REDIS_URL }, prefix });
    opened.push({ close: () => redis.quit() }, queue, {
      close: () => queue.obliterate({ force: true }),
    });
    const state = new RedisSyncState(redis, prefix);
    const now = new Date('2026-12-01T12:00:00Z');
    const timers = slaTimers(state, queue, () => now);
    const at = (minutes: number, seconds = 0) =>
      new Date(now.getTime() + minutes * 60_000 + seconds * 1_000);

    await timers.schedule([
      { leadId: '00Q1', due: at(30) },
      { leadId: '00Q2', due: at(30, 20) },
      { leadId: '00Q3', due: at(90) },
    ]);
    // A reassignment moves 00Q1's deadline: it keeps one timer, the latest.
    await timers.schedule([
      { leadId: '00Q1', due: at(90, 5) },
      { leadId: '00Q2', due: at(30, 20) },
    ]);

    const delayed = await queue.getDelayed();
    expect(delayed.map((job) => job.name)).toEqual(
      expect.arrayContaining(['salesforce.sla.check']),
    );
    // Minutes 30, 31, 90 and 91, one job each: 00Q2 scheduled twice at 31 wakes one job; the
    // job at 30 (00Q1's old deadline) finds nothing due and ends.
    expect(delayed).toHaveLength(4);
    expect(await state.dueSlaTimers(at(31))).toEqual(['00Q2']);
    expect([...(await state.dueSlaTimers(at(92)))].sort()).toEqual(['00Q1', '00Q2', '00Q3']);
    await state.clearSlaTimers(at(31));
    expect([...(await state.dueSlaTimers(at(92)))].sort()).toEqual(['00Q1', '00Q3']);
  });
});
