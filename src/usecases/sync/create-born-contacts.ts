import type { Logger } from 'pino';
import type { LeadContactRequest } from '../../ports/contact-outbox.port.js';
import type { ContactCreation, ContactWriter } from '../../ports/contact-writer.port.js';
import type { LeadLifecycleStore } from '../../ports/lead-lifecycle.port.js';
import type { SyncState } from '../../ports/sync-state.port.js';
import { BORN_KEY_PREFIX } from './sync-salesforce-leads.js';

export interface CreateBornContactsDeps {
  readonly lifecycle: LeadLifecycleStore;
  readonly contactWriter: ContactWriter;
  readonly state: SyncState;
  readonly log: Logger;
  readonly now: () => Date;
}

export interface CreateBornContactsResult {
  readonly created: number;
  readonly quarantined: number;
}

/**
 * HubSpot contacts for Leads born in Salesforce (`feedback.create_hubspot_contacts`), so that
 * marketing sees them and rejection feedback has somewhere to go: the Leads are read from
 * Salesforce (their details never wait in Redis), then upserted on email with their attributes
 * and Handoff's properties. The next HubSpot cycle finds each new contact, matches its Lead by
 * email and links the two; the Lead's decision stands. A contact HubSpot refuses is parked in
 * the quarantine with the reason, for the admin.
 */
export async function createBornContacts(
  deps: CreateBornContactsDeps,
  requests: readonly LeadContactRequest[],
): Promise<CreateBornContactsResult> {
  const leads = new Map(
    (await deps.lifecycle.routedLeadsByIds(requests.map((request) => request.leadId))).map(
      (lead) => [lead.id, lead],
    ),
  );
  const creations: ContactCreation[] = [];
  for (const request of requests) {
    const lead = leads.get(request.leadId);
    const email = lead?.attributes['email'];
    // Gone, converted or without an email: nothing a contact could be keyed on.
    if (lead === undefined || lead.isConverted || typeof email !== 'string' || email === '')
      continue;
    creations.push({
      key: request.leadId,
      email,
      attributes: lead.attributes,
      properties: request.properties,
    });
  }
  let created = 0;
  let quarantined = 0;
  for (const outcome of await deps.contactWriter.upsertContacts(creations)) {
    if (outcome.ok) {
      created += 1;
      continue;
    }
    quarantined += 1;
    await deps.state.quarantine({
      system: 'hubspot',
      key: `${BORN_KEY_PREFIX}${outcome.key}`,
      code: outcome.code,
      reason: `${outcome.kind}: the HubSpot contact for this Salesforce Lead was not created (${outcome.message})`,
      at: deps.now().toISOString(),
      retry: false,
    });
    deps.log.warn({ leadId: outcome.key, code: outcome.code }, 'record quarantined');
  }
  return { created, quarantined };
}
