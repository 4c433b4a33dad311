import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import {
  runSyncCycle,
  type SyncCycleDeps,
  type SyncSummary,
} from '../../usecases/sync/run-sync-cycle.js';
import { jobCatalog } from '../catalog.js';
import { toBullMqError, type RateLimitTarget } from '../to-bullmq-error.js';

export interface ApiCallCounts {
  readonly hubspot: number;
  readonly salesforce: number;
}

export interface SyncCycleProcessorDeps {
  readonly sync: SyncCycleDeps;
  readonly queue: RateLimitTarget;
  readonly log: Logger;
  /** This process's API calls so far; the job reports the calls its cycle made. */
  readonly apiCalls: () => ApiCallCounts;
}

/** A cycle job's result: the summary (with the plan only for a dry run) and its API calls. */
export type SyncCycleResult = Omit<SyncSummary, 'plan'> & {
  readonly plan?: SyncSummary['plan'];
  readonly api_calls: ApiCallCounts;
};

/** Thin: parse the payload, run one cycle, translate failures. The summary is the job's result. */
export function syncCycleProcessor(deps: SyncCycleProcessorDeps) {
  return async (job: Job): Promise<SyncCycleResult> => {
    const payload = jobCatalog['sync.cycle'].schema.parse(job.data);
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    // Copies: the counters are live objects.
    const before = { ...deps.apiCalls() };
    try {
      const { plan, ...summary } = await runSyncCycle(
        { ...deps.sync, log },
        { dryRun: payload.dryRun },
      );
      const after = deps.apiCalls();
      const apiCalls = {
        hubspot: after.hubspot - before.hubspot,
        salesforce: after.salesforce - before.salesforce,
      };
      return { ...summary, ...(payload.dryRun ? { plan } : {}), api_calls: apiCalls };
    } catch (err) {
      throw await toBullMqError(err, deps.queue, log);
    }
  };
}
