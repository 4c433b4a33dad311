import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { durationToMs, parseDuration } from '../domain/time/duration.js';
import type { SyncCycleDeps } from '../usecases/sync/run-sync-cycle.js';
import { integrationBackoff } from './backoff.js';
import { jobCatalog, SYNC_QUEUE, SYNC_SCHEDULER_ID } from './catalog.js';
import {
  syncCycleProcessor,
  type ApiCallCounts,
  type SyncCycleResult,
} from './processors/sync-cycle.processor.js';

export interface SyncWorkerOptions {
  /** Worker connection: ioredis options with `maxRetriesPerRequest: null` (BullMQ requirement). */
  readonly connection: ConnectionOptions;
  /** Queue key prefix (BullMQ `prefix`), so installations can share a Redis. */
  readonly prefix: string;
  readonly sync: SyncCycleDeps;
  readonly log: Logger;
  /** This process's API-call counters (reported per cycle). */
  readonly apiCalls: () => ApiCallCounts;
  /** Whether to install the poll schedule (`handoff run`) or only serve queued cycles (`sync --once`). */
  readonly schedule?: boolean;
}

export interface SyncWorker {
  readonly queue: Queue;
  readonly worker: Worker;
  /**
   * Queues one cycle and waits for it, whichever worker runs it: cycles never overlap, so a
   * `sync --once` next to running workers waits its turn. Rejects with the job's failure reason.
   */
  runOnce(dryRun: boolean): Promise<SyncCycleResult>;
  /** Graceful: the active cycle finishes (or returns to the queue), then connections close. */
  close(): Promise<void>;
}

/**
 * The sync queue, its poll scheduler (`sync.poll_interval`) and a worker. Cycles never overlap,
 * however many processes run: the queue's global concurrency is 1. Failed cycles retry with the
 * provider's wait or exponential backoff; retention is bounded so Redis does not grow forever.
 */
export async function startSyncWorker(options: SyncWorkerOptions): Promise<SyncWorker> {
  const { log } = options;
  const spec = jobCatalog['sync.cycle'];
  const queue = new Queue(SYNC_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: spec.attempts,
      backoff: { type: 'integration' },
      removeOnComplete: { count: 1_000, age: 7 * 86_400 },
      removeOnFail: { count: 5_000, age: 30 * 86_400 },
    },
  });
  await queue.setGlobalConcurrency(1);
  if (options.schedule !== false) {
    const interval = parseDuration(options.sync.definition.sync.poll_interval);
    await queue.upsertJobScheduler(
      SYNC_SCHEDULER_ID,
      { every: interval === null ? 60_000 : durationToMs(interval) },
      { name: 'sync.cycle', data: spec.schema.parse({ trigger: 'schedule' }) },
    );
  }
  const worker = new Worker(
    SYNC_QUEUE,
    syncCycleProcessor({ sync: options.sync, queue, log, apiCalls: options.apiCalls }),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: 1,
      // Rate-limited jobs wait in the queue; the limiter needs a max to be honoured.
      limiter: { max: 1, duration: 1_000 },
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
          integrationBackoff(attemptsMade, err),
      },
    },
  );
  worker.on('failed', (job, err) =>
    log.error(
      { jobId: job?.id, err: { name: err.name, message: err.message } },
      'sync cycle failed',
    ),
  );
  worker.on('error', (err) =>
    log.error({ err: { name: err.name, message: err.message } }, 'worker error'),
  );
  worker.on('completed', (job) =>
    log.info({ jobId: job.id, summary: job.returnvalue }, 'sync cycle completed'),
  );
  return {
    queue,
    worker,
    runOnce: async (dryRun: boolean) => {
      const events = new QueueEvents(SYNC_QUEUE, {
        connection: options.connection,
        prefix: options.prefix,
      });
      try {
        await events.waitUntilReady();
        // One attempt: `sync --once` reports a failure instead of retrying for minutes; rate
        // limits still wait (they do not spend the attempt).
        const job = await queue.add('sync.cycle', spec.schema.parse({ trigger: 'once', dryRun }), {
          attempts: 1,
          jobId: `once-${randomUUID()}`,
        });
        return (await job.waitUntilFinished(events)) as SyncCycleResult;
      } finally {
        await events.close();
      }
    },
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}
