import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { ApiCallMeter } from '../../platform/api-call-meter.js';
import { runFeedbackScan } from '../../usecases/feedback/run-feedback-scan.js';
import type { LifecycleDeps } from '../../usecases/lifecycle/lifecycle.types.js';
import { runSlaWatch } from '../../usecases/sla/run-sla-watch.js';
import { jobCatalog } from '../catalog.js';
import { childContactOutbox } from '../contact-outbox.js';
import { toBullMqError, type RateLimitTargets } from '../to-bullmq-error.js';
import { sumOf, totalCalls, workThenChildren, type JobValue } from './job-steps.js';

export interface SalesforceProcessorDeps {
  readonly lifecycle: Omit<LifecycleDeps, 'outbox' | 'log'>;
  readonly hubspotQueue: Queue;
  readonly rateLimits: RateLimitTargets;
  readonly log: Logger;
  readonly meter: ApiCallMeter;
}

/**
 * The `salesforce` queue: the SLA watch and the rejection scan. Each reads Salesforce, writes
 * it, queues its HubSpot side as children on the `hubspot` queue and waits for them.
 */
export function salesforceProcessor(deps: SalesforceProcessorDeps) {
  return async (job: Job, token?: string): Promise<JobValue> => {
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    const lifecycle: LifecycleDeps = {
      ...deps.lifecycle,
      log,
      outbox: childContactOutbox(deps.hubspotQueue, job),
    };
    try {
      if (job.name === 'salesforce.sla.watch') {
        jobCatalog['salesforce.sla.watch'].schema.parse(job.data);
        const { result, calls, children } = await workThenChildren(
          job,
          token,
          deps.meter,
          async () => ({
            ...(await runSlaWatch(lifecycle)),
          }),
        );
        return {
          kind: 'sla',
          ...result,
          hubspot: {
            written: sumOf(children, 'contacts', 'written'),
            quarantined: sumOf(children, 'contacts', 'quarantined'),
          },
          calls: totalCalls(calls, children),
        };
      }
      jobCatalog['salesforce.feedback.scan'].schema.parse(job.data);
      const { result, calls, children } = await workThenChildren(
        job,
        token,
        deps.meter,
        async () => ({
          ...(await runFeedbackScan(lifecycle)),
        }),
      );
      return {
        kind: 'rejections',
        ...result,
        hubspot: {
          applied: sumOf(children, 'feedback', 'applied'),
          notes: sumOf(children, 'feedback', 'notes'),
          quarantined: sumOf(children, 'feedback', 'quarantined'),
        },
        calls: totalCalls(calls, children),
      };
    } catch (err) {
      throw await toBullMqError(err, deps.rateLimits, log);
    }
  };
}
