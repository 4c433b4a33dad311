import type { Queue } from 'bullmq';

/** What the readiness probe, the metrics and the dashboard show of one queue. */
export interface QueueStats {
  readonly name: string;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
  /** Age in ms of the oldest job waiting to run; null when none waits. */
  readonly oldestWaitingAgeMs: number | null;
}

/**
 * Counts and the oldest waiting job of a queue, in two Redis round trips whatever the queue's
 * length (`getWaiting` lists oldest first), so a stuck worker shows as a growing age long before
 * the counts look unusual. Delayed jobs (SLA timers, retries waiting their backoff) are not
 * waiting: they are not late until they are due.
 */
export async function queueStats(queue: Queue, now: number): Promise<QueueStats> {
  const [counts, oldest] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
    queue.getWaiting(0, 0),
  ]);
  const first = oldest[0];
  return {
    name: queue.name,
    waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0),
    active: counts['active'] ?? 0,
    delayed: counts['delayed'] ?? 0,
    failed: counts['failed'] ?? 0,
    oldestWaitingAgeMs: first === undefined ? null : Math.max(0, now - first.timestamp),
  };
}
