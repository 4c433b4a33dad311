import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceConnection } from '../../src/adapters/salesforce/salesforce-connection.js';
import { SalesforceLeadLifecycle } from '../../src/adapters/salesforce/salesforce-lead-lifecycle.adapter.js';
import { SalesforceLeadStore } from '../../src/adapters/salesforce/salesforce-lead-store.adapter.js';
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
let lifecycle: SalesforceLeadLifecycle;
let leads: SalesforceLeadStore;
let calls = 0;
let sequence = 0;

/** A routed Lead as Handoff leaves it, stamped at `clock`. */
function routedLead(values: Record<string, unknown>): string {
  const result = sandbox.store.create(
    'Lead',
    {
      LastName: 'Ng',
      FirstName: 'Ada',
      Company: 'Acme',
      Title: 'VP Data',
      OwnerId: REP,
      Handoff_Decision_Id__c: `d-contract-${String((sequence += 1))}`,
      Handoff_Due__c: new Date(NOW + HOUR).toISOString(),
      Handoff_Routed_At__c: new Date(NOW).toISOString(),
      Handoff_Score__c: 72,
      Handoff_Tier__c: 'B',
      ...values,
    },
    false,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.id;
}

beforeAll(async () => {
  sandbox = createSalesforceSandbox({ tokens: ['tok'], now: () => clock });
  seedTenants(new HubSpotStore(() => NOW), sandbox.store, { seed: 14, contacts: 200, now: NOW });
  const url = await sandbox.server.listen();
  const connection = await createSalesforceConnection({
    auth: { kind: 'token', instanceUrl: url, accessToken: 'tok' },
    version: '62.0',
  });
  const request = connection.request.bind(connection);
  connection.request = (...args: Parameters<typeof request>) => {
    calls += 1;
    return request(...args);
  };
  lifecycle = new SalesforceLeadLifecycle(connection, resolveMapping(makeDefinition().mapping));
  leads = new SalesforceLeadStore(connection, resolveMapping(makeDefinition().mapping));
});

afterAll(async () => {
  await sandbox.server.close();
});

describe('SalesforceLeadLifecycle (real jsforce against the sandbox)', () => {
  it('finds Leads changed since a cursor and overdue ones still untouched, and maps them', async () => {
    clock = NOW - 48 * HOUR;
    const overdue = routedLead({ Handoff_Due__c: new Date(NOW - 24 * HOUR).toISOString() });
    const tooOld = routedLead({ Handoff_Due__c: new Date(NOW - 40 * 24 * HOUR).toISOString() });
    // Overdue with the status still open, but touched (or handled) already: nothing left to
    // watch until it changes again.
    const settled = ['accepted', 'working', 'breached', 'escalated', 'returned'].map((stage) =>
      routedLead({
        Handoff_Due__c: new Date(NOW - 24 * HOUR).toISOString(),
        Handoff_Stage__c: stage,
      }),
    );
    const waiting = routedLead({
      Handoff_Due__c: new Date(NOW - 24 * HOUR).toISOString(),
      Handoff_Stage__c: 'routed',
    });
    clock = NOW;
    const changed = routedLead({ Status: 'Working - Contacted' });
    const found = await lifecycle.watchedLeads({
      changedSince: new Date(NOW - HOUR),
      overdueSince: new Date(NOW - 30 * 24 * HOUR),
      now: new Date(NOW),
      routedStatus: 'Open - Not Contacted',
    });
    const ids = found.map((lead) => lead.id);
    expect(ids).toEqual(expect.arrayContaining([overdue, changed, waiting]));
    expect(ids).not.toContain(tooOld);
    for (const id of settled) expect(ids).not.toContain(id);
    expect(found.find((lead) => lead.id === changed)).toMatchObject({
      ownerId: REP,
      status: 'Working - Contacted',
      score: 72,
      tier: 'B',
      routedAt: new Date(NOW),
      due: new Date(NOW + HOUR),
      slaBreached: false,
      attributes: expect.objectContaining({
        title: 'VP Data',
        first_name: 'Ada',
        last_name: 'Ng',
      }) as unknown,
    });
  });

  it('reads touches from Tasks and Events, and which Leads had activity since', async () => {
    clock = NOW;
    const lead = routedLead({});
    clock = NOW + HOUR;
    sandbox.store.create(
      'Task',
      { WhoId: lead, OwnerId: REP, Subject: 'Call', Status: 'Completed', TaskSubtype: 'Call' },
      false,
    );
    sandbox.store.create(
      'Task',
      { WhoId: lead, OwnerId: REP, Subject: 'Prep', Status: 'Not Started' },
      false,
    );
    sandbox.store.create(
      'Event',
      {
        WhoId: lead,
        OwnerId: REP,
        Subject: 'Demo',
        StartDateTime: new Date(NOW + 2 * HOUR).toISOString(),
        EndDateTime: new Date(NOW + 3 * HOUR).toISOString(),
        DurationInMinutes: 60,
      },
      false,
    );
    expect(await lifecycle.leadsWithActivitySince(new Date(NOW + HOUR - 1_000))).toContain(lead);
    const touches = (await lifecycle.touches([lead])).get(lead) ?? [];
    expect(touches.map((touch) => [touch.kind, touch.completed]).sort()).toEqual([
      ['call', true],
      ['event', true],
      ['task', false],
    ]);
    expect(touches.find((touch) => touch.kind === 'call')?.at).toEqual(new Date(NOW + HOUR));
  });

  it('finds unreturned rejections only, and closes open Handoff Tasks in one query and one write', async () => {
    clock = NOW;
    const rejected = routedLead({ Status: 'Unqualified', Rejection_Reason__c: 'No budget' });
    // Returned by an earlier version (a `~j` mark), returned now (stage), returned without a contact.
    const returnedBefore = routedLead({
      Status: 'Unqualified',
      Handoff_Decision_Id__c: 'd-returned~j',
    });
    const returned = routedLead({ Status: 'Unqualified', Handoff_Stage__c: 'returned' });
    const noContact = routedLead({ Status: 'Rejected', Handoff_Stage__c: 'rejected' });
    const escalated = routedLead({ Status: 'Rejected', Handoff_Stage__c: 'escalated' });
    const found = await lifecycle.rejectedLeads({
      changedSince: new Date(NOW - HOUR),
      statuses: ['Unqualified', 'Rejected'],
    });
    expect(found.map((lead) => lead.id)).toContain(rejected);
    expect(found.map((lead) => lead.id)).toContain(escalated);
    for (const done of [returnedBefore, returned, noContact])
      expect(found.map((lead) => lead.id)).not.toContain(done);
    expect(found.find((lead) => lead.id === rejected)?.rejectionReason).toBe('No budget');

    const decision = found.find((lead) => lead.id === rejected)?.lifecycle.assignmentId ?? '';
    sandbox.store.create(
      'Task',
      {
        WhoId: rejected,
        OwnerId: REP,
        Subject: 'Follow up',
        Status: 'Not Started',
        Handoff_Decision_Id__c: decision,
      },
      false,
    );
    const before = calls;
    const outcomes = await leads.closeTasks([decision, 'd-without-task']);
    expect(calls - before).toBe(2);
    expect(outcomes).toEqual([expect.objectContaining({ ok: true, key: decision })]);
    const task = [...sandbox.store.table('Task').values()].find(
      (candidate) => candidate['Handoff_Decision_Id__c'] === decision,
    );
    expect(task?.['IsClosed']).toBe(true);
    expect(await leads.closeTasks([decision])).toEqual([]);
  });

  it('lists Leads routed since an instant, by routing time, else due time', async () => {
    clock = NOW;
    const recent = routedLead({ Handoff_Routed_At__c: new Date(NOW + 10 * HOUR).toISOString() });
    const legacy = routedLead({
      Handoff_Routed_At__c: null,
      Handoff_Due__c: new Date(NOW + 11 * HOUR).toISOString(),
    });
    const older = routedLead({ Handoff_Routed_At__c: new Date(NOW - 10 * HOUR).toISOString() });
    const ids = (await lifecycle.routedSince(new Date(NOW + 9 * HOUR))).map((lead) => lead.id);
    expect(ids).toEqual(expect.arrayContaining([recent, legacy]));
    expect(ids).not.toContain(older);
  });

  it('finds routed Leads by e-mail address, in any case, with their name and e-mail', async () => {
    clock = NOW;
    const email = `Ada.Ng+${String((sequence += 1))}@Example.com`;
    const routed = routedLead({ Email: email });
    // The same person, never routed (no decision id): not Handoff's to show.
    sandbox.store.create(
      'Lead',
      { LastName: 'Ng', Company: 'Acme', Email: email.toLowerCase() },
      false,
    );
    const found = await lifecycle.routedLeadsByEmail(email.toUpperCase());
    expect(found.map((lead) => lead.id)).toEqual([routed]);
    expect(found[0]).toMatchObject({ name: 'Ada Ng', email, score: 72, tier: 'B' });
    expect(await lifecycle.routedLeadsByEmail('nobody@example.com')).toEqual([]);
  });
});
