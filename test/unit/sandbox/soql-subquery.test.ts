import { describe, expect, it, vi } from 'vitest';
import {
  SalesforceStore,
  type SfRecord,
} from '../../../src/sandbox/salesforce/salesforce-store.js';
import { parseSoql, SoqlError } from '../../../src/sandbox/salesforce/soql/parse-soql.js';
import { runSoql, type SoqlResult } from '../../../src/sandbox/salesforce/soql/run-soql.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const VERSION = 'v62.0';
const USER = '0055e000000USER1AAA';

function run(
  store: SalesforceStore,
  soql: string,
  options: {
    includeDeleted?: boolean;
    indexMinRows?: number;
    onPlan?: (plan: 'scan' | 'index', from: string) => void;
  } = {},
): SoqlResult {
  return runSoql(store, parseSoql(soql), {
    includeDeleted: options.includeDeleted ?? false,
    version: VERSION,
    now: NOW,
    ...(options.indexMinRows === undefined ? {} : { indexMinRows: options.indexMinRows }),
    ...(options.onPlan === undefined ? {} : { onPlan: options.onPlan }),
  });
}

function errorOf(work: () => unknown): SoqlError {
  try {
    work();
  } catch (err) {
    if (err instanceof SoqlError) return err;
    throw err;
  }
  throw new Error('expected a SoqlError');
}

/** Three Leads: one with open and closed Tasks and an Event, one with closed Tasks only, one bare. */
function seeded(): {
  store: SalesforceStore;
  busy: SfRecord;
  closed: SfRecord;
  bare: SfRecord;
  open: SfRecord[];
} {
  const store = new SalesforceStore(() => NOW);
  store.insertRaw('User', { LastName: 'Rep', IsActive: true, TimeZoneSidKey: 'UTC' }, USER);
  const lead = (email: string): SfRecord =>
    store.insertRaw('Lead', { LastName: email, Company: 'C', Email: email });
  const busy = lead('a@x.com');
  const closed = lead('b@y.com');
  const bare = lead('c@z.com');
  const task = (who: SfRecord, values: SfRecord): SfRecord =>
    store.insertRaw('Task', {
      WhoId: who['Id'] as string,
      OwnerId: USER,
      Status: 'Not Started',
      ...values,
    });
  const open = [
    task(busy, { Subject: 'Second', Handoff_Decision_Id__c: 'dec-2', CreatedDate: NOW - 1_000 }),
    task(busy, { Subject: 'First', Handoff_Decision_Id__c: 'dec-1', CreatedDate: NOW - 5_000 }),
    task(busy, { Subject: 'Third', Handoff_Decision_Id__c: 'dec-3', CreatedDate: NOW - 500 }),
  ];
  task(busy, { Subject: 'Undecided', Handoff_Decision_Id__c: null });
  task(busy, { Subject: 'Done', Status: 'Completed', Handoff_Decision_Id__c: 'dec-0' });
  task(closed, { Subject: 'Done', Status: 'Completed', Handoff_Decision_Id__c: 'dec-9' });
  store.insertRaw('Event', {
    WhoId: busy['Id'] as string,
    OwnerId: USER,
    Subject: 'Meeting',
    DurationInMinutes: 30,
  });
  return { store, busy, closed, bare, open };
}

const HANDOFF_QUERY =
  "SELECT Id, Email, (SELECT Id, Handoff_Decision_Id__c FROM Tasks WHERE IsClosed = false AND Handoff_Decision_Id__c != null) FROM Lead WHERE Email IN ('a@x.com','b@y.com','c@z.com') ORDER BY Email";

describe('parent-to-child subqueries', () => {
  it('nests matching children in the REST shape and answers null where none match', () => {
    const { store, busy, closed, bare, open } = seeded();
    const result = run(store, HANDOFF_QUERY);
    expect(result.totalSize).toBe(3);
    const child = (task: SfRecord): Record<string, unknown> => ({
      attributes: {
        type: 'Task',
        url: `/services/data/${VERSION}/sobjects/Task/${String(task['Id'])}`,
      },
      Id: task['Id'],
      Handoff_Decision_Id__c: task['Handoff_Decision_Id__c'],
    });
    expect(result.records).toEqual([
      {
        attributes: {
          type: 'Lead',
          url: `/services/data/${VERSION}/sobjects/Lead/${String(busy['Id'])}`,
        },
        Id: busy['Id'],
        Email: 'a@x.com',
        Tasks: { totalSize: 3, done: true, records: open.map(child) },
      },
      {
        attributes: {
          type: 'Lead',
          url: `/services/data/${VERSION}/sobjects/Lead/${String(closed['Id'])}`,
        },
        Id: closed['Id'],
        Email: 'b@y.com',
        // Only a closed Task: no child matches, so null rather than an empty result.
        Tasks: null,
      },
      {
        attributes: {
          type: 'Lead',
          url: `/services/data/${VERSION}/sobjects/Lead/${String(bare['Id'])}`,
        },
        Id: bare['Id'],
        Email: 'c@z.com',
        Tasks: null,
      },
    ]);
    // The relationship comes where the subquery stands in the SELECT list.
    expect(Object.keys(result.records[0] ?? {})).toEqual(['attributes', 'Id', 'Email', 'Tasks']);
  });

  it('orders and limits each parent’s children on their own', () => {
    const { store, busy, open } = seeded();
    const result = run(
      store,
      `SELECT Id, (SELECT Subject, Owner.Name FROM Tasks WHERE IsClosed = false AND Handoff_Decision_Id__c != null ORDER BY CreatedDate DESC LIMIT 2) FROM Lead WHERE Id = '${String(busy['Id'])}'`,
    );
    const record = result.records[0] ?? {};
    const latest = record['Tasks'] as { totalSize: number; records: Record<string, unknown>[] };
    expect(latest.totalSize).toBe(2);
    expect(latest.records.map((task) => task['Subject'])).toEqual(['Third', 'Second']);
    expect(latest.records[0]).toMatchObject({
      attributes: {
        type: 'Task',
        url: `/services/data/${VERSION}/sobjects/Task/${String(open[2]?.['Id'])}`,
      },
      Owner: { attributes: { type: 'User' }, Name: 'Rep' },
    });
  });

  it('matches relationship names case-insensitively and outputs the schema’s spelling', () => {
    const { store, busy } = seeded();
    const result = run(
      store,
      `SELECT Id, (SELECT Subject FROM tasks WHERE Subject = 'first'), (SELECT Subject, DurationInMinutes FROM EVENTS) FROM Lead WHERE Id = '${String(busy['Id'])}'`,
    );
    expect(result.records[0]).toMatchObject({
      Tasks: { totalSize: 1, done: true, records: [{ Subject: 'First' }] },
      Events: {
        totalSize: 1,
        done: true,
        records: [{ attributes: { type: 'Event' }, Subject: 'Meeting', DurationInMinutes: 30 }],
      },
    });
  });

  it('refuses a relationship the parent does not have, naming it', () => {
    const { store } = seeded();
    const unknown = errorOf(() => run(store, 'SELECT Id, (SELECT Id FROM Taskz) FROM Lead'));
    expect(unknown.errorCode).toBe('INVALID_TYPE');
    expect(unknown.message).toMatch(
      /^Didn't understand relationship 'Taskz' in FROM part of query call\./,
    );
    // Contacts have Tasks in Salesforce, but the sandbox defines the relationship on Lead only.
    expect(
      errorOf(() => run(store, 'SELECT Id, (SELECT Id FROM Tasks) FROM Contact')).message,
    ).toMatch(/'Tasks'/);
    // A child object's name is not a relationship name.
    expect(errorOf(() => run(store, 'SELECT Id, (SELECT Id FROM Task) FROM Lead')).message).toMatch(
      /'Task'/,
    );
    // Fields of the subquery are checked against the child object, even with no rows to read.
    const field = errorOf(() =>
      run(store, "SELECT Id, (SELECT Email FROM Tasks) FROM Lead WHERE Email = 'none'"),
    );
    expect(field.errorCode).toBe('INVALID_FIELD');
    expect(field.message).toMatch(/No such column 'Email' on entity 'Task'/);
  });

  it('refuses nested subqueries and COUNT() beside a subquery', () => {
    const { store } = seeded();
    expect(
      errorOf(() =>
        run(store, 'SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Tasks) FROM Lead'),
      ),
    ).toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    expect(
      errorOf(() => run(store, 'SELECT COUNT(), (SELECT Id FROM Tasks) FROM Lead')),
    ).toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    expect(
      errorOf(() =>
        run(store, 'SELECT Id, (SELECT Id FROM Tasks), (SELECT Subject FROM tasks) FROM Lead'),
      ),
    ).toMatchObject({
      errorCode: 'MALFORMED_QUERY',
      message: 'Cannot follow the same aggregate relationship twice: Tasks',
    });
  });

  it('leaves out deleted children, except in queryAll, and matches 15-character WhoIds', () => {
    const { store, closed } = seeded();
    const id = String(closed['Id']);
    const extra = store.insertRaw('Task', {
      WhoId: id.slice(0, 15),
      Subject: 'Short',
      Status: 'Not Started',
    });
    const gone = store.insertRaw('Task', { WhoId: id, Subject: 'Gone', Status: 'Not Started' });
    expect(store.delete(String(gone['Id'])).ok).toBe(true);
    const soql = `SELECT Id, (SELECT Subject FROM Tasks WHERE IsClosed = false) FROM Lead WHERE Id = '${id}'`;
    expect(run(store, soql).records[0]?.['Tasks']).toMatchObject({
      totalSize: 1,
      records: [
        {
          Subject: 'Short',
          attributes: { url: `/services/data/${VERSION}/sobjects/Task/${String(extra['Id'])}` },
        },
      ],
    });
    expect(run(store, soql, { includeDeleted: true }).records[0]?.['Tasks']).toMatchObject({
      totalSize: 2,
    });
  });

  it('finds children through the WhoId index, once per query, with the scan’s answer', () => {
    const store = new SalesforceStore(() => NOW);
    const leads: SfRecord[] = [];
    for (let index = 0; index < 10_000; index += 1)
      leads.push(
        store.insertRaw('Lead', { LastName: `L${index}`, Company: 'C', Email: `u${index}@x.com` }),
      );
    for (let index = 0; index < 20_000; index += 1)
      store.insertRaw('Task', {
        WhoId: leads[(index * 7) % leads.length]?.['Id'] as string,
        Subject: `T${index}`,
        Status: index % 3 === 0 ? 'Completed' : 'Not Started',
        Handoff_Decision_Id__c: index % 2 === 0 ? `dec-${index}` : null,
      });
    const page = leads.slice(1_000, 3_000).map((lead) => `'${String(lead['Id'])}'`);
    const soql = `SELECT Id, (SELECT Id, Subject FROM Tasks WHERE IsClosed = false AND Handoff_Decision_Id__c != null ORDER BY Subject LIMIT 5) FROM Lead WHERE Id IN (${page.join(', ')})`;
    const tables = vi.spyOn(store, 'table');
    const plans: string[] = [];
    const planned = run(store, soql, { onPlan: (plan, from) => plans.push(`${from}:${plan}`) });
    // The child table is opened once for the whole page of 2,000 parents, not once per parent.
    expect(tables.mock.calls.filter(([object]) => object === 'Task')).toHaveLength(1);
    expect(plans).toEqual(['Lead:index', 'Tasks:index']);
    tables.mockRestore();
    expect(planned.totalSize).toBe(2_000);
    expect(planned.records.filter((record) => record['Tasks'] !== null).length).toBeGreaterThan(
      500,
    );
    expect(run(store, soql, { indexMinRows: Infinity })).toEqual(planned);
  });
});
