import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotClient } from '../../src/adapters/hubspot/hubspot-client.js';
import { HubSpotContactSource } from '../../src/adapters/hubspot/hubspot-contact-source.adapter.js';
import { HubSpotContactWriter } from '../../src/adapters/hubspot/hubspot-contact-writer.adapter.js';
import { resolveMapping } from '../../src/domain/mapping.js';
import { IntegrationError } from '../../src/platform/errors.js';
import { withRetryBudget } from '../../src/platform/retry-in-place.js';
import {
  createHubSpotSandbox,
  type HubSpotSandbox,
} from '../../src/sandbox/hubspot/hubspot-sandbox.js';
import { SalesforceStore } from '../../src/sandbox/salesforce/salesforce-store.js';
import { seedTenants } from '../../src/sandbox/seed/seed-tenants.js';
import { makeDefinition } from '../support/factories.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
let sandbox: HubSpotSandbox;
let source: HubSpotContactSource;

beforeAll(async () => {
  sandbox = createHubSpotSandbox({ tokens: ['tok'], now: () => NOW });
  seedTenants(sandbox.store, new SalesforceStore(() => NOW), { seed: 11, contacts: 450, now: NOW });
  const url = await sandbox.server.listen();
  source = new HubSpotContactSource(
    createHubSpotClient({ accessToken: 'tok', baseUrl: `${url}/` }),
    resolveMapping(makeDefinition().mapping),
  );
});

afterAll(async () => {
  await sandbox.server.close();
});

describe('HubSpotContactSource', () => {
  it('pages a window in modification order, mapping attributes and links', async () => {
    const window = { from: new Date(0), to: new Date(NOW + 1) };
    const seen: string[] = [];
    let after: string | null = null;
    let previous = 0;
    do {
      const page = await source.changedContacts(window, after);
      expect(page.total).toBe(450);
      for (const contact of page.contacts) {
        expect(contact.modifiedAt.getTime()).toBeGreaterThanOrEqual(previous);
        previous = contact.modifiedAt.getTime();
        seen.push(contact.id);
      }
      after = page.nextAfter;
    } while (after !== null);
    expect(new Set(seen).size).toBe(450);

    const linked = [...sandbox.store.objects.contacts.values()].find(
      (record) =>
        record.properties['salesforceleadid'] !== undefined &&
        record.properties['numberofemployees'] !== undefined,
    );
    const page = await source.changedContacts(
      { from: new Date(linked?.updatedAt ?? 0), to: new Date((linked?.updatedAt ?? 0) + 1) },
      null,
    );
    const contact = page.contacts.find((candidate) => candidate.id === linked?.id);
    expect(contact).toMatchObject({
      salesforceLeadId: linked?.properties['salesforceleadid'],
      attributes: {
        email: linked?.properties['email'] ?? null,
        employees: linked?.properties['numberofemployees'],
      },
      handoff: { status: null },
    });
  });

  it('maps the latest conversion to a snake_case activity', async () => {
    const converted = [...sandbox.store.objects.contacts.values()].find(
      (record) => record.properties['recent_conversion_event_name'] === 'Demo request',
    );
    const page = await source.changedContacts(
      { from: new Date(converted?.updatedAt ?? 0), to: new Date((converted?.updatedAt ?? 0) + 1) },
      null,
    );
    expect(page.contacts.find((contact) => contact.id === converted?.id)?.latestConversion).toEqual(
      { type: 'demo_request', at: new Date(converted?.properties['recent_conversion_date'] ?? '') },
    );
  });

  it('reads engagements of many contacts in batched calls', async () => {
    const ids = [...sandbox.store.objects.contacts.keys()].slice(0, 150);
    sandbox.server.log.reset();
    const activities = await source.activities(ids, ['call', 'email', 'meeting', 'note', 'task']);
    for (const id of ids) {
      const expected = (['calls', 'emails', 'meetings', 'notes', 'tasks'] as const).flatMap(
        (type) => sandbox.store.associated('contacts', id, type).map(() => type.slice(0, -1)),
      );
      expect(
        activities
          .get(id)
          ?.map((activity) => activity.type)
          .sort(),
      ).toEqual(expected.sort());
    }
    const calls = sandbox.server.log.summary().byEndpoint;
    // 150 contacts → one association batch read (≤ 1,000 ids) per engagement type; object reads
    // per 100 engagements.
    expect(calls['associations.batch.read']?.calls).toBe(5);
    const engagementCount = [...activities.values()].reduce((sum, list) => sum + list.length, 0);
    const objectReads = Object.entries(calls)
      .filter(
        ([endpoint]) => endpoint.endsWith('.batch.read') && !endpoint.startsWith('associations'),
      )
      .reduce((sum, [, counts]) => sum + counts.calls, 0);
    expect(objectReads).toBeLessThanOrEqual(Math.ceil(engagementCount / 100) + 4);
  });

  it('reads contacts by id, leaving out missing ones', async () => {
    const ids = [...sandbox.store.objects.contacts.keys()].slice(0, 120);
    const contacts = await source.contactsByIds([...ids, '999999999']);
    expect(contacts.map((contact) => contact.id).sort()).toEqual([...ids].sort());
  });

  it('throws classified errors', async () => {
    sandbox.server.faults.add({ kind: 'rate_limit', endpoint: 'contacts.search', times: 1 });
    // A job whose retry budget is spent sees the classified error instead of a retry in place.
    const error: unknown = await withRetryBudget(
      () => source.changedContacts({ from: new Date(0), to: new Date(NOW) }, null),
      { retriesLeft: 0, waitLeftMs: 0, retried: 0 },
    ).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({
      kind: 'rate_limited',
      policy: 'TEN_SECONDLY_ROLLING',
      retryAfterMs: 10_000,
    });
  });
});

describe('HubSpotContactWriter', () => {
  it('writes owned properties in batches of 100, reporting missing contacts without failing the rest', async () => {
    const writer = new HubSpotContactWriter(
      createHubSpotClient({ accessToken: 'tok', baseUrl: sandbox.server.baseUrl }),
      resolveMapping(makeDefinition().mapping),
    );
    const ids = [...sandbox.store.objects.contacts.keys()].slice(0, 120);
    sandbox.server.log.reset();
    const outcomes = await writer.updateContacts([
      ...ids.map((contactId) => ({
        contactId,
        properties: { status: 'routed', score: '88', tier: 'A' },
      })),
      { contactId: '999999999', properties: { status: 'routed' } },
    ]);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(120);
    expect(outcomes.at(-1)).toMatchObject({
      ok: false,
      key: '999999999',
      code: 'OBJECT_NOT_FOUND',
      kind: 'not_found',
    });
    expect(sandbox.server.log.summary().byEndpoint['contacts.batch.update']?.calls).toBe(2);
    expect(sandbox.store.objects.contacts.get(ids[0] ?? '')?.properties).toMatchObject({
      handoff_status: 'routed',
      handoff_score: '88',
      handoff_tier: 'A',
    });
  });
});

describe('a HubSpot client under the search limit', () => {
  it('sends searches from any caller at most five a second as HubSpot counts them: no 429', async () => {
    // A sandbox on the real clock: its limiter counts real seconds.
    const limited = createHubSpotSandbox({ tokens: ['tok'] });
    limited.api.limiter.configure({ enabled: true, searchPerSecond: 5 });
    try {
      const client = createHubSpotClient({
        accessToken: 'tok',
        baseUrl: await limited.server.listen(),
      });
      // Twelve at once, as two adapters sharing the client might ask them.
      await Promise.all(
        Array.from({ length: 12 }, () => client.crm.contacts.searchApi.doSearch({ limit: 1 })),
      );
      const searches = limited.server.log
        .list()
        .filter((entry) => entry.endpoint === 'contacts.search');
      expect(searches).toHaveLength(12);
      expect(searches.filter((entry) => entry.status === 429)).toEqual([]);
    } finally {
      await limited.server.close();
    }
  });
});
