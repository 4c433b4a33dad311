import type { Logger } from 'pino';
import type { ContactSource } from '../../ports/contact-source.port.js';
import type { ContactUpdate, ContactWriter } from '../../ports/contact-writer.port.js';
import type { SyncState } from '../../ports/sync-state.port.js';
import { contactUpdate } from './contact-properties.js';

export interface ContactWriteBackDeps {
  readonly contacts: ContactSource;
  readonly contactWriter: ContactWriter;
  readonly state: SyncState;
  readonly log: Logger;
  readonly now: () => Date;
}

export interface ContactWriteBackResult {
  readonly written: number;
  readonly quarantined: number;
}

/**
 * Writes one batch of Handoff's contact properties. With `onlyChanges` the contacts are read
 * first and only differing properties are written; a contact gone from HubSpot (deleted or
 * merged) is parked for the admin, not retried. A contact HubSpot refuses is quarantined with
 * the reason and retried by a later cycle; the others are written. Whole-call failures throw
 * IntegrationError for the queue to retry.
 */
export async function writeContactUpdates(
  deps: ContactWriteBackDeps,
  requested: readonly ContactUpdate[],
  options: { readonly onlyChanges: boolean } = { onlyChanges: false },
): Promise<ContactWriteBackResult> {
  let quarantined = 0;
  const changes: ContactUpdate[] = [];
  if (options.onlyChanges) {
    const current = new Map(
      (await deps.contacts.contactsByIds(requested.map((update) => update.contactId))).map(
        (contact) => [contact.id, contact],
      ),
    );
    for (const update of requested) {
      const contact = current.get(update.contactId);
      if (contact === undefined) {
        quarantined += 1;
        await quarantineContact(
          deps,
          update.contactId,
          'OBJECT_NOT_FOUND',
          'not_found: the contact was deleted or merged in HubSpot',
          false,
        );
        continue;
      }
      const changed = contactUpdate(contact, update.properties);
      if (changed !== null) changes.push(changed);
    }
  }
  const updates = options.onlyChanges ? changes : requested;
  let written = 0;
  const stamps: { key: string; at: Date }[] = [];
  // A recycled contact must be decided again: its own write is the news.
  const recycled = new Set(
    updates.filter((update) => update.properties.status === 'recycled').map((u) => u.contactId),
  );
  for (const outcome of await deps.contactWriter.updateContacts(updates)) {
    if (outcome.ok) {
      written += 1;
      if (outcome.modifiedAt !== undefined && !recycled.has(outcome.key))
        stamps.push({ key: outcome.key, at: outcome.modifiedAt });
      continue;
    }
    quarantined += 1;
    await quarantineContact(deps, outcome.key, outcome.code, `${outcome.kind}: ${outcome.message}`);
  }
  await deps.state.recordOwnWrites(stamps);
  return { written, quarantined };
}

/** Parks a contact whose write-back could not be delivered; the next cycle decides it again. */
export async function quarantineContact(
  deps: Pick<ContactWriteBackDeps, 'state' | 'log' | 'now'>,
  contactId: string,
  code: string,
  reason: string,
  retry = true,
): Promise<void> {
  await deps.state.quarantine({
    system: 'hubspot',
    key: contactId,
    code,
    reason,
    at: deps.now().toISOString(),
    ...(retry ? {} : { retry: false }),
  });
  deps.log.warn({ contactId, code }, 'record quarantined');
}
