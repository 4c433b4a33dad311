import { describe, expect, it } from 'vitest';
import { HANDOFF_STATUSES } from '../../../src/domain/installation/owned-fields.js';
import { IntegrationError } from '../../../src/platform/errors.js';
import type {
  ExistingField,
  FieldToCreate,
  HubSpotSetup,
  SalesforceSetup,
} from '../../../src/ports/installation-setup.port.js';
import type {
  DescribedProperty,
  SalesforceInstallation,
} from '../../../src/ports/installation.port.js';
import { applySetup, inspectSetup, type SetupDeps } from '../../../src/usecases/setup/run-setup.js';
import { makeDefinition } from '../../support/factories.js';

/** In-memory installations that change as setup writes to them, counting every write. */
function installation() {
  const writes: string[] = [];
  const fields = new Map<string, ExistingField>();
  const grants = new Map<string, { read: boolean; edit: boolean }>();
  let permissionSetId: string | null = null;
  let assigned = false;
  let failNextCreate: string | null = null;
  const properties: DescribedProperty[] = [];
  let group = false;
  const lists = new Map<string, string>();
  const salesforce: SalesforceSetup = {
    customFields: (wanted) =>
      Promise.resolve(
        new Map(
          wanted
            .map(({ object, name }) => `${object}.${name}`)
            .filter((key) => fields.has(key))
            .map((key) => [key, fields.get(key) as ExistingField]),
        ),
      ),
    createField: (field: FieldToCreate) => {
      writes.push(`create ${field.object}.${field.name}`);
      if (failNextCreate === field.name) {
        failNextCreate = null;
        return Promise.reject(
          new IntegrationError('salesforce', 'permanent', 'refused', {
            code: 'FIELD_INTEGRITY_EXCEPTION',
          }),
        );
      }
      fields.set(`${field.object}.${field.name}`, {
        id: `00N${fields.size}`,
        object: field.object,
        name: field.name,
        kind: field.kind,
        length: field.length ?? null,
        externalId: field.externalId === true,
        picklistValues: field.picklistValues ?? [],
      });
      return Promise.resolve();
    },
    addPicklistValues: (field, values) => {
      writes.push(`values ${field.name}`);
      fields.set(`${field.object}.${field.name}`, {
        ...field,
        picklistValues: [...field.picklistValues, ...values],
      });
      return Promise.resolve();
    },
    permissionSet: (keys) =>
      Promise.resolve({
        id: permissionSetId,
        fields: new Map(
          keys
            .filter((key) => grants.has(key))
            .map((key) => [key, grants.get(key) ?? { read: false, edit: false }]),
        ),
        assignedToIntegrationUser: assigned,
      }),
    ensurePermissionSet: () => {
      if (permissionSetId === null) {
        writes.push('permission set');
        permissionSetId = '0PS1';
      }
      return Promise.resolve(permissionSetId);
    },
    grantFields: (_id, keys) => {
      writes.push(`grant ${keys.length}`);
      for (const key of keys) grants.set(key, { read: true, edit: true });
      return Promise.resolve();
    },
    assignToIntegrationUser: () => {
      writes.push('assign');
      assigned = true;
      return Promise.resolve();
    },
  };
  const describe: SalesforceInstallation = {
    fields: () =>
      Promise.resolve([
        {
          name: 'Status',
          kind: 'picklist',
          length: null,
          updateable: true,
          externalId: false,
          picklistValues: ['Open - Not Contacted', 'Unqualified'],
        },
      ]),
    dailyApiRequests: () => Promise.resolve({ max: 1, remaining: 1 }),
    serverTime: () => Promise.resolve(new Date()),
  };
  const hubspot: HubSpotSetup = {
    contactProperties: () => Promise.resolve([...properties]),
    hasPropertyGroup: () => Promise.resolve(group),
    createPropertyGroup: () => {
      writes.push('group');
      group = true;
      return Promise.resolve();
    },
    createProperty: (property) => {
      writes.push(`property ${property.name}`);
      properties.push({ name: property.name, type: property.type, options: [...property.options] });
      return Promise.resolve();
    },
    setOptions: (name, options) => {
      writes.push(`options ${name}`);
      const index = properties.findIndex((property) => property.name === name);
      properties[index] = { ...(properties[index] as DescribedProperty), options: [...options] };
      return Promise.resolve();
    },
    listsByName: (names) =>
      Promise.resolve(
        new Map(
          names.filter((name) => lists.has(name)).map((name) => [name, lists.get(name) ?? '']),
        ),
      ),
    createList: (name) => {
      writes.push(`list ${name}`);
      lists.set(name, String(lists.size + 900));
      return Promise.resolve(String(lists.size + 899));
    },
  };
  const definition = makeDefinition((file) => {
    file.feedback = {
      ...file.feedback,
      rejected_statuses: ['Unqualified', 'Rejected'],
      reasons: {
        'No budget': { nurture_list: 'Nurture — no budget' },
        Competitor: { nurture_list: '101' },
      },
    };
  });
  const deps: SetupDeps = { definition, salesforce, installation: describe, hubspot };
  return {
    deps,
    writes,
    fields,
    properties,
    failCreate: (name: string) => (failNextCreate = name),
  };
}

describe('handoff setup', () => {
  it('plans everything on a bare installation, applies it, and then has nothing to do', async () => {
    const { deps, writes } = installation();
    const plan = await inspectSetup(deps);
    expect(plan.filter((item) => item.state === 'present')).toEqual([]);
    expect(plan.find((item) => item.item === 'Lead.HubSpot_Contact_Id__c')).toMatchObject({
      state: 'missing',
      detail: 'create Text(40), External ID, Unique',
    });
    // The org lacks a status the definition names: only an admin can add it.
    const statuses = plan.find((item) => item.item === 'Lead.Status values');
    expect(statuses?.state).toBe('manual');
    expect(statuses?.detail).toContain('"Rejected" by hand: Setup → Object Manager → Lead');
    // A list named by name is created; one named by id is the admin's.
    expect(plan.filter((item) => item.item.startsWith('list'))).toEqual([
      expect.objectContaining({ item: 'list "Nurture — no budget"', state: 'missing' }),
    ]);
    const applied = await applySetup(deps, plan);
    expect(applied.filter((item) => item.outcome?.ok === false)).toEqual([]);
    expect(writes).toContain('permission set');
    expect(writes.filter((write) => write.startsWith('property '))).toHaveLength(12);

    writes.length = 0;
    const again = await inspectSetup(deps);
    expect(again.filter((item) => item.state !== 'present').map((item) => item.item)).toEqual([
      'Lead.Status values',
    ]);
    await applySetup(deps, again);
    expect(writes).toEqual([]);
  });

  it('adds missing picklist values and options, keeping every one there, and never changes a type', async () => {
    const { deps, writes, fields, properties } = installation();
    await applySetup(deps, await inspectSetup(deps));
    const reason = fields.get('Lead.Rejection_Reason__c') as ExistingField;
    fields.set('Lead.Rejection_Reason__c', { ...reason, picklistValues: ['Old reason'] });
    const score = fields.get('Lead.Handoff_Score__c') as ExistingField;
    fields.set('Lead.Handoff_Score__c', { ...score, kind: 'text' });
    const status = properties.findIndex((property) => property.name === 'handoff_status');
    properties[status] = {
      name: 'handoff_status',
      type: 'enumeration',
      options: ['mql', 'legacy'],
    };
    writes.length = 0;
    const plan = await inspectSetup(deps);
    expect(plan.find((item) => item.item === 'Lead.Handoff_Score__c')).toMatchObject({
      state: 'manual',
    });
    await applySetup(deps, plan);
    expect(writes).toEqual(['values Rejection_Reason__c', 'options handoff_status']);
    expect(fields.get('Lead.Rejection_Reason__c')?.picklistValues).toEqual(
      expect.arrayContaining(['Old reason', 'No budget', 'Competitor']),
    );
    expect(properties[status]?.options).toEqual([
      'mql',
      'legacy',
      ...HANDOFF_STATUSES.filter((value) => value !== 'mql'),
    ]);
  });

  it('reports a refused item with the vendor code and goes on with the rest', async () => {
    const { deps, failCreate } = installation();
    failCreate('Handoff_Tier__c');
    const applied = await applySetup(deps, await inspectSetup(deps));
    expect(applied.filter((item) => item.outcome?.ok === false)).toEqual([
      expect.objectContaining({
        item: 'Lead.Handoff_Tier__c',
        outcome: { ok: false, error: 'permanent: salesforce FIELD_INTEGRITY_EXCEPTION' },
      }),
    ]);
    expect(applied.filter((item) => item.outcome?.ok === true).length).toBeGreaterThan(20);
  });
});
