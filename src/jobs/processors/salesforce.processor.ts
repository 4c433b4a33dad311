import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { ApiCallMeter } from '../../platform/api-call-meter.js';
import {
  rejectionScanFromJson,
  returnToNurture,
  scanRejections,
} from '../../usecases/feedback/rejection-scan.js';
import type { LifecycleDeps } from '../../usecases/lifecycle/lifecycle.types.js';
import { checkSlaOfLeads, runDueSlaChecks, runSlaWatch } from '../../usecases/sla/run-sla-watch.js';
import { jobCatalog } from '../catalog.js';
import { childContactOutbox } from '../contact-outbox.js';
import { toBullMqError, type RateLimitTargets } from '../to-bullmq-error.js';
import { measureJob, sumOf, totalCalls, workThenChildren, type JobValue } from './job-steps.js';

export interface SalesforceProcessorDeps {
  readonly lifecycle: Omit<LifecycleDeps, 'outbox' | 'log'>;
  readonly hubspotQueue: Queue;
  readonly rateLimits: RateLimitTargets;
  readonly log: Logger;
  readonly meter: ApiCallMeter;
}

/**
 * The `salesforce` queue: SLA checks (timers and probe), the SLA watch and the rejection scan.
 * Each reads Salesforce, writes it, queues its HubSpot side as children on the `hubspot` queue
 * and waits for them.
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
      if (job.name === 'salesforce.sla.watch' || job.name === 'salesforce.sla.check') {
        const work =
          job.name === 'salesforce.sla.check'
            ? slaCheck(lifecycle, jobCatalog['salesforce.sla.check'].schema.parse(job.data))
            : () =>
                runSlaWatch(lifecycle, {
                  // The scheduled watch is the reconciliation: the probe covers activity.
                  activity:
                    jobCatalog['salesforce.sla.watch'].schema.parse(job.data).trigger !==
                    'schedule',
                });
        const { result, calls, children } = await workThenChildren(
          job,
          token,
          deps.meter,
          async () => ({ ...(await work()) }),
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
          ...(await scanRejections(lifecycle)),
        }),
      );
      const delivered = new Set(
        children
          .filter((child) => child.kind === 'feedback')
          .flatMap((child) =>
            Array.isArray(child['delivered']) ? (child['delivered'] as unknown[]) : [],
          )
          .filter((id): id is string => typeof id === 'string'),
      );
      // The Salesforce half runs once HubSpot has its side; it is idempotent if this step reruns.
      const returned = await measureJob(deps.meter, () =>
        // After the wait for its children the scan is read back from the job's data (JSON).
        returnToNurture(lifecycle, rejectionScanFromJson(result), delivered),
      );
      return {
        kind: 'rejections',
        ...returned.result,
        hubspot: {
          applied: sumOf(children, 'feedback', 'applied'),
          notes: sumOf(children, 'feedback', 'notes'),
          quarantined: sumOf(children, 'feedback', 'quarantined'),
        },
        calls: totalCalls(
          {
            hubspot: calls.hubspot + returned.calls.hubspot,
            salesforce: calls.salesforce + returned.calls.salesforce,
          },
          children,
        ),
      };
    } catch (err) {
      throw await toBullMqError(err, deps.rateLimits, log);
    }
  };
}

function slaCheck(
  lifecycle: LifecycleDeps,
  payload: { readonly trigger: 'timer' | 'probe'; readonly leadIds: readonly string[] },
) {
  return () =>
    payload.trigger === 'timer'
      ? runDueSlaChecks(lifecycle)
      : checkSlaOfLeads(lifecycle, payload.leadIds);
}
