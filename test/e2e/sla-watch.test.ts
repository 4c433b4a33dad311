import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CONFIG,
  startLifecycle,
  type LifecycleHarness,
  type SfRecord,
} from '../support/lifecycle-harness.js';
import { routedForContact } from '../support/routed-leads.js';

const NOW = '2026-11-24T15:00:00Z';
const MANAGER = '0055e000001MANAGER';
const MINUTE = 60_000;

let harness: LifecycleHarness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

const isUser = (id: unknown): boolean => String(id).startsWith('005');

describe('the SLA watch', () => {
  it('accepts touches in time, records late ones, reassigns a breach, then notifies the manager on the second', async () => {
    const h = await startLifecycle({ contacts: 200, seed: 51, at: NOW });
    harness = h;
    expect((await h.sync()).code).toBe(0);
    const routed = h.routedLeads().filter((lead) => isUser(lead['OwnerId']));
    expect(routed.length).toBeGreaterThan(10);
    // Records are live: copy what the assertions compare against.
    const before = new Map(h.decidedLeads().map((lead) => [String(lead['Id']), { ...lead }]));
    const [inTime, late] = routed as [SfRecord, SfRecord];
    const dueOf = (lead: SfRecord): number => Number(lead['Handoff_Due__c']);

    // One rep calls a minute before the due instant, another a minute after.
    h.clock = dueOf(inTime) - MINUTE;
    h.logCall(String(inTime['Id']), String(inTime['OwnerId']));
    h.clock = dueOf(late) + MINUTE;
    h.logCall(String(late['Id']), String(late['OwnerId']));

    h.clock = Date.parse('2026-12-08T15:00:00Z');
    const first = await h.sync();
    expect(first.code).toBe(0);
    const sla = first.json['sla'] as Record<string, number>;
    expect(sla['accepted']).toBeGreaterThanOrEqual(2);
    expect(sla['late_touches']).toBe(1);
    expect(sla['reassigned']).toBeGreaterThan(0);
    expect(sla['breached']).toBe((sla['reassigned'] ?? 0) + (sla['notified'] ?? 0));

    const contactOf = (lead: SfRecord) =>
      h.running.hubspot.store.objects.contacts.get(String(lead['HubSpot_Contact_Id__c']));
    // In time: accepted, with the minutes from routing to the call.
    const inTimeNow = h.lead(String(inTime['Id']));
    expect(inTimeNow['Handoff_SLA_Breached__c']).toBe(false);
    expect(inTimeNow['Handoff_Decision_Id__c']).toBe(
      before.get(String(inTime['Id']))?.['Handoff_Decision_Id__c'],
    );
    expect(contactOf(inTime)?.properties).toMatchObject({
      handoff_status: 'accepted',
      handoff_minutes_to_first_touch: String(
        Math.round((dueOf(inTime) - MINUTE - Date.parse(NOW)) / MINUTE),
      ),
    });
    // Late: breached and recorded, but the rep is working it, so nobody else gets it.
    const lateNow = h.lead(String(late['Id']));
    expect(lateNow['Handoff_SLA_Breached__c']).toBe(true);
    expect(lateNow['OwnerId']).toBe(before.get(String(late['Id']))?.['OwnerId']);
    expect(String(lateNow['Handoff_Reason__c'])).toContain('first touch 1 min after the due time');
    expect(lateNow).toMatchObject({
      Handoff_Stage__c: 'accepted',
      Handoff_Breached_Owners__c: lateNow['OwnerId'],
      Handoff_Breached_At__c: lateNow['Handoff_Due__c'],
    });
    expect(h.lead(String(inTime['Id']))).toMatchObject({
      Handoff_Stage__c: 'accepted',
      Handoff_Breached_Owners__c: null,
    });
    expect(contactOf(late)?.properties['handoff_status']).toBe('accepted');

    // Untouched: reassigned once, with a new due date, a new Task, the old Task closed.
    // The SLA watch covers Leads born in Salesforce too.
    const reassigned = h.decidedLeads().filter((lead) => lead['Handoff_Reassignments__c'] === 1);
    expect(reassigned).toHaveLength(sla['reassigned'] ?? -1);
    for (const lead of reassigned) {
      const previous = before.get(String(lead['Id']));
      if (previous === undefined) continue;
      expect(lead['OwnerId']).not.toBe(previous['OwnerId']);
      expect(lead['Handoff_Decision_Id__c']).toBe(
        `${String(previous['Handoff_Decision_Id__c'])}~r1`,
      );
      expect(lead).toMatchObject({
        Handoff_SLA_Breached__c: true,
        Handoff_Stage__c: 'routed',
        Handoff_Breached_Owners__c: previous['OwnerId'],
        Handoff_Breached_At__c: previous['Handoff_Due__c'],
        Handoff_Definition_Version__c: '2026-11-01',
      });
      expect(lead['Handoff_Routed_At__c']).toBe(h.clock);
      expect(Number(lead['Handoff_Due__c'])).toBeGreaterThan(h.clock);
      expect(String(lead['Handoff_Reason__c'])).toMatch(/SLA missed by .+ min late; reassigned to/);
      const tasks = h.handoffTasks().filter((task) => task['WhoId'] === lead['Id']);
      const oldTask = tasks.find(
        (task) => task['Handoff_Decision_Id__c'] === previous['Handoff_Decision_Id__c'],
      );
      expect(oldTask?.['IsClosed']).toBe(true);
      const newTask = tasks.find(
        (task) => task['Handoff_Decision_Id__c'] === lead['Handoff_Decision_Id__c'],
      );
      if (isUser(lead['OwnerId']))
        expect(newTask).toMatchObject({ OwnerId: lead['OwnerId'], IsClosed: false });
      else expect(newTask).toBeUndefined();
      const owner = h.running.salesforce.store.get(String(lead['OwnerId']))?.record['Name'];
      // A Lead born in Salesforce has no contact to tell.
      if (!routedForContact(lead)) continue;
      expect(contactOf(lead)?.properties).toMatchObject({
        handoff_status: 'breached',
        handoff_owner: owner,
      });
    }

    // The report, from Salesforce alone: one met, the late one and every reassigned lead breached.
    const report = await h.report(['--json', '--since', '2026-11-24T00:00:00Z']);
    expect(report.code).toBe(0);
    const funnel = JSON.parse(report.stdout) as {
      routed: number;
      routed_by_origin: { hubspot: number; salesforce: number };
      accepted: number;
      sla: { due: number; met: number; breached: number; compliance: number };
      time_to_first_touch_minutes: { median: number; p90: number; count: number };
      breaches_by_owner: Record<string, number>;
    };
    expect(funnel.routed_by_origin.hubspot).toBe(h.routedLeads().length);
    expect(funnel.accepted).toBeGreaterThanOrEqual(2);
    expect(funnel.sla.met).toBeGreaterThanOrEqual(1);
    expect(funnel.sla.breached).toBeGreaterThanOrEqual((sla['reassigned'] ?? 0) + 1);
    expect(funnel.sla.compliance).toBeCloseTo(
      funnel.sla.met / (funnel.sla.met + funnel.sla.breached),
      3,
    );
    expect(funnel.time_to_first_touch_minutes.count).toBeGreaterThanOrEqual(2);
    expect(funnel.time_to_first_touch_minutes.p90).toBeGreaterThanOrEqual(
      funnel.time_to_first_touch_minutes.median,
    );
    expect(Object.values(funnel.breaches_by_owner).reduce((a, b) => a + b, 0)).toBe(
      funnel.sla.breached,
    );
    const table = await h.report(['--since', '2026-11-24T00:00:00Z']);
    expect(table.stdout).toMatch(/MQLs routed\s+\d+/);
    expect(table.stdout).toContain('breaches by owner:');
    const bad = await h.report(['--since', 'last week']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since');

    // Two weeks on, with Redis lost meanwhile: the state is read back from Salesforce and the
    // second breach notifies the manager (max_reassignments is 1).
    h.clock = Date.parse('2026-12-22T15:00:00Z');
    const tasksBefore = h.handoffTasks().length;
    const second = await h.sync({ HANDOFF_REDIS_PREFIX: `test-${randomUUID()}` });
    expect(second.code).toBe(0);
    const secondSla = second.json['sla'] as Record<string, number>;
    expect(secondSla['reassigned']).toBe(0);
    expect(secondSla['notified']).toBeGreaterThanOrEqual(reassigned.length);
    const userOwned = reassigned.filter(
      (lead) => isUser(lead['OwnerId']) && lead['OwnerId'] !== MANAGER,
    );
    expect(userOwned.length).toBeGreaterThan(0);
    for (const lead of reassigned) {
      const now = h.lead(String(lead['Id']));
      // The assignment keeps its id; the stage says what happened to it.
      expect(now['Handoff_Decision_Id__c']).toBe(lead['Handoff_Decision_Id__c']);
      expect(now['Handoff_Stage__c']).toBe('escalated');
      // The first owner missed, then the second: both are on the Lead, in order.
      expect(String(now['Handoff_Breached_Owners__c']).split(';')).toEqual([
        before.get(String(lead['Id']))?.['OwnerId'],
        now['OwnerId'],
      ]);
      expect(String(now['Handoff_Reason__c'])).toMatch(/notified|nobody to notify/);
    }
    for (const lead of userOwned) {
      const notice = h
        .handoffTasks()
        .find(
          (task) =>
            task['Handoff_Decision_Id__c'] === `${String(lead['Handoff_Decision_Id__c'])}~n`,
        );
      expect(notice).toMatchObject({ OwnerId: MANAGER, WhoId: lead['Id'], Priority: 'High' });
      expect(String(notice?.['Subject'])).toMatch(/^SLA missed: .+ min past due/);
    }
    expect(h.handoffTasks().length).toBeGreaterThan(tasksBefore);

    // Handled breaches are not handled twice.
    const salesforceSeq = h.running.salesforce.server.log.lastSeq;
    const third = await h.sync();
    expect(third.json['sla']).toMatchObject({ breached: 0, reassigned: 0, notified: 0 });
    expect(
      h.running.salesforce.server.log
        .list(salesforceSeq)
        .filter((call) => /collections\.(update|upsert|create)/.test(call.endpoint)),
    ).toEqual([]);
  });

  it('with on_breach none, records a breach in both systems and does nothing else', async () => {
    const example = await readFile(CONFIG, 'utf8');
    const config = join(await mkdtemp(join(tmpdir(), 'handoff-')), 'handoff.yaml');
    await writeFile(
      config,
      example.replace(
        'on_breach: { action: reassign, max_reassignments: 1 }',
        'on_breach: { action: none }',
      ),
    );
    const h = await startLifecycle({ contacts: 80, seed: 52, at: NOW, config });
    harness = h;
    expect((await h.sync()).code).toBe(0);
    const owners = new Map(h.decidedLeads().map((lead) => [lead['Id'], lead['OwnerId']]));
    const tasks = h.handoffTasks().length;
    h.clock = Date.parse('2026-12-08T15:00:00Z');
    const run = await h.sync();
    const sla = run.json['sla'] as Record<string, number>;
    expect(sla['recorded']).toBe(owners.size);
    expect(sla['reassigned'] ?? 0).toBe(0);
    expect(sla['notified'] ?? 0).toBe(0);
    for (const lead of h.routedLeads()) {
      expect(lead['Handoff_Stage__c']).toBe('breached');
      expect(String(lead['Handoff_Decision_Id__c'])).not.toContain('~');
      expect(lead['Handoff_SLA_Breached__c']).toBe(true);
      expect(lead['OwnerId']).toBe(owners.get(lead['Id']));
      expect(String(lead['Handoff_Reason__c'])).toContain('recorded (on_breach: none)');
      const contact = h.running.hubspot.store.objects.contacts.get(
        String(lead['HubSpot_Contact_Id__c']),
      );
      expect(contact?.properties['handoff_status']).toBe('breached');
    }
    expect(h.handoffTasks()).toHaveLength(tasks);
  });
});
