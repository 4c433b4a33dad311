import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceConnection } from '../../src/adapters/salesforce/salesforce-connection.js';
import { SalesforceLeadSourceAdapter } from '../../src/adapters/salesforce/salesforce-lead-source.adapter.js';
import { resolveMapping } from '../../src/domain/mapping.js';
import { SALESFORCE_ACTIVITY_TYPES } from '../../src/domain/model.js';
import { HubSpotStore } from '../../src/sandbox/hubspot/hubspot-store.js';
import {
  createSalesforceSandbox,
  type SalesforceSandbox,
} from '../../src/sandbox/salesforce/salesforce-sandbox.js';
import { SALESFORCE_BORN_LEADS, seedTenants } from '../../src/sandbox/seed/seed-tenants.js';
import { makeDefinition } from '../support/factories.js';

const NOW = Date.parse('2026-11-24T15:00:00Z');
const HOUR = 3_600_000;
const { fit, activity, campaign, freemail } = SALESFORCE_BORN_LEADS;
const ALL = SALESFORCE_ACTIVITY_TYPES;
let sandbox: SalesforceSandbox;
let source: SalesforceLeadSourceAdapter;

beforeAll(async () => {
  sandbox = createSalesforceSandbox({ tokens: ['tok'], now: () => NOW });
  seedTenants(new HubSpotStore(() => NOW), sandbox.store, { seed: 5, contacts: 60, now: NOW });
  const url = await sandbox.server.listen();
  const connection = await createSalesforceConnection({
    auth: { kind: 'token', instanceUrl: url, accessToken: 'tok' },
    version: '62.0',
  });
  source = new SalesforceLeadSourceAdapter(connection, resolveMapping(makeDefinition().mapping));
});

afterAll(async () => {
  await sandbox.server.close();
});

describe('SalesforceLeadSourceAdapter (real jsforce against the sandbox)', () => {
  it('reads Leads born in Salesforce with their attributes through mapping.salesforce', async () => {
    const born = await source.bornLeads({ since: new Date(NOW - 7 * 24 * HOUR) });
    const ids = born.map((lead) => lead.id);
    expect(ids).toEqual(expect.arrayContaining([fit.id, activity.id, campaign.id, freemail.id]));
    // Oldest first, so a cursor can follow them.
    const times = born.map((lead) => lead.modifiedAt.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(born.find((lead) => lead.id === fit.id)).toMatchObject({
      email: fit.email,
      leadSource: 'Web',
      attributes: {
        email: fit.email,
        title: 'Chief Data Officer',
        employees: 5_000,
        country: 'US',
        industry: 'Software',
        first_name: 'Dana',
      },
    });
    // Handoff's open Tasks come with each Lead: an attempt that died before the Lead's decision
    // left one on `fit`; a closed one, or a rep's own, is not Handoff's open follow-up.
    expect(born.find((lead) => lead.id === fit.id)?.openTasks).toEqual([]);
    const left = sandbox.store.insertRaw('Task', {
      WhoId: fit.id,
      Subject: 'Follow up',
      Status: 'Not Started',
      Handoff_Decision_Id__c: 's-interrupted',
    });
    sandbox.store.insertRaw('Task', {
      WhoId: fit.id,
      Subject: 'Done earlier',
      Status: 'Completed',
      Handoff_Decision_Id__c: 's-earlier',
    });
    sandbox.store.insertRaw('Task', {
      WhoId: fit.id,
      Subject: 'A rep’s own',
      Status: 'Not Started',
    });
    const [withTask] = await source.bornLeads({ ids: [fit.id] });
    expect(withTask?.openTasks).toEqual([{ taskId: left['Id'], decisionId: 's-interrupted' }]);
    // By id, only those still born in Salesforce: a decided Lead is no longer one.
    const decided = sandbox.store.update(
      'Lead',
      campaign.id,
      { Handoff_Decision_Id__c: 's-contract' },
      false,
    );
    expect(decided.ok).toBe(true);
    const again = await source.bornLeads({ ids: [fit.id, campaign.id, 'x'.repeat(18)] });
    expect(again.map((lead) => lead.id)).toEqual([fit.id]);
    sandbox.store.update('Lead', campaign.id, { Handoff_Decision_Id__c: null }, false);
  });

  it('maps Salesforce engagement to activities: calls, meetings, responded campaigns only', async () => {
    const activities = await source.activities([fit.id, activity.id, campaign.id], ALL);
    expect(activities.get(fit.id)).toEqual([]);
    const engaged = activities.get(activity.id) ?? [];
    expect(engaged.map((each) => each.type).sort()).toEqual(['call', 'meeting']);
    for (const each of engaged) {
      expect(each.source).toBe('salesforce');
      expect(each.at.getTime()).toBeLessThan(NOW);
    }
    // The Webinar response counts; the Email campaign's member who never responded does not.
    const responded = activities.get(campaign.id) ?? [];
    expect(responded.map((each) => each.type)).toEqual(['campaign_response']);
    // Handoff's own follow-up Tasks are never engagement.
    sandbox.store.create(
      'Task',
      {
        WhoId: fit.id,
        OwnerId: '0055e000001AAAAAA3',
        Subject: 'Follow up',
        Status: 'Completed',
        Handoff_Decision_Id__c: 's-own-task',
      },
      false,
    );
    expect((await source.activities([fit.id], ALL)).get(fit.id)).toEqual([]);
    // Only what the definition weights is read: no campaigns asked about, none counted.
    sandbox.server.log.reset();
    const meetingsOnly = await source.activities([activity.id, campaign.id], ['meeting']);
    expect(meetingsOnly.get(activity.id)?.map((each) => each.type)).toEqual(['meeting']);
    expect(meetingsOnly.get(campaign.id)).toEqual([]);
    expect(sandbox.server.log.list().map((call) => call.endpoint)).toEqual(['query']);
  });
});
