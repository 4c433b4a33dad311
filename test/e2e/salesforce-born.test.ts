import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SALESFORCE_BORN_LEADS } from '../../src/sandbox/seed/seed-tenants.js';
import {
  CONFIG,
  startLifecycle,
  type LifecycleHarness,
  type SfRecord,
} from '../support/lifecycle-harness.js';

const NOW = '2026-11-24T15:00:00Z';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const { fit, activity, campaign, freemail } = SALESFORCE_BORN_LEADS;

let harness: LifecycleHarness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** The example definition with `feedback.create_hubspot_contacts` on. */
async function creatingContacts(): Promise<string> {
  const example = await readFile(CONFIG, 'utf8');
  const file = join(await mkdtemp(join(tmpdir(), 'handoff-')), 'handoff.yaml');
  await writeFile(
    file,
    example.replace(/^feedback:\n/m, 'feedback:\n  create_hubspot_contacts: true\n'),
  );
  return file;
}

function tasksOf(h: LifecycleHarness, leadId: string): SfRecord[] {
  return h.handoffTasks().filter((task) => task['WhoId'] === leadId);
}

function contactByEmail(h: LifecycleHarness, email: string) {
  return [...h.running.hubspot.store.objects.contacts.values()].find(
    (contact) => contact.properties['email']?.toLowerCase() === email.toLowerCase(),
  );
}

describe('Leads born in Salesforce', () => {
  it('are qualified, routed, dated and given a Task by the same definition; a contact appearing later changes nothing', async () => {
    const h = await startLifecycle({ contacts: 80, seed: 12, at: NOW });
    harness = h;
    const run = await h.sync();
    expect(run.code).toBe(0);
    expect(run.json['salesforce_born']).toMatchObject({ qualified: expect.any(Number) as unknown });

    for (const born of [fit, activity, campaign]) {
      const lead = h.lead(born.id);
      expect(lead['Handoff_Decision_Id__c'], born.id).toMatch(/^s-/);
      expect(lead['Handoff_Stage__c']).toBe('routed');
      expect(lead['Status']).toBe('Open - Not Contacted');
      expect(Number(lead['Handoff_Due__c'])).toBeGreaterThan(Date.parse(NOW));
      expect(Number(lead['Handoff_Score__c'])).toBeGreaterThanOrEqual(60);
      // A rep gets the follow-up Task (a queue gets it when a rep takes the Lead).
      if (String(lead['OwnerId']).startsWith('005')) {
        const tasks = tasksOf(h, born.id);
        expect(tasks.map((task) => task['Handoff_Decision_Id__c'])).toEqual([
          lead['Handoff_Decision_Id__c'],
        ]);
        // The same Task as a contact's decision gets: the top tier's is High.
        expect(tasks[0]?.['Priority']).toBe(lead['Handoff_Tier__c'] === 'A' ? 'High' : 'Normal');
      }
    }
    // Fit alone, Salesforce activity, a campaign response: each point says where it came from.
    expect(String(h.lead(fit.id)['Handoff_Reason__c'])).not.toContain('engagement.');
    expect(String(h.lead(activity.id)['Handoff_Reason__c'])).toMatch(
      /engagement\.salesforce\.meeting \+\d/,
    );
    expect(String(h.lead(activity.id)['Handoff_Reason__c'])).toMatch(
      /engagement\.salesforce\.call \+\d/,
    );
    expect(String(h.lead(campaign.id)['Handoff_Reason__c'])).toMatch(
      /engagement\.salesforce\.campaign_response \+\d/,
    );
    // A free-mail address fails a gate, whatever its fit.
    expect(h.lead(freemail.id)['Handoff_Decision_Id__c'] ?? null).toBeNull();
    // Without create_hubspot_contacts nobody writes to HubSpot for them.
    expect(contactByEmail(h, fit.email)).toBeUndefined();

    const before = {
      owner: h.lead(fit.id)['OwnerId'],
      decision: h.lead(fit.id)['Handoff_Decision_Id__c'],
      due: h.lead(fit.id)['Handoff_Due__c'],
      tasks: h.handoffTasks().length,
    };
    // Marketing's form (or the connector) brings a qualifying contact for the same person,
    // before the first-touch deadline (so no SLA escalation moves the Lead meanwhile).
    h.clock += 10 * MINUTE;
    const contact = h.running.hubspot.store.create('contacts', {
      email: fit.email.toUpperCase(),
      firstname: 'Dana',
      lastname: 'Whitaker',
      company: 'Larkspur Cloud',
      jobtitle: 'Chief Data Officer',
      numberofemployees: '5000',
      country: 'US',
      industry: 'Software',
    });
    h.clock += 10 * MINUTE;
    const again = await h.sync();
    expect(again.code).toBe(0);
    const after = h.lead(fit.id);
    // The decision stands: same owner, decision and due date, no second Task.
    expect(after['OwnerId']).toBe(before.owner);
    expect(after['Handoff_Decision_Id__c']).toBe(before.decision);
    expect(after['Handoff_Due__c']).toBe(before.due);
    expect(h.handoffTasks().length).toBe(before.tasks);
    // Linked, and marketing sees the lead as routed.
    expect(after['HubSpot_Contact_Id__c']).toBe(contact.id);
    expect(h.running.hubspot.store.objects.contacts.get(contact.id)?.properties).toMatchObject({
      handoff_status: 'routed',
    });

    // The report counts them under their own origin.
    const report = await h.report(['--json', '--since', '2026-11-01T00:00:00Z']);
    expect(report.code).toBe(0);
    const funnel = JSON.parse(report.stdout) as {
      routed: number;
      routed_by_origin: { hubspot: number; salesforce: number };
    };
    expect(funnel.routed_by_origin.salesforce).toBeGreaterThanOrEqual(3);
    expect(funnel.routed_by_origin.hubspot + funnel.routed_by_origin.salesforce).toBe(
      funnel.routed,
    );
  });

  it('with create_hubspot_contacts, get a HubSpot contact with the Handoff properties, and a rejection returns to it', async () => {
    const h = await startLifecycle({
      contacts: 80,
      seed: 12,
      at: NOW,
      config: await creatingContacts(),
    });
    harness = h;
    expect((await h.sync()).code).toBe(0);
    const created = contactByEmail(h, fit.email);
    expect(created?.properties).toMatchObject({
      handoff_status: 'routed',
      handoff_score: String(h.lead(fit.id)['Handoff_Score__c']),
      handoff_tier: String(h.lead(fit.id)['Handoff_Tier__c']),
      firstname: String(h.lead(fit.id)['FirstName']),
      lastname: String(h.lead(fit.id)['LastName']),
    });
    expect(contactByEmail(h, freemail.email)).toBeUndefined();

    // The next cycle meets the new contact and links it to its Lead.
    h.clock += HOUR;
    expect((await h.sync()).code).toBe(0);
    expect(h.lead(fit.id)['HubSpot_Contact_Id__c']).toBe(created?.id);
    expect(tasksOf(h, fit.id).length).toBeLessThanOrEqual(1);

    // The rep returns it with a reason: marketing gets it on the contact.
    h.clock += HOUR;
    h.updateLead(fit.id, { Status: 'Unqualified', Rejection_Reason__c: 'No budget' });
    h.clock += HOUR;
    expect((await h.sync()).code).toBe(0);
    expect(
      h.running.hubspot.store.objects.contacts.get(created?.id ?? '')?.properties,
    ).toMatchObject({ handoff_status: 'rejected', handoff_rejection_reason: 'No budget' });
  });

  it('without a HubSpot contact, a rejection still closes on the Salesforce side', async () => {
    const h = await startLifecycle({ contacts: 80, seed: 12, at: NOW });
    harness = h;
    expect((await h.sync()).code).toBe(0);
    h.clock += HOUR;
    h.updateLead(campaign.id, { Status: 'Unqualified', Rejection_Reason__c: 'Too small' });
    h.clock += HOUR;
    expect((await h.sync()).code).toBe(0);
    expect(h.lead(campaign.id)['Handoff_Stage__c']).toBe('rejected');
  });
});
