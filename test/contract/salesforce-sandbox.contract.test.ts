import { createSign, generateKeyPairSync } from 'node:crypto';
import { Connection } from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSalesforceSandbox,
  type SalesforceSandbox,
} from '../../src/sandbox/salesforce/salesforce-sandbox.js';
import type { SfRecord } from '../../src/sandbox/salesforce/salesforce-store.js';
import { HubSpotStore } from '../../src/sandbox/hubspot/hubspot-store.js';
import {
  INTEGRATION_USER_ID,
  LEAD_QUEUE_ID,
  seedTenants,
  SEEDED_USERS,
} from '../../src/sandbox/seed/seed-tenants.js';

const TOKEN = 'sf-test-token';
const NOW = Date.parse('2026-11-26T12:00:00Z');
const VERSION = '62.0';
const ACTIVE_REP = SEEDED_USERS[0].id;
const INACTIVE_REP = SEEDED_USERS.find((user) => !user.active)?.id ?? '';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

let sandbox: SalesforceSandbox;
let url: string;
let conn: Connection;

interface SfError {
  errorCode?: string;
  name?: string;
  message: string;
}

async function sfError(promise: PromiseLike<unknown>): Promise<SfError> {
  try {
    await promise;
  } catch (err) {
    return err as SfError;
  }
  throw new Error('expected the call to fail');
}

/** The wire's per-record error code (`statusCode`); jsforce's type calls it `errorCode`. */
function firstCode(result: { success: boolean; errors: readonly unknown[] }): string {
  if (result.success) return 'ok';
  const error = result.errors[0] as { statusCode?: string } | undefined;
  return error?.statusCode ?? 'unknown';
}

function leadIds(predicate: (lead: SfRecord) => boolean, start: number, count: number): string[] {
  return leads(predicate)
    .slice(start, start + count)
    .map((lead) => String(lead['Id']));
}

function leads(predicate: (lead: SfRecord) => boolean = () => true): SfRecord[] {
  return [...sandbox.store.table('Lead').values()].filter(
    (lead) => lead['IsDeleted'] !== true && predicate(lead),
  );
}

async function control(path: string, method: string, body?: unknown): Promise<Response> {
  return fetch(`${url}/__sandbox${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
}

function jwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256' })}.${encode(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
}

beforeAll(async () => {
  sandbox = createSalesforceSandbox({
    tokens: [TOKEN],
    now: () => NOW,
    apps: [
      { clientId: 'cc-app', clientSecret: 'cc-secret', runAsUserId: INTEGRATION_USER_ID },
      {
        clientId: 'jwt-app',
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
    ],
  });
  seedTenants(new HubSpotStore(() => NOW), sandbox.store, { seed: 5, contacts: 9_000, now: NOW });
  url = await sandbox.server.listen();
  conn = new Connection({ instanceUrl: url, accessToken: TOKEN, version: VERSION });
});

afterAll(async () => {
  await sandbox.server.close();
});

afterEach(() => {
  sandbox.server.faults.clear();
  // An injected session expiry ends every session, the static test token's too.
  sandbox.auth.allow(TOKEN);
});

describe('query, queryMore, queryAll', () => {
  it('pages 2,000 records at a time through locators under /query/', async () => {
    const expected = leads().length;
    const first = await conn.query('SELECT Id, Email FROM Lead ORDER BY Id');
    expect(first.totalSize).toBe(expected);
    expect(first.records).toHaveLength(2_000);
    expect(first.done).toBe(false);
    expect(first.nextRecordsUrl).toMatch(
      new RegExp(`/services/data/v${VERSION}/query/01g\\w+-2000$`),
    );
    const second = await conn.queryMore(first.nextRecordsUrl ?? '');
    expect(second.records).toHaveLength(2_000);
    expect(second.records[0]?.Id).not.toBe(first.records[0]?.Id);
    const all = await conn.query('SELECT Id FROM Lead').run({ autoFetch: true, maxFetch: 100_000 });
    expect(new Set(all.records.map((record) => record.Id)).size).toBe(expected);
  });

  it('honours a smaller batch size from Sforce-Query-Options', async () => {
    const page = await conn.query('SELECT Id FROM Lead', {
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    expect(page.records).toHaveLength(200);
  });

  it('nests parent relationships, formats datetimes with +0000 and reports api usage', async () => {
    const lead = leads((candidate) => candidate['OwnerId'] === ACTIVE_REP)[0];
    const result = await conn.query(
      `SELECT Id, Owner.Name, Owner.IsActive, ConvertedContact.Email, SystemModstamp FROM Lead WHERE Id = '${String(lead?.['Id'])}'`,
    );
    const record = result.records[0] as Record<string, unknown>;
    expect(record['Owner']).toMatchObject({
      attributes: { type: 'User' },
      Name: 'Amelia Hughes',
      IsActive: true,
    });
    expect(record['ConvertedContact']).toBeNull();
    expect(record['SystemModstamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    expect(conn.limitInfo?.apiUsage?.used).toBeGreaterThan(0);
  });

  it('includes deleted records only in queryAll', async () => {
    const victim = leads()[3];
    await conn.sobject('Lead').destroy(String(victim?.['Id']));
    const soql = `SELECT Id, IsDeleted FROM Lead WHERE Id = '${String(victim?.['Id'])}'`;
    expect((await conn.query(soql)).totalSize).toBe(0);
    const all = await conn.query(soql, { scanAll: true });
    expect(all.records[0]).toMatchObject({ IsDeleted: true });
  });

  it.each([
    [
      'AND with parentheses around OR',
      "SELECT Id FROM Lead WHERE IsConverted = false AND (Status = 'Unqualified' OR Status = 'Rejected')",
      (l: SfRecord) =>
        l['IsConverted'] === false && (l['Status'] === 'Unqualified' || l['Status'] === 'Rejected'),
    ],
    [
      'NOT and IN',
      "SELECT Id FROM Lead WHERE NOT Status IN ('Open - Not Contacted', 'Working - Contacted')",
      (l: SfRecord) =>
        !['Open - Not Contacted', 'Working - Contacted'].includes(String(l['Status'])),
    ],
    [
      'NOT IN with ids',
      `SELECT Id FROM Lead WHERE OwnerId NOT IN ('${LEAD_QUEUE_ID}', '${ACTIVE_REP}')`,
      (l: SfRecord) => l['OwnerId'] !== LEAD_QUEUE_ID && l['OwnerId'] !== ACTIVE_REP,
    ],
    [
      'LIKE, case-insensitive',
      "SELECT Id FROM Lead WHERE Email LIKE '%@GMAIL.com'",
      (l: SfRecord) => String(l['Email'] ?? '').endsWith('@gmail.com'),
    ],
    [
      '= null',
      'SELECT Id FROM Lead WHERE Email = null',
      (l: SfRecord) => l['Email'] === null || l['Email'] === undefined,
    ],
    [
      '!= null on a number',
      'SELECT Id FROM Lead WHERE NumberOfEmployees != null AND NumberOfEmployees >= 5000',
      (l: SfRecord) => typeof l['NumberOfEmployees'] === 'number' && l['NumberOfEmployees'] >= 5000,
    ],
    [
      'a datetime literal',
      'SELECT Id FROM Lead WHERE SystemModstamp > 2026-11-01T00:00:00Z',
      (l: SfRecord) => Number(l['SystemModstamp']) > Date.parse('2026-11-01T00:00:00Z'),
    ],
    [
      'LAST_N_DAYS',
      'SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:30',
      (l: SfRecord) => Number(l['CreatedDate']) >= Date.parse('2026-10-27T00:00:00Z'),
    ],
    [
      'a relationship in WHERE',
      'SELECT Id FROM Lead WHERE Owner.IsActive = false',
      (l: SfRecord) =>
        l['OwnerId'] === INACTIVE_REP ||
        SEEDED_USERS.some((user) => !user.active && user.id === l['OwnerId']),
    ],
    [
      'a date field against a date literal',
      'SELECT Id FROM Lead WHERE ConvertedDate >= 2026-06-01',
      (l: SfRecord) => typeof l['ConvertedDate'] === 'string' && l['ConvertedDate'] >= '2026-06-01',
    ],
  ])('filters: %s', async (_label, soql, predicate) => {
    const result = await conn.query(soql).run({ autoFetch: true, maxFetch: 100_000 });
    const expected = leads(predicate)
      .map((lead) => lead['Id'])
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(result.records.map((record) => record.Id).sort()).toEqual(expected);
  });

  it('matches a 15-character id literal on its prefix', async () => {
    const id = String(leads()[7]?.['Id']);
    const result = await conn.query(`SELECT Id FROM Lead WHERE Id = '${id.slice(0, 15)}'`);
    expect(result.records.map((record) => record.Id)).toEqual([id]);
  });

  it('orders, limits and offsets; counts; groups', async () => {
    const ordered = await conn.query(
      'SELECT Id, NumberOfEmployees FROM Lead WHERE NumberOfEmployees != null ORDER BY NumberOfEmployees DESC, Id LIMIT 5 OFFSET 2',
    );
    const expected = leads((lead) => typeof lead['NumberOfEmployees'] === 'number')
      .sort(
        (a, b) =>
          Number(b['NumberOfEmployees']) - Number(a['NumberOfEmployees']) ||
          String(a['Id']).localeCompare(String(b['Id'])),
      )
      .slice(2, 7)
      .map((lead) => lead['Id']);
    expect(ordered.records.map((record) => record.Id)).toEqual(expected);
    const count = await conn.query("SELECT COUNT() FROM Lead WHERE Status = 'Unqualified'");
    expect(count.totalSize).toBe(leads((lead) => lead['Status'] === 'Unqualified').length);
    expect(count.records).toEqual([]);
    const grouped = await conn.query(
      'SELECT OwnerId, COUNT(Id) open FROM Lead WHERE IsConverted = false GROUP BY OwnerId',
    );
    const queueRow = grouped.records.find(
      (row) => (row as Record<string, unknown>)['OwnerId'] === LEAD_QUEUE_ID,
    ) as Record<string, unknown>;
    expect(queueRow['open']).toBe(
      leads((lead) => lead['OwnerId'] === LEAD_QUEUE_ID && lead['IsConverted'] === false).length,
    );
  });

  it('answers Tasks subqueries: the open Task nested under its Lead, null for a Lead without', async () => {
    const created = await conn.sobject('Lead').create([
      { LastName: 'Open', Company: 'Subquery', Email: 'open-task@subquery.example' },
      { LastName: 'Quiet', Company: 'Subquery', Email: 'no-task@subquery.example' },
    ]);
    const [withTask, without] = created.map((result) => (result.success ? result.id : ''));
    const task = await conn.sobject('Task').create({
      WhoId: withTask,
      Subject: 'Call',
      Status: 'Not Started',
      Handoff_Decision_Id__c: 'subquery-decision',
    });
    expect(task.success).toBe(true);
    // A closed Task of the other Lead: filtered out by the subquery's WHERE.
    await conn.sobject('Task').create({ WhoId: without, Subject: 'Done', Status: 'Completed' });
    const result = await conn.query<Record<string, unknown>>(
      "SELECT Id, Email, (SELECT Id, Handoff_Decision_Id__c FROM Tasks WHERE IsClosed = false AND Handoff_Decision_Id__c != null) FROM Lead WHERE Email IN ('open-task@subquery.example','no-task@subquery.example') ORDER BY Email DESC",
    );
    expect(result.records).toEqual([
      {
        attributes: { type: 'Lead', url: `/services/data/v${VERSION}/sobjects/Lead/${withTask}` },
        Id: withTask,
        Email: 'open-task@subquery.example',
        Tasks: {
          totalSize: 1,
          done: true,
          records: [
            {
              attributes: {
                type: 'Task',
                url: `/services/data/v${VERSION}/sobjects/Task/${task.success ? task.id : ''}`,
              },
              Id: task.success ? task.id : '',
              Handoff_Decision_Id__c: 'subquery-decision',
            },
          ],
        },
      },
      {
        attributes: { type: 'Lead', url: `/services/data/v${VERSION}/sobjects/Lead/${without}` },
        Id: without,
        Email: 'no-task@subquery.example',
        Tasks: null,
      },
    ]);
  });

  it('pages Leads with a Tasks subquery through locators, each page carrying its children', async () => {
    const live = new Set(leads().map((lead) => String(lead['Id'])));
    const withTasks = new Map<string, number>();
    for (const task of sandbox.store.table('Task').values()) {
      const who = String(task['WhoId']);
      if (task['IsDeleted'] !== true && live.has(who))
        withTasks.set(who, (withTasks.get(who) ?? 0) + 1);
    }
    const first = await conn.query<Record<string, unknown>>(
      'SELECT Id, (SELECT Id FROM Tasks) FROM Lead',
    );
    expect(first.done).toBe(false);
    expect(first.nextRecordsUrl).toBeDefined();
    const all = await conn
      .query<Record<string, unknown>>('SELECT Id, (SELECT Id FROM Tasks) FROM Lead')
      .run({ autoFetch: true, maxFetch: 100_000 });
    expect(all.records).toHaveLength(leads().length);
    const counted = new Map<string, number>();
    for (const record of all.records) {
      const tasks = record['Tasks'] as { totalSize: number } | null;
      if (tasks !== null) counted.set(String(record['Id']), tasks.totalSize);
    }
    expect(counted.size).toBeGreaterThan(100);
    expect(counted).toEqual(withTasks);
  });

  it.each([
    ["SELECT Id FROM Lead WHERE Status = 'A' AND Email = null OR Title = null", 'MALFORMED_QUERY'],
    ['SELECT Id FROM Lead WHERE', 'MALFORMED_QUERY'],
    ['SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Tasks) FROM Lead', 'MALFORMED_QUERY'],
    ['SELECT Id, (SELECT Id FROM Taskz) FROM Lead', 'INVALID_TYPE'],
    ['SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Task)', 'MALFORMED_QUERY'],
    ['SELECT Id FROM Lead FOR UPDATE', 'MALFORMED_QUERY'],
    ['SELECT Nope__c FROM Lead', 'INVALID_FIELD'],
    ["SELECT Id FROM Lead WHERE SystemModstamp > '2026-01-01T00:00:00Z'", 'INVALID_FIELD'],
    ['SELECT Id FROM Solution', 'INVALID_TYPE'],
  ])('answers 400 to %s with %s', async (soql, errorCode) => {
    const error = await sfError(conn.query(soql));
    expect(error.errorCode).toBe(errorCode);
  });
});

describe('sObject Collections', () => {
  it('updates 200 at a time with per-record results in input order', async () => {
    const [ok = '', picklist = '', inactive = '', tooLong = '', unknown = '', readOnly = ''] =
      leadIds((lead) => lead['IsConverted'] === false, 0, 6);
    const converted = leads((lead) => lead['IsConverted'] === true)[0];
    const results = await conn.sobject('Lead').update(
      [
        { Id: ok, Title: 'VP Data', OwnerId: ACTIVE_REP },
        { Id: picklist, Status: 'Maybe later' },
        { Id: inactive, OwnerId: INACTIVE_REP },
        { Id: tooLong, Title: 'x'.repeat(129) },
        { Id: unknown, Favourite_Colour__c: 'teal' },
        { Id: readOnly, IsConverted: true },
        { Id: String(converted?.['Id']), Title: 'CFO' },
      ],
      { headers: { 'Sforce-Auto-Assign': 'FALSE' } },
    );
    expect(results.map(firstCode)).toEqual([
      'ok',
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      'INACTIVE_OWNER_OR_USER',
      'STRING_TOO_LONG',
      'INVALID_FIELD',
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      'CANNOT_UPDATE_CONVERTED_LEAD',
    ]);
    expect(results[1]).not.toHaveProperty('id');
    expect(sandbox.store.get(ok ?? '')?.record['Title']).toBe('VP Data');
  });

  it('rolls everything back with allOrNone', async () => {
    const [a = '', b = ''] = leadIds((lead) => lead['IsConverted'] === false, 10, 2);
    const before = sandbox.store.get(a ?? '')?.record['Title'] ?? null;
    const response = await fetch(`${url}/services/data/v${VERSION}/composite/sobjects`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        allOrNone: true,
        records: [
          { attributes: { type: 'Lead' }, id: a, Title: 'Changed' },
          { attributes: { type: 'Lead' }, id: b, Status: 'Nope' },
        ],
      }),
    });
    const body = (await response.json()) as {
      success: boolean;
      errors: { statusCode: string }[];
    }[];
    expect(response.status).toBe(200);
    expect(body.map(firstCode)).toEqual([
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    ]);
    expect(sandbox.store.get(a ?? '')?.record['Title'] ?? null).toBe(before);
  });

  it('refuses more than 200 records', async () => {
    const many = leads()
      .slice(0, 201)
      .map((lead) => ({ Id: String(lead['Id']), Title: 'x' }));
    const error = await sfError(conn.sobject('Lead').update(many));
    expect(error.errorCode).toBe('EXCEEDED_ID_LIMIT');
  });

  it('creates, upserts on the external id, and deletes', async () => {
    const created = await conn.sobject('Task').create([
      {
        WhoId: String(leads()[0]?.['Id']),
        OwnerId: ACTIVE_REP,
        Subject: 'Follow up',
        ActivityDate: '2026-11-27',
        Priority: 'High',
        ReminderDateTime: '2026-11-27T14:00:00.000Z',
        IsReminderSet: true,
      },
      {
        WhoId: String(leads()[0]?.['Id']),
        OwnerId: ACTIVE_REP,
        Subject: 'Bad',
        Priority: 'Urgent',
      },
    ]);
    expect(created.map((result) => result.success)).toEqual([true, false]);
    const upserted = await conn.sobject('Lead').upsert(
      [
        { HubSpot_Contact_Id__c: 'hs-upsert-1', LastName: 'Upsert', Company: 'Acme' },
        { HubSpot_Contact_Id__c: 'hs-upsert-1', Title: 'Again' },
        { HubSpot_Contact_Id__c: 'hs-upsert-2', Company: 'No last name' },
      ],
      'HubSpot_Contact_Id__c',
    );
    expect(
      upserted.map((result) =>
        result.success ? (result as { created: boolean }).created : firstCode(result),
      ),
    ).toEqual([true, false, 'REQUIRED_FIELD_MISSING']);
    const id = upserted[0]?.success === true ? upserted[0].id : '';
    const deleted = await conn.sobject('Lead').destroy([id]);
    expect(deleted[0]?.success).toBe(true);
  });

  it('answers UNABLE_TO_LOCK_ROW per record, and partial failures, when injected', async () => {
    const ids = leadIds((lead) => lead['IsConverted'] === false, 20, 4);
    await control('/faults', 'POST', {
      kind: 'lock_row',
      endpoint: 'collections.update',
      times: 1,
    });
    const locked = await conn
      .sobject('Lead')
      .update(ids.map((id) => ({ Id: id, Title: 'Locked' })));
    expect(locked.every((result) => firstCode(result) === 'UNABLE_TO_LOCK_ROW')).toBe(true);
    await control('/faults', 'POST', {
      kind: 'partial_batch',
      endpoint: 'collections.update',
      fraction: 0.5,
      times: 1,
    });
    const partial = await conn
      .sobject('Lead')
      .update(ids.map((id) => ({ Id: id, Title: 'Partial' })));
    expect(partial.filter((result) => result.success)).toHaveLength(2);
  });
});

describe('single records, describe, limits', () => {
  it('creates (201), updates (204), reads, and upserts by external id (201, 200, 300)', async () => {
    const created = await conn
      .sobject('Lead')
      .create({ LastName: 'Single', Company: 'Acme', Email: 'single@acme.com' });
    expect(created.success).toBe(true);
    const id = created.id ?? '';
    const updated = await conn.sobject('Lead').update({ Id: id, Title: 'Head of Data' });
    expect(updated.success).toBe(true);
    const read = await conn.sobject('Lead').retrieve(id);
    expect(read['Title']).toBe('Head of Data');
    const first = await conn
      .sobject('Lead')
      .upsert(
        { HubSpot_Contact_Id__c: 'hs-single', LastName: 'One', Company: 'Acme' },
        'HubSpot_Contact_Id__c',
      );
    expect((first as { created: boolean }).created).toBe(true);
    const second = await conn
      .sobject('Lead')
      .upsert({ HubSpot_Contact_Id__c: 'hs-single', Title: 'CTO' }, 'HubSpot_Contact_Id__c');
    expect((second as { created: boolean }).created).toBe(false);
    sandbox.store.insertRaw('Lead', {
      LastName: 'Dup',
      Company: 'A',
      HubSpot_Contact_Id__c: 'hs-dup',
    });
    sandbox.store.insertRaw('Lead', {
      LastName: 'Dup',
      Company: 'B',
      HubSpot_Contact_Id__c: 'hs-dup',
    });
    const multiple = await sfError(
      conn
        .sobject('Lead')
        .upsert({ HubSpot_Contact_Id__c: 'hs-dup', Title: 'x' }, 'HubSpot_Contact_Id__c'),
    );
    expect(multiple.errorCode).toBe('MULTIPLE_CHOICES');
    const missing = await sfError(conn.sobject('Lead').create({ Company: 'No name' }));
    expect(missing.errorCode).toBe('REQUIRED_FIELD_MISSING');
  });

  it('maintains SystemModstamp and LastModifiedDate on writes', async () => {
    const lead = leads((candidate) => candidate['IsConverted'] === false)[40];
    const before = Number(lead?.['SystemModstamp']);
    await conn.sobject('Lead').update({ Id: String(lead?.['Id']), Title: 'Touched' });
    expect(
      Number(sandbox.store.get(String(lead?.['Id']))?.record['SystemModstamp']),
    ).toBeGreaterThan(before);
  });

  it.each(['Lead', 'Contact', 'Account', 'User', 'Group', 'Task', 'Event'])(
    'describes %s',
    async (object) => {
      const describe = await conn.sobject(object).describe();
      expect(describe.name).toBe(object);
      expect(describe.fields.map((field) => field.name)).toContain('Id');
      if (object === 'Lead') {
        const status = describe.fields.find((field) => field.name === 'Status');
        expect(status?.restrictedPicklist).toBe(true);
        expect(status?.picklistValues?.map((value: { value: string }) => value.value)).toContain(
          'Open - Not Contacted',
        );
        expect(
          describe.fields.find((field) => field.name === 'HubSpot_Contact_Id__c'),
        ).toMatchObject({ externalId: true, unique: true, custom: true });
        expect(describe.fields.find((field) => field.name === 'OwnerId')).toMatchObject({
          referenceTo: ['Group', 'User'],
          relationshipName: 'Owner',
        });
      }
    },
  );

  it('reports limits and answers 403 REQUEST_LIMIT_EXCEEDED once the allocation is spent', async () => {
    const limits = await conn.limits();
    expect(limits['DailyApiRequests']?.Max).toBe(100_000);
    await control('/api-usage', 'PUT', { used: 100_000 });
    try {
      const error = await sfError(conn.query('SELECT Id FROM Lead LIMIT 1'));
      expect(error.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    } finally {
      await control('/api-usage', 'PUT', { used: 0 });
    }
  });
});

describe('assignment rules', () => {
  it('overwrite OwnerId on Lead writes unless Sforce-Auto-Assign: FALSE is sent', async () => {
    const [a = '', b = ''] = leadIds((lead) => lead['IsConverted'] === false, 50, 2);
    const since = sandbox.server.log.lastSeq;
    await conn.sobject('Lead').update([{ Id: a, OwnerId: ACTIVE_REP }]);
    await conn.sobject('Lead').update([{ Id: b, OwnerId: ACTIVE_REP }], {
      headers: { 'Sforce-Auto-Assign': 'FALSE' },
    });
    expect(sandbox.store.get(a ?? '')?.record['OwnerId']).toBe(LEAD_QUEUE_ID);
    expect(sandbox.store.get(b ?? '')?.record['OwnerId']).toBe(ACTIVE_REP);
    expect(
      sandbox.server.log.list(since).map((call) => call.headers['sforce-auto-assign'] ?? null),
    ).toEqual([null, 'FALSE']);
  });
});

describe('OAuth and sessions', () => {
  it('issues tokens for client credentials, with the fields jsforce needs', async () => {
    const client = new Connection({
      loginUrl: url,
      version: VERSION,
      oauth2: { clientId: 'cc-app', clientSecret: 'cc-secret', loginUrl: url },
    });
    const user = await client.authorize({ grant_type: 'client_credentials' });
    expect(user.id).toBe(INTEGRATION_USER_ID);
    expect(client.instanceUrl).toBe(url);
    expect((await client.query('SELECT Id FROM User LIMIT 1')).records).toHaveLength(1);
    const bad = new Connection({
      loginUrl: url,
      version: VERSION,
      oauth2: { clientId: 'cc-app', clientSecret: 'wrong', loginUrl: url },
    });
    const error = await sfError(bad.authorize({ grant_type: 'client_credentials' }));
    expect(error.name).toBe('invalid_client');
  });

  it('issues tokens for a signed JWT bearer assertion, and refuses a bad signature or user', async () => {
    const username = 'integration@handoff.sandbox';
    const client = new Connection({
      loginUrl: url,
      version: VERSION,
      oauth2: { clientId: 'jwt-app', loginUrl: url },
    });
    const claims = { iss: 'jwt-app', sub: username, aud: url, exp: Math.floor(NOW / 1000) + 180 };
    const user = await client.authorize({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: jwt(claims),
    });
    expect(user.id).toBe(INTEGRATION_USER_ID);
    const tampered = jwt(claims).replace(/\.[^.]+$/, '.AAAA');
    expect(
      (
        await sfError(
          client.authorize({
            grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
            assertion: tampered,
          }),
        )
      ).name,
    ).toBe('invalid_grant');
    const inactive = jwt({ ...claims, sub: 'nobody@nowhere' });
    expect(
      (
        await sfError(
          client.authorize({
            grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
            assertion: inactive,
          }),
        )
      ).name,
    ).toBe('invalid_grant');
  });

  it('answers 401 INVALID_SESSION_ID after an injected expiry, and a refresh recovers', async () => {
    const login = new Connection({
      loginUrl: url,
      version: VERSION,
      oauth2: { clientId: 'cc-app', clientSecret: 'cc-secret', loginUrl: url },
    });
    await login.authorize({ grant_type: 'client_credentials' });
    let refreshes = 0;
    const client = new Connection({
      instanceUrl: url,
      accessToken: login.accessToken ?? '',
      version: VERSION,
      refreshFn: (_conn, callback) => {
        refreshes += 1;
        const again = new Connection({
          loginUrl: url,
          version: VERSION,
          oauth2: { clientId: 'cc-app', clientSecret: 'cc-secret', loginUrl: url },
        });
        again.authorize({ grant_type: 'client_credentials' }).then(
          () => {
            callback(null, again.accessToken ?? '');
          },
          (err: Error) => {
            callback(err);
          },
        );
      },
    });
    await control('/faults', 'POST', {
      kind: 'expire_session',
      endpoint: 'query',
      afterCalls: 1,
      times: 1,
    });
    await client.query('SELECT Id FROM User LIMIT 1');
    const result = await client.query('SELECT Id FROM User LIMIT 1');
    expect(result.records).toHaveLength(1);
    expect(refreshes).toBe(1);
    const stale = await sfError(
      new Connection({
        instanceUrl: url,
        accessToken: login.accessToken ?? '',
        version: VERSION,
      }).query('SELECT Id FROM User LIMIT 1'),
    );
    expect(stale.errorCode).toBe('INVALID_SESSION_ID');
  });

  it('lets jsforce retry a one-off 503 on a GET, and never retries a POST', async () => {
    await control('/faults', 'POST', { kind: 'server_error', endpoint: 'query', times: 1 });
    const since = sandbox.server.log.lastSeq;
    const result = await conn.query('SELECT Id FROM User LIMIT 1');
    expect(result.records).toHaveLength(1);
    expect(sandbox.server.log.list(since).map((call) => call.status)).toEqual([503, 200]);
    await control('/faults', 'POST', {
      kind: 'server_error',
      endpoint: 'collections.create',
      times: 1,
      status: 500,
    });
    const error = await sfError(
      conn.sobject('Task').create([{ Subject: 'x', OwnerId: ACTIVE_REP }]),
    );
    expect(error.errorCode).toBe('UNKNOWN_EXCEPTION');
  });
});
