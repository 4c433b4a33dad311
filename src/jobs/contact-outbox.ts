import { createHash } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { RejectionFeedback } from '../ports/contact-feedback.port.js';
import type { ContactOutbox, LeadContactRequest } from '../ports/contact-outbox.port.js';
import type { ContactUpdate } from '../ports/contact-writer.port.js';
import { chunks } from '../platform/chunks.js';
import { HUBSPOT_BATCH, jobCatalog, type JobName } from './catalog.js';

/**
 * The outbox of one job: each batch of 100 becomes a child on the `hubspot` queue, so the parent
 * completes only when HubSpot has them. Job ids hash the batch, so a retried parent re-sending
 * the same batch adds nothing while the first copy still exists.
 */
export function childContactOutbox(hubspot: Queue, parent: Job): ContactOutbox {
  const add = async <T>(name: JobName, items: readonly T[], data: (batch: T[]) => unknown) => {
    if (items.length === 0) return;
    const spec = jobCatalog[name];
    await hubspot.addBulk(
      chunks(items, HUBSPOT_BATCH).map((batch) => {
        const payload = spec.schema.parse(data(batch));
        const digest = createHash('sha256').update(JSON.stringify(payload)).digest('hex');
        return {
          name,
          data: payload,
          opts: {
            jobId: `${parent.id ?? 'job'}-${digest.slice(0, 24)}`,
            attempts: spec.attempts,
            parent: { id: parent.id ?? '', queue: parent.queueQualifiedName },
            // A child that fails for good has quarantined its contacts; the parent still ends.
            ignoreDependencyOnFailure: true,
          },
        };
      }),
    );
  };
  return {
    send: (updates: readonly ContactUpdate[], options?: { readonly onlyChanges?: boolean }) =>
      add('hubspot.contacts.update', updates, (batch) => ({
        updates: batch,
        onlyChanges: options?.onlyChanges === true,
      })),
    createForLeads: (leads: readonly LeadContactRequest[]) =>
      add('hubspot.contacts.create', leads, (batch) => ({ leads: batch })),
    sendFeedback: (events: readonly RejectionFeedback[]) =>
      add('hubspot.feedback.apply', events, (batch) => ({ events: batch })),
  };
}
