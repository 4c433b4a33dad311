import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createHubSpotSandbox,
  type HubSpotSandbox,
} from '../../src/sandbox/hubspot/hubspot-sandbox.js';
import { signV3 } from '../../src/sandbox/hubspot/hubspot-webhooks.js';
import { seedTenants } from '../../src/sandbox/seed/seed-tenants.js';
import { SalesforceStore } from '../../src/sandbox/salesforce/salesforce-store.js';
import {
  AssociationsPageShape,
  BatchResponseShape,
  ErrorShape,
  ListMembershipChangeShape,
  OwnerShape,
  PublicObjectShape,
  SearchResponseShape,
} from '../support/hubspot-shapes.js';

const TOKEN = 'pat-test';
const NOW = Date.parse('2026-11-26T12:00:00Z');
let sandbox: HubSpotSandbox;
let url: string;
let client: Client;

/** The SDK's ApiException, as far as these tests look at it. */
interface ApiError {
  code: number;
  body: { category?: string; message?: string; policyName?: string };
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected the call to fail');
}

async function raw(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${TOKEN}`,
      'Content-Type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

beforeAll(async () => {
  sandbox = createHubSpotSandbox({ tokens: [TOKEN], now: () => NOW });
  seedTenants(sandbox.store, new SalesforceStore(() => NOW), { seed: 3, contacts: 400, now: NOW });
  url = await sandbox.server.listen();
  client = new Client({ accessToken: TOKEN, basePath: url, numberOfApiCallRetries: 0 });
});

afterAll(async () => {
  await sandbox.server.close();
});

afterEach(() => {
  sandbox.server.faults.clear();
  sandbox.api.limiter.configure({ enabled: false });
});

describe('contacts search', () => {
  it('filters, sorts and pages with a numeric after, omitting paging on the last page', async () => {
    const request = {
      filterGroups: [
        {
          filters: [
            {
              propertyName: 'lastmodifieddate',
              operator: FilterOperatorEnum.Gte,
              value: String(NOW - 200 * 86_400_000),
            },
          ],
        },
      ],
      sorts: ['lastmodifieddate'],
      properties: ['email', 'lastmodifieddate', 'jobtitle'],
      limit: 200,
      after: '0',
    };
    const seen = new Set<string>();
    let after: string | undefined = '0';
    let previous = '';
    let pages = 0;
    let total = 0;
    while (after !== undefined) {
      const page = await client.crm.contacts.searchApi.doSearch({ ...request, after });
      total = page.total;
      for (const contact of page.results) {
        expect(seen.has(contact.id)).toBe(false);
        seen.add(contact.id);
        const modified = contact.properties['lastmodifieddate'] ?? '';
        expect(modified >= previous).toBe(true);
        previous = modified;
        expect(Object.keys(contact.properties).sort()).toEqual([
          'email',
          'jobtitle',
          'lastmodifieddate',
        ]);
      }
      after = page.paging?.next?.after;
      pages += 1;
    }
    expect(seen.size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 200));
    expect(total).toBeGreaterThan(200);
  });

  it('answers the documented shape with only the daily rate-limit headers', async () => {
    const response = await raw('/crm/v3/objects/contacts/search', {
      method: 'POST',
      body: JSON.stringify({ limit: 2 }),
    });
    expect(response.status).toBe(200);
    SearchResponseShape.parse(response.body);
    expect(response.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(response.headers.get('x-hubspot-ratelimit-daily')).not.toBeNull();
    expect(response.headers.get('x-hubspot-ratelimit-max')).toBeNull();
    const properties = Object.keys(
      (response.body as { results: { properties: object }[] }).results[0]?.properties ?? {},
    ).sort();
    expect(properties).toEqual([
      'createdate',
      'email',
      'firstname',
      'hs_object_id',
      'lastmodifieddate',
      'lastname',
    ]);
  });

  it.each([
    [
      'EQ is case-insensitive',
      [{ propertyName: 'country', operator: FilterOperatorEnum.Eq, value: 'gb' }],
      (p: Record<string, string | null>) => p['country'] === 'GB',
    ],
    [
      'IN takes lower-case values',
      [{ propertyName: 'jobtitle', operator: FilterOperatorEnum.In, values: ['ceo', 'cto'] }],
      (p: Record<string, string | null>) => ['CEO', 'CTO'].includes(p['jobtitle'] ?? ''),
    ],
    [
      'NOT_HAS_PROPERTY',
      [{ propertyName: 'email', operator: FilterOperatorEnum.NotHasProperty }],
      (p: Record<string, string | null>) => p['email'] === null,
    ],
    [
      'GTE on a number',
      [{ propertyName: 'numberofemployees', operator: FilterOperatorEnum.Gte, value: '20000' }],
      (p: Record<string, string | null>) => Number(p['numberofemployees']) >= 20_000,
    ],
    [
      'CONTAINS_TOKEN with a wildcard',
      [{ propertyName: 'email', operator: FilterOperatorEnum.ContainsToken, value: '*@gmail.com' }],
      (p: Record<string, string | null>) => (p['email'] ?? '').endsWith('@gmail.com'),
    ],
  ])('%s', async (_label, filters, holds) => {
    const page = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters }],
      properties: ['country', 'jobtitle', 'email', 'numberofemployees'],
      limit: 200,
    });
    expect(page.total).toBeGreaterThan(0);
    for (const contact of page.results) expect(holds(contact.properties)).toBe(true);
  });

  it('ORs filter groups and excludes archived contacts', async () => {
    const target = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'country', operator: FilterOperatorEnum.Eq, value: 'IE' }] },
        { filters: [{ propertyName: 'country', operator: FilterOperatorEnum.Eq, value: 'AU' }] },
      ],
      limit: 200,
      properties: ['country'],
    });
    expect(new Set(target.results.map((contact) => contact.properties['country']))).toEqual(
      new Set(['IE', 'AU']),
    );
    const victim = target.results[0]?.id ?? '';
    await client.crm.contacts.basicApi.archive(victim);
    const after = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: 'hs_object_id', operator: FilterOperatorEnum.Eq, value: victim },
          ],
        },
      ],
      limit: 10,
    });
    expect(after.total).toBe(0);
  });

  it.each([
    ['a limit over 200', { limit: 201 }, /limit/],
    ['two sorts', { sorts: ['createdate', 'email'] }, /one sort/],
    [
      'six filter groups',
      {
        filterGroups: Array.from({ length: 6 }, () => ({
          filters: [{ propertyName: 'email', operator: 'HAS_PROPERTY' }],
        })),
      },
      /too many filters/,
    ],
    [
      'seven filters in a group',
      {
        filterGroups: [
          {
            filters: Array.from({ length: 7 }, () => ({
              propertyName: 'email',
              operator: 'HAS_PROPERTY',
            })),
          },
        ],
      },
      /too many filters/,
    ],
    [
      'nineteen filters in all',
      {
        filterGroups: [6, 6, 6, 1].map((n) => ({
          filters: Array.from({ length: n }, () => ({
            propertyName: 'email',
            operator: 'HAS_PROPERTY',
          })),
        })),
      },
      /too many filters/,
    ],
    [
      'an unknown property',
      { filterGroups: [{ filters: [{ propertyName: 'nope', operator: 'EQ', value: 'x' }] }] },
      /nope does not exist/,
    ],
  ])('answers 400 VALIDATION_ERROR to %s', async (_label, body, message) => {
    const response = await raw('/crm/v3/objects/contacts/search', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(ErrorShape.parse(response.body)).toMatchObject({
      category: 'VALIDATION_ERROR',
      message: expect.stringMatching(message) as unknown,
    });
  });

  it('stops at 10,000 results: paging past them is a 400', async () => {
    const big = createHubSpotSandbox({ tokens: [TOKEN], now: () => NOW });
    for (let index = 0; index < 10_050; index += 1)
      big.store.insertSeed('contacts', { email: `bulk${index}@acme.com` }, {}, NOW - index * 1000);
    const bigUrl = await big.server.listen();
    const bigClient = new Client({
      accessToken: TOKEN,
      basePath: bigUrl,
      numberOfApiCallRetries: 0,
    });
    try {
      const last = await bigClient.crm.contacts.searchApi.doSearch({ limit: 200, after: '9800' });
      expect(last.total).toBe(10_050);
      expect(last.results).toHaveLength(200);
      expect(last.paging?.next?.after).toBe('10000');
      const error = await apiError(
        bigClient.crm.contacts.searchApi.doSearch({ limit: 200, after: '10000' }),
      );
      expect(error.code).toBe(400);
      expect(error.body.category).toBe('VALIDATION_ERROR');
    } finally {
      await big.server.close();
    }
  });
});

describe('contacts batch, read and write', () => {
  it('reads a batch, answering 207 for missing ids, which the SDK resolves', async () => {
    const ids = [...sandbox.store.objects.contacts.values()]
      .filter((record) => !record.archived)
      .slice(0, 3)
      .map((record) => record.id);
    const result = await client.crm.contacts.batchApi.read({
      inputs: [...ids, '999999'].map((id) => ({ id })),
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(result.results).toHaveLength(3);
    expect('errors' in result && result.errors?.[0]?.category).toBe('OBJECT_NOT_FOUND');
    const response = await raw('/crm/v3/objects/contacts/batch/read', {
      method: 'POST',
      body: JSON.stringify({
        inputs: [{ id: ids[0] }, { id: '999999' }],
        properties: ['email'],
        propertiesWithHistory: [],
      }),
    });
    expect(response.status).toBe(207);
    expect(BatchResponseShape.parse(response.body).errors?.[0]?.context).toEqual({
      ids: ['999999'],
    });
  });

  it('reads by email as idProperty', async () => {
    const record = [...sandbox.store.objects.contacts.values()].find(
      (candidate) => candidate.properties['email'] !== undefined && !candidate.archived,
    );
    const result = await client.crm.contacts.batchApi.read({
      inputs: [{ id: record?.properties['email'] ?? '' }],
      idProperty: 'email',
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(result.results[0]?.id).toBe(record?.id);
  });

  it('updates a batch (200), stores numbers as strings, clears with "" and advances lastmodifieddate', async () => {
    const contact = await client.crm.contacts.basicApi.create({
      properties: { email: 'batch.update@acme.com', jobtitle: 'Analyst' },
      associations: [],
    });
    const before = contact.properties['lastmodifieddate'];
    const result = await client.crm.contacts.batchApi.update({
      inputs: [
        {
          id: contact.id,
          properties: { numberofemployees: 250 as unknown as string, jobtitle: '' },
        },
      ],
    });
    expect(result.status).toBe('COMPLETE');
    const read = await client.crm.contacts.basicApi.getById(contact.id, [
      'numberofemployees',
      'jobtitle',
      'lastmodifieddate',
    ]);
    expect(read.properties['numberofemployees']).toBe('250');
    expect(read.properties['jobtitle']).toBeNull();
    expect((read.properties['lastmodifieddate'] ?? '') > (before ?? '')).toBe(true);
  });

  it('rejects the whole batch on an unknown or read-only property, and batches over 100', async () => {
    const unknown = await apiError(
      client.crm.contacts.batchApi.update({
        inputs: [{ id: '100001', properties: { no_such_property: 'x' } }],
      }),
    );
    expect(unknown.code).toBe(400);
    expect(unknown.body.message).toContain('PROPERTY_DOESNT_EXIST');
    const readOnly = await apiError(
      client.crm.contacts.batchApi.update({
        inputs: [{ id: '100001', properties: { hs_object_id: '5' } }],
      }),
    );
    expect(readOnly.body.message).toContain('READ_ONLY_VALUE');
    const tooMany = await apiError(
      client.crm.contacts.batchApi.update({
        inputs: Array.from({ length: 101 }, () => ({
          id: '100001',
          properties: { firstname: 'x' },
        })),
      }),
    );
    expect(tooMany.code).toBe(400);
  });

  it('creates a batch (201) and refuses a duplicate email with 409', async () => {
    const created = await client.crm.contacts.batchApi.create({
      inputs: [{ properties: { email: 'new.one@acme.com' }, associations: [] }],
    });
    expect(created.results[0]?.properties['email']).toBe('new.one@acme.com');
    const duplicate = await apiError(
      client.crm.contacts.batchApi.create({
        inputs: [{ properties: { email: 'NEW.one@acme.com' }, associations: [] }],
      }),
    );
    expect(duplicate.code).toBe(409);
    expect(duplicate.body.category).toBe('CONFLICT');
  });

  it('upserts by email, flagging new records', async () => {
    const result = await client.crm.contacts.batchApi.upsert({
      inputs: [
        { id: 'new.one@acme.com', idProperty: 'email', properties: { firstname: 'Existing' } },
        { id: 'upserted@acme.com', idProperty: 'email', properties: { firstname: 'Fresh' } },
      ],
    });
    const byEmail: Record<string, boolean> = {};
    for (const record of result.results)
      byEmail[record.properties['firstname'] ?? ''] = record._new;
    expect(byEmail).toEqual({ Existing: false, Fresh: true });
  });

  it('reads and patches one contact, with associations; 404 when missing', async () => {
    const withCalls = [...sandbox.store.objects.contacts.values()].find(
      (record) => sandbox.store.associated('contacts', record.id, 'calls').length > 0,
    );
    const contact = await client.crm.contacts.basicApi.getById(
      withCalls?.id ?? '',
      ['email'],
      undefined,
      ['calls'],
    );
    expect(contact.associations?.['calls']?.results.length).toBeGreaterThan(0);
    const patched = await client.crm.contacts.basicApi.update(contact.id, {
      properties: { jobtitle: 'VP Data' },
    });
    expect(patched.properties['jobtitle']).toBe('VP Data');
    const response = await raw(`/crm/v3/objects/contacts/${contact.id}?properties=email,jobtitle`);
    PublicObjectShape.parse(response.body);
    const missing = await apiError(client.crm.contacts.basicApi.getById('123456789'));
    expect(missing.code).toBe(404);
    expect(missing.body.category).toBe('OBJECT_NOT_FOUND');
  });

  it('does not move a lifecycle stage backwards until it is cleared', async () => {
    const contact = await client.crm.contacts.basicApi.create({
      properties: { email: 'stage@acme.com', lifecyclestage: 'marketingqualifiedlead' },
      associations: [],
    });
    await client.crm.contacts.basicApi.update(contact.id, {
      properties: { lifecyclestage: 'lead' },
    });
    expect(
      (await client.crm.contacts.basicApi.getById(contact.id, ['lifecyclestage'])).properties[
        'lifecyclestage'
      ],
    ).toBe('marketingqualifiedlead');
    await client.crm.contacts.basicApi.update(contact.id, { properties: { lifecyclestage: '' } });
    await client.crm.contacts.basicApi.update(contact.id, {
      properties: { lifecyclestage: 'lead' },
    });
    expect(
      (await client.crm.contacts.basicApi.getById(contact.id, ['lifecyclestage'])).properties[
        'lifecyclestage'
      ],
    ).toBe('lead');
  });
});

describe('engagements, notes and associations', () => {
  it('searches calls by associated contact and batch-reads them', async () => {
    const contact = [...sandbox.store.objects.contacts.values()].find(
      (record) => sandbox.store.associated('contacts', record.id, 'calls').length > 1,
    );
    const expected = sandbox.store.associated('contacts', contact?.id ?? '', 'calls');
    const page = await client.crm.objects.calls.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            {
              propertyName: 'associations.contact',
              operator: FilterOperatorEnum.Eq,
              value: contact?.id ?? '',
            },
          ],
        },
      ],
      sorts: ['-hs_timestamp'],
      properties: ['hs_timestamp', 'hs_call_direction'],
      limit: 10,
    });
    expect(page.results.map((call) => call.id).sort()).toEqual([...expected].sort());
    const read = await client.crm.objects.calls.batchApi.read({
      inputs: expected.map((id) => ({ id })),
      properties: ['hs_call_title'],
      propertiesWithHistory: [],
    });
    expect(read.results).toHaveLength(expected.length);
  });

  it('creates a note on a contact (201) and reads it back through v4 associations, single and batch', async () => {
    const contactId = [...sandbox.store.objects.contacts.keys()][5] ?? '';
    const note = await client.crm.objects.notes.basicApi.create({
      properties: {
        hs_timestamp: new Date(NOW).toISOString(),
        hs_note_body: 'Rejected by sales: No budget',
      },
      associations: [
        {
          to: { id: contactId },
          types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 202 }],
        },
      ],
    });
    const single = await client.crm.associations.v4.basicApi.getPage(
      'contacts',
      contactId,
      'notes',
    );
    expect(single.results.map((association) => association.toObjectId)).toContain(note.id);
    expect(single.results[0]?.associationTypes[0]?.typeId).toBe(201);
    AssociationsPageShape.parse(
      (await raw(`/crm/v4/objects/contacts/${contactId}/associations/notes`)).body,
    );
    const batch = await client.crm.associations.v4.batchApi.getPage('contacts', 'notes', {
      inputs: [{ id: contactId }],
    });
    expect(batch.results[0]?.to.map((association) => association.toObjectId)).toContain(note.id);
    // v4 batch reads take 1,000 ids (since 2025-02-10), not the 100 of object batches.
    const thousand = Array.from({ length: 1_000 }, () => ({ id: contactId }));
    await client.crm.associations.v4.batchApi.getPage('contacts', 'notes', { inputs: thousand });
    const tooMany = await apiError(
      client.crm.associations.v4.batchApi.getPage('contacts', 'notes', {
        inputs: [...thousand, { id: contactId }],
      }),
    );
    expect(tooMany.code).toBe(400);
  });

  it('refuses a note without hs_timestamp or with a missing contact', async () => {
    const noTimestamp = await apiError(
      client.crm.objects.notes.basicApi.create({
        properties: { hs_note_body: 'x' },
        associations: [],
      }),
    );
    expect(noTimestamp.code).toBe(400);
    const noContact = await apiError(
      client.crm.objects.notes.basicApi.create({
        properties: { hs_timestamp: String(NOW) },
        associations: [
          {
            to: { id: '999999999' },
            types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 202 }],
          },
        ],
      }),
    );
    expect(noContact.code).toBe(400);
  });
});

describe('properties, lists and owners', () => {
  it('reads and creates properties and groups, 409 on duplicates', async () => {
    const all = await client.crm.properties.coreApi.getAll('contacts');
    expect(all.results.map((property) => property.name)).toEqual(
      expect.arrayContaining(['email', 'handoff_status', 'lifecyclestage']),
    );
    const group = await client.crm.properties.groupsApi.create('contacts', {
      name: 'extra',
      label: 'Extra',
      displayOrder: 1,
    });
    expect(group.name).toBe('extra');
    const created = await client.crm.properties.coreApi.create('contacts', {
      name: 'extra_flag',
      label: 'Extra flag',
      type: 'bool' as never,
      fieldType: 'booleancheckbox' as never,
      groupName: 'extra',
    });
    expect(created.name).toBe('extra_flag');
    const duplicate = await apiError(
      client.crm.properties.coreApi.create('contacts', {
        name: 'extra_flag',
        label: 'x',
        type: 'bool' as never,
        fieldType: 'booleancheckbox' as never,
        groupName: 'extra',
      }),
    );
    expect(duplicate.code).toBe(409);
    expect(duplicate.body.category).toBe('OBJECT_ALREADY_EXISTS');
  });

  it('creates a MANUAL list (200), adds and removes members with the real body shapes', async () => {
    const { list } = await client.crm.lists.listsApi.create({
      name: 'Nurture – test',
      objectTypeId: '0-1',
      processingType: 'MANUAL',
    });
    const ids = [...sandbox.store.objects.contacts.keys()].slice(10, 12);
    const added = await raw(`/crm/v3/lists/${list.listId}/memberships/add`, {
      method: 'PUT',
      body: JSON.stringify([...ids, '999999999']),
    });
    expect(ListMembershipChangeShape.parse(added.body)).toEqual({
      recordsIdsAdded: ids,
      recordIdsRemoved: [],
      recordIdsMissing: ['999999999'],
    });
    const again = await client.crm.lists.membershipsApi.add(list.listId, ids);
    expect(again.recordsIdsAdded).toEqual([]);
    const members = await client.crm.lists.membershipsApi.getPage(list.listId);
    expect(members.results.map((member) => member.recordId)).toEqual(ids);
    const removed = await client.crm.lists.membershipsApi.remove(list.listId, [ids[0] ?? '']);
    expect(removed.recordIdsRemoved).toEqual([ids[0]]);
  });

  it('refuses membership changes on DYNAMIC lists', async () => {
    const { list } = await client.crm.lists.listsApi.create({
      name: 'Dynamic',
      objectTypeId: '0-1',
      processingType: 'DYNAMIC',
    });
    const error = await apiError(client.crm.lists.membershipsApi.add(list.listId, ['100001']));
    expect(error.code).toBe(400);
  });

  it('pages owners and reads one by id', async () => {
    const page = await client.crm.owners.ownersApi.getPage(undefined, undefined, 5);
    expect(page.results).toHaveLength(5);
    expect(page.paging?.next?.after).toBe('5');
    const raw1 = await raw('/crm/v3/owners/?limit=1');
    OwnerShape.parse((raw1.body as { results: unknown[] }).results[0]);
    const owner = await client.crm.owners.ownersApi.getById(Number(page.results[0]?.id));
    expect(owner.email).toBe(page.results[0]?.email);
  });
});

describe('auth, limits and faults', () => {
  it('answers 401 with INVALID_AUTHENTICATION to a bad token', async () => {
    const bad = new Client({ accessToken: 'wrong', basePath: url, numberOfApiCallRetries: 0 });
    const error = await apiError(bad.crm.contacts.basicApi.getById('100001'));
    expect(error.code).toBe(401);
    expect(error.body.category).toBe('INVALID_AUTHENTICATION');
  });

  it('enforces the ten-second burst with the exact 429 body and headers', async () => {
    sandbox.api.limiter.configure({ enabled: true, burstPer10s: 3 });
    for (let call = 0; call < 2; call += 1) await client.crm.owners.ownersApi.getPage();
    const response = await raw('/crm/v3/owners');
    expect(response.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    const error = await apiError(client.crm.owners.ownersApi.getPage());
    expect(error.code).toBe(429);
    expect(error.body).toMatchObject({
      policyName: 'TEN_SECONDLY_ROLLING',
      message: 'You have reached your ten_secondly_rolling limit.',
    });
  });

  it('enforces five searches a second with the secondly body', async () => {
    sandbox.api.limiter.configure({ enabled: true, searchPerSecond: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => client.crm.contacts.searchApi.doSearch({ limit: 1 })),
    );
    const rejected = results
      .filter((result): result is PromiseRejectedResult => result.status === 'rejected')
      .map((result) => result.reason as ApiError);
    expect(rejected.length).toBeGreaterThanOrEqual(2);
    expect(rejected[0]?.body.message).toBe('You have reached your secondly limit.');
  });

  it('answers DAILY when the daily allocation is spent', async () => {
    sandbox.api.limiter.configure({ enabled: true, daily: 1 });
    const error = await apiError(client.crm.owners.ownersApi.getPage());
    expect(error.body.policyName).toBe('DAILY');
  });

  it('injects 5xx, partial batches, resets and latency through the control API, and logs them', async () => {
    const since = sandbox.server.log.lastSeq;
    const add = async (spec: object): Promise<void> => {
      const response = await fetch(`${url}/__sandbox/faults`, {
        method: 'POST',
        body: JSON.stringify(spec),
        headers: { 'Content-Type': 'application/json' },
      });
      expect(response.status).toBe(201);
    };
    await add({ kind: 'server_error', endpoint: 'owners.list', times: 1, status: 502 });
    expect((await apiError(client.crm.owners.ownersApi.getPage())).code).toBe(502);
    await client.crm.owners.ownersApi.getPage();

    await add({
      kind: 'partial_batch',
      endpoint: 'contacts.batch.update',
      fraction: 0.5,
      times: 1,
    });
    const ids = [...sandbox.store.objects.contacts.values()]
      .filter((record) => !record.archived)
      .slice(20, 24)
      .map((record) => record.id);
    const partial = await client.crm.contacts.batchApi.update({
      inputs: ids.map((id) => ({ id, properties: { firstname: 'Partial' } })),
    });
    expect(partial.results).toHaveLength(2);
    expect('numErrors' in partial && partial.numErrors).toBe(1);

    await add({ kind: 'reset', endpoint: 'contacts.get', times: 1 });
    await expect(client.crm.contacts.basicApi.getById(ids[0] ?? '')).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|socket hang up/) as unknown,
    });

    await add({ kind: 'latency', endpoint: 'contacts.get', latencyMs: 120, times: 1 });
    const started = performance.now();
    await client.crm.contacts.basicApi.getById(ids[0] ?? '');
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);

    const log = (await (await fetch(`${url}/__sandbox/calls?since=${since}`)).json()) as {
      calls: { endpoint: string; status: number; fault: string | null }[];
    };
    expect(log.calls.map((call) => [call.endpoint, call.status, call.fault])).toEqual([
      ['owners.list', 502, 'server_error'],
      ['owners.list', 200, null],
      ['contacts.batch.update', 207, 'partial_batch'],
      ['contacts.get', 0, 'reset'],
      ['contacts.get', 200, null],
    ]);
  });

  it('counts calls and records per endpoint', async () => {
    sandbox.server.log.reset();
    await client.crm.contacts.searchApi.doSearch({ limit: 7 });
    await client.crm.contacts.searchApi.doSearch({ limit: 3 });
    const counts = (await (await fetch(`${url}/__sandbox/counts`)).json()) as {
      total: number;
      byEndpoint: Record<string, { calls: number; recordsOut: number }>;
    };
    expect(counts.total).toBe(2);
    expect(counts.byEndpoint['contacts.search']).toMatchObject({ calls: 2, recordsOut: 10 });
  });
});

describe('webhooks', () => {
  it('posts signed contact events in HubSpot payload shape, retrying with attemptNumber', async () => {
    const received: { body: string; headers: IncomingMessage['headers'] }[] = [];
    let failFirst = true;
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ body, headers: request.headers });
        response.writeHead(failFirst ? 500 : 204);
        failFirst = false;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const targetUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot`;
    try {
      const configured = await fetch(`${url}/__sandbox/webhooks`, {
        method: 'PUT',
        body: JSON.stringify({ targetUrl, clientSecret: 'app-secret', retryDelayMs: 10 }),
        headers: { 'Content-Type': 'application/json' },
      });
      expect(configured.status).toBe(204);
      const contact = await client.crm.contacts.basicApi.create({
        properties: { email: 'hook@acme.com' },
        associations: [],
      });
      await client.crm.contacts.basicApi.update(contact.id, { properties: { jobtitle: 'CTO' } });
      await fetch(`${url}/__sandbox/webhooks/flush`, { method: 'POST' });
      expect(received).toHaveLength(2);
      const [first, second] = received;
      const events = JSON.parse(second?.body ?? '[]') as {
        subscriptionType: string;
        objectId: number;
        attemptNumber: number;
        propertyName?: string;
      }[];
      expect(
        events.map((event) => [
          event.subscriptionType,
          event.objectId,
          event.attemptNumber,
          event.propertyName,
        ]),
      ).toEqual([
        ['contact.creation', Number(contact.id), 1, undefined],
        ['contact.propertyChange', Number(contact.id), 1, 'jobtitle'],
      ]);
      for (const delivery of [first, second]) {
        const timestamp = Number(delivery?.headers['x-hubspot-request-timestamp']);
        expect(delivery?.headers['x-hubspot-signature-v3']).toBe(
          signV3('app-secret', 'POST', targetUrl, delivery?.body ?? '', timestamp),
        );
      }
    } finally {
      sandbox.webhooks.configure(null);
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
