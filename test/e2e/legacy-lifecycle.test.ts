import { afterEach, describe, expect, it } from 'vitest';
import { startLifecycle, type LifecycleHarness } from '../support/lifecycle-harness.js';

const NOW = '2026-11-24T15:00:00Z';
const HOUR = 3_600_000;
const OLD_REP = '0055e000001OLDREP';

let harness: LifecycleHarness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** What an earlier version of Handoff left on a Lead: marks on the id, state in sentences. */
const LEGACY_FIELDS = {
  Handoff_Stage__c: null,
  Handoff_Reassignments__c: null,
  Handoff_Definition_Version__c: null,
  Handoff_Breached_Owners__c: null,
  Handoff_Breached_At__c: null,
};

describe('Leads written before the lifecycle fields existed', () => {
  it('are read from their marks and sentences, counted by the report, and move onto the fields with their next write', async () => {
    const h = await startLifecycle({ contacts: 80, seed: 52, at: NOW });
    harness = h;
    expect((await h.sync()).code).toBe(0);
    const [escalated, returned] = h
      .routedLeads()
      .filter((lead) => lead['HubSpot_Contact_Id__c'] != null);
    if (escalated === undefined || returned === undefined) throw new Error('seed routes too few');
    const escalatedId = String(escalated['Id']);
    const returnedId = String(returned['Id']);
    const decision = String(escalated['Handoff_Decision_Id__c']);
    h.updateLead(escalatedId, {
      ...LEGACY_FIELDS,
      Handoff_Decision_Id__c: `${decision}~r1~n`,
      Handoff_Reason__c: [
        'Qualified as tier A with score 81 (definition 2025-09-01): fit.',
        `[2026-11-24 16:04 UTC] SLA missed by Old Rep (${OLD_REP}): 61 min late; reassigned to someone.`,
      ].join('\n'),
    });
    h.updateLead(returnedId, {
      ...LEGACY_FIELDS,
      Status: 'Unqualified',
      Rejection_Reason__c: 'No budget',
      Handoff_Decision_Id__c: `${String(returned['Handoff_Decision_Id__c'])}~j`,
    });

    // The report finds the breach in the old sentence, and the old `~j` as a rejection.
    const report = await h.report(['--json', '--since', '2026-11-01T00:00:00Z']);
    expect(report.code).toBe(0);
    const funnel = JSON.parse(report.stdout) as {
      rejected: number;
      breaches_by_owner: Record<string, number>;
    };
    expect(funnel.breaches_by_owner[OLD_REP]).toBe(1);
    expect(funnel.rejected).toBe(1);

    // The rep rejects the escalated one: returned once, and written onto the fields.
    h.clock += HOUR;
    h.updateLead(escalatedId, { Status: 'Unqualified', Rejection_Reason__c: 'Bad timing' });
    h.clock += HOUR;
    const run = await h.sync();
    expect(run.code).toBe(0);
    // The one an earlier version returned is not returned again.
    expect(run.json['feedback']).toMatchObject({ rejected: 1, returned_to_nurture: 1 });
    expect(h.lead(escalatedId)).toMatchObject({
      Handoff_Stage__c: 'returned',
      Handoff_Reassignments__c: 1,
      Handoff_Definition_Version__c: '2025-09-01',
      Handoff_Breached_Owners__c: OLD_REP,
      // The assignment keeps its id; no mark is added any more.
      Handoff_Decision_Id__c: `${decision}~r1~n`,
    });
    const notes = h.running.hubspot.store
      .associated('contacts', String(escalated['HubSpot_Contact_Id__c']), 'notes')
      .map((id) => h.running.hubspot.store.objects.notes.get(id)?.properties['hs_note_body'] ?? '')
      .filter((body) => body.startsWith('Lead returned by sales'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('definition 2025-09-01');
    expect(h.lead(returnedId)['Handoff_Stage__c']).toBeNull();

    // Nothing is left to do, and the report reads the same breach from the field now.
    expect((await h.sync()).json['feedback']).toMatchObject({ rejected: 0 });
    const after = JSON.parse(
      (await h.report(['--json', '--since', '2026-11-01T00:00:00Z'])).stdout,
    ) as { rejected: number; breaches_by_owner: Record<string, number> };
    expect(after.breaches_by_owner[OLD_REP]).toBe(1);
    expect(after.rejected).toBe(2);
  });
});
