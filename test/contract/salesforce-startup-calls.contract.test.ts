import { readFile } from 'node:fs/promises';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createSalesforceConnection,
  integrationUserId,
} from '../../src/adapters/salesforce/salesforce-connection.js';
import { coalescedGet, queryAllEach } from '../../src/adapters/salesforce/salesforce-composite.js';
import { SalesforceDirectory } from '../../src/adapters/salesforce/salesforce-directory.adapter.js';
import { SalesforceInstallationInspector } from '../../src/adapters/salesforce/salesforce-installation.adapter.js';
import { parseDefinition } from '../../src/config/load-definition.js';
import type { Definition } from '../../src/domain/definition.js';
import {
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  SANDBOX_SALESFORCE_TOKEN,
  startSandboxes,
  type RunningSandboxes,
} from '../../src/sandbox/start-sandboxes.js';
import { runDoctor } from '../../src/usecases/doctor/run-doctor.js';

/**
 * What starting a worker or a `sync --once` costs in Salesforce calls, counted by the sandbox:
 * who Handoff is, both describes, the directory, the API headroom and the clock.
 */

const VERSION = '62.0';
const EXAMPLE = new URL('../../config/handoff.example.yaml', import.meta.url);
let sandboxes: RunningSandboxes;
let definition: Definition;

const calls = (): Record<string, number> =>
  Object.fromEntries(
    Object.entries(sandboxes.salesforce.server.log.summary().byEndpoint).map(([name, counts]) => [
      name,
      counts.calls,
    ]),
  );

const withToken = () =>
  createSalesforceConnection({
    auth: {
      kind: 'token',
      instanceUrl: sandboxes.salesforceUrl,
      accessToken: SANDBOX_SALESFORCE_TOKEN,
    },
    version: VERSION,
  });

beforeAll(async () => {
  sandboxes = await startSandboxes({ contacts: 20, seed: 5 });
  const parsed = parseDefinition(await readFile(EXAMPLE, 'utf8'));
  if (!parsed.ok) throw new Error('config/handoff.example.yaml does not parse');
  definition = parsed.value;
});

afterAll(async () => {
  await sandboxes.close();
});

beforeEach(() => {
  sandboxes.salesforce.server.log.reset();
});

describe('integrationUserId', () => {
  it('reads a static token’s user from the REST root’s identity URL, in one call', async () => {
    const connection = await withToken();
    const userId = await integrationUserId(connection);
    expect(calls()).toEqual({ resources: 1 });
    // jsforce's own identity(), two calls: the root, then the identity service.
    const reference = new Connection({
      instanceUrl: sandboxes.salesforceUrl,
      accessToken: SANDBOX_SALESFORCE_TOKEN,
      version: VERSION,
    });
    expect(userId).toBe((await reference.identity()).user_id);
    expect(userId).toMatch(/^005/);
  });

  it('takes an OAuth grant’s user from its token response, with no REST call', async () => {
    const connection = await createSalesforceConnection({
      auth: {
        kind: 'client_credentials',
        loginUrl: sandboxes.salesforceUrl,
        clientId: SANDBOX_CLIENT_ID,
        clientSecret: SANDBOX_CLIENT_SECRET,
      },
      version: VERSION,
    });
    sandboxes.salesforce.server.log.reset();
    const userId = await integrationUserId(connection);
    expect(calls()).toEqual({});
    expect(userId).toBe((await connection.identity()).user_id);
  });
});

describe('the start-up checks', () => {
  it('describe Lead and Task and read the directory in one Composite call; usage and clock come from its headers', async () => {
    const connection = await withToken();
    const installation = new SalesforceInstallationInspector(connection);
    const checks = await runDoctor({
      definition,
      redis: null,
      salesforce: { installation, directory: new SalesforceDirectory(connection) },
      hubspot: null,
      unreachable: { hubspot: 'not asked in this test' },
      now: () => new Date(),
    });
    expect(calls()).toEqual({ composite: 1 });
    // No Redis and no HubSpot were given: only Salesforce's checks count here.
    const salesforceChecks = checks.filter(
      (check) => check.area !== 'hubspot' && check.area !== 'redis',
    );
    expect(salesforceChecks.filter((check) => check.status === 'fail')).toEqual([]);
    expect(checks.find((check) => check.check === 'authenticated')?.status).toBe('pass');
    expect(checks.some((check) => check.area === 'people' && check.status === 'pass')).toBe(true);
    // The headroom is the org's allocation less what the sandbox had counted by that answer.
    const { max, remaining } = await installation.dailyApiRequests();
    expect(max).toBe(sandboxes.salesforce.api.dailyApiRequests);
    expect(remaining).toBe(max - sandboxes.salesforce.api.apiUsed);
    expect(checks.find((check) => check.check === 'Salesforce headroom')?.detail).toContain(
      `${remaining} of ${max} daily API requests left`,
    );
    expect(checks.find((check) => check.check === 'skew')?.status).toBe('pass');
    expect(calls()).toEqual({ composite: 1 });
  });

  it('ask /limits and the versions resource for usage and clock when no answer carried them yet', async () => {
    const installation = new SalesforceInstallationInspector(await withToken());
    const skew = (await installation.serverTime()).getTime() - Date.now();
    expect(Math.abs(skew)).toBeLessThan(2_000);
    expect(calls()).toEqual({ versions: 1 });

    const fresh = new SalesforceInstallationInspector(await withToken());
    const { max } = await fresh.dailyApiRequests();
    expect(max).toBe(sandboxes.salesforce.api.dailyApiRequests);
    // The /limits answer dated itself: the clock needs no call of its own.
    await fresh.serverTime();
    expect(calls()).toEqual({ versions: 1, limits: 1 });
  });

  it('ask again once the last answer is older than five minutes', async () => {
    let clock = Date.now();
    const connection = await createSalesforceConnection({
      auth: {
        kind: 'token',
        instanceUrl: sandboxes.salesforceUrl,
        accessToken: SANDBOX_SALESFORCE_TOKEN,
      },
      version: VERSION,
      now: () => clock,
    });
    const installation = new SalesforceInstallationInspector(connection);
    await installation.fields('Lead');
    await installation.dailyApiRequests();
    expect(calls()).toEqual({ describe: 1 });
    clock += 5 * 60_000 + 1;
    await installation.dailyApiRequests();
    expect(calls()).toEqual({ describe: 1, limits: 1 });
  });
});

describe('reads asked together', () => {
  it('share Composite calls of at most five queries, describes riding along', async () => {
    const connection = await withToken();
    const queries = Array.from(
      { length: 7 },
      (_, index) => `SELECT Id FROM User WHERE Id != '005${String(index).padStart(12, '0')}'`,
    );
    const [rows, lead, task] = await Promise.all([
      queryAllEach(connection, queries),
      coalescedGet(connection, '/sobjects/Lead/describe'),
      coalescedGet(connection, '/sobjects/Task/describe'),
    ]);
    expect(calls()).toEqual({ composite: 2 });
    const users = (await queryAllEach(connection, ['SELECT Id FROM User']))[0] ?? [];
    expect(rows.map((records) => records.length)).toEqual(queries.map(() => users.length));
    expect(lead).toMatchObject({ name: 'Lead' });
    expect(task).toMatchObject({ name: 'Task' });
  });

  it('fail only the subrequest Salesforce refused', async () => {
    const connection = await withToken();
    const [good, bad] = await Promise.allSettled([
      coalescedGet(connection, '/sobjects/Lead/describe'),
      coalescedGet(connection, '/sobjects/NoSuchThing__c/describe'),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(bad).toMatchObject({ status: 'rejected', reason: { system: 'salesforce' } });
    expect(calls()).toEqual({ composite: 1 });
  });

  it('fail a query whose later page fails, and nothing else asked with it', async () => {
    const connection = await withToken();
    // More Leads than one page (2,000) holds, so the query has a second page to fail.
    for (let index = 0; index < 2_100; index += 1)
      sandboxes.salesforce.store.insertRaw('Lead', {
        LastName: `Paged ${index}`,
        Company: 'Paging Ltd',
        Status: 'Open - Not Contacted',
      });
    // The org's daily limit, which is not retried in place: the page fails at once.
    sandboxes.salesforce.server.faults.add({ kind: 'rate_limit', endpoint: 'queryMore', times: 1 });
    const [leads, described] = await Promise.allSettled([
      queryAllEach(connection, ["SELECT Id FROM Lead WHERE Company = 'Paging Ltd'"]),
      coalescedGet(connection, '/sobjects/Lead/describe'),
    ]);
    expect(calls()['composite']).toBe(1);
    expect(leads).toMatchObject({
      status: 'rejected',
      reason: { system: 'salesforce', code: 'REQUEST_LIMIT_EXCEEDED' },
    });
    expect(described).toMatchObject({ status: 'fulfilled', value: { name: 'Lead' } });
  });
});
