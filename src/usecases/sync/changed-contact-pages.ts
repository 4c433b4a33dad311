import type { Logger } from 'pino';
import type {
  ContactSource,
  ContactWindow,
  MarketingContact,
} from '../../ports/contact-source.port.js';

/** HubSpot search answers at most 10,000 results per query, however it is paged. */
const SEARCH_RESULTS_CAP = 10_000;

export interface ChangedPage {
  /** Contacts not handed out before, oldest first. */
  readonly contacts: readonly MarketingContact[];
  /** What the search counted from this page's start to the window's end. */
  readonly total: number;
}

/**
 * Contacts changed in `window`, oldest first, one search page at a time. Each search starts at
 * the newest modification instant read so far (keyset paging) instead of an offset, so:
 *  - HubSpot's 10,000-result cap never applies to the window as a whole, and no search is spent
 *    only to count it;
 *  - Handoff's own write-backs, which move contacts past the window's end while it is read, shift
 *    nothing: pages can be decided and written as they arrive, and memory stays one batch.
 * Contacts sharing the boundary instant are read twice and handed out once. A page made entirely
 * of one instant (an import) is read by offset within that instant, then the window moves past it.
 */
export async function* changedContactPages(
  source: ContactSource,
  window: ContactWindow,
  log: Logger,
): AsyncGenerator<ChangedPage> {
  let from = window.from;
  // Ids already handed out whose modification instant is `from`.
  let atFrom = new Set<string>();
  while (from < window.to) {
    const page = await source.changedContacts({ from, to: window.to }, null);
    const fresh = page.contacts.filter((contact) => !atFrom.has(contact.id));
    const last = page.contacts.at(-1);
    if (page.nextAfter === null || last === undefined) {
      yield { contacts: fresh, total: page.total };
      return;
    }
    if (last.modifiedAt.getTime() > from.getTime()) {
      yield { contacts: fresh, total: page.total };
      from = last.modifiedAt;
      atFrom = new Set(
        page.contacts
          .filter((contact) => contact.modifiedAt.getTime() === from.getTime())
          .map((contact) => contact.id),
      );
      continue;
    }
    // A whole page modified at one instant: page through that instant alone.
    const instant = { from, to: new Date(from.getTime() + 1) };
    let read = 0;
    let after: string | null = null;
    do {
      const part = await source.changedContacts(instant, after);
      read += part.contacts.length;
      yield {
        contacts: part.contacts.filter((contact) => !atFrom.has(contact.id)),
        total: part.total,
      };
      after = part.nextAfter;
      if (after !== null && read >= SEARCH_RESULTS_CAP) {
        log.warn(
          { at: from.toISOString(), total: part.total },
          'more than 10,000 contacts changed in one millisecond: HubSpot search returns the first 10,000; the rest wait until they next change',
        );
        break;
      }
    } while (after !== null);
    from = instant.to;
    atFrom = new Set();
  }
}
