import type { Definition } from '../../domain/definition.js';
import { resolveMapping } from '../../domain/mapping.js';
import { emptySummary, loadDirectory } from './run-sync-cycle.js';
import { syncPage } from './sync-page.js';
import type { CycleContext, SyncCycleDeps, SyncSummary } from './sync-cycle.types.js';

/**
 * Contact properties the decision reads besides the mapped attributes: the native connector's
 * links to Salesforce and the latest form conversion. Kept beside the contact source's list of
 * what it reads (a unit test compares the two).
 */
const LINK_AND_CONVERSION_PROPERTIES = [
  'salesforceleadid',
  'salesforcecontactid',
  'recent_conversion_event_name',
  'recent_conversion_date',
] as const;

/**
 * HubSpot's "Last activity date": it moves when a call, email, meeting, note or task is logged on
 * the contact, which is how an engagement (read through associations, which send no contact
 * event of their own) reaches the webhook.
 */
const ENGAGEMENT_SIGNAL_PROPERTY = 'notes_last_updated';

/**
 * The contact properties to subscribe to (`contact.propertyChange`) so that every change the
 * definition can see arrives as a webhook: the `mapping.hubspot` attributes (the defaults with
 * the definition's overrides), the Salesforce links, the latest conversion, and the last
 * activity date. Handoff's own properties are left out: their changes are its own write-backs.
 */
export function webhookContactProperties(definition: Definition): string[] {
  const mapping = resolveMapping(definition.mapping);
  return [
    ...new Set([
      ...Object.values(mapping.hubspot),
      ...LINK_AND_CONVERSION_PROPERTIES,
      ENGAGEMENT_SIGNAL_PROPERTY,
    ]),
  ].sort();
}

/** Handoff's own contact properties (`handoff_status`, …, as the mapping names them). */
export function handoffContactProperties(definition: Definition): ReadonlySet<string> {
  return new Set(Object.values(resolveMapping(definition.mapping).hubspotProperties));
}

/**
 * Decides the given contacts now, exactly as a poll cycle decides a page: read them (contacts
 * deleted or merged away are not found and need no decision), load the directory as the cycle
 * does, then the same `syncPage` (match, decide, write Salesforce, queue the HubSpot write-back,
 * release their quarantine entries). The poll cursor is not touched: the next cycle reads these
 * contacts again and finds their decisions already on the Leads.
 */
export async function syncContacts(
  deps: SyncCycleDeps,
  ids: readonly string[],
): Promise<SyncSummary> {
  const summary = emptySummary();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return summary;
  // Read first, as a cycle does: a routing decision is stored only while Redis holds this state.
  const epoch = await deps.state.epoch();
  const contacts = await deps.contacts.contactsByIds(unique);
  if (contacts.length > 0) {
    const context: CycleContext = {
      now: deps.now(),
      epoch,
      summary,
      accounts: new Map(),
      seen: new Set(),
      // A webhook named these contacts because they changed just now.
      newChanges: true,
      ...(await loadDirectory(deps)),
    };
    await syncPage(deps, contacts, context);
  }
  deps.log.info(
    {
      ...summary,
      plan: undefined,
      requested: unique.length,
      not_found: unique.length - contacts.length,
    },
    'contact sync finished',
  );
  return summary;
}
