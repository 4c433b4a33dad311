import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { ApiCallCounts, ApiCallMeter } from '../../platform/api-call-meter.js';
import { IntegrationError } from '../../platform/errors.js';
import {
  quarantineContact,
  writeContactUpdates,
  type ContactWriteBackDeps,
  type ContactWriteBackResult,
} from '../../usecases/sync/write-contact-updates.js';
import { jobCatalog } from '../catalog.js';
import { toBullMqError, type RateLimitTargets } from '../to-bullmq-error.js';

export interface HubSpotContactsProcessorDeps {
  readonly writeBack: Omit<ContactWriteBackDeps, 'log'>;
  readonly rateLimits: RateLimitTargets;
  readonly log: Logger;
  readonly meter: ApiCallMeter;
}

/**
 * Writes one batch of contact properties. Rate limits pause the `hubspot` queue only; on the
 * last attempt (or a failure that cannot succeed) the batch's contacts are quarantined with the
 * reason, so the next cycle retries them and the parent cycle still completes.
 */
export function hubspotContactsProcessor(deps: HubSpotContactsProcessorDeps) {
  const spec = jobCatalog['hubspot.contacts.update'];
  return async (job: Job): Promise<ContactWriteBackResult & { calls: ApiCallCounts }> => {
    const { updates } = spec.schema.parse(job.data);
    const log = deps.log.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    const writeBack = { ...deps.writeBack, log };
    const { result, calls } = await deps.meter.measure(async () => {
      try {
        return { ok: true as const, value: await writeContactUpdates(writeBack, updates) };
      } catch (err) {
        return { ok: false as const, err };
      }
    });
    if (result.ok) return { ...result.value, calls };
    const { err } = result;
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? spec.attempts);
    const hopeless =
      err instanceof IntegrationError && (err.kind === 'permanent' || err.kind === 'auth');
    if (
      !(err instanceof IntegrationError && err.kind === 'rate_limited') &&
      (lastAttempt || hopeless)
    ) {
      const code = err instanceof IntegrationError ? err.code : 'UNCLASSIFIED';
      const reason = err instanceof Error ? `${err.name}: ${code}` : code;
      for (const update of updates)
        await quarantineContact(writeBack, update.contactId, code, reason);
      return { written: 0, quarantined: updates.length, calls };
    }
    throw await toBullMqError(err, deps.rateLimits, log);
  };
}
