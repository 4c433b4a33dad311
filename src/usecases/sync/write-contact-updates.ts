import type { Logger } from 'pino';
import type { ContactUpdate, ContactWriter } from '../../ports/contact-writer.port.js';
import type { SyncState } from '../../ports/sync-state.port.js';

export interface ContactWriteBackDeps {
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
 * Writes one batch of Handoff's contact properties. A contact HubSpot refuses (deleted, merged,
 * invalid value) is quarantined with the reason and retried by a later cycle; the others are
 * written. Whole-call failures throw IntegrationError for the queue to retry.
 */
export async function writeContactUpdates(
  deps: ContactWriteBackDeps,
  updates: readonly ContactUpdate[],
): Promise<ContactWriteBackResult> {
  let quarantined = 0;
  for (const outcome of await deps.contactWriter.updateContacts(updates)) {
    if (outcome.ok) continue;
    quarantined += 1;
    await quarantineContact(deps, outcome.key, outcome.code, `${outcome.kind}: ${outcome.message}`);
  }
  return { written: updates.length - quarantined, quarantined };
}

/** Parks a contact whose write-back could not be delivered; the next cycle decides it again. */
export async function quarantineContact(
  deps: Pick<ContactWriteBackDeps, 'state' | 'log' | 'now'>,
  contactId: string,
  code: string,
  reason: string,
): Promise<void> {
  await deps.state.quarantine({
    system: 'hubspot',
    key: contactId,
    code,
    reason,
    at: deps.now().toISOString(),
  });
  deps.log.warn({ contactId, code }, 'record quarantined');
}
