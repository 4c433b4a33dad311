import { createHash } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { ContactOutbox } from '../ports/contact-outbox.port.js';
import type { ContactUpdate } from '../ports/contact-writer.port.js';
import { HUBSPOT_BATCH, jobCatalog } from './catalog.js';
import { chunks } from '../platform/chunks.js';

/**
 * The outbox of one job: each batch of 100 becomes a `hubspot.contacts.update` child of `parent`,
 * so the parent completes only when HubSpot has them. Job ids hash the batch, so a retried parent
 * re-sending the same batch adds nothing while the first copy still exists.
 */
export function childContactOutbox(hubspot: Queue, parent: Job): ContactOutbox {
  const spec = jobCatalog['hubspot.contacts.update'];
  return {
    send: async (updates: readonly ContactUpdate[]) => {
      if (updates.length === 0) return;
      await hubspot.addBulk(
        chunks(updates, HUBSPOT_BATCH).map((batch) => {
          const data = spec.schema.parse({ updates: batch });
          const digest = createHash('sha256').update(JSON.stringify(data)).digest('hex');
          return {
            name: 'hubspot.contacts.update',
            data,
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
    },
  };
}
