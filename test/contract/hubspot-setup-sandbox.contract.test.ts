import { Client } from '@hubspot/api-client';
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SANDBOX_HUBSPOT_TOKEN,
  startSandboxes,
  type RunningSandboxes,
} from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');

/** The SDK's ApiException, as far as these tests look at it. */
interface ApiError {
  code: number;
  body: { category?: string; message?: string; status?: string; correlationId?: string };
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected the call to fail');
}

const { Enumeration, String: Text, Bool, Datetime } = PropertyCreateTypeEnum;
const {
  Select,
  Text: TextField,
  Booleancheckbox,
  Date: DateField,
  Number: NumberField,
} = PropertyCreateFieldTypeEnum;

describe('a bare portal (handoffSetup: false)', () => {
  let sandboxes: RunningSandboxes;
  let client: Client;
  let contactId: string;

  beforeAll(async () => {
    sandboxes = await startSandboxes({
      handoffSetup: false,
      contacts: 40,
      seed: 5,
      now: () => NOW,
    });
    client = new Client({
      accessToken: SANDBOX_HUBSPOT_TOKEN,
      basePath: sandboxes.hubspotUrl,
      numberOfApiCallRetries: 0,
    });
    const page = await client.crm.contacts.basicApi.getPage(1);
    contactId = page.results[0]?.id ?? '';
  });

  afterAll(async () => {
    await sandboxes.close();
  });

  it('has no handoff_* property, no handoff group and no nurture list', async () => {
    const properties = await client.crm.properties.coreApi.getAll('contacts');
    expect(properties.results.filter((property) => property.name.startsWith('handoff_'))).toEqual(
      [],
    );
    const groups = await client.crm.properties.groupsApi.getAll('contacts');
    expect(groups.results.map((group) => group.name)).not.toContain('handoff');
    const lists = await client.crm.lists.listsApi.doSearch({ query: 'Nurture' });
    expect(lists.total).toBe(0);
  });

  it("reports a private-app token's scopes (access-token-info), which the control API can narrow", async () => {
    const info = async (tokenKey: string): Promise<{ status: number; body: unknown }> => {
      const response = await client.apiRequest({
        method: 'POST',
        path: '/oauth/v2/private-apps/get/access-token-info',
        body: { tokenKey },
      });
      return { status: response.status, body: await response.json() };
    };
    const known = await info(SANDBOX_HUBSPOT_TOKEN);
    expect(known.status).toBe(200);
    expect(known.body).toMatchObject({
      hubId: 1,
      scopes: expect.arrayContaining(['crm.schemas.contacts.write', 'crm.lists.write']) as unknown,
    });
    expect((await info('pat-unknown')).status).toBe(404);
    const narrowed = await fetch(`${sandboxes.hubspotUrl}/__sandbox/scopes`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ scopes: ['crm.objects.contacts.read'] }),
    });
    expect(narrowed.status).toBe(200);
    expect((await info(SANDBOX_HUBSPOT_TOKEN)).body).toMatchObject({
      scopes: ['crm.objects.contacts.read'],
    });
  });

  it('refuses a contact write to a property that does not exist (PROPERTY_DOESNT_EXIST)', async () => {
    const error = await apiError(
      client.crm.contacts.basicApi.update(contactId, { properties: { handoff_status: 'routed' } }),
    );
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
    expect(error.body.message).toContain('PROPERTY_DOESNT_EXIST');
  });

  it('creates a property group (201) and refuses a second one of the same name (409)', async () => {
    const group = await client.crm.properties.groupsApi.create('contacts', {
      name: 'handoff',
      label: 'Lead handoff',
      displayOrder: -1,
    });
    expect(group).toMatchObject({ name: 'handoff', label: 'Lead handoff', archived: false });
    const again = await apiError(
      client.crm.properties.groupsApi.create('contacts', { name: 'handoff', label: 'Again' }),
    );
    expect(again.code).toBe(409);
    expect(again.body.category).toBe('OBJECT_ALREADY_EXISTS');
    const read = await client.crm.properties.groupsApi.getByName('contacts', 'handoff');
    expect(read.label).toBe('Lead handoff');
    const missing = await apiError(client.crm.properties.groupsApi.getByName('contacts', 'nope'));
    expect(missing.code).toBe(404);
  });

  it('creates properties (201) with type, fieldType, options and groupName; reads them back', async () => {
    const status = await client.crm.properties.coreApi.create('contacts', {
      name: 'handoff_status',
      label: 'Handoff status',
      type: Enumeration,
      fieldType: Select,
      groupName: 'handoff',
      options: [
        { label: 'Routed', value: 'routed', displayOrder: 0, hidden: false },
        { label: 'Accepted', value: 'accepted', displayOrder: 1, hidden: false },
      ],
    });
    expect(status).toMatchObject({
      name: 'handoff_status',
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'handoff',
      hubspotDefined: false,
    });
    expect(status.options.map((option) => option.value)).toEqual(['routed', 'accepted']);
    for (const [name, type, fieldType] of [
      ['handoff_owner', Text, TextField],
      ['handoff_breached', Bool, Booleancheckbox],
      ['handoff_due', Datetime, DateField],
    ] as const) {
      const created = await client.crm.properties.coreApi.create('contacts', {
        name,
        label: name,
        type,
        fieldType,
        groupName: 'handoff',
      });
      expect(created.name).toBe(name);
    }
    const read = await client.crm.properties.coreApi.getByName('contacts', 'handoff_status');
    expect(read.options).toHaveLength(2);
    const all = await client.crm.properties.coreApi.getAll('contacts');
    expect(all.results.filter((property) => property.groupName === 'handoff')).toHaveLength(4);

    await client.crm.contacts.basicApi.update(contactId, {
      properties: { handoff_status: 'routed', handoff_breached: 'true' },
    });
    const contact = await client.crm.contacts.basicApi.getById(contactId, ['handoff_status']);
    expect(contact.properties['handoff_status']).toBe('routed');
  });

  it('refuses a duplicate name (409 OBJECT_ALREADY_EXISTS) and a type/fieldType mismatch (400)', async () => {
    const duplicate = await apiError(
      client.crm.properties.coreApi.create('contacts', {
        name: 'handoff_status',
        label: 'Again',
        type: Text,
        fieldType: TextField,
        groupName: 'handoff',
      }),
    );
    expect(duplicate.code).toBe(409);
    expect(duplicate.body).toMatchObject({ status: 'error', category: 'OBJECT_ALREADY_EXISTS' });
    expect(duplicate.body.correlationId).toBeTypeOf('string');
    const mismatch = await apiError(
      client.crm.properties.coreApi.create('contacts', {
        name: 'handoff_score',
        label: 'Score',
        type: PropertyCreateTypeEnum.Number,
        fieldType: Select,
        groupName: 'handoff',
      }),
    );
    expect(mismatch.code).toBe(400);
    expect(mismatch.body.category).toBe('VALIDATION_ERROR');
    const noGroup = await apiError(
      client.crm.properties.coreApi.create('contacts', {
        name: 'handoff_score',
        label: 'Score',
        type: PropertyCreateTypeEnum.Number,
        fieldType: NumberField,
        groupName: 'nope',
      }),
    );
    expect(noGroup.code).toBe(400);
    const missing = await apiError(client.crm.properties.coreApi.getByName('contacts', 'nope_x'));
    expect(missing.code).toBe(404);
  });

  it('updates a property with PATCH (200): options replace the list', async () => {
    const updated = await client.crm.properties.coreApi.update('contacts', 'handoff_status', {
      label: 'Handoff status (v2)',
      options: [
        { label: 'Routed', value: 'routed', displayOrder: 0, hidden: false },
        { label: 'Accepted', value: 'accepted', displayOrder: 1, hidden: false },
        { label: 'Rejected', value: 'rejected', displayOrder: 2, hidden: false },
      ],
    });
    expect(updated.label).toBe('Handoff status (v2)');
    expect(updated.options.map((option) => option.value)).toEqual([
      'routed',
      'accepted',
      'rejected',
    ]);
    const mismatch = await apiError(
      client.crm.properties.coreApi.update('contacts', 'handoff_owner', {
        fieldType: Booleancheckbox as never,
      }),
    );
    expect(mismatch.code).toBe(400);
    const missing = await apiError(
      client.crm.properties.coreApi.update('contacts', 'nope_x', { label: 'x' }),
    );
    expect(missing.code).toBe(404);
    const hubspotDefined = await apiError(
      client.crm.properties.coreApi.update('contacts', 'email', { label: 'x' }),
    );
    expect(hubspotDefined.code).toBe(400);
  });

  it('creates a MANUAL contact list (200), finds it by name and by search, refuses a duplicate name', async () => {
    const name = 'Nurture – rejected by sales';
    const created = await client.crm.lists.listsApi.create({
      name,
      objectTypeId: '0-1',
      processingType: 'MANUAL',
    });
    expect(created.list).toMatchObject({
      name,
      objectTypeId: '0-1',
      processingType: 'MANUAL',
      listVersion: 1,
    });
    const byName = await client.crm.lists.listsApi.getByName(name, '0-1');
    expect(byName.list.listId).toBe(created.list.listId);
    const searched = await client.crm.lists.listsApi.doSearch({
      query: 'nurture',
      processingTypes: ['MANUAL'],
    });
    expect(searched.lists.map((list) => list.listId)).toEqual([created.list.listId]);
    const added = await client.crm.lists.membershipsApi.add(created.list.listId, [contactId]);
    expect(added.recordsIdsAdded).toEqual([contactId]);

    const duplicate = await apiError(
      client.crm.lists.listsApi.create({ name, objectTypeId: '0-1', processingType: 'MANUAL' }),
    );
    expect(duplicate.code).toBe(400);
    const missing = await apiError(client.crm.lists.listsApi.getByName('No such list', '0-1'));
    expect(missing.code).toBe(404);
    const noType = await apiError(
      client.crm.lists.listsApi.create({ name: 'x', objectTypeId: '0-1' } as never),
    );
    expect(noType.code).toBe(400);
  });
});

describe('the ready-made portal (default)', () => {
  let sandboxes: RunningSandboxes;
  let client: Client;

  beforeAll(async () => {
    sandboxes = await startSandboxes({ contacts: 40, seed: 5, now: () => NOW });
    client = new Client({
      accessToken: SANDBOX_HUBSPOT_TOKEN,
      basePath: sandboxes.hubspotUrl,
      numberOfApiCallRetries: 0,
    });
  });

  afterAll(async () => {
    await sandboxes.close();
  });

  it('has the handoff group, its properties and the nurture lists', async () => {
    const properties = await client.crm.properties.coreApi.getAll('contacts');
    expect(properties.results.map((property) => property.name)).toEqual(
      expect.arrayContaining(['handoff_status', 'handoff_score', 'handoff_due']),
    );
    const lists = await client.crm.lists.listsApi.doSearch({ query: 'Nurture' });
    expect(lists.total).toBe(7);
    const one = await client.crm.lists.listsApi.getByName('Nurture – No budget', '0-1');
    expect(one.list.processingType).toBe('MANUAL');
  });
});

describe('handoff sandbox --bare', () => {
  it('starts bare tenants on both sides and prints so', async () => {
    let release = (): void => undefined;
    const shutdown = new Promise<string>((resolve) => {
      release = () => resolve('test');
    });
    let output = '';
    const checks: Promise<void>[] = [];
    const check = async (env: Record<string, string>): Promise<void> => {
      try {
        const hubspot = new Client({
          accessToken: env['HUBSPOT_ACCESS_TOKEN'] ?? '',
          basePath: env['HUBSPOT_BASE_URL'] ?? '',
          numberOfApiCallRetries: 0,
        });
        const properties = await hubspot.crm.properties.coreApi.getAll('contacts');
        expect(properties.results.some((property) => property.name.startsWith('handoff_'))).toBe(
          false,
        );
        const conn = new Connection({
          instanceUrl: env['SALESFORCE_INSTANCE_URL'] ?? '',
          accessToken: env['SALESFORCE_ACCESS_TOKEN'] ?? '',
          version: '62.0',
        });
        const lead = await conn.describe('Lead');
        expect(lead.fields.some((field) => field.name.startsWith('Handoff_'))).toBe(false);
        const task = await conn.describe('Task');
        expect(task.fields.some((field) => field.name === 'Handoff_Decision_Id__c')).toBe(false);
      } finally {
        release();
      }
    };
    const run = await runCliInProcess(['sandbox', '--port', '0', '--bare', '--contacts', '30'], {
      untilShutdown: () => shutdown,
      onStdout: (text) => {
        output += text;
        const env = Object.fromEntries(
          [...output.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((match) => [
            match[1] ?? '',
            match[2] ?? '',
          ]),
        );
        if (checks.length === 0 && env['SALESFORCE_CLIENT_SECRET'] !== undefined)
          checks.push(check(env));
      },
    });
    expect(checks).toHaveLength(1);
    await Promise.all(checks);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('bare tenants');
  });

  it('rejects a value for --bare like any other boolean flag', async () => {
    const run = await runCliInProcess(['sandbox', '--bare=yes']);
    expect(run.code).toBe(2);
  });
});
