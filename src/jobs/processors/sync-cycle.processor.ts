import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import {
  runSyncCycle,
  type SyncCycleDeps,
  type SyncSummary,
} from '../../usecases/sync/run-sync-cycle.js';
import { jobCatalog } from '../catalog.js';
import { toBullMqError, type RateLimitTarget } from '../to-bullmq-error.js';

export interface SyncCycleProcessorDeps {
  readonly sync: SyncCycleDeps;
  readonly queue: RateLimitTarget;
  readonly log: Logger;
}

/** Thin: parse the payload, run one cycle, translate failures. The summary is the job's result. */
export function syncCycleProcessor(deps: SyncCycleProcessorDeps) {
  return async (job: Job): Promise<Omit<SyncSummary, 'plan'>> => {
    const payload = jobCatalog['sync.cycle'].schema.parse(job.data);
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    try {
      const { plan, ...summary } = await runSyncCycle(
        { ...deps.sync, log },
        { dryRun: payload.dryRun },
      );
      return summary;
    } catch (err) {
      throw await toBullMqError(err, deps.queue, log);
    }
  };
}
