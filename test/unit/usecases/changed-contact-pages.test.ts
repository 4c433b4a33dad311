import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type {
  ContactPage,
  ContactSource,
  ContactWindow,
  MarketingContact,
} from '../../../src/ports/contact-source.port.js';
import { changedContactPages } from '../../../src/usecases/sync/changed-contact-pages.js';

const PAGE = 200;
const CAP = 10_000;

function contact(id: number, modifiedAt: number): MarketingContact {
  return {
    id: String(id),
    attributes: {},
    modifiedAt: new Date(modifiedAt),
    salesforceLeadId: null,
    salesforceContactId: null,
    latestConversion: null,
    handoff: {},
  };
}

/**
 * HubSpot's search as the adapter sees it: [from, to) on lastmodifieddate, ascending, pages of
 * 200 by offset, 10,000 results at most (a request past them is refused, as HubSpot does).
 * `onSearch` may change the tenant between searches.
 */
class SearchableContacts implements Pick<ContactSource, 'changedContacts'> {
  searches: ContactWindow[] = [];

  constructor(
    public contacts: MarketingContact[],
    private readonly onSearch: (count: number) => void = () => undefined,
  ) {}

  changedContacts(window: ContactWindow, after: string | null): Promise<ContactPage> {
    this.searches.push(window);
    this.onSearch(this.searches.length);
    const offset = Number(after ?? '0');
    if (offset + PAGE > CAP) throw new Error('search past 10,000 results');
    const matching = this.contacts
      .filter((each) => each.modifiedAt >= window.from && each.modifiedAt < window.to)
      .sort(
        (a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime() || Number(a.id) - Number(b.id),
      );
    const end = offset + PAGE;
    return Promise.resolve({
      contacts: matching.slice(offset, end),
      total: matching.length,
      nextAfter: end < Math.min(matching.length, CAP) ? String(end) : null,
    });
  }
}

async function readAll(
  source: SearchableContacts,
  window: ContactWindow,
): Promise<{ ids: string[]; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  for await (const page of changedContactPages(
    source as unknown as ContactSource,
    window,
    pino({ level: 'silent' }),
  )) {
    ids.push(...page.contacts.map((each) => each.id));
    totals.push(page.total);
  }
  return { ids, totals };
}

const everything = { from: new Date(0), to: new Date(10_000_000) };

describe('changedContactPages', () => {
  it('reads past the 10,000-result cap by keyset, each contact once, one search per page', async () => {
    // 12,345 contacts, three per millisecond: pages end mid-instant.
    const contacts = Array.from({ length: 12_345 }, (_, index) =>
      contact(index + 1, 1_000 + Math.floor(index / 3)),
    );
    const source = new SearchableContacts(contacts);
    const { ids, totals } = await readAll(source, everything);
    expect(ids).toHaveLength(12_345);
    expect(new Set(ids).size).toBe(12_345);
    // Oldest first, as the cursor needs.
    expect(ids.slice(0, 4)).toEqual(['1', '2', '3', '4']);
    expect(totals[0]).toBe(12_345);
    // Each later page re-reads only the boundary instant's contacts (at most 2 here).
    expect(source.searches.length).toBeLessThanOrEqual(Math.ceil(12_345 / (PAGE - 2)) + 1);
  });

  it('pages through an instant that fills whole pages by offset, then moves past it', async () => {
    const contacts = [
      contact(1, 500),
      ...Array.from({ length: 450 }, (_, index) => contact(100 + index, 600)),
      contact(9_000, 700),
    ];
    const source = new SearchableContacts(contacts);
    const { ids } = await readAll(source, everything);
    expect(ids).toHaveLength(452);
    expect(new Set(ids).size).toBe(452);
    expect(ids.at(-1)).toBe('9000');
    // The instant alone was searched ([600, 601)).
    expect(
      source.searches.some(
        (window) => window.from.getTime() === 600 && window.to.getTime() === 601,
      ),
    ).toBe(true);
  });

  it('loses nothing when contacts leave the window while it is read (Handoff writing them back)', async () => {
    const contacts = Array.from({ length: 1_000 }, (_, index) => contact(index + 1, 1_000 + index));
    const window = { from: new Date(0), to: new Date(5_000) };
    // After each search, the 50 oldest contacts still in the window are written back: their
    // modification moves past the window's end. Offset paging would skip 50 per page.
    let movedUpTo = 0;
    const source = new SearchableContacts(contacts, () => {
      for (const each of contacts.slice(movedUpTo, movedUpTo + 50))
        contacts[contacts.indexOf(each)] = { ...each, modifiedAt: new Date(9_000) };
      movedUpTo += 50;
    });
    const { ids } = await readAll(source, window);
    const seen = new Set(ids);
    // Every contact was either handed out or moved past the window by a write (which only
    // happens to contacts already handed out in the real flow: here, also to unread ones).
    const stillInWindow = source.contacts.filter((each) => each.modifiedAt < window.to);
    for (const each of stillInWindow) expect(seen.has(each.id)).toBe(true);
  });

  it('stops at 10,000 contacts of one instant and says so, without failing the read', async () => {
    const contacts = [
      ...Array.from({ length: 10_050 }, (_, index) => contact(index + 1, 42)),
      contact(99_999, 43),
    ];
    const source = new SearchableContacts(contacts);
    const { ids } = await readAll(source, everything);
    expect(new Set(ids).size).toBe(10_001);
    expect(ids.at(-1)).toBe('99999');
  });

  it('an empty window costs one search', async () => {
    const source = new SearchableContacts([]);
    const { ids } = await readAll(source, everything);
    expect(ids).toEqual([]);
    expect(source.searches).toHaveLength(1);
  });
});
