import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { HANDOFF_APP_SCOPES } from '../../src/sandbox/hubspot/hubspot-api.js';
import { PROFILE_PERMISSION_SET_ID } from '../../src/sandbox/salesforce/salesforce-store.js';
import { LEAD_QUEUE_ID, LEAD_QUEUE_SOBJECT_IDS } from '../../src/sandbox/seed/seed-tenants.js';
import {
  SANDBOX_SALESFORCE_TOKEN,
  startSandboxes,
  type RunningSandboxes,
} from '../../src/sandbox/start-sandboxes.js';
import type { DoctorCheck } from '../../src/usecases/doctor/run-doctor.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
const SHARED_REDIS = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const VERSION = '62.0';
const opened: RunningSandboxes[] = [];
const redisServers: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((running) => running.close()));
  await Promise.all(
    redisServers.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }),
  );
});

async function start(handoffSetup = true): Promise<RunningSandboxes> {
  const running = await startSandboxes({ contacts: 40, seed: 7, handoffSetup });
  opened.push(running);
  return running;
}

async function doctor(
  running: RunningSandboxes,
  redisUrl = SHARED_REDIS,
): Promise<{ code: number; checks: DoctorCheck[] }> {
  const run = await runCliInProcess(['doctor', '--json', '--config', CONFIG], {
    env: { ...running.env, REDIS_URL: redisUrl, LOG_LEVEL: 'silent' },
    now: new Date().toISOString(),
  });
  return { code: run.code, checks: (JSON.parse(run.stdout) as { checks: DoctorCheck[] }).checks };
}

/** Only the checks that did not pass, as doctor prints them. */
function problems(checks: readonly DoctorCheck[], status?: DoctorCheck['status']): DoctorCheck[] {
  return checks.filter(
    (check) => check.status !== 'pass' && (status ?? check.status) === check.status,
  );
}

/** The sandbox org's REST API as the integration user, the way an admin's script would call it. */
async function salesforce(
  running: RunningSandboxes,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${running.salesforceUrl}/services/data/v${VERSION}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${SANDBOX_SALESFORCE_TOKEN}`,
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? null : (JSON.parse(text) as unknown);
}

async function sandboxControl(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<void> {
  const response = await fetch(`${base}/__sandbox${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

/** The integration user's grant on one field, in the profile's permission set. */
async function profileGrant(running: RunningSandboxes, field: string): Promise<string> {
  const soql = `SELECT Id FROM FieldPermissions WHERE ParentId = '${PROFILE_PERMISSION_SET_ID}' AND Field = '${field}'`;
  const page = (await salesforce(running, 'GET', `/query?q=${encodeURIComponent(soql)}`)) as {
    records: { Id: string }[];
  };
  const id = page.records[0]?.Id;
  if (id === undefined) throw new Error(`no grant on ${field}`);
  return id;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => socket.destroy());
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/**
 * A Redis of this test's own, so its settings can be wrong without touching the shared one on
 * 6379 that other files use in parallel. No persistence; stopped after each test.
 */
async function privateRedis(evictionPolicy: string): Promise<string> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      tmpdir(),
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      evictionPolicy,
    ],
    { stdio: 'ignore' },
  );
  redisServers.push(child);
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return `redis://127.0.0.1:${port}`;
}

describe('handoff doctor against the sandboxes', () => {
  it('passes a ready-made tenant, warning only about what degrades Handoff', async () => {
    const { code, checks } = await doctor(await start(true));
    expect(code).toBe(0);
    expect(checks.filter((check) => check.status === 'fail')).toEqual([]);
    // The seeded org has an inactive pool member: routing skips them, Handoff still works.
    expect(checks.filter((check) => check.status === 'warn').map((check) => check.area)).toContain(
      'people',
    );
    expect(checks.find((check) => check.check === 'Lead.HubSpot_Contact_Id__c')).toMatchObject({
      status: 'pass',
    });
  });

  it('fails a bare tenant, naming every missing field and property with its fix', async () => {
    const { code, checks } = await doctor(await start(false));
    expect(code).toBe(1);
    const failed = checks.filter((check) => check.status === 'fail');
    expect(failed.map((check) => check.check)).toEqual(
      expect.arrayContaining(['Lead.Handoff_Routed_At__c', 'Task.Handoff_Decision_Id__c']),
    );
    expect(failed.find((check) => check.check === 'Lead.HubSpot_Contact_Id__c')).toEqual({
      area: 'salesforce',
      check: 'Lead.HubSpot_Contact_Id__c',
      status: 'fail',
      detail: 'Lead.HubSpot_Contact_Id__c is missing or not visible to the integration user',
      fix: 'create Lead.HubSpot_Contact_Id__c as Text(40), External ID, Unique and grant the integration user Read and Edit on it (permission set), or run handoff setup --apply',
    });
  });
});

describe('handoff doctor on a ready-made tenant with one thing broken', () => {
  it('warns, exit 0, about an inactive pool member and a Redis that does not persist', async () => {
    const { code, checks } = await doctor(await start(), await privateRedis('noeviction'));
    expect(code).toBe(0);
    expect(problems(checks, 'fail')).toEqual([]);
    const warnings = problems(checks, 'warn');
    expect(warnings).toContainEqual({
      area: 'people',
      check: 'pool na-inbound: 0055e000001AAAAAA9',
      status: 'warn',
      detail: 'Tom Fischer is inactive: routing skips them',
      fix: 'reactivate Tom Fischer, or remove them from routing.pools.na-inbound',
    });
    expect(warnings).toContainEqual({
      area: 'redis',
      check: 'persistence',
      status: 'warn',
      detail:
        'neither AOF nor RDB snapshots are on: a restart loses queued work and costs a full re-read',
      fix: 'set appendonly yes (and appendfsync everysec) in redis.conf',
    });
    // Nothing else is wrong with the ready-made tenant.
    expect(warnings.map((check) => check.check).sort()).toEqual(
      ['persistence', 'pool na-inbound: 0055e000001AAAAAA9'].sort(),
    );
  });

  it('fails a Redis that evicts keys, exit 1, without touching the shared one', async () => {
    const { code, checks } = await doctor(await start(), await privateRedis('allkeys-lru'));
    expect(code).toBe(1);
    expect(problems(checks, 'fail')).toEqual([
      {
        area: 'redis',
        check: 'eviction policy',
        status: 'fail',
        detail: 'maxmemory-policy is allkeys-lru: under memory pressure Redis drops queued work',
        fix: 'set maxmemory-policy noeviction in redis.conf (or CONFIG SET maxmemory-policy noeviction)',
      },
    ]);
  });

  it('fails a deleted field, exit 1, with the fix to create and grant it', async () => {
    const running = await start();
    await sandboxControl(running.salesforceUrl, 'DELETE', '/fields/Lead/Handoff_Routed_At__c');
    const { code, checks } = await doctor(running);
    expect(code).toBe(1);
    expect(problems(checks, 'fail')).toEqual([
      {
        area: 'salesforce',
        check: 'Lead.Handoff_Routed_At__c',
        status: 'fail',
        detail: 'Lead.Handoff_Routed_At__c is missing or not visible to the integration user',
        fix: 'create Lead.Handoff_Routed_At__c as Date/Time and grant the integration user Read and Edit on it (permission set), or run handoff setup --apply',
      },
    ]);
  });

  it('fails a field of the wrong type, exit 1, with the fix to change it or map another', async () => {
    const running = await start();
    await sandboxControl(running.salesforceUrl, 'PATCH', '/fields/Lead/Handoff_Due__c', {
      type: 'string',
    });
    const { code, checks } = await doctor(running);
    expect(code).toBe(1);
    expect(problems(checks, 'fail')).toEqual([
      {
        area: 'salesforce',
        check: 'Lead.Handoff_Due__c',
        status: 'fail',
        detail: 'Lead.Handoff_Due__c is Text, Handoff needs Date/Time',
        fix: 'change Lead.Handoff_Due__c to Date/Time, or map another field under mapping.salesforce_fields',
      },
    ]);
  });

  it('fails a field the integration user has no field-level security on, exit 1', async () => {
    const running = await start();
    // An admin removes the profile's grant: the field exists, the integration user cannot see it.
    const grant = await profileGrant(running, 'Lead.Handoff_Score__c');
    await salesforce(running, 'DELETE', `/sobjects/FieldPermissions/${grant}`);
    const { code, checks } = await doctor(running);
    expect(code).toBe(1);
    expect(problems(checks, 'fail')).toEqual([
      {
        area: 'salesforce',
        check: 'Lead.Handoff_Score__c',
        status: 'fail',
        detail: 'Lead.Handoff_Score__c is missing or not visible to the integration user',
        fix: 'create Lead.Handoff_Score__c as Number(18, 0) and grant the integration user Read and Edit on it (permission set), or run handoff setup --apply',
      },
    ]);
  });

  it('fails a field the integration user may read but not edit, exit 1, with the grant to add', async () => {
    const running = await start();
    const grant = await profileGrant(running, 'Lead.Handoff_Due__c');
    await salesforce(running, 'PATCH', `/sobjects/FieldPermissions/${grant}`, {
      PermissionsEdit: false,
    });
    const { code, checks } = await doctor(running);
    expect(code).toBe(1);
    expect(problems(checks, 'fail')).toEqual([
      {
        area: 'salesforce',
        check: 'Lead.Handoff_Due__c',
        status: 'fail',
        detail: 'Lead.Handoff_Due__c is read-only for the integration user',
        fix: "grant Edit on Lead.Handoff_Due__c in the integration user's permission set (Handoff_Integration)",
      },
    ]);
  });

  it('fails a rejection reason missing from Rejection_Reason__c, exit 1, with the fix', async () => {
    const running = await start();
    // As an admin would through the Tooling API: the field's Metadata without "No budget".
    const soql =
      "SELECT Id FROM CustomField WHERE TableEnumOrId = 'Lead' AND DeveloperName = 'Rejection_Reason'";
    const found = (await salesforce(
      running,
      'GET',
      `/tooling/query?q=${encodeURIComponent(soql)}`,
    )) as { records: { Id: string }[] };
    const id = found.records[0]?.Id ?? '';
    const field = (await salesforce(running, 'GET', `/tooling/sobjects/CustomField/${id}`)) as {
      Metadata: {
        valueSet: { valueSetDefinition: { value: { fullName: string }[] } };
      };
    };
    const definition = field.Metadata.valueSet.valueSetDefinition;
    definition.value = definition.value.filter((value) => value.fullName !== 'No budget');
    await salesforce(running, 'PATCH', `/tooling/sobjects/CustomField/${id}`, {
      Metadata: field.Metadata,
    });
    const { code, checks } = await doctor(running);
    expect(code).toBe(1);
    expect(problems(checks, 'fail')).toEqual([
      {
        area: 'salesforce',
        check: 'Lead.Rejection_Reason__c values',
        status: 'fail',
        detail: 'Lead.Rejection_Reason__c lacks "No budget"',
        fix: 'add "No budget" to Lead.Rejection_Reason__c (Setup → Object Manager → Lead → Fields & Relationships), or run handoff setup --apply',
      },
    ]);
  });

  it('fails a private app without a scope the worker needs, exit 1, naming it', async () => {
    const running = await start();
    await sandboxControl(running.hubspotUrl, 'PUT', '/scopes', {
      scopes: HANDOFF_APP_SCOPES.filter((scope) => scope !== 'crm.objects.contacts.write'),
    });
    const { code, checks } = await doctor(running);
    expect(code).toBe(1);
    expect(problems(checks, 'fail')).toEqual([
      {
        area: 'hubspot',
        check: 'scopes',
        status: 'fail',
        detail:
          'the token lacks crm.objects.contacts.write (writing the handoff_* properties and rejection notes)',
        fix: 'add crm.objects.contacts.write to the private app: Settings → Integrations → Private Apps → the app → Scopes, then Commit changes',
      },
    ]);
  });

  it('only warns, exit 0, when the private app lacks the scope setup alone needs', async () => {
    const running = await start();
    await sandboxControl(running.hubspotUrl, 'PUT', '/scopes', {
      scopes: HANDOFF_APP_SCOPES.filter((scope) => scope !== 'crm.schemas.contacts.write'),
    });
    const { code, checks } = await doctor(running);
    expect(code).toBe(0);
    expect(checks.find((check) => check.check === 'setup scope')).toEqual({
      area: 'hubspot',
      check: 'setup scope',
      status: 'warn',
      detail:
        'the token lacks crm.schemas.contacts.write: handoff setup --apply cannot create the handoff property group, its properties or their options (the worker does not need it)',
      fix: 'before running handoff setup --apply, add crm.schemas.contacts.write to the private app: Settings → Integrations → Private Apps → the app → Scopes, then Commit changes',
    });
  });

  it('fails a fallback queue that does not accept Leads, exit 1, with the click path', async () => {
    const running = await start();
    // Supported Objects without Lead: the queue's QueueSobject row for Lead is deleted.
    await salesforce(
      running,
      'DELETE',
      `/sobjects/QueueSobject/${LEAD_QUEUE_SOBJECT_IDS[LEAD_QUEUE_ID]}`,
    );
    const { code, checks } = await doctor(running);
    expect(code).toBe(1);
    expect(problems(checks, 'fail')).toEqual([
      {
        area: 'people',
        check: 'routing.fallback_owner',
        status: 'fail',
        detail: `queue Inbound Lead Queue (${LEAD_QUEUE_ID}) does not accept Leads: Salesforce will not let it own one`,
        fix: 'Setup → Queues → Inbound Lead Queue → Edit → Supported Objects: add Lead to Selected Objects → Save',
      },
    ]);
  });
});
