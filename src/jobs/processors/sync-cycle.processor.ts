import { WaitingChildrenError, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { ApiCallCounts, ApiCallMeter } from '../../platform/api-call-meter.js';
import type { ContactWriteBackResult } from '../../usecases/sync/write-contact-updates.js';
import {
  runSyncCycle,
  type SyncCycleDeps,
  type SyncSummary,
} from '../../usecases/sync/run-sync-cycle.js';
import { jobCatalog } from '../catalog.js';
import { childContactOutbox } from '../contact-outbox.js';
import { toBullMqError, type RateLimitTargets } from '../to-bullmq-error.js';

export interface SyncCycleProcessorDeps {
  readonly sync: Omit<SyncCycleDeps, 'outbox'>;
  /** Where the cycle's HubSpot write-back goes, as its children. */
  readonly hubspotQueue: Queue;
  readonly rateLimits: RateLimitTargets;
  readonly log: Logger;
  readonly meter: ApiCallMeter;
}

/** A cycle job's result: the summary (with the plan only for a dry run) and its API calls. */
export type SyncCycleResult = Omit<SyncSummary, 'plan'> & {
  readonly plan?: SyncSummary['plan'];
  readonly api_calls: ApiCallCounts;
  /** Children that failed for good without quarantining their records (Redis trouble). */
  readonly failed_jobs?: number;
};

type ChildResult = ContactWriteBackResult & { readonly calls: ApiCallCounts };

/**
 * Two steps. `decide`: run one cycle (Salesforce written inline, HubSpot write-back added as
 * children on the `hubspot` queue), store the summary on the job, wait for the children.
 * `finish`: add what the children wrote, quarantined and called. A crash in `decide` reruns it
 * (idempotent); a crash while waiting loses nothing, the children are in Redis.
 */
export function syncCycleProcessor(deps: SyncCycleProcessorDeps) {
  return async (job: Job, token?: string): Promise<SyncCycleResult> => {
    const payload = jobCatalog['sync.cycle'].schema.parse(job.data);
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    try {
      let decided = payload.decided;
      if (decided === undefined) {
        const { result, calls } = await deps.meter.measure(() =>
          runSyncCycle(
            { ...deps.sync, log, outbox: childContactOutbox(deps.hubspotQueue, job) },
            { dryRun: payload.dryRun },
          ),
        );
        if (payload.dryRun) return { ...result, api_calls: calls };
        const { plan: _plan, ...summary } = result;
        decided = { summary, calls };
        await job.updateData({ ...payload, decided });
        if (token !== undefined && (await job.moveToWaitingChildren(token)))
          throw new WaitingChildrenError();
      }
      return finish(decided.summary as Omit<SyncSummary, 'plan'>, decided.calls, job);
    } catch (err) {
      if (err instanceof WaitingChildrenError) throw err;
      throw await toBullMqError(err, deps.rateLimits, log);
    }
  };
}

async function finish(
  summary: Omit<SyncSummary, 'plan'>,
  calls: ApiCallCounts,
  job: Job,
): Promise<SyncCycleResult> {
  const children = Object.values(await job.getChildrenValues<ChildResult>());
  const failed = Object.keys(await job.getIgnoredChildrenFailures()).length;
  const sum = (pick: (child: ChildResult) => number): number =>
    children.reduce((total, child) => total + pick(child), 0);
  return {
    ...summary,
    written: { ...summary.written, hubspot: sum((child) => child.written) },
    quarantined: summary.quarantined + sum((child) => child.quarantined),
    api_calls: {
      hubspot: calls.hubspot + sum((child) => child.calls.hubspot),
      salesforce: calls.salesforce + sum((child) => child.calls.salesforce),
    },
    ...(failed > 0 ? { failed_jobs: failed } : {}),
  };
}
