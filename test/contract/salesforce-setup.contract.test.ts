import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceConnection } from '../../src/adapters/salesforce/salesforce-connection.js';
import { instrumentRequests } from '../../src/adapters/salesforce/salesforce-requests.js';
import { SalesforceSetupAdapter } from '../../src/adapters/salesforce/salesforce-setup.adapter.js';
import { IntegrationError } from '../../src/platform/errors.js';
import type { FieldToCreate } from '../../src/ports/installation-setup.port.js';
import { HubSpotStore } from '../../src/sandbox/hubspot/hubspot-store.js';
import {
  createSalesforceSandbox,
  type SalesforceSandbox,
} from '../../src/sandbox/salesforce/salesforce-sandbox.js';
import { SalesforceStore } from '../../src/sandbox/salesforce/salesforce-store.js';
import { INTEGRATION_USER_ID, seedTenants } from '../../src/sandbox/seed/seed-tenants.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
let sandbox: SalesforceSandbox;
let connection: Connection;
let setup: SalesforceSetupAdapter;
let requests = 0;
let leadId: string;

/** Calls the sandbox served since the last reset that were not reads. */
function writeCalls(): string[] {
  return sandbox.server.log
    .list()
    .filter((call) => call.method !== 'GET')
    .map((call) => `${call.method} ${call.endpoint}`);
}

function endpoints(): string[] {
  return sandbox.server.log.list().map((call) => call.endpoint);
}

async function leadFieldNames(): Promise<string[]> {
  const described = await connection.sobject('Lead').describe();
  return described.fields.map((field) => field.name);
}

async function rejection(promise: Promise<unknown>): Promise<IntegrationError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof IntegrationError) return err;
    throw err;
  }
  throw new Error('expected an IntegrationError');
}

const FIELDS: readonly FieldToCreate[] = [
  {
    object: 'Lead',
    name: 'Handoff_Score__c',
    kind: 'number',
    label: 'Handoff Score',
    description: 'Handoff: the qualification score at handoff.',
  },
  {
    object: 'Lead',
    name: 'Handoff_Tier__c',
    kind: 'text',
    length: 20,
    label: 'Handoff Tier',
    description: 'Handoff: the tier.',
  },
  {
    object: 'Lead',
    name: 'HubSpot_Contact_Id__c',
    kind: 'text',
    length: 40,
    externalId: true,
    label: 'HubSpot Contact Id',
    description: 'Handoff: the HubSpot contact.',
  },
  {
    object: 'Lead',
    name: 'Handoff_Reason__c',
    kind: 'long_text',
    length: 32_768,
    label: 'Handoff Reason',
    description: 'Handoff: why qualified.',
  },
  {
    object: 'Lead',
    name: 'Handoff_Due__c',
    kind: 'datetime',
    label: 'Handoff Due',
    description: 'Handoff: the first-touch deadline.',
  },
  {
    object: 'Lead',
    name: 'Handoff_SLA_Breached__c',
    kind: 'checkbox',
    label: 'Handoff SLA Breached',
    description: 'Handoff: the first touch came late.',
  },
  {
    object: 'Lead',
    name: 'Rejection_Reason__c',
    kind: 'picklist',
    picklistValues: ['Not a fit', 'No budget'],
    label: 'Rejection Reason',
    description: 'Handoff: the rep’s reason.',
  },
  {
    object: 'Task',
    name: 'Handoff_Decision_Id__c',
    kind: 'text',
    length: 80,
    externalId: true,
    label: 'Handoff Decision Id',
    description: 'Handoff: the decision a Task belongs to.',
  },
];

const KEYS = FIELDS.map((field) => `${field.object}.${field.name}`);

beforeAll(async () => {
  sandbox = createSalesforceSandbox({
    store: new SalesforceStore(() => NOW, { handoffFields: false }),
    tokens: ['tok'],
    now: () => NOW,
    apps: [{ clientId: 'app', clientSecret: 'secret', runAsUserId: INTEGRATION_USER_ID }],
  });
  seedTenants(new HubSpotStore(() => NOW), sandbox.store, {
    seed: 5,
    contacts: 40,
    now: NOW,
    handoffSetup: false,
  });
  const url = await sandbox.server.listen();
  // As production wires it: every request counted and retried in one place.
  connection = instrumentRequests(
    await createSalesforceConnection({
      auth: { kind: 'client_credentials', loginUrl: url, clientId: 'app', clientSecret: 'secret' },
      version: '62.0',
    }),
    () => {
      requests += 1;
    },
  );
  setup = new SalesforceSetupAdapter(connection, INTEGRATION_USER_ID);
  const open = await connection.query<{ Id: string }>(
    'SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1',
  );
  leadId = open.records[0]?.Id ?? '';
});

afterAll(async () => {
  await sandbox.server.close();
});

describe('SalesforceSetupAdapter: custom fields', () => {
  it('finds none of the fields on a bare org, in one Tooling query', async () => {
    sandbox.server.log.reset();
    const found = await setup.customFields(FIELDS);
    expect(found.size).toBe(0);
    expect(endpoints()).toEqual(['tooling.query']);
    expect(await setup.customFields([])).toEqual(new Map());
  });

  it('creates each kind of field through the Tooling API', async () => {
    sandbox.server.log.reset();
    for (const field of FIELDS) await setup.createField(field);
    expect(endpoints()).toEqual(FIELDS.map(() => 'tooling.create'));
    expect(requests).toBeGreaterThan(FIELDS.length);
  });

  it('reads them back: kind, length, external id and picklist values, by Object.Name', async () => {
    sandbox.server.log.reset();
    const found = await setup.customFields([
      ...FIELDS,
      { object: 'Lead', name: 'Handoff_Missing__c' },
      { object: 'Task', name: 'Handoff_Score__c' },
      { object: 'Lead', name: 'Rating' },
    ]);
    // One query for the ids, then each field's Metadata on its own (one row at a time).
    expect(endpoints()).toEqual(['tooling.query', ...FIELDS.map(() => 'tooling.get')]);
    expect([...found.keys()]).toEqual(KEYS);
    const summary = Object.fromEntries(
      [...found].map(([key, field]) => [
        key,
        [field.kind, field.length, field.externalId, field.picklistValues],
      ]),
    );
    expect(summary).toEqual({
      'Lead.Handoff_Score__c': ['number', null, false, []],
      'Lead.Handoff_Tier__c': ['text', 20, false, []],
      'Lead.HubSpot_Contact_Id__c': ['text', 40, true, []],
      'Lead.Handoff_Reason__c': ['long_text', 32_768, false, []],
      'Lead.Handoff_Due__c': ['datetime', null, false, []],
      'Lead.Handoff_SLA_Breached__c': ['checkbox', null, false, []],
      'Lead.Rejection_Reason__c': ['picklist', null, false, ['Not a fit', 'No budget']],
      'Task.Handoff_Decision_Id__c': ['text', 80, true, []],
    });
    const task = found.get('Task.Handoff_Decision_Id__c');
    expect(task).toMatchObject({ object: 'Task', name: 'Handoff_Decision_Id__c' });
    expect(task?.id).toMatch(/^00N/);
  });

  it('reports a type it does not create as other', async () => {
    await connection.tooling.sobject('CustomField').create({
      FullName: 'Lead.Handoff_Other__c',
      Metadata: { label: 'Other', type: 'Date' },
    });
    const found = await setup.customFields([{ object: 'Lead', name: 'Handoff_Other__c' }]);
    expect(found.get('Lead.Handoff_Other__c')?.kind).toBe('other');
  });

  it('refuses a duplicate with an IntegrationError naming the vendor code', async () => {
    const field = FIELDS[0] as FieldToCreate;
    const duplicate = await rejection(setup.createField(field));
    expect(duplicate).toMatchObject({
      system: 'salesforce',
      kind: 'permanent',
      code: 'DUPLICATE_DEVELOPER_NAME',
    });
    expect(duplicate.message).toContain('Lead.Handoff_Score__c');
    expect(duplicate.message).toContain('DUPLICATE_DEVELOPER_NAME');
    const checkbox = await rejection(
      setup.createField({
        object: 'Lead',
        name: 'Handoff_Bad_Key__c',
        kind: 'checkbox',
        externalId: true,
        label: 'Bad Key',
        description: 'not allowed: an external id checkbox',
      }),
    );
    expect(checkbox.code).toBe('FIELD_INTEGRITY_EXCEPTION');
  });

  it('adds picklist values, keeping every value the field has, active or not', async () => {
    const key = 'Lead.Rejection_Reason__c';
    const before = (
      await setup.customFields([{ object: 'Lead', name: 'Rejection_Reason__c' }])
    ).get(key);
    if (before === undefined) throw new Error('no Rejection_Reason__c');
    // An admin deactivated 'No budget': Salesforce keeps it in the Metadata with isActive false.
    const tooling = connection.tooling.sobject('CustomField');
    const raw = (await tooling.retrieve(before.id)) as unknown as {
      Metadata: {
        valueSet: { valueSetDefinition: { value: Record<string, unknown>[] } };
      } & Record<string, unknown>;
    };
    const metadata = structuredClone(raw.Metadata);
    const values = metadata.valueSet.valueSetDefinition.value;
    values[1] = { ...values[1], isActive: false, color: '#FF0000' };
    await tooling.update({ Id: before.id, Metadata: metadata });

    sandbox.server.log.reset();
    await setup.addPicklistValues(before, ['Wrong region', 'no budget', 'Not a fit', 'Duplicate']);
    expect(writeCalls()).toEqual(['PATCH tooling.update']);
    const after = (await setup.customFields([{ object: 'Lead', name: 'Rejection_Reason__c' }])).get(
      key,
    );
    expect(after?.picklistValues).toEqual(['Not a fit', 'No budget', 'Wrong region', 'Duplicate']);
    const stored = (await tooling.retrieve(before.id)) as unknown as typeof raw;
    expect(stored.Metadata.valueSet.valueSetDefinition.value[1]).toMatchObject({
      fullName: 'No budget',
      isActive: false,
      color: '#FF0000',
    });
    expect(stored.Metadata).toMatchObject({
      label: 'Rejection Reason',
      description: 'Handoff: the rep’s reason.',
      valueSet: { restricted: true },
    });

    sandbox.server.log.reset();
    await setup.addPicklistValues(after ?? before, ['Duplicate', 'Not a fit']);
    expect(writeCalls()).toEqual([]);
  });

  it('refuses to add values to a field that is not a picklist', async () => {
    const found = await setup.customFields([{ object: 'Lead', name: 'Handoff_Tier__c' }]);
    const tier = found.get('Lead.Handoff_Tier__c');
    if (tier === undefined) throw new Error('no Handoff_Tier__c');
    const error = await rejection(setup.addPicklistValues(tier, ['A']));
    expect(error.code).toBe('NO_VALUE_SET_DEFINITION');
  });
});

describe('SalesforceSetupAdapter: the Handoff_Integration permission set', () => {
  it('sees no permission set on a bare org, and the new fields are invisible to the integration user', async () => {
    expect(await setup.permissionSet(KEYS)).toEqual({
      id: null,
      fields: new Map(),
      assignedToIntegrationUser: false,
    });
    const names = await leadFieldNames();
    expect(names).not.toContain('Handoff_Score__c');
    expect(names).not.toContain('Rejection_Reason__c');
  });

  it('creates the permission set once', async () => {
    sandbox.server.log.reset();
    const id = await setup.ensurePermissionSet();
    expect(id).toMatch(/^0PS/);
    expect(writeCalls()).toEqual(['POST sobjects.create']);
    const row = await connection.query<{ Name: string; Label: string }>(
      `SELECT Name, Label FROM PermissionSet WHERE Id = '${id}'`,
    );
    expect(row.records[0]).toMatchObject({
      Name: 'Handoff_Integration',
      Label: 'Handoff Integration',
    });
    sandbox.server.log.reset();
    expect(await setup.ensurePermissionSet()).toBe(id);
    expect(writeCalls()).toEqual([]);
    expect(await setup.permissionSet(KEYS)).toEqual({
      id,
      fields: new Map(),
      assignedToIntegrationUser: false,
    });
  });

  it('grants read and edit: updates a row that lacks edit, creates the missing ones in one Collections call', async () => {
    const id = await setup.ensurePermissionSet();
    // A read-only row someone made by hand.
    await connection.sobject('FieldPermissions').create({
      ParentId: id,
      SobjectType: 'Lead',
      Field: 'Lead.Handoff_Score__c',
      PermissionsRead: true,
      PermissionsEdit: false,
    });
    const partial = await setup.permissionSet(KEYS);
    expect([...partial.fields]).toEqual([['Lead.Handoff_Score__c', { read: true, edit: false }]]);

    sandbox.server.log.reset();
    await setup.grantFields(id, KEYS);
    expect(writeCalls()).toEqual(['PATCH collections.update', 'POST collections.create']);
    const counts = sandbox.server.log.summary().byEndpoint;
    expect(counts['collections.update']?.recordsIn).toBe(1);
    expect(counts['collections.create']?.recordsIn).toBe(KEYS.length - 1);

    const granted = await setup.permissionSet(KEYS);
    expect(granted.assignedToIntegrationUser).toBe(false);
    expect([...granted.fields.keys()].sort()).toEqual([...KEYS].sort());
    for (const value of granted.fields.values()) expect(value).toEqual({ read: true, edit: true });
    // Granted but not assigned: still hidden.
    expect(await leadFieldNames()).not.toContain('Handoff_Score__c');
  });

  it('assigns it to the integration user: the fields become visible and writable', async () => {
    const id = await setup.ensurePermissionSet();
    sandbox.server.log.reset();
    await setup.assignToIntegrationUser(id);
    expect(writeCalls()).toEqual(['POST sobjects.create']);
    expect((await setup.permissionSet(KEYS)).assignedToIntegrationUser).toBe(true);

    const described = await connection.sobject('Lead').describe();
    const byName = new Map(described.fields.map((field) => [field.name, field]));
    for (const field of FIELDS.filter((item) => item.object === 'Lead'))
      expect(byName.get(field.name)).toMatchObject({ createable: true, updateable: true });
    expect(byName.get('HubSpot_Contact_Id__c')).toMatchObject({ externalId: true, unique: true });
    const task = await connection.sobject('Task').describe();
    expect(task.fields.map((field) => field.name)).toContain('Handoff_Decision_Id__c');

    await connection.sobject('Lead').update({
      Id: leadId,
      Handoff_Score__c: 87,
      Rejection_Reason__c: 'Wrong region',
      Handoff_SLA_Breached__c: true,
    });
    const written = await connection.query<Record<string, unknown>>(
      `SELECT Handoff_Score__c, Rejection_Reason__c, Handoff_SLA_Breached__c FROM Lead WHERE Id = '${leadId}'`,
    );
    expect(written.records[0]).toMatchObject({
      Handoff_Score__c: 87,
      Rejection_Reason__c: 'Wrong region',
      Handoff_SLA_Breached__c: true,
    });
  });

  it('a second run with nothing to do makes no write call', async () => {
    sandbox.server.log.reset();
    const id = await setup.ensurePermissionSet();
    await setup.grantFields(id, KEYS);
    await setup.assignToIntegrationUser(id);
    expect(writeCalls()).toEqual([]);
    expect(sandbox.server.log.list().every((call) => call.endpoint === 'query')).toBe(true);
  });

  it('grants a field created later, leaving the others alone', async () => {
    await setup.createField({
      object: 'Lead',
      name: 'Handoff_Routed_At__c',
      kind: 'datetime',
      label: 'Handoff Routed At',
      description: 'Handoff: when the current owner got the lead.',
    });
    expect(await leadFieldNames()).not.toContain('Handoff_Routed_At__c');
    const id = await setup.ensurePermissionSet();
    sandbox.server.log.reset();
    await setup.grantFields(id, [...KEYS, 'Lead.Handoff_Routed_At__c']);
    expect(writeCalls()).toEqual(['POST collections.create']);
    expect(sandbox.server.log.summary().byEndpoint['collections.create']?.recordsIn).toBe(1);
    expect(await leadFieldNames()).toContain('Handoff_Routed_At__c');
  });

  it('names the vendor code of a refused grant', async () => {
    const id = await setup.ensurePermissionSet();
    const error = await rejection(setup.grantFields(id, ['Lead.Handoff_Nope__c']));
    expect(error).toMatchObject({
      system: 'salesforce',
      code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    });
    expect(error.message).toContain('Lead.Handoff_Nope__c');
  });
});
