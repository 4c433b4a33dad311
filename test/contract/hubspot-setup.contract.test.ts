import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHubSpotClient } from '../../src/adapters/hubspot/hubspot-client.js';
import { HubSpotSetupAdapter } from '../../src/adapters/hubspot/hubspot-setup.adapter.js';
import { IntegrationError } from '../../src/platform/errors.js';
import { withRetryBudget } from '../../src/platform/retry-in-place.js';
import {
  SANDBOX_HUBSPOT_TOKEN,
  startSandboxes,
  type RunningSandboxes,
} from '../../src/sandbox/start-sandboxes.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const NO_RETRIES = { retriesLeft: 0, waitLeftMs: 0, retried: 0 };

let sandboxes: RunningSandboxes;
let setup: HubSpotSetupAdapter;
let requests = 0;

/** Calls per endpoint since the last reset, as the sandbox logged them. */
function callsByEndpoint(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(sandboxes.hubspot.server.log.summary().byEndpoint).map(([endpoint, counts]) => [
      endpoint,
      counts.calls,
    ]),
  );
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sandboxes = await startSandboxes({ handoffSetup: false, contacts: 20, seed: 3, now: () => NOW });
  setup = new HubSpotSetupAdapter(
    createHubSpotClient({ accessToken: SANDBOX_HUBSPOT_TOKEN, baseUrl: sandboxes.hubspotUrl }),
    () => {
      requests += 1;
    },
  );
});

afterAll(async () => {
  await sandboxes.close();
});

beforeEach(() => {
  sandboxes.hubspot.server.log.reset();
  sandboxes.hubspot.server.faults.clear();
  requests = 0;
});

describe('HubSpotSetupAdapter on a bare portal', () => {
  it('finds no handoff group (a 404), creates it, then finds it: one call each', async () => {
    expect(await setup.hasPropertyGroup('handoff')).toBe(false);
    expect(callsByEndpoint()).toEqual({ 'properties.groups.get': 1 });

    sandboxes.hubspot.server.log.reset();
    await setup.createPropertyGroup('handoff', 'Lead handoff');
    expect(callsByEndpoint()).toEqual({ 'properties.groups.create': 1 });
    expect(sandboxes.hubspot.store.groups.contacts.get('handoff')).toMatchObject({
      label: 'Lead handoff',
    });

    expect(await setup.hasPropertyGroup('handoff')).toBe(true);
    expect(requests).toBe(3);
  });

  it('throws any failure of the group lookup other than a 404', async () => {
    sandboxes.hubspot.server.faults.add({
      kind: 'server_error',
      endpoint: 'properties.groups.get',
      status: 500,
    });
    const error = await failure(
      withRetryBudget(() => setup.hasPropertyGroup('handoff'), { ...NO_RETRIES }),
    );
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ kind: 'transient', status: 500 });
  });

  it('creates a property of each type with one call each and reads them back with types and options', async () => {
    const created = [
      { name: 'handoff_tier', type: 'string', options: [] },
      { name: 'handoff_score', type: 'number', options: [] },
      { name: 'handoff_due', type: 'datetime', options: [] },
      { name: 'handoff_status', type: 'enumeration', options: ['routed', 'accepted'] },
    ] as const;
    for (const property of created) {
      await setup.createProperty({
        ...property,
        label: `Label of ${property.name}`,
        groupName: 'handoff',
      });
    }
    expect(callsByEndpoint()).toEqual({ 'properties.create': 4 });

    sandboxes.hubspot.server.log.reset();
    const properties = await setup.contactProperties();
    expect(callsByEndpoint()).toEqual({ 'properties.list': 1 });
    for (const property of created) {
      expect(properties.find((described) => described.name === property.name)).toEqual({
        name: property.name,
        type: property.type,
        options: [...property.options],
      });
    }

    // The field type follows the type; options carry a label, their order and are shown.
    const stored = sandboxes.hubspot.store.properties.contacts;
    expect(
      created.map((property) => [property.name, stored.get(property.name)?.fieldType]),
    ).toEqual([
      ['handoff_tier', 'text'],
      ['handoff_score', 'number'],
      ['handoff_due', 'date'],
      ['handoff_status', 'select'],
    ]);
    expect(stored.get('handoff_status')).toMatchObject({
      label: 'Label of handoff_status',
      groupName: 'handoff',
      options: [
        { label: 'routed', value: 'routed', displayOrder: 0, hidden: false },
        { label: 'accepted', value: 'accepted', displayOrder: 1, hidden: false },
      ],
    });
    expect(requests).toBe(5);
  });

  it('refuses a duplicate property with a conflict naming the code, sent once', async () => {
    const error = await failure(
      setup.createProperty({
        name: 'handoff_tier',
        label: 'Again',
        type: 'string',
        groupName: 'handoff',
        options: [],
      }),
    );
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({
      system: 'hubspot',
      kind: 'conflict',
      status: 409,
      code: 'OBJECT_ALREADY_EXISTS',
    });
    expect(callsByEndpoint()).toEqual({ 'properties.create': 1 });
  });

  it('does not send a create again after a failure that may have applied it', async () => {
    sandboxes.hubspot.server.faults.add({
      kind: 'server_error',
      endpoint: 'properties.create',
      times: 1,
    });
    const error = await failure(
      setup.createProperty({
        name: 'handoff_owner',
        label: 'Owner',
        type: 'string',
        groupName: 'handoff',
        options: [],
      }),
    );
    expect(error).toMatchObject({ kind: 'transient', status: 503 });
    expect(callsByEndpoint()).toEqual({ 'properties.create': 1 });
  });

  it('sets options with one PATCH, adding new ones and keeping the old', async () => {
    await setup.setOptions('handoff_status', ['routed', 'accepted', 'rejected', 'nurture']);
    expect(callsByEndpoint()).toEqual({ 'properties.update': 1 });
    const status = (await setup.contactProperties()).find(
      (property) => property.name === 'handoff_status',
    );
    expect(status?.options).toEqual(['routed', 'accepted', 'rejected', 'nurture']);
    expect(
      sandboxes.hubspot.store.properties.contacts
        .get('handoff_status')
        ?.options.map((option) => [option.value, option.displayOrder, option.hidden]),
    ).toEqual([
      ['routed', 0, false],
      ['accepted', 1, false],
      ['rejected', 2, false],
      ['nurture', 3, false],
    ]);
  });

  it('throws a 404 for options of a property that does not exist', async () => {
    const error = await failure(setup.setOptions('handoff_nope', ['a']));
    expect(error).toMatchObject({ kind: 'not_found', status: 404 });
  });

  it('finds no lists, creates a MANUAL contact list, then finds it by name with the same id', async () => {
    const names = ['Nurture – No budget', 'Nurture – Wrong timing'];
    expect(await setup.listsByName(names)).toEqual(new Map());
    // One exact lookup per name.
    expect(callsByEndpoint()).toEqual({ 'lists.getByName': 2 });

    sandboxes.hubspot.server.log.reset();
    const id = await setup.createList('Nurture – No budget');
    expect(callsByEndpoint()).toEqual({ 'lists.create': 1 });
    expect(sandboxes.hubspot.store.lists.get(id)).toMatchObject({
      name: 'Nurture – No budget',
      objectTypeId: '0-1',
      processingType: 'MANUAL',
    });

    sandboxes.hubspot.server.log.reset();
    expect(await setup.listsByName([...names, 'Nurture – No budget'])).toEqual(
      new Map([['Nurture – No budget', id]]),
    );
    // A name asked twice is looked up once.
    expect(callsByEndpoint()).toEqual({ 'lists.getByName': 2 });
    expect(requests).toBe(5);
  });

  it('throws a list lookup failure other than a 404', async () => {
    sandboxes.hubspot.server.faults.add({ kind: 'expire_session', endpoint: 'lists.getByName' });
    const error = await failure(setup.listsByName(['Nurture – No budget']));
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
  });
});
