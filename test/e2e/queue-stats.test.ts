import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { queueStats } from '../../src/jobs/queue-stats.js';

const connection = { host: '127.0.0.1', port: 6379 };
const opened: Queue[] = [];

function queue(): Queue {
  const created = new Queue('decisions', { connection, prefix: `test-${randomUUID()}` });
  opened.push(created);
  return created;
}

afterEach(async () => {
  for (const each of opened.splice(0)) {
    await each.obliterate({ force: true });
    await each.close();
  }
});

describe('queueStats', () => {
  it('reports no age when nothing waits', async () => {
    const stats = await queueStats(queue(), Date.now());
    expect(stats).toEqual({
      name: 'decisions',
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
      oldestWaitingAgeMs: null,
    });
  });

  it('ages the oldest waiting job, not the newest, and leaves delayed jobs out', async () => {
    const jobs = queue();
    const first = await jobs.add('sync.cycle', {});
    await jobs.add('sync.cycle', {});
    await jobs.add('sla.check', {}, { delay: 60_000 });
    const now = (first.timestamp ?? 0) + 42_000;
    const stats = await queueStats(jobs, now);
    expect(stats.waiting).toBe(2);
    expect(stats.delayed).toBe(1);
    expect(stats.oldestWaitingAgeMs).toBe(42_000);
  });
});
