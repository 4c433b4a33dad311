import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SANDBOX_SALESFORCE_TOKEN,
  startSandboxes,
  type RunningSandboxes,
} from '../../src/sandbox/start-sandboxes.js';
import { INTEGRATION_USER_ID } from '../../src/sandbox/seed/seed-tenants.js';
import { PROFILE_PERMISSION_SET_ID } from '../../src/sandbox/salesforce/salesforce-store.js';

const VERSION = '62.0';
const NOW = Date.parse('2026-11-26T12:00:00Z');

interface SfError {
  errorCode?: string;
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

/** The wire's per-record error code (`statusCode`). */
function firstCode(result: { success: boolean; errors: readonly unknown[] }): string {
  if (result.success) return 'ok';
  const error = result.errors[0] as { statusCode?: string } | undefined;
  return error?.statusCode ?? 'unknown';
}

function connect(sandboxes: RunningSandboxes): Connection {
  return new Connection({
    instanceUrl: sandboxes.salesforceUrl,
    accessToken: SANDBOX_SALESFORCE_TOKEN,
    version: VERSION,
  });
}

/** Raw HTTP, for the status codes jsforce hides. */
async function raw(
  sandboxes: RunningSandboxes,
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

const STAGE_METADATA = {
  label: 'Handoff Stage',
  type: 'Picklist',
  required: false,
  valueSet: {
    restricted: true,
    valueSetDefinition: {
      sorted: false,
      value: [{ fullName: 'Routed', label: 'Routed', default: false }],
    },
  },
};

async function fieldNames(conn: Connection, object: string): Promise<string[]> {
  const described = await conn.describe(object);
  return described.fields.map((field) => field.name);
}

describe('a bare org (handoffSetup: false)', () => {
  let sandboxes: RunningSandboxes;
  let conn: Connection;
  let leadId: string;

  beforeAll(async () => {
    sandboxes = await startSandboxes({
      handoffSetup: false,
      contacts: 40,
      seed: 5,
      now: () => NOW,
    });
    conn = connect(sandboxes);
    const open = await conn.query<{ Id: string }>(
      'SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1',
    );
    leadId = open.records[0]?.Id ?? '';
  });

  afterAll(async () => {
    await sandboxes.close();
  });

  it("has none of Handoff's Lead and Task fields", async () => {
    const lead = await fieldNames(conn, 'Lead');
    const task = await fieldNames(conn, 'Task');
    expect(lead.filter((name) => /^(Handoff_|Rejection_|HubSpot_Contact_Id)/.test(name))).toEqual(
      [],
    );
    expect(task).not.toContain('Handoff_Decision_Id__c');
    const custom = await conn.tooling.query<{ Id: string }>(
      "SELECT Id, DeveloperName, TableEnumOrId FROM CustomField WHERE TableEnumOrId IN ('Lead', 'Task')",
    );
    expect(custom.records).toEqual([]);
    const error = await sfError(conn.query('SELECT Id, Handoff_Score__c FROM Lead LIMIT 1'));
    expect(error.errorCode).toBe('INVALID_FIELD');
    expect(leadId).toMatch(/^00Q/);
  });

  it('creates a custom field through the Tooling API: 201 { id, success, errors }', async () => {
    const created = await raw(sandboxes, 'POST', '/tooling/sobjects/CustomField', {
      FullName: 'Lead.Handoff_Stage__c',
      Metadata: STAGE_METADATA,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^00N\w{15}$/) as unknown,
      success: true,
      errors: [],
    });

    const viaJsforce = await conn.tooling.sobject('CustomField').create({
      FullName: 'Lead.Handoff_Due_Score__c',
      Metadata: { label: 'Handoff Due Score', type: 'Number', precision: 5, scale: 1 },
    });
    expect(viaJsforce).toMatchObject({ success: true, errors: [] });
  });

  it('creates each supported type with its attributes', async () => {
    const fields: [string, Record<string, unknown>][] = [
      ['Handoff_Key__c', { type: 'Text', length: 40, externalId: true, unique: true }],
      ['Handoff_Flag__c', { type: 'Checkbox', defaultValue: false }],
      ['Handoff_Notes__c', { type: 'LongTextArea', length: 32_768, visibleLines: 5 }],
      ['Handoff_At__c', { type: 'DateTime' }],
    ];
    for (const [name, metadata] of fields) {
      const result = await conn.tooling.sobject('CustomField').create({
        FullName: `Lead.${name}`,
        Metadata: { label: name.replace(/__c$/, '').replace(/_/g, ' '), ...metadata },
      });
      expect(result.success).toBe(true);
    }
  });

  it('refuses a duplicate field (DUPLICATE_DEVELOPER_NAME), a bad type or missing attributes (FIELD_INTEGRITY_EXCEPTION)', async () => {
    const tooling = conn.tooling.sobject('CustomField');
    const duplicate = await sfError(
      tooling.create({ FullName: 'Lead.Handoff_Stage__c', Metadata: STAGE_METADATA }),
    );
    expect(duplicate.errorCode).toBe('DUPLICATE_DEVELOPER_NAME');
    const badType = await raw(sandboxes, 'POST', '/tooling/sobjects/CustomField', {
      FullName: 'Lead.Handoff_Bad__c',
      Metadata: { label: 'Bad', type: 'Texty', length: 10 },
    });
    expect(badType.status).toBe(400);
    expect(badType.body).toEqual([
      expect.objectContaining({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['type'] }),
    ]);
    const noLength = await sfError(
      tooling.create({ FullName: 'Lead.Handoff_Bad__c', Metadata: { label: 'Bad', type: 'Text' } }),
    );
    expect(noLength.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    const badName = await sfError(
      tooling.create({ FullName: 'Lead.Handoff__Bad', Metadata: { label: 'Bad', type: 'Date' } }),
    );
    expect(badName.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    const noObject = await sfError(
      tooling.create({ FullName: 'Nope.Bad__c', Metadata: { label: 'Bad', type: 'Date' } }),
    );
    expect(noObject.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
  });

  it('queries CustomField; Metadata and FullName only when one row matches', async () => {
    const listed = await conn.tooling.query<{
      Id: string;
      DeveloperName: string;
      TableEnumOrId: string;
    }>("SELECT Id, DeveloperName, TableEnumOrId FROM CustomField WHERE TableEnumOrId = 'Lead'");
    expect(listed.records.map((record) => record.DeveloperName)).toEqual([
      'Handoff_Stage',
      'Handoff_Due_Score',
      'Handoff_Key',
      'Handoff_Flag',
      'Handoff_Notes',
      'Handoff_At',
    ]);
    const wire = await raw(
      sandboxes,
      'GET',
      `/tooling/query?q=${encodeURIComponent("SELECT Id, DeveloperName FROM CustomField WHERE DeveloperName = 'Handoff_Stage'")}`,
    );
    expect(wire.body).toMatchObject({
      size: 1,
      totalSize: 1,
      done: true,
      queryLocator: null,
      entityTypeName: 'CustomField',
      records: [
        {
          attributes: {
            type: 'CustomField',
            url: expect.stringMatching(/\/tooling\/sobjects\/CustomField\/00N/) as unknown,
          },
          DeveloperName: 'Handoff_Stage',
        },
      ],
    });
    const one = await conn.tooling.query<{ FullName: string; Metadata: typeof STAGE_METADATA }>(
      "SELECT Id, FullName, Metadata FROM CustomField WHERE TableEnumOrId = 'Lead' AND DeveloperName = 'Handoff_Stage'",
    );
    expect(one.records[0]?.FullName).toBe('Lead.Handoff_Stage__c');
    expect(one.records[0]?.Metadata).toMatchObject({
      label: 'Handoff Stage',
      type: 'Picklist',
      valueSet: STAGE_METADATA.valueSet,
    });
    const many = await sfError(
      conn.tooling.query("SELECT Id, Metadata FROM CustomField WHERE TableEnumOrId = 'Lead'"),
    );
    expect(many.errorCode).toBe('MALFORMED_QUERY');
    expect(many.message).toMatch(/no more than one row/);
  });

  it('hides a field without field-level security: absent from describe, INVALID_FIELD on query, refused on write', async () => {
    expect(await fieldNames(conn, 'Lead')).not.toContain('Handoff_Stage__c');
    const query = await sfError(conn.query('SELECT Id, Handoff_Stage__c FROM Lead LIMIT 1'));
    expect(query.errorCode).toBe('INVALID_FIELD');
    const single = await sfError(
      conn.sobject('Lead').update({ Id: leadId, Handoff_Stage__c: 'Routed' }),
    );
    expect(single.errorCode).toBe('INVALID_FIELD');
    const [batch] = await conn
      .sobject('Lead')
      .update([{ Id: leadId, Handoff_Stage__c: 'Routed' }], { allOrNone: false });
    expect(firstCode(batch as never)).toBe('INVALID_FIELD');
    const get = await sfError(
      conn.sobject('Lead').retrieve(leadId, { fields: ['Handoff_Stage__c'] }),
    );
    expect(get.errorCode).toBe('INVALID_FIELD');
  });

  it('grants the field through a permission set and an assignment: read only, then read and edit', async () => {
    const set = await conn.sobject('PermissionSet').create({
      Name: 'Handoff_Integration',
      Label: 'Handoff Integration',
    });
    expect(set.success).toBe(true);
    const parentId = set.id ?? '';
    expect(parentId).toMatch(/^0PS/);
    const readOnly = await conn.sobject('FieldPermissions').create({
      ParentId: parentId,
      SobjectType: 'Lead',
      Field: 'Lead.Handoff_Stage__c',
      PermissionsRead: true,
      PermissionsEdit: false,
    });
    expect(readOnly.success).toBe(true);
    // Not assigned yet: still hidden.
    expect(await fieldNames(conn, 'Lead')).not.toContain('Handoff_Stage__c');
    const assignment = await conn.sobject('PermissionSetAssignment').create({
      AssigneeId: INTEGRATION_USER_ID,
      PermissionSetId: parentId,
    });
    expect(assignment.success).toBe(true);

    const described = await conn.describe('Lead');
    expect(described.fields.find((field) => field.name === 'Handoff_Stage__c')).toMatchObject({
      createable: false,
      updateable: false,
    });
    const read = await conn.query<{ Handoff_Stage__c: string | null }>(
      `SELECT Id, Handoff_Stage__c FROM Lead WHERE Id = '${leadId}'`,
    );
    expect(read.records[0]?.Handoff_Stage__c).toBeNull();
    const refused = await sfError(
      conn.sobject('Lead').update({ Id: leadId, Handoff_Stage__c: 'Routed' }),
    );
    expect(refused.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');

    const rows = await conn.query<{ Id: string; Field: string; PermissionsEdit: boolean }>(
      `SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = '${parentId}'`,
    );
    expect(rows.records).toEqual([
      expect.objectContaining({ Field: 'Lead.Handoff_Stage__c', PermissionsEdit: false }),
    ]);
    const [updated] = await conn
      .sobject('FieldPermissions')
      .update([{ Id: rows.records[0]?.Id ?? '', PermissionsEdit: true }]);
    expect(updated?.success).toBe(true);

    const editable = await conn.describe('Lead');
    expect(editable.fields.find((field) => field.name === 'Handoff_Stage__c')).toMatchObject({
      createable: true,
      updateable: true,
    });
    await conn.sobject('Lead').update({ Id: leadId, Handoff_Stage__c: 'Routed' });
    const written = await conn.query<{ Handoff_Stage__c: string | null }>(
      `SELECT Handoff_Stage__c FROM Lead WHERE Id = '${leadId}'`,
    );
    expect(written.records[0]?.Handoff_Stage__c).toBe('Routed');
    const bad = await sfError(
      conn.sobject('Lead').update({ Id: leadId, Handoff_Stage__c: 'Accepted' }),
    );
    expect(bad.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  });

  it('adds a picklist value with PATCH …/tooling/sobjects/CustomField/{id} → 204', async () => {
    const found = await conn.tooling.query<{ Id: string; Metadata: typeof STAGE_METADATA }>(
      "SELECT Id, Metadata FROM CustomField WHERE TableEnumOrId = 'Lead' AND DeveloperName = 'Handoff_Stage'",
    );
    const record = found.records[0];
    if (record === undefined) throw new Error('no Handoff_Stage field');
    const metadata = structuredClone(record.Metadata);
    metadata.valueSet.valueSetDefinition.value.push({
      fullName: 'Accepted',
      label: 'Accepted',
      default: false,
    });
    const patched = await raw(sandboxes, 'PATCH', `/tooling/sobjects/CustomField/${record.Id}`, {
      Metadata: metadata,
    });
    expect(patched).toEqual({ status: 204, body: null });
    const viaJsforce = await conn.tooling
      .sobject('CustomField')
      .update({ Id: record.Id, Metadata: metadata });
    expect(viaJsforce).toMatchObject({ id: record.Id, success: true });

    await conn.sobject('Lead').update({ Id: leadId, Handoff_Stage__c: 'Accepted' });
    const described = await conn.describe('Lead');
    const stage = described.fields.find((field) => field.name === 'Handoff_Stage__c');
    const values = (stage?.picklistValues ?? []) as readonly { value: string }[];
    expect(values.map((value) => value.value)).toEqual(['Routed', 'Accepted']);
    expect(stage?.restrictedPicklist).toBe(true);
    const retrieved = await raw(sandboxes, 'GET', `/tooling/sobjects/CustomField/${record.Id}`);
    expect(retrieved.body).toMatchObject({
      Id: record.Id,
      FullName: 'Lead.Handoff_Stage__c',
      Metadata: { valueSet: { valueSetDefinition: { value: [{}, { fullName: 'Accepted' }] } } },
    });
    // A PATCH that leaves a value out deactivates it.
    const withoutRouted = structuredClone(metadata);
    withoutRouted.valueSet.valueSetDefinition.value.splice(0, 1);
    await conn.tooling.sobject('CustomField').update({ Id: record.Id, Metadata: withoutRouted });
    const after = await conn.describe('Lead');
    const picklist = (after.fields.find((field) => field.name === 'Handoff_Stage__c')
      ?.picklistValues ?? []) as readonly { value: string; active: boolean }[];
    expect(picklist.map(({ value, active }) => [value, active])).toEqual([
      ['Accepted', true],
      ['Routed', false],
    ]);
    const inactive = await sfError(
      conn.sobject('Lead').update({ Id: leadId, Handoff_Stage__c: 'Routed' }),
    );
    expect(inactive.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    await conn.tooling.sobject('CustomField').update({ Id: record.Id, Metadata: metadata });
    const missing = await raw(sandboxes, 'GET', '/tooling/sobjects/CustomField/00N5e0000000ZZZZZZ');
    expect(missing.status).toBe(404);
  });

  it('grants through the Collections endpoint too, and an external id becomes usable for upsert', async () => {
    const sets = await conn.query<{ Id: string }>(
      "SELECT Id FROM PermissionSet WHERE Name = 'Handoff_Integration'",
    );
    const parentId = sets.records[0]?.Id ?? '';
    const names = [
      'Handoff_Key__c',
      'Handoff_Flag__c',
      'Handoff_Notes__c',
      'Handoff_At__c',
      'Handoff_Due_Score__c',
    ];
    const results = await conn.sobject('FieldPermissions').create(
      names.map((name) => ({
        ParentId: parentId,
        SobjectType: 'Lead',
        Field: `Lead.${name}`,
        PermissionsRead: true,
        PermissionsEdit: true,
      })),
    );
    expect(results.map((result) => result.success)).toEqual(names.map(() => true));
    const described = await conn.describe('Lead');
    const byName = new Map(described.fields.map((field) => [field.name, field]));
    expect(byName.get('Handoff_Key__c')).toMatchObject({
      type: 'string',
      length: 40,
      externalId: true,
      unique: true,
    });
    expect(byName.get('Handoff_Flag__c')).toMatchObject({ type: 'boolean' });
    expect(byName.get('Handoff_Notes__c')).toMatchObject({ type: 'textarea', length: 32_768 });
    expect(byName.get('Handoff_At__c')).toMatchObject({ type: 'datetime' });
    expect(byName.get('Handoff_Due_Score__c')).toMatchObject({ type: 'double' });
    const flag = await conn.query<{ Handoff_Flag__c: boolean }>(
      `SELECT Handoff_Flag__c FROM Lead WHERE Id = '${leadId}'`,
    );
    expect(flag.records[0]?.Handoff_Flag__c).toBe(false);
    const upserted = await conn
      .sobject('Lead')
      .upsert({ Handoff_Key__c: 'k-1', LastName: 'Upserted', Company: 'Acme' }, 'Handoff_Key__c', {
        headers: { 'Sforce-Auto-Assign': 'FALSE' },
      });
    expect(upserted).toMatchObject({ success: true });
  });

  it('enforces the permission objects: restricted picklists, edit needs read, one row per field, one assignment per user', async () => {
    const sets = await conn.query<{ Id: string }>(
      "SELECT Id FROM PermissionSet WHERE Name = 'Handoff_Integration'",
    );
    const parentId = sets.records[0]?.Id ?? '';
    const permissions = conn.sobject('FieldPermissions');
    const unknown = await sfError(
      permissions.create({
        ParentId: parentId,
        SobjectType: 'Lead',
        Field: 'Lead.Nope__c',
        PermissionsRead: true,
      }),
    );
    expect(unknown.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const required = await sfError(
      permissions.create({
        ParentId: parentId,
        SobjectType: 'Lead',
        Field: 'Lead.LastName',
        PermissionsRead: true,
      }),
    );
    expect(required.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const editOnly = await sfError(
      permissions.create({
        ParentId: parentId,
        SobjectType: 'Lead',
        Field: 'Lead.Rating',
        PermissionsRead: false,
        PermissionsEdit: true,
      }),
    );
    expect(editOnly.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    const twice = await sfError(
      permissions.create({
        ParentId: parentId,
        SobjectType: 'Lead',
        Field: 'Lead.Handoff_Stage__c',
        PermissionsRead: true,
      }),
    );
    expect(twice.errorCode).toBe('DUPLICATE_VALUE');
    const reassigned = await sfError(
      conn
        .sobject('PermissionSetAssignment')
        .create({ AssigneeId: INTEGRATION_USER_ID, PermissionSetId: parentId }),
    );
    expect(reassigned.errorCode).toBe('DUPLICATE_VALUE');
    const duplicateSet = await sfError(
      conn.sobject('PermissionSet').create({ Name: 'Handoff_Integration', Label: 'Again' }),
    );
    expect(duplicateSet.errorCode).toBe('DUPLICATE_DEVELOPER_NAME');

    const objectPermission = await conn.sobject('ObjectPermissions').create({
      ParentId: parentId,
      SobjectType: 'Lead',
      PermissionsRead: true,
      PermissionsEdit: true,
    });
    expect(objectPermission.success).toBe(true);
    const objects = await conn.query<{ SobjectType: string; PermissionsEdit: boolean }>(
      `SELECT SobjectType, PermissionsRead, PermissionsEdit FROM ObjectPermissions WHERE ParentId = '${parentId}'`,
    );
    expect(objects.records).toEqual([
      expect.objectContaining({ SobjectType: 'Lead', PermissionsEdit: true }),
    ]);
    const assignments = await conn.query<{ PermissionSet: { Name: string } }>(
      `SELECT Id, PermissionSetId, PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId = '${INTEGRATION_USER_ID}'`,
    );
    expect(assignments.records.map((record) => record.PermissionSet.Name)).toEqual([
      'Handoff_Integration',
    ]);
  });

  it('takes read away again: removing read deletes the row and hides the field', async () => {
    const rows = await conn.query<{ Id: string }>(
      "SELECT Id FROM FieldPermissions WHERE Field = 'Lead.Handoff_At__c'",
    );
    const id = rows.records[0]?.Id ?? '';
    await conn
      .sobject('FieldPermissions')
      .update({ Id: id, PermissionsRead: false, PermissionsEdit: false });
    const after = await conn.query(
      "SELECT Id FROM FieldPermissions WHERE Field = 'Lead.Handoff_At__c'",
    );
    expect(after.totalSize).toBe(0);
    expect(await fieldNames(conn, 'Lead')).not.toContain('Handoff_At__c');
  });

  it('serves /limits with DailyApiRequests.Remaining counting down with the calls served', async () => {
    const before = await conn.limits();
    const usedBefore = conn.limitInfo.apiUsage?.used ?? 0;
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    const after = await conn.limits();
    const daily = (limits: Record<string, unknown>): { Max: number; Remaining: number } =>
      limits['DailyApiRequests'] as { Max: number; Remaining: number };
    expect(daily(before).Max).toBe(100_000);
    // The header and the resource agree: this call counted too.
    expect(daily(before).Remaining).toBe(100_000 - usedBefore);
    expect(daily(after).Remaining).toBe(daily(before).Remaining - 2);
    expect(conn.limitInfo.apiUsage?.used).toBe(usedBefore + 2);
    expect(Object.keys(after)).toEqual(
      expect.arrayContaining([
        'DailyApiRequests',
        'DailyBulkApiBatches',
        'DailyBulkV2QueryJobs',
        'DailyBulkV2QueryFileStorageMB',
        'HourlyPublishedPlatformEvents',
        'PermissionSets',
      ]),
    );
    expect(after['PermissionSets']).toEqual({
      Max: 1_500,
      Remaining: 1_498,
      CreateCustom: { Max: 1_000, Remaining: 999 },
    });
  });
});

describe('the ready-made org (default)', () => {
  let sandboxes: RunningSandboxes;
  let conn: Connection;

  beforeAll(async () => {
    sandboxes = await startSandboxes({ contacts: 40, seed: 5, now: () => NOW });
    conn = connect(sandboxes);
  });

  afterAll(async () => {
    await sandboxes.close();
  });

  it("grants the integration user every custom field through the profile's permission set", async () => {
    const lead = await fieldNames(conn, 'Lead');
    expect(lead).toEqual(
      expect.arrayContaining(['Handoff_Score__c', 'HubSpot_Contact_Id__c', 'Rejection_Reason__c']),
    );
    expect(await fieldNames(conn, 'Task')).toContain('Handoff_Decision_Id__c');
    const granted = await conn.query<{ Field: string; PermissionsRead: boolean }>(
      `SELECT Field, PermissionsRead, PermissionsEdit, Parent.IsOwnedByProfile FROM FieldPermissions WHERE ParentId = '${PROFILE_PERMISSION_SET_ID}'`,
    );
    expect(granted.records.map((record) => record.Field)).toEqual(
      expect.arrayContaining(['Lead.Handoff_Score__c', 'Task.Handoff_Decision_Id__c']),
    );
    const custom = await conn.tooling.query<{ DeveloperName: string }>(
      "SELECT Id, DeveloperName FROM CustomField WHERE TableEnumOrId = 'Lead'",
    );
    expect(custom.records.map((record) => record.DeveloperName)).toContain('Handoff_Score');
    const one = await conn.tooling.query<{ Metadata: { type: string; length: number } }>(
      "SELECT Metadata FROM CustomField WHERE TableEnumOrId = 'Lead' AND DeveloperName = 'HubSpot_Contact_Id'",
    );
    expect(one.records[0]?.Metadata).toMatchObject({ type: 'Text', length: 40, externalId: true });
  });

  it('still hides a field created later until it is granted', async () => {
    await conn.tooling.sobject('CustomField').create({
      FullName: 'Lead.Handoff_Late__c',
      Metadata: { label: 'Late', type: 'Date' },
    });
    expect(await fieldNames(conn, 'Lead')).not.toContain('Handoff_Late__c');
    await conn.sobject('FieldPermissions').create({
      ParentId: PROFILE_PERMISSION_SET_ID,
      SobjectType: 'Lead',
      Field: 'Lead.Handoff_Late__c',
      PermissionsRead: true,
      PermissionsEdit: true,
    });
    expect(await fieldNames(conn, 'Lead')).toContain('Handoff_Late__c');
  });
});
