import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { ApiCallMeter } from '../../platform/api-call-meter.js';
import { IntegrationError } from '../../platform/errors.js';
import { applyFeedback, type ApplyFeedbackDeps } from '../../usecases/feedback/apply-feedback.js';
import {
  quarantineContact,
  writeContactUpdates,
  type ContactWriteBackDeps,
} from '../../usecases/sync/write-contact-updates.js';
import {
  createBornContacts,
  type CreateBornContactsDeps,
} from '../../usecases/sync/create-born-contacts.js';
import { jobCatalog } from '../catalog.js';
import { toBullMqError, type RateLimitTargets } from '../to-bullmq-error.js';
import { measureJob, type JobValue } from './job-steps.js';

export interface HubSpotProcessorDeps {
  readonly writeBack: Omit<ContactWriteBackDeps, 'log'>;
  readonly feedback: Omit<ApplyFeedbackDeps, 'log'>;
  readonly bornContacts: Omit<CreateBornContactsDeps, 'log'>;
  readonly rateLimits: RateLimitTargets;
  readonly log: Logger;
  readonly meter: ApiCallMeter;
}

/**
 * The `hubspot` queue: contact write-back and rejection feedback, one batch per job. Rate
 * limits pause this queue only; on the last attempt (or a failure that cannot succeed) the
 * batch's contacts are quarantined with the reason, so a later cycle retries them and the parent
 * still completes.
 */
export function hubspotProcessor(deps: HubSpotProcessorDeps) {
  return async (job: Job): Promise<JobValue> => {
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    let contactIds: string[] = [];
    const { result, calls } = await measureJob(deps.meter, async () => {
      try {
        if (job.name === 'hubspot.contacts.create') {
          const { leads } = jobCatalog['hubspot.contacts.create'].schema.parse(job.data);
          return {
            ok: true as const,
            value: {
              kind: 'born_contacts',
              ...(await createBornContacts({ ...deps.bornContacts, log }, leads)),
            },
          };
        }
        if (job.name === 'hubspot.feedback.apply') {
          const { events } = jobCatalog['hubspot.feedback.apply'].schema.parse(job.data);
          contactIds = events.map((event) => event.contactId);
          return {
            ok: true as const,
            value: {
              kind: 'feedback',
              ...(await applyFeedback({ ...deps.feedback, log }, events)),
            },
          };
        }
        const { updates, onlyChanges } = jobCatalog['hubspot.contacts.update'].schema.parse(
          job.data,
        );
        contactIds = updates.map((update) => update.contactId);
        return {
          ok: true as const,
          value: {
            kind: 'contacts',
            ...(await writeContactUpdates({ ...deps.writeBack, log }, updates, { onlyChanges })),
          },
        };
      } catch (err) {
        return { ok: false as const, err };
      }
    });
    if (result.ok) return { ...result.value, calls };
    const { err } = result;
    const rateLimited = err instanceof IntegrationError && err.kind === 'rate_limited';
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const hopeless =
      err instanceof IntegrationError && (err.kind === 'permanent' || err.kind === 'auth');
    if (!rateLimited && (lastAttempt || hopeless) && job.name === 'hubspot.feedback.apply') {
      // Nothing delivered: the Leads stay unmarked and the next rejection scan sends them again.
      log.warn(
        { events: contactIds.length },
        'rejection feedback not delivered; next scan retries',
      );
      return { kind: 'feedback', applied: 0, notes: 0, quarantined: 0, delivered: [], calls };
    }
    if (!rateLimited && contactIds.length > 0 && (lastAttempt || hopeless)) {
      const code = err instanceof IntegrationError ? err.code : 'UNCLASSIFIED';
      const reason = err instanceof IntegrationError ? `${err.kind}: ${err.system} ${code}` : code;
      const writeBack = { ...deps.writeBack, log };
      for (const contactId of contactIds)
        await quarantineContact(writeBack, contactId, code, reason);
      return {
        kind: 'contacts',
        written: 0,
        quarantined: contactIds.length,
        calls,
      };
    }
    throw await toBullMqError(err, deps.rateLimits, log);
  };
}

/**
 * For a write-back job that failed for good without its processor's say: its worker died with it
 * too often (BullMQ fails a job that stalls past its limit without running it again). Its
 * contacts go to the quarantine, so the next cycle writes them; nothing else would, since the
 * cursor has moved past them. Feedback jobs need nothing: their Leads stay unmarked and the next
 * rejection scan sends them again.
 */
export function quarantineAbandonedBatch(
  deps: Pick<HubSpotProcessorDeps, 'writeBack' | 'log'>,
): (job: Job, reason: string) => Promise<void> {
  return async (job, reason) => {
    if (job.name !== 'hubspot.contacts.update') return;
    const parsed = jobCatalog['hubspot.contacts.update'].schema.safeParse(job.data);
    if (!parsed.success) return;
    const writeBack = { ...deps.writeBack, log: deps.log };
    for (const { contactId } of parsed.data.updates)
      await quarantineContact(writeBack, contactId, 'JOB_ABANDONED', `transient: ${reason}`);
  };
}
