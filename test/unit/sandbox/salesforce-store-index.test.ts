import { describe, expect, it } from 'vitest';
import {
  SalesforceStore,
  type SfRecord,
  type WriteResult,
} from '../../../src/sandbox/salesforce/salesforce-store.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const KEY = 'HubSpot_Contact_Id__c';

function lead(contactId: string, extra: SfRecord = {}): SfRecord {
  return {
    LastName: 'Lee',
    Company: 'Acme',
    Status: 'Open - Not Contacted',
    [KEY]: contactId,
    ...extra,
  };
}

function created(result: WriteResult): string {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.id;
}

function duplicateOf(result: WriteResult): string | null {
  if (result.ok) return null;
  const [first] = result.errors;
  expect(first?.statusCode).toBe('DUPLICATE_VALUE');
  expect(first?.fields).toEqual([KEY]);
  return /record with id: (\S+)$/.exec(first?.message ?? '')?.[1] ?? '';
}

/** What the Collections upsert does per record: find by external id, then update or create. */
function upsert(
  store: SalesforceStore,
  contactId: string,
  values: Record<string, unknown>,
): WriteResult {
  const matches = store.findBy('Lead', KEY, contactId);
  if (matches.length > 1) throw new Error(`more than one Lead for ${contactId}`);
  const existing = matches[0];
  return existing === undefined
    ? store.create('Lead', { ...values, [KEY]: contactId }, false)
    : store.update('Lead', String(existing['Id']), values, false);
}

describe('SalesforceStore unique and external-id index', () => {
  it('refuses a duplicate unique value, case-insensitively, naming the record that holds it', () => {
    const store = new SalesforceStore(() => NOW);
    const first = created(store.create('Lead', lead('hs-ABC'), false));
    expect(duplicateOf(store.create('Lead', lead('hs-abc'), false))).toBe(first);
    const second = created(store.create('Lead', lead('hs-other'), false));
    expect(duplicateOf(store.update('Lead', second, { [KEY]: 'HS-ABC' }, false))).toBe(first);
    // A record may keep its own value.
    expect(store.update('Lead', first, { [KEY]: 'hs-abc' }, false).ok).toBe(true);
  });

  it("frees a deleted record's value and an updated record's old value", () => {
    const store = new SalesforceStore(() => NOW);
    const a = created(store.create('Lead', lead('hs-1'), false));
    const b = created(store.create('Lead', lead('hs-2'), false));

    expect(store.delete(a).ok).toBe(true);
    expect(store.findBy('Lead', KEY, 'hs-1')).toEqual([]);
    const reused = created(store.create('Lead', lead('hs-1'), false));
    expect(store.findBy('Lead', KEY, 'hs-1').map((record) => record['Id'])).toEqual([reused]);

    expect(store.update('Lead', b, { [KEY]: 'hs-2b' }, false).ok).toBe(true);
    expect(store.findBy('Lead', KEY, 'hs-2')).toEqual([]);
    expect(store.findBy('Lead', KEY, 'hs-2b').map((record) => record['Id'])).toEqual([b]);
    const takesOld = created(store.create('Lead', lead('hs-2'), false));
    expect(duplicateOf(store.create('Lead', lead('HS-2B'), false))).toBe(b);

    // Clearing a value frees it too.
    expect(store.update('Lead', takesOld, { [KEY]: null }, false).ok).toBe(true);
    expect(created(store.create('Lead', lead('hs-2'), false))).not.toBe(takesOld);
  });

  it('finds records by external id exactly (case-sensitive), live only, in insertion order', () => {
    const store = new SalesforceStore(() => NOW);
    // Seeding does not validate, so duplicates can exist; findBy reports all of them.
    const one = store.insertRaw('Lead', lead('dup'))['Id'];
    store.insertRaw('Lead', lead('DUP'));
    const two = store.insertRaw('Lead', lead('dup'))['Id'];
    expect(store.findBy('Lead', KEY, 'dup').map((record) => record['Id'])).toEqual([one, two]);
    expect(store.findBy('Lead', KEY, 'Dup')).toEqual([]);
    // Re-indexing the first (an update) keeps table order.
    expect(store.update('Lead', String(one), { LastName: 'Again' }, false).ok).toBe(true);
    expect(store.findBy('Lead', KEY, 'dup').map((record) => record['Id'])).toEqual([one, two]);
    expect(duplicateOf(store.create('Lead', lead('dup'), false))).toBe(one);
    expect(store.delete(String(one)).ok).toBe(true);
    expect(store.findBy('Lead', KEY, 'dup').map((record) => record['Id'])).toEqual([two]);
  });

  it('upserts by external id onto the record that holds it', () => {
    const store = new SalesforceStore(() => NOW);
    const ids = ['hs-a', 'hs-b', 'hs-c'].map((contactId) =>
      created(store.create('Lead', lead(contactId), false)),
    );
    const result = upsert(store, 'hs-b', { LastName: 'Bee' });
    expect(result).toEqual({ ok: true, id: ids[1], created: false });
    expect(store.get(ids[1] ?? '')?.record['LastName']).toBe('Bee');
    expect(store.get(ids[0] ?? '')?.record['LastName']).toBe('Lee');
    const fresh = upsert(store, 'hs-d', { LastName: 'Dee', Company: 'Acme' });
    expect(fresh.ok && fresh.created).toBe(true);
    expect(upsert(store, 'hs-d', { LastName: 'Dee 2' })).toMatchObject({ created: false });
  });

  it('keeps the index through seeding, field removal, field addition and direct table writes', () => {
    const store = new SalesforceStore(() => NOW);
    const seeded = store.insertRaw('Lead', lead('seeded'))['Id'];
    expect(duplicateOf(store.create('Lead', lead('SEEDED'), false))).toBe(seeded);

    // A unique external id added later indexes the records that already hold a value.
    store.addField('Lead', {
      name: 'Legacy_Id__c',
      type: 'string',
      length: 20,
      custom: true,
      externalId: true,
      unique: true,
    });
    expect(store.findBy('Lead', 'Legacy_Id__c', 'L-1')).toEqual([]);
    const legacy = store.insertRaw('Lead', lead('legacy', { Legacy_Id__c: 'L-1' }))['Id'];
    expect(store.findBy('Lead', 'Legacy_Id__c', 'L-1').map((record) => record['Id'])).toEqual([
      legacy,
    ]);
    expect(store.create('Lead', lead('x', { Legacy_Id__c: 'l-1' }), false)).toMatchObject({
      ok: false,
    });

    // Removing the field takes its values out of every record and the index.
    expect(store.removeField('Lead', 'Legacy_Id__c')).toBe(true);
    expect(store.findBy('Lead', 'Legacy_Id__c', 'L-1')).toEqual([]);
    store.addField('Lead', {
      name: 'Legacy_Id__c',
      type: 'string',
      length: 20,
      custom: true,
      unique: true,
    });
    expect(store.create('Lead', lead('y', { Legacy_Id__c: 'L-1' }), false).ok).toBe(true);

    // Writes through the table's Map methods keep the index too.
    const table = store.table('Lead');
    table.delete(String(seeded));
    expect(store.findBy('Lead', KEY, 'seeded')).toEqual([]);
    expect(store.create('Lead', lead('seeded'), false).ok).toBe(true);
  });

  it('restores and discards records (all-or-none rollback) with the index in step', () => {
    const store = new SalesforceStore(() => NOW);
    const kept = created(store.create('Lead', lead('hs-kept'), false));
    const snapshot = { ...store.get(kept)?.record };
    expect(store.update('Lead', kept, { [KEY]: 'hs-moved' }, false).ok).toBe(true);
    const added = created(store.create('Lead', lead('hs-added'), false));

    expect(store.restore(kept, snapshot)).toBe(true);
    expect(store.discard(added)).toBe(true);
    expect(store.findBy('Lead', KEY, 'hs-kept').map((record) => record['Id'])).toEqual([kept]);
    expect(store.findBy('Lead', KEY, 'hs-moved')).toEqual([]);
    expect(store.findBy('Lead', KEY, 'hs-added')).toEqual([]);
    expect(store.get(added)).toBeUndefined();
    expect(store.create('Lead', lead('hs-added'), false).ok).toBe(true);
  });

  it('treats "null" the way the comparisons always have: it matches a record without a value', () => {
    const store = new SalesforceStore(() => NOW);
    const bare = store.insertRaw('Lead', { LastName: 'Bare', Company: 'Acme', [KEY]: null })['Id'];
    expect(store.findBy('Lead', KEY, 'null').map((record) => record['Id'])).toEqual([bare]);
    expect(duplicateOf(store.create('Lead', lead('NULL'), false))).toBe(bare);
  });

  it('handles 20,000 Leads and 200 upserts by external id', () => {
    const store = new SalesforceStore(() => NOW);
    for (let index = 0; index < 20_000; index += 1)
      store.insertRaw('Lead', lead(`hs-${index}`, { LastName: `Lead ${index}` }));
    const results = Array.from({ length: 200 }, (_, index) =>
      // Every other upsert hits an existing Lead; the rest create one.
      index % 2 === 0
        ? upsert(store, `hs-${index * 50}`, { Title: 'Upserted' })
        : upsert(store, `hs-new-${index}`, { LastName: 'New', Company: 'Acme', Title: 'Upserted' }),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(results.filter((result) => result.ok && result.created)).toHaveLength(100);
    const leads = [...store.table('Lead').values()];
    expect(leads).toHaveLength(20_100);
    expect(leads.filter((record) => record['Title'] === 'Upserted')).toHaveLength(200);
    expect(store.findBy('Lead', KEY, 'hs-500')[0]?.['Title']).toBe('Upserted');
    expect(store.findBy('Lead', KEY, 'hs-501')[0]?.['Title']).toBeUndefined();
  });
});
