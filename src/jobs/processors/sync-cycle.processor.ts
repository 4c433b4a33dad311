import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { ApiCallCounts, ApiCallMeter } from '../../platform/api-call-meter.js';
import {
  runSyncCycle,
  type SyncCycleDeps,
  type SyncSummary,
} from '../../usecases/sync/run-sync-cycle.js';
import type { SalesforceChangeProbe } from '../../ports/change-probe.port.js';
import { probeSalesforce, type ProbeResult } from '../../usecases/lifecycle/probe-salesforce.js';
import { jobCatalog, type JobName } from '../catalog.js';
import { childContactOutbox } from '../contact-outbox.js';
import { toBullMqError, type RateLimitTargets } from '../to-bullmq-error.js';
import { measureJob, sumOf, totalCalls, workThenChildren, type JobValue } from './job-steps.js';

export interface SyncCycleProcessorDeps {
  readonly sync: Omit<SyncCycleDeps, 'outbox'>;
  /** Asks Salesforce what changed, once per scheduled cycle. */
  readonly probe: SalesforceChangeProbe;
  /** How often scheduled cycles do the reconciliation's share (recycled contacts). */
  readonly reconcileEveryMs: number;
  /** Where the cycle's HubSpot write-back goes, as its children. */
  readonly hubspotQueue: Queue;
  /** Where `sync --once` queues the SLA watch and the rejection scan, as its children. */
  readonly salesforceQueue: Queue;
  readonly rateLimits: RateLimitTargets;
  readonly log: Logger;
  readonly meter: ApiCallMeter;
}

/** A cycle job's result: the summary (with the plan only for a dry run) and its API calls. */
export type SyncCycleResult = Omit<SyncSummary, 'plan'> & {
  readonly plan?: SyncSummary['plan'];
  readonly api_calls: ApiCallCounts;
  /** `sync --once` only: what the SLA watch and the rejection scan did after routing. */
  readonly sla?: JobValue;
  readonly feedback?: JobValue;
};

/**
 * Runs one cycle (Salesforce written inline, HubSpot write-back queued as children) and, for
 * `sync --once`, queues the SLA watch and the rejection scan after routing; then waits for all
 * of them and reports the whole. A dry run writes and queues nothing.
 */
export function syncCycleProcessor(deps: SyncCycleProcessorDeps) {
  return async (job: Job, token?: string): Promise<SyncCycleResult> => {
    const payload = jobCatalog['sync.cycle'].schema.parse(job.data);
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    // A one-off cycle reports how far it has got (whoever waits on the job can show it); a
    // backfill's progress is logged too.
    const walk = {
      ...(payload.backfill ? { backfill: true } : {}),
      onProgress: async (progress: { done: number; total: number }) => {
        await job.updateProgress(progress);
        if (payload.backfill) log.info(progress, 'backfill progress');
      },
    };
    try {
      if (payload.dryRun) {
        const { result, calls } = await measureJob(deps.meter, () =>
          runSyncCycle(
            // A dry run decides nothing for real: it moves no metric.
            {
              ...deps.sync,
              events: undefined,
              log,
              outbox: childContactOutbox(deps.hubspotQueue, job),
            },
            { dryRun: true, salesforceBorn: 'scan', ...walk },
          ),
        );
        return { ...result, api_calls: calls };
      }
      const { result, calls, children } = await workThenChildren(
        job,
        token,
        deps.meter,
        async () => {
          // Under `handoff run`: one call tells what changed in Salesforce; only that is read.
          const probed =
            payload.trigger === 'schedule'
              ? await probeSalesforce({ ...deps.sync, probe: deps.probe })
              : null;
          const { plan: _plan, ...summary } = await runSyncCycle(
            { ...deps.sync, log, outbox: childContactOutbox(deps.hubspotQueue, job) },
            // Scheduled cycles look for recycled contacts with the reconciliation, not each poll.
            payload.trigger === 'schedule'
              ? {
                  dryRun: false,
                  recycleEveryMs: deps.reconcileEveryMs,
                  salesforceBorn: probed?.bornLeads ?? 'scan',
                }
              : { dryRun: false, salesforceBorn: 'scan', ...walk },
          );
          if (payload.trigger === 'once') await addLifecycleChildren(deps.salesforceQueue, job);
          if (probed !== null) {
            await addProbedChildren(deps.salesforceQueue, job, probed);
            // The follow-up work is queued (and kept by Redis): the probe may move on.
            await probed.commit();
          }
          return summary;
        },
      );
      const summary = result as Omit<SyncSummary, 'plan'>;
      const sla = children.find((child) => child.kind === 'sla');
      const feedback = children.find((child) => child.kind === 'rejections');
      return {
        ...summary,
        written: { ...summary.written, hubspot: sumOf(children, 'contacts', 'written') },
        quarantined: summary.quarantined + sumOf(children, 'contacts', 'quarantined'),
        api_calls: totalCalls(calls, children),
        ...(sla === undefined ? {} : { sla }),
        ...(feedback === undefined ? {} : { feedback }),
      };
    } catch (err) {
      throw await toBullMqError(err, deps.rateLimits, log);
    }
  };
}

async function addLifecycleChildren(salesforce: Queue, parent: Job): Promise<void> {
  const opts = {
    parent: { id: parent.id ?? '', queue: parent.queueQualifiedName },
    attempts: 1,
    // `sync --once` reports a failed watch or scan instead of waiting for it forever.
    failParentOnFailure: true,
  };
  await salesforce.addBulk(
    (['salesforce.sla.watch', 'salesforce.feedback.scan'] as const).map((name) => ({
      name,
      data: jobCatalog[name].schema.parse({ trigger: 'once' }),
      opts: { ...opts, jobId: `${parent.id ?? 'job'}-${name}` },
    })),
  );
}

/** Chunks of lead ids per SLA check job: a few IN lists each. */
const CHECK_CHUNK = 500;

/** What the probe found, as `salesforce` jobs the cycle waits for. */
async function addProbedChildren(
  salesforce: Queue,
  parent: Job,
  probed: ProbeResult,
): Promise<void> {
  const opts = (suffix: string) => ({
    parent: { id: parent.id ?? '', queue: parent.queueQualifiedName },
    jobId: `${parent.id ?? 'job'}-${suffix}`,
    // A failed check or scan is the reconciliation's to redo; the cycle does not wait on it.
    ignoreDependencyOnFailure: true,
  });
  const jobs: { name: JobName; data: unknown; opts: ReturnType<typeof opts> }[] = [];
  if (probed.slaLeads === 'all')
    jobs.push({
      name: 'salesforce.sla.watch',
      data: jobCatalog['salesforce.sla.watch'].schema.parse({ trigger: 'probe' }),
      opts: opts('sla-watch'),
    });
  else
    for (let start = 0; start < probed.slaLeads.length; start += CHECK_CHUNK)
      jobs.push({
        name: 'salesforce.sla.check',
        data: jobCatalog['salesforce.sla.check'].schema.parse({
          trigger: 'probe',
          leadIds: probed.slaLeads.slice(start, start + CHECK_CHUNK),
        }),
        opts: opts(`sla-check-${start}`),
      });
  if (probed.rejections)
    jobs.push({
      name: 'salesforce.feedback.scan',
      data: jobCatalog['salesforce.feedback.scan'].schema.parse({ trigger: 'probe' }),
      opts: opts('rejections'),
    });
  if (jobs.length > 0) await salesforce.addBulk(jobs);
}
