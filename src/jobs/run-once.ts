import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, QueueEvents, type ConnectionOptions, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { StateLostError } from '../platform/errors.js';
import { DECISIONS_QUEUE, HUBSPOT_QUEUE, jobCatalog, type QueueName } from './catalog.js';

/** How often `sync --once` checks that its job still exists. */
const WATCH_INTERVAL_MS = 1_000;

/**
 * Resolves with the job's result, or rejects within a second of the job vanishing from Redis
 * (flushed, or restarted without persistence), instead of waiting forever for an event that
 * can no longer come.
 */
async function waitForJob(job: Job, queue: Queue, events: QueueEvents): Promise<unknown> {
  const stop = new AbortController();
  const vanished = (async () => {
    while (!stop.signal.aborted) {
      await sleep(WATCH_INTERVAL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      // The job's own record, not its state: a child finishing after the loss can put the
      // parent's id back on a list, but nothing re-creates the job itself.
      if (!stop.signal.aborted && !(await Job.fromId(queue, job.id ?? ''))?.name)
        throw new StateLostError(
          'the sync job vanished from Redis (flushed, or restarted without persistence); nothing written is lost: run sync --once again, it re-reads from the beginning and repairs what is missing',
        );
    }
  })();
  const finished = job.waitUntilFinished(events);
  try {
    return await Promise.race([finished, vanished]);
  } finally {
    stop.abort();
    // The loser settles later; its outcome is not needed.
    finished.catch(() => undefined);
    vanished.catch(() => undefined);
  }
}

/** How long `sync --once` waits for an earlier run's leftover write-backs before going on. */
const LEFTOVERS_WAIT_MS = 60_000;

/**
 * Waits until the jobs waiting or active on `queue` now have finished (this process's workers
 * run them; a dead process's active job comes back within seconds through the stall check).
 */
async function finishLeftovers(queue: Queue, log: Logger): Promise<void> {
  const leftovers = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
  let pending = leftovers.map((job) => job.id ?? '').filter((id) => id !== '');
  if (pending.length === 0) return;
  log.info({ queue: queue.name, jobs: pending.length }, "finishing earlier runs' jobs");
  const deadline = Date.now() + LEFTOVERS_WAIT_MS;
  while (pending.length > 0 && Date.now() < deadline) {
    await sleep(WATCH_INTERVAL_MS / 2);
    const states = await Promise.all(pending.map((id) => queue.getJobState(id)));
    pending = pending.filter(
      (_, index) => !['completed', 'failed', 'unknown'].includes(states[index] ?? 'unknown'),
    );
  }
  if (pending.length > 0)
    log.warn({ queue: queue.name, jobs: pending.length }, "earlier runs' jobs still pending");
}

/**
 * BullMQ fails a parent with "child <key> failed"; the child's own reason is what an admin needs
 * (`permanent: salesforce INVALID_FIELD`), named by the child's job.
 */
async function explainChildFailure(
  err: unknown,
  queues: Readonly<Record<QueueName, Queue>>,
): Promise<unknown> {
  const match = err instanceof Error ? /^child .*:([^:]+):([^:]+) failed$/.exec(err.message) : null;
  const queue = match === null ? undefined : queues[match[1] as QueueName];
  if (match === null || queue === undefined) return err;
  const child = await Job.fromId(queue, match[2] ?? '');
  return child?.failedReason === undefined
    ? err
    : new Error(`${child.name}: ${child.failedReason}`, { cause: err });
}

/** What a one-off cycle does beyond the usual, and who hears of its progress. */
export interface OnceOptions {
  readonly backfill?: boolean;
  readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
}

const Progress = z.object({ done: z.number(), total: z.number() });

/** What `sync --once` needs of the running workers. */
export interface OnceContext {
  readonly queues: Readonly<Record<QueueName, Queue>>;
  readonly connection: ConnectionOptions;
  readonly prefix: string;
  readonly log: Logger;
}

/**
 * Queues one cycle and waits for it and its children, whichever workers run them: cycles never
 * overlap, so a `sync --once` next to running workers waits its turn. Write-backs an earlier run
 * left queued are finished first. Rejects with the job's (or its failed child's) reason, or
 * within seconds when Redis loses the job.
 */
export async function runCycleOnce(
  context: OnceContext,
  dryRun: boolean,
  options: OnceOptions = {},
): Promise<unknown> {
  const { queues, connection, prefix, log } = context;
  const events = new QueueEvents(DECISIONS_QUEUE, { connection, prefix });
  try {
    await events.waitUntilReady();
    // Write-backs an earlier run queued but did not live to see done (killed, crashed) go
    // first: written after this cycle, their older values could overwrite newer ones.
    if (!dryRun) await finishLeftovers(queues[HUBSPOT_QUEUE], log);
    // One attempt: `sync --once` reports a failure instead of retrying for minutes; rate
    // limits still wait (they do not spend the attempt).
    const job = await queues[DECISIONS_QUEUE].add(
      'sync.cycle',
      jobCatalog['sync.cycle'].schema.parse({
        trigger: 'once',
        dryRun,
        backfill: options.backfill === true,
      }),
      { attempts: 1, jobId: `once-${randomUUID()}` },
    );
    const onProgress = options.onProgress;
    if (onProgress !== undefined)
      events.on('progress', ({ jobId, data }) => {
        const parsed = Progress.safeParse(data);
        if (jobId === job.id && parsed.success) onProgress(parsed.data);
      });
    try {
      return await waitForJob(job, queues[DECISIONS_QUEUE], events);
    } catch (err) {
      throw await explainChildFailure(err, queues);
    }
  } finally {
    await events.close();
  }
}
