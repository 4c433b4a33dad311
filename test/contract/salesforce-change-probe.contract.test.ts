import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalesforceChangeProbeAdapter } from '../../src/adapters/salesforce/salesforce-change-probe.adapter.js';
import { createSalesforceConnection } from '../../src/adapters/salesforce/salesforce-connection.js';
import { resolveMapping } from '../../src/domain/mapping.js';
import { HubSpotStore } from '../../src/sandbox/hubspot/hubspot-store.js';
import {
  createSalesforceSandbox,
  type SalesforceSandbox,
} from '../../src/sandbox/salesforce/salesforce-sandbox.js';
import { SEEDED_USERS, seedTenants } from '../../src/sandbox/seed/seed-tenants.js';
import { makeDefinition } from '../support/factories.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const HOUR = 3_600_000;
const REP = SEEDED_USERS[0].id;
let clock = NOW;
let sandbox: SalesforceSandbox;
let probe: SalesforceChangeProbeAdapter;
let url = '';

function lead(values: Record<string, unknown>): string {
  const result = sandbox.store.create(
    'Lead',
    { LastName: 'Ng', Company: 'Acme', OwnerId: REP, ...values },
    false,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.id;
}

beforeAll(async () => {
  sandbox = createSalesforceSandbox({ tokens: ['tok'], now: () => clock });
  seedTenants(new HubSpotStore(() => NOW), sandbox.store, { seed: 15, contacts: 100, now: NOW });
  url = await sandbox.server.listen();
  const connection = await createSalesforceConnection({
    auth: { kind: 'token', instanceUrl: url, accessToken: 'tok' },
    version: '62.0',
  });
  probe = new SalesforceChangeProbeAdapter(connection, resolveMapping(makeDefinition().mapping));
});

afterAll(async () => {
  await sandbox.server.close();
});

describe('SalesforceChangeProbeAdapter (real jsforce, Composite against the sandbox)', () => {
  it('names the routed Leads, the Leads with activity and the Salesforce-born Leads changed since an instant, in one API call', async () => {
    clock = NOW + HOUR;
    const routed = lead({ Handoff_Decision_Id__c: 'd-probe-1' });
    const unrouted = lead({});
    const touched = lead({ Handoff_Decision_Id__c: 'd-probe-2' });
    clock = NOW + 2 * HOUR;
    sandbox.store.create(
      'Task',
      { WhoId: touched, OwnerId: REP, Subject: 'Call', Status: 'Completed' },
      false,
    );
    sandbox.store.create(
      'Event',
      {
        WhoId: unrouted,
        OwnerId: REP,
        Subject: 'Demo',
        DurationInMinutes: 30,
        ActivityDateTime: new Date(clock).toISOString(),
      },
      false,
    );
    const before = sandbox.server.log.lastSeq;

    const changes = await probe.changesSince(new Date(NOW + HOUR - 1_000));

    expect(changes.routedLeads).toEqual(expect.arrayContaining([routed, touched]));
    expect(changes.routedLeads).not.toContain(unrouted);
    expect(changes.activityLeads).toEqual(expect.arrayContaining([touched, unrouted]));
    // A Lead nobody in HubSpot points at and Handoff never decided: born in Salesforce.
    expect(changes.bornLeads).toContain(unrouted);
    expect(changes.bornLeads).not.toContain(routed);
    const calls = sandbox.server.log.list(before);
    expect(calls.map((call) => call.endpoint)).toEqual(['composite']);
  });

  it('answers empty lists on a quiet org, and null when more changed than one probe reads', async () => {
    clock = NOW + 10 * HOUR;
    expect(await probe.changesSince(new Date(NOW + 9 * HOUR))).toEqual({
      routedLeads: [],
      activityLeads: [],
      bornLeads: [],
    });
    // A rep's bulk import of calls: more than one probe reads, so the caller reads in full.
    clock = NOW + 11 * HOUR;
    const busy = lead({ Handoff_Decision_Id__c: 'd-probe-3' });
    for (let index = 0; index < 2_000; index += 1)
      sandbox.store.create(
        'Task',
        { WhoId: busy, OwnerId: REP, Subject: 'Call', Status: 'Completed' },
        false,
      );
    expect(await probe.changesSince(new Date(NOW + 11 * HOUR))).toEqual({
      routedLeads: [busy],
      activityLeads: null,
      bornLeads: [],
    });
    // A list import of 2,000 Leads: the caller scans for them instead.
    for (let index = 0; index < 2_000; index += 1) lead({ Email: `import${index}@example.org` });
    expect((await probe.changesSince(new Date(NOW + 11 * HOUR))).bornLeads).toBeNull();
  });

  it('names a field the integration user lost, like any query would', async () => {
    const mapping = resolveMapping(
      makeDefinition((file) => {
        file.mapping = { salesforce_fields: { decision_id: 'Gone__c' } };
      }).mapping,
    );
    const connection = await createSalesforceConnection({
      auth: { kind: 'token', instanceUrl: url, accessToken: 'tok' },
      version: '62.0',
    });
    await expect(
      new SalesforceChangeProbeAdapter(connection, mapping).changesSince(new Date(NOW)),
    ).rejects.toMatchObject({
      kind: 'installation',
      message:
        'salesforce INVALID_FIELD: Lead.Gone__c is missing or not visible to the integration user — run handoff doctor',
    });
  });
});
