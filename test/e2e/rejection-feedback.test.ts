import { afterEach, describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../../src/config/load-definition.js';
import {
  CONFIG,
  startLifecycle,
  type LifecycleHarness,
  type SfRecord,
} from '../support/lifecycle-harness.js';

const NOW = '2026-11-24T15:00:00Z';
const NURTURE_QUEUE = '00G5e000000NURTURE';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let harness: LifecycleHarness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

function contactOf(h: LifecycleHarness, lead: SfRecord) {
  const contact = h.running.hubspot.store.objects.contacts.get(
    String(lead['HubSpot_Contact_Id__c']),
  );
  if (contact === undefined) throw new Error('lead without contact');
  return contact;
}

/** Handoff's rejection notes on a contact (the seed gives contacts notes of their own). */
function notesOf(h: LifecycleHarness, contactId: string): string[] {
  const { store } = h.running.hubspot;
  return store
    .associated('contacts', contactId, 'notes')
    .map((id) => store.objects.notes.get(id)?.properties['hs_note_body'] ?? '')
    .filter((body) => body.startsWith('Lead returned by sales'));
}

function listMembers(h: LifecycleHarness, listId: string): string[] {
  return [...(h.running.hubspot.store.lists.get(listId)?.members.keys() ?? [])].map(String);
}

describe('rejections returned to marketing', () => {
  it('writes properties, one note, the nurture list and a recycled stage per rejection, and hands the Lead to nurture', async () => {
    const h = await startLifecycle({ contacts: 240, seed: 41, at: NOW });
    harness = h;
    expect((await h.sync()).code).toBe(0);
    const routed = h.routedLeads().filter((lead) => String(lead['OwnerId']).startsWith('005'));
    expect(routed.length).toBeGreaterThanOrEqual(6);
    const [noBudget, badTiming, missing, unknown, badData, gone] = routed as [
      SfRecord,
      SfRecord,
      SfRecord,
      SfRecord,
      SfRecord,
      SfRecord,
    ];
    // Marketing had moved one contact on to a later stage: recycling must move it back.
    h.running.hubspot.store.update('contacts', contactOf(h, noBudget), {
      lifecyclestage: 'salesqualifiedlead',
    });
    // Records are live: keep who owned each Lead before it goes to nurture.
    const reps = new Map(routed.map((lead) => [lead['Id'], String(lead['OwnerId'])]));
    h.clock += HOUR;
    const rejections: [SfRecord, SfRecord][] = [
      [
        noBudget,
        {
          Status: 'Unqualified',
          Rejection_Reason__c: 'No budget',
          Rejection_Comment__c: 'Budget frozen until Q3',
        },
      ],
      [badTiming, { Status: 'Rejected', Rejection_Reason__c: 'Bad timing' }],
      [missing, { Status: 'Unqualified' }],
      [unknown, { Status: 'Unqualified', Rejection_Reason__c: 'Competitor' }],
      [badData, { Status: 'Unqualified', Rejection_Reason__c: 'Bad contact data' }],
      [gone, { Status: 'Unqualified', Rejection_Reason__c: 'Too small' }],
    ];
    for (const [lead, values] of rejections) h.updateLead(String(lead['Id']), values);
    // The last one's contact was merged away in HubSpot meanwhile.
    const goneContact = contactOf(h, gone);
    h.running.hubspot.store.archive('contacts', goneContact);

    h.clock += HOUR;
    const run = await h.sync();
    // The lost contact is a partial failure: parked for the admin, exit 1.
    expect(run.code).toBe(1);
    expect(run.json['feedback']).toMatchObject({
      rejected: 6,
      flagged: 2,
      returned_to_nurture: 6,
      by_reason: {
        'No budget': 1,
        'Bad timing': 1,
        Unspecified: 2,
        'Bad contact data': 1,
        'Too small': 1,
      },
      hubspot: { applied: 5, notes: 5, quarantined: 1 },
    });

    const expected: [SfRecord, string, string | null, string, string][] = [
      [noBudget, 'No budget', 'Budget frozen until Q3', '101', 'lead'],
      [badTiming, 'Bad timing', null, '102', 'lead'],
      [missing, 'Unspecified', null, '100', 'lead'],
      [unknown, 'Unspecified', null, '100', 'lead'],
      [badData, 'Bad contact data', null, '106', 'other'],
    ];
    for (const [lead, reason, comment, list, stage] of expected) {
      const contact = contactOf(h, lead);
      const rep = h.running.salesforce.store.get(reps.get(lead['Id']) ?? '')?.record['Name'];
      expect(contact.properties).toMatchObject({
        handoff_status: 'rejected',
        handoff_rejection_reason: reason,
        handoff_rejected_by: rep,
        lifecyclestage: stage,
      });
      expect(contact.properties['handoff_rejection_comment'] ?? null).toBe(comment);
      expect(Date.parse(contact.properties['handoff_rejected_at'] ?? '')).toBe(
        Date.parse(NOW) + HOUR,
      );
      const notes = notesOf(h, contact.id);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain(`Lead returned by sales: ${reason}`);
      expect(notes[0]).toContain(`Score at handoff: ${String(lead['Handoff_Score__c'])}`);
      expect(notes[0]).toContain('definition 2026-11-01');
      expect(listMembers(h, list)).toContain(contact.id);
      // Salesforce: the Lead left the rep's list.
      const after = h.lead(String(lead['Id']));
      expect(after['OwnerId']).toBe(NURTURE_QUEUE);
      expect(after['Handoff_Stage__c']).toBe('returned');
      expect(after['Handoff_Decision_Id__c']).toBe(lead['Handoff_Decision_Id__c']);
      expect(String(after['Handoff_Reason__c'])).toContain(`Rejected by ${String(rep)}`);
      const tasks = h.handoffTasks().filter((task) => task['WhoId'] === lead['Id']);
      expect(tasks.length).toBeGreaterThan(0);
      for (const task of tasks) expect(task['IsClosed']).toBe(true);
    }
    expect(notesOf(h, contactOf(h, missing).id)[0]).toContain('No reason was given');
    expect(String(h.lead(String(missing['Id']))['Handoff_Reason__c'])).toContain(
      'Unspecified (no reason given; flagged)',
    );
    expect(String(h.lead(String(unknown['Id']))['Handoff_Reason__c'])).toContain(
      'not in the agreed list; flagged',
    );
    expect(notesOf(h, contactOf(h, unknown).id)[0]).toContain(
      '"Competitor" is not in the agreed list',
    );

    // The report reads the same rejections back from Salesforce alone.
    const report = await h.report(['--json', '--since', '2026-11-01T00:00:00Z']);
    expect(report.code).toBe(0);
    const funnel = JSON.parse(report.stdout) as {
      routed: number;
      rejected: number;
      rejections_by_reason: unknown;
      rejections_by_source: Record<string, number>;
    };
    // Every decided Lead: the contacts' and the ones born in Salesforce.
    expect(funnel.routed).toBe(h.decidedLeads().length);
    expect(funnel.rejected).toBe(6);
    expect(funnel.rejections_by_reason).toEqual({
      'No budget': 1,
      'Bad timing': 1,
      Unspecified: 2,
      'Bad contact data': 1,
      'Too small': 1,
    });
    expect(Object.values(funnel.rejections_by_source).reduce((a, b) => a + b, 0)).toBe(6);

    // Re-runs repeat nothing: no note, list add or Lead write.
    const hubspotSeq = h.running.hubspot.server.log.lastSeq;
    const salesforceSeq = h.running.salesforce.server.log.lastSeq;
    h.clock += HOUR;
    const again = await h.sync();
    expect(again.code).toBe(0);
    expect(again.json['feedback']).toMatchObject({ rejected: 0 });
    const writes = [
      ...h.running.hubspot.server.log.list(hubspotSeq),
      ...h.running.salesforce.server.log.list(salesforceSeq),
    ]
      .map((call) => call.endpoint)
      .filter((endpoint) => /create|update|upsert|memberships\.add/.test(endpoint));
    expect(writes).toEqual([]);
    for (const [lead] of expected) expect(notesOf(h, contactOf(h, lead).id)).toHaveLength(1);
  });

  it('keeps a rejected Lead with its rep until HubSpot has the feedback, then returns it once', async () => {
    const h = await startLifecycle({ contacts: 120, seed: 44, at: NOW });
    harness = h;
    expect((await h.sync()).code).toBe(0);
    const lead = h
      .routedLeads()
      .find((candidate) => String(candidate['OwnerId']).startsWith('005'));
    if (lead === undefined) throw new Error('no routed lead');
    const leadId = String(lead['Id']);
    const rep = String(lead['OwnerId']);
    h.clock += HOUR;
    h.updateLead(leadId, { Status: 'Unqualified', Rejection_Reason__c: 'Bad timing' });
    // HubSpot refuses the note batch once.
    h.running.hubspot.server.faults.add({
      kind: 'server_error',
      status: 400,
      endpoint: 'notes.batch.create',
      times: 1,
    });
    h.clock += HOUR;
    const refused = await h.sync();
    expect(refused.code).toBe(1);
    expect(refused.json['feedback']).toMatchObject({
      rejected: 1,
      returned_to_nurture: 0,
      failed: 1,
    });
    expect(h.lead(leadId)['OwnerId']).toBe(rep);
    expect(h.lead(leadId)['Handoff_Stage__c']).toBe('routed');

    h.clock += HOUR;
    const delivered = await h.sync();
    expect(delivered.code).toBe(0);
    expect(delivered.json['feedback']).toMatchObject({
      rejected: 1,
      returned_to_nurture: 1,
      failed: 0,
    });
    expect(h.lead(leadId)['OwnerId']).toBe(NURTURE_QUEUE);
    expect(notesOf(h, String(lead['HubSpot_Contact_Id__c']))).toHaveLength(1);
  });

  it('returns a Lead rejected after it missed its deadline and was reassigned', async () => {
    const h = await startLifecycle({ contacts: 120, seed: 45, at: NOW });
    harness = h;
    expect((await h.sync()).code).toBe(0);
    const lead = h
      .routedLeads()
      .find((candidate) => String(candidate['OwnerId']).startsWith('005'));
    if (lead === undefined) throw new Error('no routed lead');
    const leadId = String(lead['Id']);
    // Nobody calls: the SLA watch reassigns it and records the breach (Handoff_Breached_At__c).
    h.clock += 7 * DAY;
    expect((await h.sync()).code).toBe(0);
    expect(h.lead(leadId)['Handoff_Breached_At__c']).not.toBeNull();
    // The new owner returns it; the scan's result travels through the job's data between steps.
    h.clock += HOUR;
    h.updateLead(leadId, { Status: 'Unqualified', Rejection_Reason__c: 'Bad timing' });
    h.clock += HOUR;
    const returned = await h.sync();
    expect(returned.code, returned.stderr).toBe(0);
    expect(returned.json['feedback']).toMatchObject({ rejected: 1, returned_to_nurture: 1 });
    expect(h.lead(leadId)['OwnerId']).toBe(NURTURE_QUEUE);
    expect(h.lead(leadId)['Handoff_Stage__c']).toBe('returned');
  });

  it('files every configured reason with its own nurture list and lifecycle stage', async () => {
    const loaded = await loadDefinitionFile(CONFIG);
    if (!loaded.ok) throw new Error('example definition invalid');
    const { feedback } = loaded.value;
    const h = await startLifecycle({ contacts: 300, seed: 43, at: NOW });
    harness = h;
    expect((await h.sync()).code).toBe(0);
    const reasons = Object.entries(feedback.reasons);
    const leads = h
      .routedLeads()
      .filter((lead) => String(lead['OwnerId']).startsWith('005'))
      .slice(0, reasons.length);
    expect(leads).toHaveLength(reasons.length);
    h.clock += HOUR;
    reasons.forEach(([reason], index) => {
      h.updateLead(String(leads[index]?.['Id']), {
        Status: 'Rejected',
        Rejection_Reason__c: reason,
      });
    });
    h.clock += HOUR;
    const run = await h.sync();
    expect(run.code).toBe(0);
    expect(run.json['feedback']).toMatchObject({ rejected: reasons.length, flagged: 0 });
    reasons.forEach(([reason, settings], index) => {
      const contact = contactOf(h, leads[index] ?? {});
      expect(contact.properties).toMatchObject({
        handoff_status: 'rejected',
        handoff_rejection_reason: reason,
        lifecyclestage: settings.lifecycle_stage ?? feedback.recycle_lifecycle_stage,
      });
      if (settings.nurture_list !== undefined)
        expect(listMembers(h, settings.nurture_list)).toContain(contact.id);
      const days = settings.recycle_after_days ?? feedback.recycle_after_days;
      const recycle = new Date(Date.parse(NOW) + HOUR + days * DAY).toISOString().slice(0, 10);
      expect(notesOf(h, contact.id)).toEqual([
        expect.stringContaining(`May be routed again from ${recycle}`),
      ]);
    });
  });

  it('routes a recycled lead again only after its recycle days, and a second rejection gets a second note', async () => {
    const h = await startLifecycle({ contacts: 120, seed: 42, at: NOW });
    harness = h;
    expect((await h.sync()).code).toBe(0);
    const [lead, quiet] = h
      .routedLeads()
      .filter((candidate) => String(candidate['OwnerId']).startsWith('005'));
    if (lead === undefined || quiet === undefined) throw new Error('no routed leads');
    const leadId = String(lead['Id']);
    const contactId = String(lead['HubSpot_Contact_Id__c']);
    const quietContactId = String(quiet['HubSpot_Contact_Id__c']);
    const firstDecision = String(lead['Handoff_Decision_Id__c']);
    h.clock += HOUR;
    h.updateLead(leadId, { Status: 'Unqualified', Rejection_Reason__c: 'Not decision maker' });
    // A second rejected lead whose contact nobody touches afterwards.
    h.updateLead(String(quiet['Id']), {
      Status: 'Unqualified',
      Rejection_Reason__c: 'Not decision maker',
    });
    h.clock += HOUR;
    expect((await h.sync()).code).toBe(0);
    expect(h.lead(leadId)['OwnerId']).toBe(NURTURE_QUEUE);
    const statusOf = (id: string): string | undefined =>
      h.running.hubspot.store.objects.contacts.get(id)?.properties['handoff_status'];
    expect(statusOf(quietContactId)).toBe('rejected');

    // Marketing keeps working the contact: it now qualifies on fit alone.
    const contact = h.running.hubspot.store.objects.contacts.get(contactId);
    if (contact === undefined) throw new Error('contact missing');
    const strongFit = {
      jobtitle: 'Chief Revenue Officer',
      numberofemployees: '5000',
      country: 'US',
      industry: 'Software',
    };
    h.clock += 10 * DAY;
    h.running.hubspot.store.update('contacts', contact, strongFit);
    h.clock += HOUR;
    const early = await h.sync();
    expect(early.json['skipped']).toMatchObject({ recycling: 2 });
    expect(h.lead(leadId)['OwnerId']).toBe(NURTURE_QUEUE);
    expect(h.lead(leadId)).toMatchObject({
      Handoff_Decision_Id__c: firstDecision,
      Handoff_Stage__c: 'returned',
    });

    // "Not decision maker" recycles after 30 days: then it is a new MQL with a new decision.
    h.clock = Date.parse(NOW) + 31 * DAY;
    h.running.hubspot.store.update('contacts', contact, {
      jobtitle: 'Chief Revenue Officer (CRO)',
    });
    h.clock += HOUR;
    const late = await h.sync();
    expect(late.code).toBe(0);
    const rerouted = h.lead(leadId);
    const secondDecision = String(rerouted['Handoff_Decision_Id__c']);
    expect(secondDecision).not.toContain(firstDecision);
    expect(secondDecision).not.toMatch(/~/);
    expect(rerouted['OwnerId']).not.toBe(NURTURE_QUEUE);
    expect(rerouted['Status']).toBe('Open - Not Contacted');
    expect(rerouted['Handoff_Stage__c']).toBe('routed');
    expect(contact.properties['handoff_status']).toBe('routed');
    // The other one is back with marketing, found by search although unchanged since.
    expect(late.json['recycled']).toBe(1);
    expect(statusOf(quietContactId)).toBe('recycled');
    // Marking it recycled changed it, so the next cycle sees it: it still qualifies, so it is
    // routed again as a new MQL too. After that, nothing is left to do.
    const again = await h.sync();
    expect(again.json).toMatchObject({ routed: 1 });
    expect(h.lead(String(quiet['Id']))['Handoff_Stage__c']).toBe('routed');
    expect((await h.sync()).json).toMatchObject({ routed: 0, recycled: 0 });

    // Rejected again: a second event, a second note.
    h.clock += DAY;
    h.updateLead(leadId, { Status: 'Rejected', Rejection_Reason__c: 'Bad timing' });
    h.clock += HOUR;
    expect((await h.sync()).code).toBe(0);
    const notes = notesOf(h, contactId);
    expect(notes).toHaveLength(2);
    expect(notes.some((note) => note.includes('Lead returned by sales: Bad timing'))).toBe(true);
    expect(listMembers(h, '102')).toContain(contactId);
    expect(h.lead(leadId)).toMatchObject({
      Handoff_Decision_Id__c: secondDecision,
      Handoff_Stage__c: 'returned',
    });
  });
});
