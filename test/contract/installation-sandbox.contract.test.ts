import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotClient } from '../../src/adapters/hubspot/hubspot-client.js';
import { HubSpotInstallationInspector } from '../../src/adapters/hubspot/hubspot-installation.adapter.js';
import { SalesforceInstallationInspector } from '../../src/adapters/salesforce/salesforce-installation.adapter.js';
import { HANDOFF_APP_SCOPES } from '../../src/sandbox/hubspot/hubspot-api.js';
import {
  SANDBOX_HUBSPOT_TOKEN,
  SANDBOX_SALESFORCE_TOKEN,
  startSandboxes,
  type RunningSandboxes,
} from '../../src/sandbox/start-sandboxes.js';
import {
  LEAD_QUEUE_ID,
  LEAD_QUEUE_SOBJECT_IDS,
  NURTURE_QUEUE_ID,
} from '../../src/sandbox/seed/seed-tenants.js';

/**
 * What `handoff doctor` reads that setup does not (the token's scopes, the queues that accept
 * Leads), through the real adapters against the sandboxes, and the sandbox controls the doctor's
 * e2e cases break an installation with (deleting and retyping a custom field).
 */

const VERSION = '62.0';
let sandboxes: RunningSandboxes;
let connection: Connection;

/** Raw REST, for the status codes and error bodies jsforce hides. */
async function rest(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${sandboxes.salesforceUrl}/services/data/v${VERSION}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${SANDBOX_SALESFORCE_TOKEN}`,
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

async function control(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${sandboxes.salesforceUrl}/__sandbox${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

async function leadFieldNames(): Promise<string[]> {
  return (await connection.describe('Lead')).fields.map((field) => field.name);
}

beforeAll(async () => {
  sandboxes = await startSandboxes({ contacts: 40, seed: 11 });
  connection = new Connection({
    instanceUrl: sandboxes.salesforceUrl,
    accessToken: SANDBOX_SALESFORCE_TOKEN,
    version: VERSION,
  });
});

afterAll(async () => {
  await sandboxes.close();
});

describe('HubSpotInstallationInspector.tokenScopes against the sandbox', () => {
  it('reads the private app’s scopes, and what PUT /__sandbox/scopes narrows them to', async () => {
    const inspector = new HubSpotInstallationInspector(
      createHubSpotClient({ accessToken: SANDBOX_HUBSPOT_TOKEN, baseUrl: sandboxes.hubspotUrl }),
    );
    expect([...(await inspector.tokenScopes())].sort()).toEqual([...HANDOFF_APP_SCOPES].sort());

    const narrowed = await fetch(`${sandboxes.hubspotUrl}/__sandbox/scopes`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ scopes: ['crm.objects.contacts.read'] }),
    });
    expect(narrowed.status).toBe(200);
    expect(await inspector.tokenScopes()).toEqual(['crm.objects.contacts.read']);
    sandboxes.hubspot.api.scopes = HANDOFF_APP_SCOPES;
  });

  it('fails an unknown token as not_found, which doctor turns into a warning', async () => {
    const inspector = new HubSpotInstallationInspector(
      createHubSpotClient({ accessToken: 'pat-unknown', baseUrl: sandboxes.hubspotUrl }),
    );
    await expect(inspector.tokenScopes()).rejects.toMatchObject({
      kind: 'not_found',
      status: 404,
    });
  });
});

describe('QueueSobject in the sandbox org', () => {
  it('describes QueueSobject as the object reference does: QueueId to a Group, SobjectType restricted', async () => {
    const described = await connection.describe('QueueSobject');
    const byName = new Map(described.fields.map((field) => [field.name, field]));
    expect([...byName.keys()].sort()).toEqual(
      ['CreatedById', 'Id', 'QueueId', 'SobjectType', 'SystemModstamp'].sort(),
    );
    expect(byName.get('QueueId')).toMatchObject({
      type: 'reference',
      referenceTo: ['Group'],
      relationshipName: 'Queue',
      updateable: false,
    });
    expect(byName.get('SobjectType')).toMatchObject({
      type: 'picklist',
      restrictedPicklist: true,
      updateable: false,
    });
  });

  it('seeds both queues as accepting Leads, and the adapter reads them through SOQL', async () => {
    const inspector = new SalesforceInstallationInspector(connection);
    expect([...(await inspector.queuesAcceptingLeads())].sort()).toEqual(
      [LEAD_QUEUE_ID, NURTURE_QUEUE_ID].sort(),
    );
    const rows = await connection.query<{ Queue: { Name: string } }>(
      `SELECT Queue.Name FROM QueueSobject WHERE QueueId = '${LEAD_QUEUE_ID}'`,
    );
    expect(rows.records.map((row) => row.Queue.Name)).toEqual(['Inbound Lead Queue']);
  });

  it('removes a queue’s Lead support with a DELETE, and refuses a duplicate or a group that is no queue', async () => {
    const inspector = new SalesforceInstallationInspector(connection);
    const deleted = await rest(
      'DELETE',
      `/sobjects/QueueSobject/${LEAD_QUEUE_SOBJECT_IDS[LEAD_QUEUE_ID]}`,
    );
    expect(deleted.status).toBe(204);
    expect([...(await inspector.queuesAcceptingLeads())]).toEqual([NURTURE_QUEUE_ID]);

    const restored = await rest('POST', '/sobjects/QueueSobject', {
      QueueId: LEAD_QUEUE_ID,
      SobjectType: 'Lead',
    });
    expect(restored.status).toBe(201);
    expect([...(await inspector.queuesAcceptingLeads())].sort()).toEqual(
      [LEAD_QUEUE_ID, NURTURE_QUEUE_ID].sort(),
    );

    const duplicate = await rest('POST', '/sobjects/QueueSobject', {
      QueueId: LEAD_QUEUE_ID,
      SobjectType: 'Lead',
    });
    expect(duplicate).toMatchObject({ status: 400, body: [{ errorCode: 'DUPLICATE_VALUE' }] });
    const notAnObject = await rest('POST', '/sobjects/QueueSobject', {
      QueueId: LEAD_QUEUE_ID,
      SobjectType: 'Opportunity',
    });
    expect(notAnObject).toMatchObject({
      status: 400,
      body: [{ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }],
    });
    const group = await rest('POST', '/sobjects/Group', { Name: 'Everyone', Type: 'Regular' });
    expect(group.status).toBe(201);
    const regular = await rest('POST', '/sobjects/QueueSobject', {
      QueueId: (group.body as { id: string }).id,
      SobjectType: 'Lead',
    });
    expect(regular).toMatchObject({
      status: 400,
      body: [{ errorCode: 'FIELD_INTEGRITY_EXCEPTION' }],
    });
  });
});

describe('sandbox controls that break a custom field', () => {
  it('DELETE /__sandbox/fields deletes a custom field from describe, SOQL, FLS and the Tooling API', async () => {
    expect(await leadFieldNames()).toContain('Handoff_Routed_At__c');
    const grants = async () =>
      (
        await connection.query(
          "SELECT Id FROM FieldPermissions WHERE Field = 'Lead.Handoff_Routed_At__c'",
        )
      ).totalSize;
    expect(await grants()).toBe(1);
    const toolingNames = async () =>
      (
        await connection.tooling.query<{ DeveloperName: string }>(
          "SELECT DeveloperName FROM CustomField WHERE TableEnumOrId = 'Lead'",
        )
      ).records.map((row) => row.DeveloperName);
    // Read once first: the Tooling API keeps the rows it has handed out.
    expect(await toolingNames()).toContain('Handoff_Routed_At');

    expect((await control('DELETE', '/fields/Lead/Handoff_Routed_At__c')).status).toBe(204);

    expect(await leadFieldNames()).not.toContain('Handoff_Routed_At__c');
    expect(await rest('GET', '/query?q=SELECT+Handoff_Routed_At__c+FROM+Lead')).toMatchObject({
      status: 400,
      body: [{ errorCode: 'INVALID_FIELD' }],
    });
    expect(await grants()).toBe(0);
    const names = await toolingNames();
    expect(names).toContain('Handoff_Due');
    expect(names).not.toContain('Handoff_Routed_At');

    expect((await control('DELETE', '/fields/Lead/Handoff_Routed_At__c')).status).toBe(404);
    expect(await control('DELETE', '/fields/Lead/Email')).toMatchObject({ status: 400 });
  });

  it('PATCH /__sandbox/fields changes a custom field’s type, keeping its values as text', async () => {
    const [lead] = (await connection.query<{ Id: string }>('SELECT Id FROM Lead LIMIT 1')).records;
    const id = lead?.Id ?? '';
    expect(
      (await rest('PATCH', `/sobjects/Lead/${id}`, { Handoff_Due__c: '2026-11-20T09:30:00Z' }))
        .status,
    ).toBe(204);

    const changed = await control('PATCH', '/fields/Lead/Handoff_Due__c', { type: 'string' });
    expect(changed).toMatchObject({ status: 200, body: { type: 'string', length: 255 } });

    const described = (await connection.describe('Lead')).fields.find(
      (field) => field.name === 'Handoff_Due__c',
    );
    expect(described).toMatchObject({ type: 'string', length: 255, updateable: true });
    const row = await connection.query<{ Handoff_Due__c: unknown }>(
      `SELECT Handoff_Due__c FROM Lead WHERE Id = '${id}'`,
    );
    expect(row.records[0]?.Handoff_Due__c).toBe('2026-11-20T09:30:00.000+0000');
    const tooling = await connection.tooling.query<{ Metadata: { type: string } }>(
      "SELECT Metadata FROM CustomField WHERE TableEnumOrId = 'Lead' AND DeveloperName = 'Handoff_Due'",
    );
    expect(tooling.records[0]?.Metadata.type).toBe('Text');

    expect(
      await control('PATCH', '/fields/Lead/Handoff_Due__c', { type: 'picklist' }),
    ).toMatchObject({ status: 400 });
    expect(await control('PATCH', '/fields/Lead/Nope__c', { type: 'string' })).toMatchObject({
      status: 404,
    });
  });
});
