import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisShadowJournal } from '../../src/adapters/redis/redis-shadow-journal.adapter.js';
import type { ShadowReport } from '../../src/usecases/shadow/shadow-report.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';
import {
  CONFIG,
  startLifecycle,
  type LifecycleHarness,
  type SfRecord,
} from '../support/lifecycle-harness.js';

const START = Date.parse('2026-03-03T14:00:00Z');
const HOUR = 3_600_000;
const SINCE = '2026-02-01T00:00:00Z';
const tenant = { contacts: 300, seed: 23, at: new Date(START).toISOString() };

/**
 * A shadow period on tenant A, beside a live run on tenant B, a copy of A (same seed, same clock,
 * fresh state): B's writes are what A's shadow decided, so the agreement rate and the breaches are
 * computed here from B and A's own owners, apart from the report that claims them. Then A
 * switches to live.
 */
describe('shadow mode: sync --once --shadow, report --shadow, then live', () => {
  let shadowTenant: LifecycleHarness;
  let liveTwin: LifecycleHarness;
  let owners: Map<string, unknown>;
  let shadowSummary: Record<string, unknown>;
  let twinSummary: Record<string, unknown>;
  let twinDecided: SfRecord[];

  beforeAll(async () => {
    [shadowTenant, liveTwin] = await Promise.all([startLifecycle(tenant), startLifecycle(tenant)]);
    const leads = shadowTenant.running.salesforce.store.table('Lead');
    owners = new Map([...leads.values()].map((lead) => [String(lead['Id']), lead['OwnerId']]));
    const shadow = await shadowTenant.cli(['sync', '--once', '--shadow', '--json']);
    expect(shadow.code, shadow.stderr).toBe(0);
    shadowSummary = JSON.parse(shadow.stdout) as Record<string, unknown>;
    const twin = await liveTwin.sync();
    expect(twin.code).toBe(0);
    twinSummary = twin.json;
    twinDecided = liveTwin.decidedLeads().filter((lead) => owners.has(String(lead['Id'])));
  });

  afterAll(async () => {
    await Promise.all([shadowTenant.close(), liveTwin.close()]);
  });

  it('decides but writes nothing to Salesforce or HubSpot', () => {
    expect(shadowSummary['shadow']).toBe(true);
    expect(Number(shadowSummary['routed'])).toBeGreaterThan(0);
    // The same decisions as the live twin's, counted the same way.
    expect(shadowSummary['routed']).toBe(twinSummary['routed']);
    expect(shadowSummary['qualified']).toBe(twinSummary['qualified']);
    expect(shadowTenant.decidedLeads()).toEqual([]);
    expect(shadowTenant.handoffTasks()).toEqual([]);
    for (const lead of shadowTenant.running.salesforce.store.table('Lead').values())
      expect(lead['OwnerId']).toBe(owners.get(String(lead['Id'])));
    const contacts = [...shadowTenant.running.hubspot.store.objects.contacts.values()];
    expect(contacts.some((contact) => contact.properties['handoff_status'] !== undefined)).toBe(
      false,
    );
  });

  it('journals the decisions the live twin wrote, with the same decision ids', async () => {
    const redis = new Redis(shadowTenant.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    try {
      const journal = new RedisShadowJournal(
        redis,
        `${shadowTenant.env['HANDOFF_REDIS_PREFIX']}-shadow`,
      );
      const journaled = await journal.since(new Date(0));
      const byLead = new Map(journaled.map((decision) => [decision.leadId, decision]));
      expect(twinDecided.length).toBeGreaterThan(1);
      for (const lead of twinDecided) {
        expect(byLead.get(String(lead['Id']))).toMatchObject({
          decisionId: lead['Handoff_Decision_Id__c'],
          ownerId: lead['OwnerId'],
        });
      }
    } finally {
      await redis.quit();
    }
  });

  it('reports the agreement with today’s owners and the breaches Handoff would have caught', async () => {
    // A rep calls one lead an hour in, inside its deadline; nobody touches the rest for a week.
    const called = twinDecided.find((lead) => Number(lead['Handoff_Due__c']) > START + HOUR);
    expect(called).toBeDefined();
    const calledId = String(called?.['Id']);
    shadowTenant.clock = START + HOUR;
    // Logged by the rep Handoff would have chosen (active, unlike some of today's owners).
    shadowTenant.logCall(calledId, String(called?.['OwnerId']));
    shadowTenant.clock = START + 7 * 24 * HOUR;
    const run = await shadowTenant.cli(['report', '--shadow', '--json', '--since', SINCE]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as ShadowReport;

    const same = twinDecided.filter(
      (lead) => lead['OwnerId'] === owners.get(String(lead['Id'])),
    ).length;
    expect(report.compared).toBe(twinDecided.length);
    // The twin's other decisions created their Lead: shadow would have created them.
    const created = liveTwin.decidedLeads().length - twinDecided.length;
    expect(report.would_create).toBe(created);
    expect(report.decisions).toBe(report.compared + created);
    expect(report.same_owner).toBe(same);
    expect(report.same_owner_share).toBeCloseTo(same / twinDecided.length, 10);
    expect(report.breaches).toBe(twinDecided.length - 1);
    // Lead by lead: the one called in time is the one not breached, with its call as first touch.
    const calledRow = report.leads.find((row) => row.lead_id === calledId);
    expect(calledRow).toMatchObject({
      breached: false,
      first_touch: new Date(START + HOUR).toISOString(),
      handoff_owner: called?.['OwnerId'],
      actual_owner: owners.get(calledId),
    });
    expect(report.leads.filter((row) => row.breached)).toHaveLength(report.breaches);
    expect(report.caught).toBe(report.breaches);
    expect(report.pending).toBe(0);
    const decidedIds = new Set(twinDecided.map((lead) => String(lead['Id'])));
    const createdSince = [...shadowTenant.running.salesforce.store.table('Lead').values()]
      .filter((lead) => Number(lead['CreatedDate']) >= Date.parse(SINCE))
      .map((lead) => String(lead['Id']))
      .filter((id) => !decidedIds.has(id));
    expect(report.not_routed.map((lead) => lead.id).sort()).toEqual(createdSince.sort());
  });

  it('switches to live with one config change, reaching the same decisions', async () => {
    shadowTenant.clock = START;
    expect((await shadowTenant.sync()).code).toBe(0);
    const live = new Map(
      shadowTenant
        .decidedLeads()
        .map((lead) => [String(lead['Id']), lead['Handoff_Decision_Id__c']] as const),
    );
    for (const lead of twinDecided)
      expect(live.get(String(lead['Id']))).toBe(lead['Handoff_Decision_Id__c']);
  });

  it('says so when the journal cannot be read, Redis being unreachable', async () => {
    const run = await runCliInProcess(['report', '--shadow', '--config', CONFIG], {
      env: { ...shadowTenant.env, REDIS_URL: 'redis://127.0.0.1:1' },
      now: new Date(START).toISOString(),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Redis is not reachable at REDIS_URL \(/);
  });
});
