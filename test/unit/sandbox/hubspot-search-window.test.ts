import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HubSpotSearch,
  SEARCH_RESULT_CAP,
  type SearchFilter,
  type SearchOutcome,
  type SearchRequest,
} from '../../../src/sandbox/hubspot/hubspot-search.js';
import { HubSpotStore, type HubSpotRecord } from '../../../src/sandbox/hubspot/hubspot-store.js';
import { SortedIndex } from '../../../src/sandbox/hubspot/sorted-index.js';

const START = Date.parse('2026-11-01T00:00:00Z');

/** What a search answered, with records as ids. */
function shape(outcome: SearchOutcome): unknown {
  return outcome.ok
    ? {
        total: outcome.total,
        ids: outcome.page.map((record) => record.id),
        nextAfter: outcome.nextAfter,
      }
    : outcome;
}

/** The sync's search: `lastmodifieddate` in [from, to), ascending, 200 a page. */
function windowRequest(from: number, to: number, after?: string, limit = 200): SearchRequest {
  return {
    filterGroups: [
      {
        filters: [
          { propertyName: 'lastmodifieddate', operator: 'GTE', value: String(from) },
          { propertyName: 'lastmodifieddate', operator: 'LT', value: String(to) },
        ],
      },
    ],
    sorts: ['lastmodifieddate'],
    properties: ['email', 'lastmodifieddate'],
    limit,
    ...(after === undefined ? {} : { after }),
  };
}

/**
 * Brute force over every record: live, epoch in [from, to), ordered by (epoch, numeric id),
 * paged by offset with the 10,000-result cap.
 */
function reference(
  store: HubSpotStore,
  name: string,
  from: number,
  to: number,
  offset: number,
  limit: number,
): unknown {
  const matched = [...store.objects.contacts.values()]
    .filter((record) => {
      const epoch = record.epochs[name];
      return !record.archived && epoch !== undefined && epoch >= from && epoch < to;
    })
    .sort((a, b) => (a.epochs[name] ?? 0) - (b.epochs[name] ?? 0) || Number(a.id) - Number(b.id));
  const end = Math.min(offset + limit, matched.length, SEARCH_RESULT_CAP);
  return {
    total: matched.length,
    ids: matched.slice(offset, end).map((record) => record.id),
    nextAfter: end < matched.length ? String(end) : null,
  };
}

/** Searches both ways (index window and general path) and checks they agree. */
class Searches {
  readonly plans: string[] = [];
  private readonly windowed: HubSpotSearch;
  private readonly general: HubSpotSearch;

  constructor(store: HubSpotStore) {
    this.windowed = new HubSpotSearch(store, { onPlan: (plan) => this.plans.push(plan) });
    this.general = new HubSpotSearch(store, { indexWindows: false });
  }

  run(request: SearchRequest): unknown {
    const answer = shape(this.windowed.run('contacts', request));
    expect(answer).toEqual(shape(this.general.run('contacts', request)));
    return answer;
  }
}

function modified(record: HubSpotRecord | undefined): number {
  return record?.epochs['lastmodifieddate'] ?? Number.NaN;
}

/** 1,500 contacts: a bulk-seeded block, then created ones, many sharing an instant. */
function populated(): { store: HubSpotStore; clock: { now: number } } {
  const clock = { now: START };
  const store = new HubSpotStore(() => clock.now);
  for (let index = 0; index < 700; index += 1) {
    const at = START + Math.floor(index / 10) * 1000;
    store.insertSeed('contacts', { email: `seed${index}@example.com` }, {}, at, at);
  }
  for (let index = 0; index < 800; index += 1) {
    clock.now = START + 50_000 + Math.floor(index / 25) * 500;
    store.create('contacts', { email: `made${index}@example.com` });
  }
  return { store, clock };
}

describe('HubSpot search: lastmodifieddate windows served from the index', () => {
  it('pages a window by keyset exactly as the general path, across updates, archives and creates', () => {
    const { store, clock } = populated();
    const searches = new Searches(store);
    const to = START + 10_000_000;
    let from = START - 1;
    let reads = 0;
    let step = 0;
    for (;;) {
      const page = searches.run(windowRequest(from, to)) as {
        total: number;
        ids: string[];
        nextAfter: string | null;
      };
      expect(page).toEqual(reference(store, 'lastmodifieddate', from, to, 0, 200));
      reads += 1;
      const last = store.objects.contacts.get(page.ids.at(-1) ?? '');
      if (page.nextAfter === null || last === undefined) break;
      const nextFrom = modified(last);
      // Between pages, as Handoff's write-backs and other writers do: updates move contacts
      // to the end of the window (some to an instant already holding others), archives, an
      // undone create (deleted through the map) and new contacts.
      step += 1;
      clock.now = START + 2_000_000 + step * 100;
      for (const id of page.ids.slice(0, 30))
        store.update('contacts', store.objects.contacts.get(id) as HubSpotRecord, {
          firstname: `v${step}`,
        });
      const older = [...store.objects.contacts.values()].filter((record) => !record.archived);
      const victim = older[(step * 37) % older.length];
      if (victim !== undefined) store.archive('contacts', victim);
      const undone = store.create('contacts', { email: `undone${step}@example.com` });
      store.objects.contacts.delete(undone.id);
      if (step % 3 === 0) store.create('contacts', { email: `late${step}@example.com` });
      from = nextFrom;
      if (reads > 100) throw new Error('did not finish');
    }
    expect(reads).toBeGreaterThan(5);
    expect(searches.plans.every((plan) => plan === 'window')).toBe(true);
  });

  it('pages by offset (after), with ties, limits and empty windows, as the general path', () => {
    const { store } = populated();
    const searches = new Searches(store);
    // Archived contacts are counted out wherever they sit in the window.
    for (const id of ['100003', '100350', '100701', '101400'])
      store.archive('contacts', store.objects.contacts.get(id) as HubSpotRecord);
    const tied = START + 50_000;
    const windows: [number, number][] = [
      [START - 1, START + 10_000_000],
      [START + 3_000, START + 40_000],
      [tied, tied + 1],
      [START + 999_999, START + 999_999],
      [START + 5, START + 4],
    ];
    for (const [from, to] of windows)
      for (const limit of [0, 1, 7, 200])
        for (const after of [undefined, '0', '3', '25', '199', '1499', '1500'])
          expect(searches.run(windowRequest(from, to, after, limit))).toEqual(
            reference(store, 'lastmodifieddate', from, to, Number(after ?? 0), limit),
          );
  });

  it('applies each range operator as the general path does, and createdate windows too', () => {
    const { store, clock } = populated();
    clock.now = START + 3_000_000;
    for (const id of ['100100', '100200', '100900'])
      store.update('contacts', store.objects.contacts.get(id) as HubSpotRecord, { city: 'X' });
    const searches = new Searches(store);
    const at = (ms: number): string => String(START + ms);
    const iso = (ms: number): string => new Date(START + ms).toISOString();
    const filterSets: SearchFilter[][] = [
      [{ propertyName: 'lastmodifieddate', operator: 'GT', value: at(20_000) }],
      [{ propertyName: 'lastmodifieddate', operator: 'gte', value: iso(20_000) }],
      [{ propertyName: 'lastmodifieddate', operator: 'LTE', value: at(30_000) }],
      [{ propertyName: 'lastmodifieddate', operator: 'LT', value: at(30_000) }],
      [{ propertyName: 'lastmodifieddate', operator: 'EQ', value: at(50_000) }],
      [
        {
          propertyName: 'lastmodifieddate',
          operator: 'BETWEEN',
          value: at(10_000),
          highValue: iso(60_000),
        },
      ],
      [
        { propertyName: 'lastmodifieddate', operator: 'GT', value: at(10_000) },
        { propertyName: 'lastmodifieddate', operator: 'GTE', value: at(30_000) },
        { propertyName: 'lastmodifieddate', operator: 'LTE', value: at(3_000_000) },
      ],
      [{ propertyName: 'createdate', operator: 'GTE', value: at(40_000) }],
    ];
    for (const filters of filterSets) {
      const name = filters[0]?.propertyName ?? '';
      for (const after of [undefined, '150'])
        searches.run({
          filterGroups: [{ filters }],
          sorts: [{ propertyName: name, direction: 'ASCENDING' }],
          limit: 200,
          ...(after === undefined ? {} : { after }),
        });
    }
    expect(searches.plans.every((plan) => plan === 'window')).toBe(true);
  });

  it('leaves every other search to the general path, with the same answers and errors', () => {
    const { store } = populated();
    const searches = new Searches(store);
    const range: SearchFilter[] = [
      { propertyName: 'lastmodifieddate', operator: 'GTE', value: String(START) },
    ];
    const requests: SearchRequest[] = [
      { filterGroups: [{ filters: range }], sorts: ['-lastmodifieddate'], limit: 50 },
      { filterGroups: [{ filters: range }], sorts: ['createdate'], limit: 50 },
      { filterGroups: [{ filters: range }], limit: 50 },
      { filterGroups: [{ filters: range }], sorts: ['lastmodifieddate'], query: 'made1', limit: 5 },
      {
        filterGroups: [
          {
            filters: [
              ...range,
              { propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*made*' },
            ],
          },
        ],
        sorts: ['lastmodifieddate'],
        limit: 50,
      },
      { filterGroups: [{ filters: range }, { filters: range }], sorts: ['lastmodifieddate'] },
      {
        filterGroups: [
          { filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: 'soon' }] },
        ],
        sorts: ['lastmodifieddate'],
      },
      {
        filterGroups: [
          { filters: [{ propertyName: 'lastmodifieddate', operator: 'BETWEEN', value: '5' }] },
        ],
        sorts: ['lastmodifieddate'],
      },
      { filterGroups: [{ filters: range }], sorts: ['lastmodifieddate'], after: '10000' },
      { filterGroups: [{ filters: range }], sorts: ['lastmodifieddate'], limit: 201 },
      { sorts: ['lastmodifieddate'], limit: 10 },
    ];
    for (const request of requests) searches.run(request);
    expect(searches.plans.filter((plan) => plan === 'window')).toEqual([]);
  });

  it('caps a window at 10,000 results as the general path does', () => {
    const clock = { now: START };
    const store = new HubSpotStore(() => clock.now);
    // An import: 10,050 contacts at one instant, between a few others.
    store.insertSeed('contacts', { email: 'before@example.com' }, {}, START - 5, START - 5);
    for (let index = 0; index < 10_050; index += 1)
      store.insertSeed('contacts', { email: `import${index}@example.com` }, {}, START, START);
    store.insertSeed('contacts', { email: 'after@example.com' }, {}, START + 5, START + 5);
    store.archive('contacts', store.objects.contacts.get('100010') as HubSpotRecord);
    const searches = new Searches(store);
    for (const [from, to] of [
      [START, START + 1],
      [START - 10, START + 10],
    ] as const)
      for (const after of ['0', '9800', '9900', '9999', '10000'])
        expect(searches.run(windowRequest(from, to, after))).toEqual(
          after === '10000'
            ? {
                ok: false,
                message:
                  'There was a problem with the request: paging beyond 10000 results is not supported',
              }
            : reference(store, 'lastmodifieddate', from, to, Number(after), 200),
        );
  });
});

describe('SortedIndex', () => {
  it('keeps (epoch, numeric id) order through random moves, block splits and rebuilds', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), id: fc.nat(3_000), epoch: fc.nat(40) }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.nat(3_000) }),
      fc.record({ kind: fc.constant('stale' as const) }),
      fc.record({
        kind: fc.constant('window' as const),
        from: fc.integer({ min: -2, max: 42 }),
        to: fc.integer({ min: -2, max: 42 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(3_000), fc.nat(40)), { maxLength: 2_500 }),
        fc.array(operation, { maxLength: 400 }),
        (initial, operations) => {
          const model = new Map<string, number>();
          for (const [id, epoch] of initial) model.set(String(id), epoch);
          const index = new SortedIndex(() => model.entries());
          const expected = (from: number, to: number): string[] =>
            [...model]
              .filter(([, epoch]) => epoch >= from && epoch < to)
              .sort((a, b) => a[1] - b[1] || Number(a[0]) - Number(b[0]))
              .map(([id]) => id);
          const check = (from: number, to: number): void => {
            const want = expected(from, to);
            expect(index.range(from, to)).toEqual(want);
            expect(index.count(from, to)).toBe(want.length);
            const firstFive: string[] = [];
            index.each(from, to, (id) => firstFive.push(id) < 5);
            expect(firstFive).toEqual(want.slice(0, 5));
          };
          check(-Infinity, Infinity);
          for (const next of operations) {
            if (next.kind === 'set') {
              const id = String(next.id);
              index.move(id, model.get(id), next.epoch);
              model.set(id, next.epoch);
            } else if (next.kind === 'remove') {
              const id = String(next.id);
              index.move(id, model.get(id), undefined);
              model.delete(id);
            } else if (next.kind === 'stale') index.markStale();
            else check(next.from, next.to);
          }
          check(-Infinity, Infinity);
          check(10, Infinity);
          check(-Infinity, 10);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('splits blocks as one instant fills up and empties them again', () => {
    const model = new Map<string, number>();
    const index = new SortedIndex(() => model.entries());
    index.range(0, 0);
    for (let id = 5_000; id > 0; id -= 1) {
      index.move(String(id), undefined, 7);
      model.set(String(id), 7);
    }
    expect(index.count(7, 8)).toBe(5_000);
    expect(index.range(7, 8).slice(0, 3)).toEqual(['1', '2', '3']);
    for (let id = 1; id <= 5_000; id += 2) index.move(String(id), 7, undefined);
    expect(index.count(-Infinity, Infinity)).toBe(2_500);
    for (let id = 2; id <= 5_000; id += 2) index.move(String(id), 7, 9);
    expect(index.count(7, 8)).toBe(0);
    expect(index.range(8, Infinity)).toEqual(
      Array.from({ length: 2_500 }, (_, at) => String(2 * (at + 1))),
    );
    for (let id = 2; id <= 5_000; id += 2) index.move(String(id), 9, undefined);
    expect(index.range(-Infinity, Infinity)).toEqual([]);
    index.move('42', undefined, 1);
    expect(index.range(-Infinity, Infinity)).toEqual(['42']);
  });
});
