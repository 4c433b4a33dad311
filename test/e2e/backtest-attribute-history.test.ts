import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { backtestJson } from '../support/backtest-json.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.parse('2026-10-06T14:00:00Z');

/**
 * Attributes are taken as they stood at each instant, through HubSpot's propertiesWithHistory:
 * a contact promoted after its meeting was not a VP when it would have been decided.
 */
describe('handoff backtest: attribute values as of the decision instant', () => {
  let running: RunningSandboxes;
  let clock = Date.parse('2026-10-01T00:00:00Z');
  let dir: string;

  function contactWithMeeting(key: string, jobtitle: string, meetingAt: number) {
    const { store } = running.hubspot;
    const record = store.create(
      'contacts',
      {
        email: `${key}@acme-analytics.com`,
        company: 'Acme',
        country: 'US',
        jobtitle,
        numberofemployees: '500',
      },
      T,
    );
    const meeting = store.create('meetings', { hs_timestamp: String(meetingAt) }, meetingAt);
    store.associate('contacts', record.id, 'meetings', meeting.id);
    return record;
  }

  beforeAll(async () => {
    running = await startSandboxes({ contacts: 5, seed: 11, now: () => clock });
    dir = mkdtempSync(join(tmpdir(), 'handoff-backtest-history-'));
    // An intern at the meeting (the not-a-student-title gate fails), called by a rep the next day,
    // a VP two days after that: as a VP from the start it would have qualified at its meeting.
    const promoted = contactWithMeeting('promoted', 'Data Intern', T + DAY);
    clock = T + HOUR;
    const lead = running.salesforce.store.create(
      'Lead',
      {
        LastName: 'promoted',
        Company: 'Acme',
        Email: 'promoted@acme-analytics.com',
        HubSpot_Contact_Id__c: promoted.id,
      },
      false,
    );
    if (!lead.ok) throw new Error(JSON.stringify(lead.errors));
    clock = T + 2 * DAY;
    const call = running.salesforce.store.create(
      'Task',
      {
        WhoId: lead.id,
        OwnerId: '0055e000001AAAAAA3',
        Subject: 'Call',
        Status: 'Completed',
        TaskSubtype: 'Call',
      },
      false,
    );
    if (!call.ok) throw new Error(JSON.stringify(call.errors));
    running.hubspot.store.update('contacts', promoted, { jobtitle: 'VP Data' }, T + 4 * DAY);
    // The same contact as a VP from the start qualifies at its meeting.
    contactWithMeeting('always-vp', 'VP Data', T + DAY);
    clock = Date.parse('2026-10-20T12:00:00Z');
  });

  afterAll(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decides the promoted contact on the title it had then', async () => {
    const { stderr, report } = await backtestJson(running.env, dir, clock);
    expect(stderr).toBe('');
    expect(report.leads).toBe(2);
    // Only always-vp: the promoted contact's current title must not leak into its decision, and
    // its promotion came after the rep's call.
    expect(report.candidate.mqls).toBe(1);
  });
});
