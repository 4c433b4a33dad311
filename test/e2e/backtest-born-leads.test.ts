import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { backtestJson } from '../support/backtest-json.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.parse('2026-10-06T14:00:00Z');
const REP = '0055e000001AAAAAA3';

/**
 * Leads born in Salesforce (web-to-lead, imports) are replayed like contacts: their mapped
 * fields, and their Salesforce activities as the definition counts them
 * (`qualification.engagement.salesforce_activities`), cut off at the first sign of their outcome.
 */
describe('handoff backtest: Leads born in Salesforce', () => {
  let running: RunningSandboxes;
  let clock = Date.parse('2026-10-01T00:00:00Z');
  let dir: string;
  const born: Record<string, string> = {};

  /** A Lead born in Salesforce at `at`: fit 45 (senior-title 20, data-function 10, mid-market 15). */
  function bornLead(key: string, at: number): string {
    clock = at;
    const created = running.salesforce.store.create(
      'Lead',
      {
        LastName: key,
        Company: 'Northwind',
        Email: `${key}@northwind-data.com`,
        Title: 'VP Data',
        NumberOfEmployees: 500,
        LeadSource: 'Web',
      },
      false,
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    born[key] = created.id;
    return created.id;
  }

  /** A campaign response (+15 as a Salesforce activity), dated by the day it came. */
  function responded(leadId: string, at: number): void {
    clock = at;
    const { store } = running.salesforce;
    const campaign = store.create('Campaign', { Name: `Webinar ${leadId}`, IsActive: true }, false);
    if (!campaign.ok) throw new Error(JSON.stringify(campaign.errors));
    const member = store.create(
      'CampaignMember',
      { CampaignId: campaign.id, LeadId: leadId, Status: 'Responded' },
      false,
    );
    if (!member.ok) throw new Error(JSON.stringify(member.errors));
  }

  /** A rep's logged call: the lead's first touch, the first sign of its outcome. */
  function called(leadId: string, at: number): void {
    clock = at;
    const call = running.salesforce.store.create(
      'Task',
      { WhoId: leadId, OwnerId: REP, Subject: 'Call', Status: 'Completed', TaskSubtype: 'Call' },
      false,
    );
    if (!call.ok) throw new Error(JSON.stringify(call.errors));
  }

  beforeAll(async () => {
    running = await startSandboxes({ contacts: 5, seed: 9, now: () => clock });
    dir = mkdtempSync(join(tmpdir(), 'handoff-backtest-born-'));
    // Responds the next day (45 + 15 = 60, tier C), then a rep calls.
    const first = bornLead('responded-first', T);
    responded(first, T + DAY);
    called(first, T + 2 * DAY);
    // Called first, responds afterwards, then converts: the response must not count, and the
    // definition misses a conversion.
    const late = bornLead('called-first', T + HOUR);
    called(late, T + DAY);
    responded(late, T + 3 * DAY);
    const record = running.salesforce.store.table('Lead').get(late);
    // Conversion is not an API write: set as Salesforce records it.
    if (record !== undefined)
      Object.assign(record, { IsConverted: true, ConvertedDate: '2026-10-12' });
    clock = Date.parse('2026-10-20T12:00:00Z');
  });

  afterAll(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decides them from their fields and Salesforce activities, without leaking the later ones', async () => {
    const { stderr, report } = await backtestJson(running.env, dir, clock);
    expect(stderr).toBe('');
    expect(report.leads).toBe(2);
    expect(report.candidate.mqls).toBe(1);
    expect(report.candidate.mqlsByTier).toEqual({ C: 1 });
    expect(report.candidate.missedConversions).toEqual([
      expect.objectContaining({
        contactId: `lead:${born['called-first']}`,
        leadId: born['called-first'],
      }),
    ]);
  });
});
