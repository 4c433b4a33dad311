import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SalesforceStore,
  type SfRecord,
  type StoredValue,
} from '../../../src/sandbox/salesforce/salesforce-store.js';
import { likeSegments, parseSoql } from '../../../src/sandbox/salesforce/soql/parse-soql.js';
import {
  INDEX_MIN_ROWS,
  likeRegExp,
  runSoql,
} from '../../../src/sandbox/salesforce/soql/run-soql.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const DUE = [
  Date.parse('2026-11-20T10:00:00Z'),
  Date.parse('2026-11-26T09:00:00Z'),
  Date.parse('2026-11-21T00:00:00Z'),
];
const USER = '0055e000000USER1AAA';
const OTHER_USER = '0055e000000USER2AAA';

type Outcome =
  { ok: true; value: unknown; plan: string | undefined } | { ok: false; error: string };

/** Runs a query with the planner (indexes on any table size) or as a plain scan. */
function run(
  store: SalesforceStore,
  soql: string,
  way: 'planned' | 'scan',
  includeDeleted = false,
): Outcome {
  let plan: string | undefined;
  try {
    const value = runSoql(store, parseSoql(soql), {
      includeDeleted,
      version: 'v62.0',
      now: NOW,
      indexMinRows: way === 'scan' ? Infinity : 0,
      onPlan: (chosen) => (plan = chosen),
    });
    return { ok: true, value, plan };
  } catch (err) {
    return { ok: false, error: String(err) };
  }
}

/** The planned result equals the scan's, for query and queryAll; returns the plan used. */
function planOf(store: SalesforceStore, soql: string): string | undefined {
  let plan: string | undefined;
  for (const includeDeleted of [false, true]) {
    const planned = run(store, soql, 'planned', includeDeleted);
    const scanned = run(store, soql, 'scan', includeDeleted);
    if (!scanned.ok || !planned.ok) expect(planned).toEqual(scanned);
    else {
      expect(planned.value).toEqual(scanned.value);
      plan = planned.plan;
    }
  }
  return plan;
}

function ids(store: SalesforceStore, soql: string): string[] {
  const outcome = run(store, soql, 'planned');
  if (!outcome.ok) throw new Error(outcome.error);
  return (outcome.value as { records: { Id: string }[] }).records.map((record) => record.Id);
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function list(values: readonly string[]): string {
  return `(${values.map(quote).join(', ')})`;
}

/** 600 Leads and 900 Tasks with mixed-case, missing, duplicate and deleted values. */
function seeded(): { store: SalesforceStore; leads: SfRecord[]; tasks: SfRecord[] } {
  const store = new SalesforceStore(() => NOW);
  for (const [id, name] of [
    [USER, 'One'],
    [OTHER_USER, 'Two'],
  ] as const)
    store.insertRaw('User', { LastName: name, IsActive: true, TimeZoneSidKey: 'UTC' }, id);
  const leads: SfRecord[] = [];
  for (let index = 0; index < 600; index += 1) {
    const values: SfRecord = {
      LastName: `Lead ${index}`,
      Company: `Company ${index % 40}`,
      Status: index % 3 === 0 ? 'Open - Not Contacted' : 'Working - Contacted',
      OwnerId: index % 2 === 0 ? USER : OTHER_USER,
      // Every 7th has no email; every 50th repeats another's in another case.
      Email:
        index % 7 === 0
          ? null
          : index % 50 === 1
            ? `USER${index - 1}@EXAMPLE.com`
            : `user${index}@Example.com`,
      HubSpot_Contact_Id__c: index % 11 === 0 ? null : String(100_000 + index),
      Handoff_Decision_Id__c: index % 4 === 0 ? `dec-${index}` : null,
      Handoff_Score__c: index % 5 === 0 ? null : index % 13,
      Handoff_Due__c: DUE[index % 3] ?? null,
      ConvertedDate: index % 6 === 0 ? '2026-11-01' : null,
      IsDeleted: index % 17 === 0,
    };
    // One Lead stored under a 15-character id, as a direct table write could leave it.
    const id = index === 5 ? '00Q5e00000SHORT' : undefined;
    leads.push(store.insertRaw('Lead', values, id));
  }
  const tasks: SfRecord[] = [];
  for (let index = 0; index < 900; index += 1) {
    const lead = leads[(index * 7) % leads.length] as SfRecord;
    tasks.push(
      store.insertRaw('Task', {
        Subject: `Task ${index}`,
        Status: index % 3 === 0 ? 'Completed' : 'Not Started',
        Priority: 'Normal',
        OwnerId: USER,
        // Some Tasks name their Lead by its 15-character id.
        WhoId: index % 9 === 0 ? String(lead['Id']).slice(0, 15) : (lead['Id'] as string),
        Handoff_Decision_Id__c: index % 2 === 0 ? `dec-${index % 300}` : null,
        IsDeleted: index % 23 === 0,
      }),
    );
  }
  return { store, leads, tasks };
}

const SELECT =
  'Id, OwnerId, Owner.Name, Status, Email, HubSpot_Contact_Id__c, Handoff_Decision_Id__c, Handoff_Score__c, Handoff_Due__c, ConvertedDate, ConvertedContact.OwnerId, IsDeleted';

/** Handoff's lookup: Ids, HubSpot ids and emails of `leads`, with case changes and misses. */
function lookupQuery(leads: readonly SfRecord[]): string {
  const leadIds = leads.slice(0, 40).map((lead, index) => {
    const id = String(lead['Id']);
    // 15-character forms match their 18-character ids; a case change matches nothing.
    return index % 5 === 0 ? id.slice(0, 15) : index % 5 === 1 ? id.toLowerCase() : id;
  });
  const contactIds = leads
    .slice(40, 80)
    .map((lead) => String(lead['HubSpot_Contact_Id__c'] ?? 'nope'));
  const emails = leads
    .slice(80, 120)
    .map((lead, index) =>
      index % 2 === 0 ? String(lead['Email'] ?? 'x@y.z').toUpperCase() : String(lead['Email']),
    );
  return `SELECT ${SELECT} FROM Lead WHERE Id IN ${list([...leadIds, '00Q5e00000SHORTAAA'])} OR HubSpot_Contact_Id__c IN ${list(contactIds)} OR Email IN ${list([...emails, 'nobody@example.com'])}`;
}

/** Queries of every shape the planner looks at, with the plan each should get. */
function queries(leads: readonly SfRecord[], tasks: readonly SfRecord[]): [string, string][] {
  const someIds = leads.slice(200, 260).map((lead) => String(lead['Id']));
  const decisions = Array.from({ length: 60 }, (_, index) => `DEC-${index * 5}`);
  const whoIds = leads.slice(0, 70).map((lead) => String(lead['Id']));
  return [
    [lookupQuery(leads), 'index'],
    [lookupQuery(leads.slice(300)), 'index'],
    [
      `SELECT Id, Handoff_Decision_Id__c FROM Task WHERE Handoff_Decision_Id__c IN ${list(decisions)} AND IsClosed = false`,
      'index',
    ],
    [
      `SELECT WhoId, OwnerId, IsClosed, CompletedDateTime, CreatedDate, SystemModstamp FROM Task WHERE WhoId IN ${list(whoIds)}`,
      'index',
    ],
    [`SELECT WhoId FROM Task WHERE WhoId = ${quote(String(tasks[0]?.['WhoId']))}`, 'index'],
    [`SELECT WhoId, OwnerId FROM Event WHERE WhoId IN ${list(whoIds)}`, 'index'],
    [
      `SELECT Id, Handoff_Decision_Id__c FROM Lead WHERE Handoff_Decision_Id__c != null AND Id IN ${list(someIds)}`,
      'index',
    ],
    [`SELECT Id FROM Lead WHERE Email = 'USER2@example.COM'`, 'index'],
    [`SELECT Id FROM Lead WHERE Email = 'user${'2'}@example.com' OR Email = 'nope'`, 'index'],
    [`SELECT Id, Handoff_Score__c FROM Lead WHERE Handoff_Score__c IN (5, 0, -0, 5.0)`, 'index'],
    [`SELECT Id FROM Lead WHERE Handoff_Score__c = 12`, 'index'],
    [`SELECT Id FROM Lead WHERE Handoff_Due__c = 2026-11-21T00:00:00Z`, 'scan'],
    [
      `SELECT Id FROM Lead WHERE Handoff_Due__c = 2026-11-21T00:00:00Z AND Id IN ${list(someIds)}`,
      'index',
    ],
    [`SELECT Id FROM Lead WHERE Handoff_Due__c IN (TODAY, 2026-11-20T10:00:00.000Z)`, 'scan'],
    [`SELECT Id FROM Lead WHERE Handoff_Due__c IN (TODAY) AND Email != null`, 'index'],
    [`SELECT Id FROM Lead WHERE Handoff_Due__c = TODAY AND Email = 'user3@example.com'`, 'index'],
    [`SELECT Id FROM Lead WHERE Handoff_Due__c = TODAY`, 'scan'],
    [`SELECT Id FROM Lead WHERE ConvertedDate IN (2026-11-01, 2026-11-02)`, 'index'],
    [`SELECT Id FROM Lead WHERE Status IN ('open - not contacted')`, 'scan'],
    [
      `SELECT Id FROM Lead WHERE Status = 'WORKING - CONTACTED' AND HubSpot_Contact_Id__c = '100010'`,
      'index',
    ],
    [`SELECT Id FROM Lead WHERE Email IN ('user1@example.com', null)`, 'scan'],
    [`SELECT Id FROM Lead WHERE Email = null`, 'scan'],
    [`SELECT Id FROM Lead WHERE Email NOT IN ('user1@example.com')`, 'scan'],
    [`SELECT Id FROM Lead WHERE NOT Email = 'user1@example.com'`, 'scan'],
    [`SELECT Id FROM Lead WHERE Email = 'user1@example.com' OR Email LIKE '%3@%'`, 'scan'],
    [`SELECT Id FROM Lead WHERE Email LIKE '%3@%' AND Email IN ('user3@example.com')`, 'index'],
    [`SELECT Id FROM Lead WHERE IsConverted = false AND Id IN ${list(someIds)}`, 'index'],
    [`SELECT Id FROM Lead WHERE IsConverted = false`, 'scan'],
    [`SELECT Id FROM Lead WHERE Owner.Name = 'One'`, 'scan'],
    [`SELECT Id FROM Lead WHERE OwnerId = ${quote(USER)}`, 'scan'],
    [
      `SELECT Id FROM Lead WHERE OwnerId = ${quote(USER.slice(0, 15))} AND Email IN ('user4@example.com', 'user8@example.com')`,
      'index',
    ],
    [
      `SELECT Id FROM Lead WHERE (Email IN ('user3@example.com', 'USER9@example.com') AND Status = 'Working - Contacted') OR Id = ${quote(String(leads[30]?.['Id']))}`,
      'index',
    ],
    [
      `SELECT Id, Email FROM Lead WHERE Email IN ('user3@example.com', 'user4@example.com', 'user8@example.com', 'user9@example.com') ORDER BY Email DESC NULLS LAST LIMIT 2 OFFSET 1`,
      'index',
    ],
    [`SELECT COUNT() FROM Lead WHERE HubSpot_Contact_Id__c IN ('100001', '100002')`, 'index'],
    [
      `SELECT OwnerId, COUNT(Id) open FROM Lead WHERE Id IN ${list(someIds)} GROUP BY OwnerId`,
      'index',
    ],
    [`SELECT Id FROM Lead WHERE CreatedById = ${quote(USER)}`, 'scan'],
    [`SELECT Id FROM Lead WHERE Id IN ('00Q5e00000SHORTAAA')`, 'index'],
    [`SELECT Id FROM Lead WHERE Id = '00Q5e00000SHORT'`, 'index'],
  ];
}

describe('SOQL equality and IN served from value indexes', () => {
  it('returns exactly what the scan returns, in table order, for query and queryAll', () => {
    const { store, leads, tasks } = seeded();
    for (const [soql, plan] of queries(leads, tasks))
      expect([soql, planOf(store, soql)]).toEqual([soql, plan]);
  });

  it('agrees with a brute-force filter over the table for the Lead lookup', () => {
    const { store, leads } = seeded();
    const soql = lookupQuery(leads);
    const wantedIds = leads.slice(0, 40).map((lead, index) => {
      const id = String(lead['Id']);
      return index % 5 === 0 ? id.slice(0, 15) : index % 5 === 1 ? id.toLowerCase() : id;
    });
    const contactIds = new Set(leads.slice(40, 80).map((lead) => lead['HubSpot_Contact_Id__c']));
    const emails = new Set(
      leads.slice(80, 120).map((lead) => String(lead['Email'] ?? 'x@y.z').toLowerCase()),
    );
    const sameId = (a: string, b: string): boolean =>
      a.length === 15 || b.length === 15 ? a.slice(0, 15) === b.slice(0, 15) : a === b;
    const expected = [...store.table('Lead').values()]
      .filter(
        (lead) =>
          lead['IsDeleted'] !== true &&
          ([...wantedIds, '00Q5e00000SHORTAAA'].some((id) => sameId(String(lead['Id']), id)) ||
            (lead['HubSpot_Contact_Id__c'] !== null &&
              contactIds.has(lead['HubSpot_Contact_Id__c'])) ||
            (typeof lead['Email'] === 'string' && emails.has(lead['Email'].toLowerCase()))),
      )
      .map((lead) => lead['Id']);
    expect(expected.length).toBeGreaterThan(60);
    expect(ids(store, soql)).toEqual(expected);
    // Case-insensitive on text: the upper-cased emails found their Leads, and both holders of
    // a shared address (another record's address in other case) came back.
    expect(ids(store, `SELECT Id FROM Lead WHERE Email = 'USER100@EXAMPLE.COM'`)).toEqual(
      [leads[100], leads[101]].map((lead) => lead?.['Id']),
    );
  });

  it('follows every kind of write made after the indexes were built', () => {
    const { store, leads, tasks } = seeded();
    const check = (): void => {
      for (const [soql] of queries(leads, tasks)) planOf(store, soql);
    };
    check();
    const lead = (index: number): string => String(leads[index]?.['Id']);

    // Updates through the API path, changing indexed values (and their case).
    expect(store.update('Lead', lead(81), { Email: 'Moved@Example.com' }, false).ok).toBe(true);
    expect(store.update('Lead', lead(83), { Email: 'USER86@example.com' }, false).ok).toBe(true);
    expect(store.update('Lead', lead(41), { HubSpot_Contact_Id__c: '100042x' }, false).ok).toBe(
      true,
    );
    expect(store.update('Lead', lead(43), { HubSpot_Contact_Id__c: null }, false).ok).toBe(true);
    expect(store.update('Lead', lead(202), { Handoff_Decision_Id__c: 'dec-new' }, false).ok).toBe(
      true,
    );
    // Deletes (soft), then a new Lead reusing a deleted one's values.
    expect(store.delete(lead(82)).ok).toBe(true);
    expect(store.delete(lead(2)).ok).toBe(true);
    store.insertRaw('Lead', { ...leads[82], IsDeleted: false });
    // Direct table writes: replace, remove, re-add (moves to the end of table order).
    const table = store.table('Lead');
    const replaced = lead(84);
    table.set(replaced, { ...table.get(replaced), Email: 'replaced@example.com' });
    const removed = lead(3);
    const kept = table.get(removed) as SfRecord;
    table.delete(removed);
    table.set(removed, kept);
    table.delete(lead(85));
    // Rollbacks: restore saved values, discard a created record.
    store.restore(lead(81), { Email: `user81@Example.com` });
    const created = store.insertRaw('Lead', {
      LastName: 'X',
      Company: 'Y',
      Email: 'user90@example.com',
    });
    check();
    store.discard(String(created['Id']));
    // Tasks: close some, reopen none, move a WhoId.
    const task = (index: number): string => String(tasks[index]?.['Id']);
    expect(store.update('Task', task(2), { Status: 'Completed' }, false).ok).toBe(true);
    expect(store.update('Task', task(4), { WhoId: lead(10) }, false).ok).toBe(true);
    check();
    // Field changes rebuild the field's indexes.
    store.changeFieldType('Lead', 'Handoff_Decision_Id__c', 'textarea');
    store.addField('Lead', { name: 'Extra__c', type: 'string', custom: true, defaultValue: 'x' });
    check();
    expect(store.removeField('Lead', 'Handoff_Decision_Id__c')).toBe(true);
    for (const [soql] of queries(leads, tasks)) planOf(store, soql);
    store.table('Task').clear();
    check();
  });

  it('scans tables under the size threshold and when candidates are most of the table', () => {
    const store = new SalesforceStore(() => NOW);
    for (let index = 0; index < 40; index += 1)
      store.insertRaw('Lead', { LastName: 'L', Company: 'C', Email: `u${index}@x.com` });
    const soql = `SELECT Id FROM Lead WHERE Email = 'u1@x.com'`;
    const plans: string[] = [];
    const options = { includeDeleted: false, version: 'v62.0', now: NOW };
    runSoql(store, parseSoql(soql), { ...options, onPlan: (plan) => plans.push(plan) });
    expect(INDEX_MIN_ROWS).toBeGreaterThan(40);
    expect(plans).toEqual(['scan']);
    runSoql(store, parseSoql(soql), { ...options, indexMinRows: 0, onPlan: (p) => plans.push(p) });
    const wide = `SELECT Id FROM Lead WHERE Email IN ${list(Array.from({ length: 20 }, (_, i) => `u${i}@x.com`))}`;
    runSoql(store, parseSoql(wide), { ...options, indexMinRows: 0, onPlan: (p) => plans.push(p) });
    expect(plans).toEqual(['scan', 'index', 'scan']);
  });

  it('reports the same errors as the scan', () => {
    const { store, leads, tasks } = seeded();
    for (const soql of [
      `SELECT Id FROM Lead WHERE Id IN (5)`,
      `SELECT Id FROM Lead WHERE Handoff_Score__c = '5'`,
      `SELECT Id FROM Lead WHERE Nope__c IN ('a')`,
      `SELECT Id FROM Lead WHERE Email IN ('a') AND Handoff_Due__c = 'x'`,
      `SELECT Nope FROM Lead WHERE Email = 'a'`,
    ]) {
      const planned = run(store, soql, 'planned');
      expect(planned.ok).toBe(false);
      expect(planned).toEqual(run(store, soql, 'scan'));
    }
    expect(queries(leads, tasks).length).toBeGreaterThan(30);
  });
});

// Random tables and random WHERE clauses: whatever the planner does, the rows are the scan's.
const TEXT_VALUES: readonly StoredValue[] = [
  'a',
  'A',
  'b',
  'B ',
  'null',
  'NULL',
  '',
  'ß',
  'SS',
  'İ',
  'i̇',
  '5',
  5,
  null,
];
const TEXT_LITERALS = [
  "'a'",
  "'A'",
  "'b'",
  "'b '",
  "'null'",
  "''",
  "'ss'",
  "'SS'",
  "'i̇'",
  "'5'",
  'null',
];
const ID_VALUES: readonly StoredValue[] = [
  '005AAAAAAAAAAAAAAA',
  '005AAAAAAAAAAAA',
  '005aaaaaaaaaaaaAAA',
  '005AAAAAAAAAAAABBB',
  '005BBBBBBBBBBBBAAA',
  null,
];
const ID_LITERALS = [
  "'005AAAAAAAAAAAAAAA'",
  "'005AAAAAAAAAAAA'",
  "'005aaaaaaaaaaaa'",
  "'005AAAAAAAAAAAABBB'",
  "'005BB'",
  'null',
];
const FIELDS = {
  Email: { values: TEXT_VALUES, literals: TEXT_LITERALS },
  Handoff_Tier__c: { values: TEXT_VALUES, literals: TEXT_LITERALS },
  OwnerId: { values: ID_VALUES, literals: ID_LITERALS },
  ConvertedContactId: { values: ID_VALUES, literals: ID_LITERALS },
  Handoff_Score__c: {
    values: [0, -0, 5, 5.5, '5', 12, null] as StoredValue[],
    literals: ['0', '-0', '5', '5.0', '5.5', '12', 'null'],
  },
  Handoff_Due__c: {
    values: [...DUE, null] as StoredValue[],
    literals: [
      '2026-11-20T10:00:00Z',
      '2026-11-26T09:00:00.000Z',
      'TODAY',
      'LAST_N_DAYS:7',
      'null',
    ],
  },
  ConvertedDate: {
    values: ['2026-11-01', '2026-11-26', null] as StoredValue[],
    literals: ['2026-11-01', '2026-11-26', 'TODAY', 'null'],
  },
  IsUnreadByOwner: { values: [true, false, null] as StoredValue[], literals: ['true', 'false'] },
} as const;
type FieldName = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

const row = fc.record(
  {
    ...Object.fromEntries(
      FIELD_NAMES.map((name) => [name, fc.constantFrom(...FIELDS[name].values)]),
    ),
    IsDeleted: fc.boolean(),
  },
  { requiredKeys: ['IsDeleted'] },
) as fc.Arbitrary<SfRecord>;

const leaf: fc.Arbitrary<string> = fc.constantFrom(...FIELD_NAMES).chain((name) => {
  const literal = fc.constantFrom(...FIELDS[name].literals);
  return fc.oneof(
    { weight: 3, arbitrary: literal.map((value) => `${name} = ${value}`) },
    {
      weight: 3,
      arbitrary: fc
        .array(literal, { minLength: 1, maxLength: 4 })
        .map((values) => `${name} IN (${values.join(', ')})`),
    },
    { weight: 1, arbitrary: literal.map((value) => `${name} != ${value}`) },
    {
      weight: 1,
      arbitrary: fc
        .array(literal, { minLength: 1, maxLength: 3 })
        .map((values) => `${name} NOT IN (${values.join(', ')})`),
    },
  );
});

const condition: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    leaf,
    fc
      .tuple(fc.constantFrom('AND', 'OR'), fc.array(tie('node'), { minLength: 2, maxLength: 3 }))
      .map(([joiner, items]) => `(${items.join(` ${joiner} `)})`),
    tie('node').map((item) => `NOT (${item})`),
  ),
})).node;

type Change =
  | { kind: 'insert'; values: SfRecord }
  | { kind: 'restore'; at: number; values: SfRecord }
  | { kind: 'delete' | 'remove' | 'soft-delete'; at: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  row.map((values) => ({ kind: 'insert' as const, values })),
  fc.record({ kind: fc.constant('restore' as const), at: fc.nat(), values: row }),
  fc.record({
    kind: fc.constantFrom('delete' as const, 'remove' as const, 'soft-delete' as const),
    at: fc.nat(),
  }),
);

function apply(store: SalesforceStore, next: Change): void {
  const table = store.table('Lead');
  const keys = [...table.keys()];
  if (next.kind === 'insert') {
    store.insertRaw('Lead', { LastName: 'L', Company: 'C', ...next.values });
    return;
  }
  const id = keys[next.at % Math.max(keys.length, 1)];
  if (id === undefined) return;
  if (next.kind === 'restore') store.restore(id, next.values);
  else if (next.kind === 'soft-delete') store.delete(id);
  else if (next.kind === 'remove') table.delete(id);
  else store.discard(id);
}

describe('SOQL planner against the scan, on random data', () => {
  it('gives the scan rows for random WHERE clauses, before and after random writes', () => {
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 0, maxLength: 60 }),
        fc.array(condition, { minLength: 1, maxLength: 4 }),
        fc.array(change, { maxLength: 12 }),
        (rows, wheres, changes) => {
          const store = new SalesforceStore(() => NOW);
          for (const values of rows)
            store.insertRaw('Lead', { LastName: 'L', Company: 'C', ...values });
          const check = (): void => {
            for (const where of wheres) {
              const soql = `SELECT Id, Email, OwnerId, Handoff_Score__c FROM Lead WHERE ${where}`;
              for (const includeDeleted of [false, true]) {
                const planned = run(store, soql, 'planned', includeDeleted);
                const scanned = run(store, soql, 'scan', includeDeleted);
                if (planned.ok && scanned.ok) expect(planned.value).toEqual(scanned.value);
                else expect(planned).toEqual(scanned);
              }
            }
          };
          check();
          for (const next of changes) {
            apply(store, next);
            check();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('LIKE patterns', () => {
  /** The whole-value form: `^…$` with `%` as `.*` everywhere. */
  function anchored(pattern: string): RegExp {
    const source = likeSegments(pattern)
      .map((segment) =>
        segment.kind === 'any'
          ? '.*'
          : segment.kind === 'one'
            ? '.'
            : segment.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('');
    return new RegExp(`^${source}$`, 'is');
  }

  it('match exactly what the whole-value regex matches, with open ends left unanchored', () => {
    const character = fc.constantFrom(...'aAbB.c\n\\%_$^()*ßSKkİıi\u0307'.split(''));
    const piece = fc.oneof(
      fc.constantFrom('%', '_', '\\%', '\\_', '\\\\'),
      character.filter((text) => !['%', '_', '\\'].includes(text)),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join('')),
        fc.array(
          fc.array(character, { maxLength: 8 }).map((chars) => chars.join('')),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        (pattern, values) => {
          const fast = likeRegExp(pattern);
          const whole = anchored(pattern);
          for (const value of values)
            expect([pattern, value, fast.test(value)]).toEqual([pattern, value, whole.test(value)]);
        },
      ),
      { numRuns: 2_000 },
    );
    expect(likeRegExp('%acme.com%').source).toBe('acme\\.com');
    expect(likeRegExp('%').test('\nanything')).toBe(true);
  });
});
