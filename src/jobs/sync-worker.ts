import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { durationToMs, parseDuration } from '../domain/time/duration.js';
import type { SyncCycleDeps } from '../usecases/sync/run-sync-cycle.js';
import { integrationBackoff } from './backoff.js';
import { jobCatalog, SYNC_QUEUE, SYNC_SCHEDULER_ID } from './catalog.js';
import { syncCycleProcessor } from './processors/sync-cycle.processor.js';

export interface SyncWorkerOptions {
  /** Worker connection: ioredis options with `maxRetriesPerRequest: null` (BullMQ requirement). */
  readonly connection: ConnectionOptions;
  /** Queue key prefix (BullMQ `prefix`), so installations can share a Redis. */
  readonly prefix: string;
  readonly sync: SyncCycleDeps;
  readonly log: Logger;
  /** Whether this process runs cycles (a producer-only process sets false). */
  readonly work?: boolean;
}

export interface SyncWorker {
  readonly queue: Queue;
  readonly worker: Worker | null;
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
  const interval = parseDuration(options.sync.definition.sync.poll_interval);
  await queue.upsertJobScheduler(
    SYNC_SCHEDULER_ID,
    { every: interval === null ? 60_000 : durationToMs(interval) },
    { name: 'sync.cycle', data: spec.schema.parse({ trigger: 'schedule' }) },
  );
  const worker =
    options.work === false
      ? null
      : new Worker(SYNC_QUEUE, syncCycleProcessor({ sync: options.sync, queue, log }), {
          connection: options.connection,
          prefix: options.prefix,
          concurrency: 1,
          // A cycle can take minutes on a large backlog; the lock is renewed meanwhile.
          lockDuration: 120_000,
          // Rate-limited jobs wait in the queue; the limiter needs a max to be honoured.
          limiter: { max: 1, duration: 1_000 },
          settings: {
            backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
              integrationBackoff(attemptsMade, err),
          },
        });
  worker?.on('failed', (job, err) =>
    log.error(
      { jobId: job?.id, err: { name: err.name, message: err.message } },
      'sync cycle failed',
    ),
  );
  worker?.on('error', (err) =>
    log.error({ err: { name: err.name, message: err.message } }, 'worker error'),
  );
  worker?.on('completed', (job) =>
    log.info({ jobId: job.id, summary: job.returnvalue }, 'sync cycle completed'),
  );
  return {
    queue,
    worker,
    close: async () => {
      await worker?.close();
      await queue.close();
    },
  };
}
