import { describe, expect, it } from 'vitest';
import { SalesforceStore } from '../../../src/sandbox/salesforce/salesforce-store.js';
import { fieldSpecFor } from '../../../src/sandbox/salesforce/tooling-api.js';

const USER = '0055e000000USER01A';
const OTHER = '0055e000000USER02A';

function storeWithUsers(): SalesforceStore {
  const store = new SalesforceStore(() => Date.parse('2026-11-26T12:00:00Z'), {
    handoffFields: false,
  });
  for (const id of [USER, OTHER])
    store.insertRaw('User', { Username: id, LastName: 'U', Email: `${id}@example.com` }, id);
  store.addField('Lead', { name: 'Late__c', type: 'string', length: 20, custom: true });
  return store;
}

function grant(store: SalesforceStore, userId: string, edit: boolean): string {
  const set = store.create('PermissionSet', { Name: 'Grant', Label: 'Grant' }, false);
  if (!set.ok) throw new Error(JSON.stringify(set.errors));
  const row = store.create(
    'FieldPermissions',
    {
      ParentId: set.id,
      SobjectType: 'lead',
      Field: 'lead.late__c',
      PermissionsRead: true,
      PermissionsEdit: edit,
    },
    false,
  );
  if (!row.ok) throw new Error(JSON.stringify(row.errors));
  const assignment = store.create(
    'PermissionSetAssignment',
    { AssigneeId: userId, PermissionSetId: set.id },
    false,
  );
  if (!assignment.ok) throw new Error(JSON.stringify(assignment.errors));
  return assignment.id;
}

describe('field-level security in the Salesforce sandbox store', () => {
  it('applies to sessions only: system context sees every field', () => {
    const store = storeWithUsers();
    expect(store.visibleField('Lead', 'Late__c')?.name).toBe('Late__c');
    expect(store.runAs(USER, () => store.visibleField('Lead', 'Late__c'))).toBeUndefined();
    // Standard fields are not restricted.
    expect(store.runAs(USER, () => store.visibleField('Lead', 'Email'))?.name).toBe('Email');
  });

  it('grants through an assigned permission set, to that user only, and revokes on delete', () => {
    const store = storeWithUsers();
    const assignment = grant(store, USER, false);
    expect(store.runAs(USER, () => store.visibleField('Lead', 'late__c'))?.name).toBe('Late__c');
    expect(store.runAs(OTHER, () => store.visibleField('Lead', 'Late__c'))).toBeUndefined();
    const write = store.runAs(USER, () =>
      store.create('Lead', { LastName: 'X', Company: 'Y', Late__c: 'z' }, false),
    );
    expect(write.ok ? 'ok' : write.errors[0]?.statusCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect(store.delete(assignment).ok).toBe(true);
    expect(store.runAs(USER, () => store.visibleField('Lead', 'Late__c'))).toBeUndefined();
  });

  it('canonicalises the picklist values of a FieldPermissions row', () => {
    const store = storeWithUsers();
    grant(store, USER, true);
    const rows = [...store.table('FieldPermissions').values()].filter(
      (row) => row['Field'] === 'Lead.Late__c',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.['SobjectType']).toBe('Lead');
  });
});

describe('fieldSpecFor (Tooling Metadata → field)', () => {
  it('maps each supported type', () => {
    expect(fieldSpecFor('A__c', { label: 'A', type: 'Text', length: 40 })).toMatchObject({
      type: 'string',
      length: 40,
      custom: true,
    });
    expect(
      fieldSpecFor('B__c', { label: 'B', type: 'Checkbox', defaultValue: 'true' }),
    ).toMatchObject({ type: 'boolean', defaultValue: true });
    expect(
      fieldSpecFor('C__c', {
        label: 'C',
        type: 'Picklist',
        valueSet: {
          restricted: true,
          valueSetDefinition: {
            value: [
              { fullName: 'x', label: 'X', default: false },
              { fullName: 'y', label: 'Y', default: true },
            ],
          },
        },
      }),
    ).toMatchObject({
      type: 'picklist',
      picklist: ['x', 'y'],
      restricted: true,
      defaultValue: 'y',
    });
    expect(
      fieldSpecFor('D__c', { label: 'D', type: 'Number', precision: 18, scale: 0 }),
    ).toMatchObject({ type: 'double' });
  });

  it('refuses what Salesforce refuses', () => {
    const code = (metadata: Record<string, unknown>): unknown => {
      try {
        fieldSpecFor('X__c', metadata);
      } catch (err) {
        const body = (err as { response: { body: { errorCode: string }[] } }).response.body;
        return body[0]?.errorCode;
      }
      return 'ok';
    };
    expect(code({ label: 'X', type: 'Text' })).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(code({ label: 'X', type: 'Text', length: 256 })).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(code({ label: 'X', type: 'Number', precision: 5, scale: 6 })).toBe(
      'FIELD_INTEGRITY_EXCEPTION',
    );
    expect(code({ label: 'X', type: 'LongTextArea', length: 1000 })).toBe(
      'FIELD_INTEGRITY_EXCEPTION',
    );
    expect(code({ label: 'X', type: 'Checkbox' })).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(code({ label: 'X', type: 'Picklist' })).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(code({ label: 'X', type: 'Date', externalId: true })).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(code({ type: 'Date' })).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(code({ label: 'X', type: 'Lookup' })).toBe('FIELD_INTEGRITY_EXCEPTION');
  });
});
