import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAllEach } from '../../src/adapters/salesforce/salesforce-composite.js';
import { createSalesforceConnection } from '../../src/adapters/salesforce/salesforce-connection.js';
import { SalesforceDirectory } from '../../src/adapters/salesforce/salesforce-directory.adapter.js';
import {
  SalesforceLeadStore,
  websiteDomain,
} from '../../src/adapters/salesforce/salesforce-lead-store.adapter.js';
import { resolveMapping } from '../../src/domain/mapping.js';
import { IntegrationError } from '../../src/platform/errors.js';
import { HubSpotStore } from '../../src/sandbox/hubspot/hubspot-store.js';
import {
  createSalesforceSandbox,
  type SalesforceSandbox,
} from '../../src/sandbox/salesforce/salesforce-sandbox.js';
import type { SfRecord } from '../../src/sandbox/salesforce/salesforce-store.js';
import {
  INTEGRATION_USER_ID,
  LEAD_QUEUE_ID,
  SEEDED_USERS,
  seedTenants,
} from '../../src/sandbox/seed/seed-tenants.js';
import { makeDefinition } from '../support/factories.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const REP = SEEDED_USERS[0].id;
let sandbox: SalesforceSandbox;
let url: string;
let store: SalesforceLeadStore;
let directory: SalesforceDirectory;

let rawConnection: Connection;
/** The subrequest URLs of each Composite request the adapters sent. */
const subrequests: string[][] = [];

function leads(predicate: (lead: SfRecord) => boolean): SfRecord[] {
  return [...sandbox.store.table('Lead').values()].filter(
    (lead) => lead['IsDeleted'] !== true && predicate(lead),
  );
}

beforeAll(async () => {
  sandbox = createSalesforceSandbox({
    tokens: ['tok'],
    now: () => NOW,
    apps: [{ clientId: 'app', clientSecret: 'secret', runAsUserId: INTEGRATION_USER_ID }],
  });
  seedTenants(new HubSpotStore(() => NOW), sandbox.store, { seed: 13, contacts: 1_200, now: NOW });
  url = await sandbox.server.listen();
  const connection = await createSalesforceConnection({
    auth: { kind: 'client_credentials', loginUrl: url, clientId: 'app', clientSecret: 'secret' },
    version: '62.0',
  });
  // What each Composite request asked, as Salesforce receives it.
  const post = connection.requestPost.bind(connection);
  connection.requestPost = ((target: string, body: unknown, ...rest: unknown[]) => {
    const sent = (body as { compositeRequest?: { url: string }[] }).compositeRequest;
    if (target === '/composite' && sent !== undefined) subrequests.push(sent.map((sub) => sub.url));
    return (post as (...args: unknown[]) => unknown)(target, body, ...rest);
  }) as typeof connection.requestPost;
  rawConnection = connection;
  store = new SalesforceLeadStore(connection, resolveMapping(makeDefinition().mapping));
  directory = new SalesforceDirectory(connection);
});

afterAll(async () => {
  await sandbox.server.close();
});

describe('SalesforceDirectory', () => {
  it('reads users with zones and managers, queues, and open-lead counts in one aggregate', async () => {
    const users = await directory.users();
    expect(users.find((user) => user.id === REP)).toEqual({
      id: REP,
      name: 'Amelia Hughes',
      active: true,
      timezone: 'Europe/London',
      managerId: '0055e000001MANAGER',
    });
    expect(users.filter((user) => !user.active).length).toBe(2);
    expect((await directory.queues()).map((queue) => queue.id)).toContain(LEAD_QUEUE_ID);
    sandbox.server.log.reset();
    const counts = await directory.openLeadCounts([
      'Closed - Converted',
      'Closed - Not Converted',
      'Unqualified',
    ]);
    expect(sandbox.server.log.summary().total).toBe(1);
    expect(counts.get(REP)).toBe(
      leads(
        (lead) =>
          lead['OwnerId'] === REP &&
          lead['IsConverted'] === false &&
          !['Closed - Converted', 'Closed - Not Converted', 'Unqualified'].includes(
            String(lead['Status']),
          ),
      ).length,
    );
  });
});

describe('queryAllEach', () => {
  it('asks up to five queries per Composite call and follows a long answer to its last page', async () => {
    for (let index = 0; index < 2_100; index += 1)
      sandbox.store.create('Account', { Name: `Bulk ${index}`, Website: 'bulk.example' }, false);
    sandbox.server.log.reset();
    subrequests.length = 0;
    const queries = [
      "SELECT Id FROM Account WHERE Website = 'bulk.example'",
      ...Array.from(
        { length: 5 },
        (_, index) => `SELECT Id FROM Account WHERE Name = 'Bulk ${index}'`,
      ),
    ];
    const answers = await queryAllEach(rawConnection, queries);
    expect(answers.map((records) => records.length)).toEqual([2_100, 1, 1, 1, 1, 1]);
    expect(new Set(answers[0]?.map((record) => record['Id'])).size).toBe(2_100);
    // Five in one Composite call, the sixth alone, and the long answer's second page.
    expect(subrequests.map((group) => group.length)).toEqual([5]);
    expect(sandbox.server.log.list().map((call) => call.endpoint)).toEqual([
      'composite',
      'queryMore',
      'query',
    ]);
  });
});

describe('queries asked together', () => {
  it('share Composite calls across callers, and a failed query fails only its caller', async () => {
    sandbox.server.log.reset();
    subrequests.length = 0;
    const [accounts, broken, leadCount] = await Promise.allSettled([
      queryAllEach(rawConnection, ["SELECT Id FROM Account WHERE Name = 'Bulk 7'"]),
      queryAllEach(rawConnection, ['SELECT Nope__c FROM Lead']),
      queryAllEach(rawConnection, ["SELECT Id FROM Lead WHERE Email = 'nobody@nowhere.example'"]),
    ]);
    expect(sandbox.server.log.list().map((call) => call.endpoint)).toEqual(['composite']);
    expect(subrequests.map((group) => group.length)).toEqual([3]);
    expect(accounts.status === 'fulfilled' && accounts.value[0]?.length).toBe(1);
    expect(leadCount.status === 'fulfilled' && leadCount.value[0]?.length).toBe(0);
    expect(broken.status).toBe('rejected');
    expect(broken.status === 'rejected' && (broken.reason as IntegrationError).kind).toBe(
      'installation',
    );
  });
});

describe('SalesforceLeadStore', () => {
  it('finds leads by id, HubSpot contact id and email, in few queries', async () => {
    const byHubSpot = leads((lead) => typeof lead['HubSpot_Contact_Id__c'] === 'string').slice(
      0,
      150,
    );
    const byEmail = leads((lead) => typeof lead['Email'] === 'string').slice(200, 260);
    const byId = leads(() => true).slice(400, 410);
    sandbox.server.log.reset();
    const found = await store.findLeads({
      leadIds: byId.map((lead) => String(lead['Id'])),
      hubspotContactIds: byHubSpot.map((lead) => String(lead['HubSpot_Contact_Id__c'])),
      emails: byEmail.map((lead) => String(lead['Email'])),
    });
    const ids = new Set(found.map((lead) => lead.id));
    for (const lead of [...byHubSpot, ...byEmail, ...byId])
      expect(ids.has(String(lead['Id']))).toBe(true);
    expect(sandbox.server.log.summary().byEndpoint['query']?.calls).toBe(1);
    const converted = found.find((lead) => lead.isConverted);
    expect(converted?.convertedContactId ?? 'none').toMatch(/^003|none/);
  });

  it('splits large lookups only where the 16,384-byte query URL requires it (431 beyond)', async () => {
    const all = leads((lead) => typeof lead['Email'] === 'string');
    const emails = all.slice(0, 600).map((lead) => String(lead['Email']));
    sandbox.server.log.reset();
    subrequests.length = 0;
    const found = await store.findLeads({ leadIds: [], hubspotContactIds: [], emails });
    const foundEmails = new Set(found.map((lead) => lead.email?.toLowerCase()));
    for (const email of emails) expect(foundEmails.has(email.toLowerCase())).toBe(true);
    const calls = sandbox.server.log.list();
    // 600 emails of ~30 characters, as the URL carries them (each literal's quotes escaped by
    // the URL parser): about 30 KB of WHERE clause, so 3 queries, each a URL a plain query could
    // send, asked together in one Composite request: one API call.
    expect(calls.map((call) => call.endpoint)).toEqual(['composite']);
    expect(subrequests).toHaveLength(1);
    expect(subrequests[0]).toHaveLength(3);
    for (const sub of subrequests[0] ?? [])
      expect(new URL(sub, url).href.length).toBeLessThan(16_384 - 2_000);
    expect(calls.every((call) => call.status === 200)).toBe(true);
    // Short quoted values are mostly quotes: 1,500 of them still never overflow the URL.
    sandbox.server.log.reset();
    await store.findLeads({
      leadIds: Array.from(
        { length: 500 },
        (_, index) => `00Q5e0000000${String(index).padStart(5, '0')}A`,
      ),
      hubspotContactIds: Array.from({ length: 500 }, (_, index) => String(100_000 + index)),
      emails: Array.from({ length: 500 }, (_, index) => `p${index}@x.co`),
    });
    expect(sandbox.server.log.list().every((call) => call.status === 200)).toBe(true);
    const tooLong = await fetch(
      `${url}/services/data/v62.0/query?q=${encodeURIComponent(`SELECT Id FROM Lead WHERE Email IN ('${'x'.repeat(17_000)}')`)}`,
      { headers: { Authorization: 'Bearer tok' } },
    );
    // Node's own limit on the request head answers as Salesforce does for URI + headers.
    expect(tooLong.status).toBe(431);
  });

  it('leaves keys that cannot identify a Lead out of the query, so one poisoned value breaks nothing', async () => {
    const lead = leads((candidate) => typeof candidate['Email'] === 'string')[0];
    const email = String(lead?.['Email']);
    const poisoned = `${'x'.repeat(20_000)}@example.com`;
    expect(store.emailProblem(poisoned)).toBe(
      "email has 20012 characters; Salesforce's Email field holds at most 80",
    );
    expect(store.emailProblem(email)).toBeNull();
    // 100 long emails full of characters that URL-encode to three bytes each.
    const wide = Array.from({ length: 100 }, (_, index) => `${'+'.repeat(70)}${index}@ex.co`);
    sandbox.server.log.reset();
    subrequests.length = 0;
    const found = await store.findLeads({
      leadIds: ['x'.repeat(5_000), "00Q' OR Id != '"],
      hubspotContactIds: ['9'.repeat(5_000)],
      emails: [poisoned, ...wide, email],
    });
    expect(found.map((each) => each.id)).toEqual([lead?.['Id']]);
    const calls = sandbox.server.log.list();
    // The wide emails need more than one query; all of them go in one call.
    expect(subrequests.flat().length).toBeGreaterThan(1);
    expect(calls.every((call) => call.status === 200)).toBe(true);
    // Nothing at all to look up: no call.
    sandbox.server.log.reset();
    expect(
      await store.findLeads({ leadIds: ['bad'], hubspotContactIds: [], emails: [poisoned] }),
    ).toEqual([]);
    expect(sandbox.server.log.list()).toHaveLength(0);
  });

  it('matches account owners by website domain, literally and never by a blank one', async () => {
    const account = [...sandbox.store.table('Account').values()][3];
    const domain = websiteDomain(String(account?.['Website']));
    const owners = await store.accountOwnersByDomain([domain ?? '', 'nowhere.example']);
    expect(owners.get(domain ?? '')).toEqual({
      accountId: account?.['Id'],
      ownerId: account?.['OwnerId'],
    });
    expect(owners.has('nowhere.example')).toBe(false);
    // `_` and `%` are wildcards in LIKE: a domain holding them matches only itself.
    const wildcard = await store.accountOwnersByDomain([
      (domain ?? '').replace(/^./, '_'),
      '%',
      '',
      `${'a'.repeat(300)}.com`,
    ]);
    expect(wildcard.size).toBe(0);
    expect(websiteDomain('https://www.Acme.co.uk/about?x=1')).toBe('acme.co.uk');
    expect(websiteDomain('localhost')).toBeNull();
  });

  it('updates leads with Sforce-Auto-Assign: FALSE, isolating per-record failures', async () => {
    const [open, converted] = [
      leads((lead) => lead['IsConverted'] === false)[0],
      leads((lead) => lead['IsConverted'] === true)[0],
    ];
    const since = sandbox.server.log.lastSeq;
    const due = new Date('2026-11-27T15:00:00Z');
    const outcomes = await store.updateLeads([
      {
        leadId: String(open?.['Id']),
        ownerId: REP,
        status: 'Open - Not Contacted',
        score: 91,
        tier: 'A',
        due,
        reason: 'why',
        decisionId: 'd-1',
      },
      { leadId: String(converted?.['Id']), ownerId: REP },
    ]);
    expect(
      outcomes.map((outcome) => (outcome.ok ? 'ok' : `${outcome.code}/${outcome.kind}`)),
    ).toEqual(['ok', 'CANNOT_UPDATE_CONVERTED_LEAD/permanent']);
    expect(sandbox.store.get(String(open?.['Id']))?.record).toMatchObject({
      OwnerId: REP,
      Handoff_Score__c: 91,
      Handoff_Tier__c: 'A',
      Handoff_Due__c: due.getTime(),
      Handoff_Decision_Id__c: 'd-1',
    });
    expect(
      sandbox.server.log.list(since).map((call) => call.headers['sforce-auto-assign']),
    ).toEqual(['FALSE']);
  });

  it('creates missing leads idempotently on the HubSpot contact id, filling required gaps', async () => {
    const lead = {
      hubspotContactId: 'hs-new-1',
      ownerId: REP,
      attributes: {
        email: 'new@acme.com',
        last_name: 'New',
        company: 'Acme',
        title: 'CTO',
        employees: 300,
      },
    };
    const first = await store.createLeads([
      lead,
      { hubspotContactId: 'hs-new-2', attributes: { email: 'x@acme.com' } },
      { hubspotContactId: 'hs-new-3', attributes: { email: 'not-an-email', last_name: 'Bad' } },
    ]);
    expect(first.map((outcome) => (outcome.ok ? outcome.created : outcome.code))).toEqual([
      true,
      true,
      'INVALID_EMAIL_ADDRESS',
    ]);
    // Lead requires LastName and Company: a contact without them gets "[not provided]".
    expect(
      leads((candidate) => candidate['HubSpot_Contact_Id__c'] === 'hs-new-2')[0],
    ).toMatchObject({ LastName: '[not provided]', Company: '[not provided]' });
    const again = await store.createLeads([lead]);
    expect(again[0]).toMatchObject({ ok: true, created: false });
    expect(leads((candidate) => candidate['HubSpot_Contact_Id__c'] === 'hs-new-1')).toHaveLength(1);
    expect(
      leads((candidate) => candidate['HubSpot_Contact_Id__c'] === 'hs-new-1')[0],
    ).toMatchObject({ OwnerId: REP, Title: 'CTO', NumberOfEmployees: 300 });
  });

  it('upserts exactly one Task per decision, however often it is written', async () => {
    const lead = leads((candidate) => candidate['IsConverted'] === false)[5];
    const task = {
      decisionId: 'd-task-1',
      leadId: String(lead?.['Id']),
      ownerId: REP,
      subject: 'Follow up: new MQL (tier A)',
      dueDate: '2026-11-27',
      reminderAt: new Date('2026-11-27T15:00:00Z'),
      description: 'Qualified: score 91',
      priority: 'High' as const,
    };
    const first = await store.upsertTasks([task]);
    const second = await store.upsertTasks([task, { ...task, decisionId: 'd-task-2' }]);
    expect(first[0]).toMatchObject({ ok: true, created: true });
    expect(second.map((outcome) => outcome.ok && outcome.created)).toEqual([false, true]);
    const tasks = [...sandbox.store.table('Task').values()].filter(
      (record) => record['Handoff_Decision_Id__c'] === 'd-task-1',
    );
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      WhoId: lead?.['Id'],
      OwnerId: REP,
      ActivityDate: '2026-11-27',
      IsReminderSet: true,
      ReminderDateTime: Date.parse('2026-11-27T15:00:00Z'),
      Priority: 'High',
    });
  });

  it('throws classified errors for whole-call failures and recovers an expired session', async () => {
    sandbox.server.faults.add({ kind: 'rate_limit', endpoint: 'query', times: 1 });
    const error: unknown = await directory.queues().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ kind: 'rate_limited', code: 'REQUEST_LIMIT_EXCEEDED' });
    sandbox.server.faults.add({ kind: 'expire_session', endpoint: 'query', times: 1 });
    expect((await directory.queues()).length).toBe(2);
  });

  it('cannot refresh a static token: an expired one is an auth error', async () => {
    sandbox.auth.allow('static-token');
    const connection = await createSalesforceConnection({
      auth: { kind: 'token', instanceUrl: url, accessToken: 'static-token' },
      version: '62.0',
    });
    sandbox.auth.expireAll();
    const error: unknown = await new SalesforceDirectory(connection)
      .queues()
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ kind: 'auth' });
  });
});
