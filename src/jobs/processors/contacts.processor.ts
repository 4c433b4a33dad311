import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { ApiCallCounts, ApiCallMeter } from '../../platform/api-call-meter.js';
import type { SyncCycleDeps, SyncSummary } from '../../usecases/sync/run-sync-cycle.js';
import { syncContacts } from '../../usecases/sync/sync-contacts.js';
import { jobCatalog } from '../catalog.js';
import { childContactOutbox } from '../contact-outbox.js';
import { CONTACT_SYNC_BATCH, type PendingContacts } from '../pending-contacts.js';
import { toBullMqError, type RateLimitTargets } from '../to-bullmq-error.js';
import { sumOf, totalCalls, workThenChildren } from './job-steps.js';

export interface ContactsProcessorDeps {
  readonly sync: Omit<SyncCycleDeps, 'outbox'>;
  /** Where the run's HubSpot write-back goes, as its children (as a cycle's does). */
  readonly hubspotQueue: Queue;
  readonly pending: PendingContacts;
  readonly rateLimits: RateLimitTargets;
  readonly log: Logger;
  readonly meter: ApiCallMeter;
  /** Contacts per run (default `CONTACT_SYNC_BATCH`). */
  readonly batch?: number;
}

/** A `sync.contacts` run's result: the page's summary, how many contacts it took, API calls. */
export type ContactsSyncResult = Omit<SyncSummary, 'plan'> & {
  readonly contacts: number;
  readonly api_calls: ApiCallCounts;
};

/**
 * `sync.contacts`: takes up to a batch of the contacts webhooks named, decides them as a poll
 * page (Salesforce written inline, the HubSpot write-back as children), releases them, queues the
 * next run if more wait, then waits for its children. A retried run takes the same contacts
 * again (they leave the set only once decided); the pipeline is idempotent, so nothing is
 * written twice.
 */
export function contactsProcessor(deps: ContactsProcessorDeps) {
  return async (job: Job, token?: string): Promise<ContactsSyncResult> => {
    jobCatalog['sync.contacts'].schema.parse(job.data);
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    try {
      const { result, calls, children } = await workThenChildren(
        job,
        token,
        deps.meter,
        async () => {
          const claimed = await deps.pending.claim(deps.batch ?? CONTACT_SYNC_BATCH);
          const { plan: _plan, ...summary } = await syncContacts(
            { ...deps.sync, log, outbox: childContactOutbox(deps.hubspotQueue, job) },
            claimed.ids,
          );
          await deps.pending.release(claimed);
          // More than one batch waited, or webhooks came in while this one ran.
          if ((await deps.pending.size()) > 0) await deps.pending.schedule(0);
          return { ...summary, contacts: claimed.ids.length };
        },
      );
      const summary = result as Omit<ContactsSyncResult, 'api_calls'>;
      return {
        ...summary,
        written: { ...summary.written, hubspot: sumOf(children, 'contacts', 'written') },
        quarantined: summary.quarantined + sumOf(children, 'contacts', 'quarantined'),
        api_calls: totalCalls(calls, children),
      };
    } catch (err) {
      throw await toBullMqError(err, deps.rateLimits, log);
    }
  };
}
