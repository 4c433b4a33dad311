import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.js';
import { loadDefinitionFile } from '../../src/config/load-definition.js';
import { startWorkers, type Workers } from '../../src/jobs/start-workers.js';
import type { SyncCycleResult } from '../../src/jobs/processors/sync-cycle.processor.js';
import {
  createSyncRuntime,
  createWorkerConnection,
  queuePrefix,
  type SyncRuntime,
} from '../../src/main.js';
import {
  createPrometheusMetrics,
  type PrometheusMetrics,
} from '../../src/metrics/prometheus-metrics.js';
import { CONFIG, startLifecycle, type LifecycleHarness } from '../support/lifecycle-harness.js';

const NOW = '2026-11-24T15:00:00Z';
const MINUTE = 60_000;
const closing: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

/** `handoff run`'s workers and metrics over the harness's sandboxes, on its clock. */
async function observed(h: LifecycleHarness): Promise<{
  workers: Workers;
  metrics: PrometheusMetrics;
  runtime: SyncRuntime;
}> {
  const env = loadEnv({
    ...h.running.env,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
  });
  const definition = await loadDefinitionFile(CONFIG);
  if (!definition.ok) throw new Error('the example definition does not load');
  const log = pino({ level: 'silent' });
  const runtime = await createSyncRuntime(env, definition.value, log, () => new Date(h.clock));
  closing.push(() => runtime.close());
  const connection = createWorkerConnection(env, log);
  closing.push(() => connection.quit());
  // As `handoff run` builds them: the metrics first, their events to the workers.
  let queues: readonly Queue[] = [];
  const metrics = createPrometheusMetrics({
    queues: () => queues,
    budget: runtime.budget,
    meter: runtime.meter,
    now: () => h.clock,
  });
  const workers = await startWorkers({
    connection,
    prefix: queuePrefix(env),
    runtime,
    log,
    schedule: false,
    events: metrics.events,
  });
  queues = Object.values(workers.queues);
  closing.push(async () => {
    await workers.close();
    for (const queue of Object.values(workers.queues)) await queue.obliterate({ force: true });
  });
  return { workers, metrics, runtime };
}

/** Every sample of a metric, by its label text (`outcome="routed",source="hubspot"`). */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(?:\\{(.*)\\})? (\\S+)$`).exec(line);
    if (match !== null) found.set(match[1] ?? '', Number(match[2]));
  }
  return found;
}

function sum(values: Map<string, number>): number {
  return [...values.values()].reduce((total, value) => total + value, 0);
}

describe('/metrics after real jobs against the sandboxes', () => {
  it('counts a cycle’s decisions and routes as its summary does, then the SLA watch’s breaches', async () => {
    const h = await startLifecycle({ contacts: 200, seed: 51, at: NOW });
    closing.push(() => h.close());
    // A contact whose 20 KB email would break every lookup: quarantined, the rest routed.
    h.running.hubspot.store.create(
      'contacts',
      {
        email: `${'x'.repeat(20_000)}@poison-test.example`,
        firstname: 'Pat',
        lastname: 'Example',
        jobtitle: 'VP Marketing',
        company: 'Poison Test Inc',
        numberofemployees: '5000',
        country: 'US',
        recent_conversion_event_name: 'Demo Request',
        recent_conversion_date: String(Date.parse(NOW) - 600_000),
      },
      Date.parse(NOW) - 600_000,
    );
    const { workers, metrics } = await observed(h);

    const cycle: SyncCycleResult = await workers.runOnce(false);
    expect(cycle.routed).toBeGreaterThan(10);
    expect(cycle.quarantined).toBe(1);
    let text = await metrics.metrics();
    const decisions = samples(text, 'handoff_decisions_total');
    const decided = (outcome: string, source = 'hubspot'): number | undefined =>
      decisions.get(`outcome="${outcome}",source="${source}"`);
    expect((decided('routed') ?? 0) + (decided('kept_owner') ?? 0)).toBe(cycle.routed);
    expect(decided('quarantined')).toBe(1);
    expect(decided('not_qualified')).toBe(cycle.decided - cycle.qualified - 1);
    for (const [outcome, count] of Object.entries(cycle.skipped))
      if (outcome !== 'own_write') expect(decided(outcome), outcome).toBe(count);
    // Every decided contact has exactly one outcome.
    const hubspotDecisions = [...decisions]
      .filter(([labels]) => labels.endsWith('source="hubspot"'))
      .reduce((total, [, count]) => total + count, 0);
    expect(hubspotDecisions).toBe(cycle.decided);
    expect(
      (decided('routed', 'salesforce') ?? 0) + (decided('kept_owner', 'salesforce') ?? 0),
    ).toBe(cycle.salesforce_born.routed);
    const routed = samples(text, 'handoff_routed_total');
    expect(sum(routed)).toBe(cycle.routed + cycle.salesforce_born.routed);
    expect([...routed.keys()].every((labels) => /^pool="[^"]+",rule="[^"]+"$/.test(labels))).toBe(
      true,
    );
    expect(samples(text, 'handoff_quarantined_total').get('code="VALUE_UNUSABLE"')).toBe(1);
    expect(samples(text, 'handoff_api_calls_total').get('system="salesforce"')).toBeGreaterThan(0);
    expect(samples(text, 'handoff_api_calls_total').get('system="hubspot"')).toBeGreaterThan(0);
    // A first cycle reads contacts changed long before it: no hand-off latency is recorded.
    expect(samples(text, 'handoff_sync_latency_seconds_count').get('')).toBe(0);
    expect(samples(text, 'handoff_queue_stats_up').get('')).toBe(1);
    expect(samples(text, 'handoff_queue_jobs').get('queue="decisions",state="active"')).toBe(0);
    // No record id, name or email reaches the metrics.
    expect(text).not.toMatch(/@|00Q[0-9A-Za-z]{12}/);

    // One rep calls in time; two weeks later every other lead is overdue.
    const [touched] = h.routedLeads().filter((lead) => String(lead['OwnerId']).startsWith('005'));
    if (touched === undefined) throw new Error('no lead routed to a rep');
    h.clock = Number(touched['Handoff_Due__c']) - MINUTE;
    h.logCall(String(touched['Id']), String(touched['OwnerId']));
    h.clock = Date.parse('2026-12-08T15:00:00Z');
    const second = await workers.runOnce(false);
    const sla = second.sla as Record<string, number> | undefined;
    expect(sla?.['breached']).toBeGreaterThan(0);
    text = await metrics.metrics();
    expect(samples(text, 'handoff_sla_met_total').get('')).toBe(
      (sla?.['accepted'] ?? 0) - (sla?.['late_touches'] ?? 0),
    );
    expect(samples(text, 'handoff_sla_met_total').get('')).toBeGreaterThanOrEqual(1);
    expect(samples(text, 'handoff_sla_breached_total').get('')).toBe(
      (sla?.['breached'] ?? 0) + (sla?.['late_touches'] ?? 0),
    );
    const escalations = samples(text, 'handoff_escalations_total');
    expect(escalations.get('kind="reassigned"')).toBe(sla?.['reassigned']);
    expect(escalations.get('kind="notified"')).toBe(sla?.['notified']);
    expect(sum(escalations)).toBe(sla?.['breached']);
    // Time to first touch: the call a minute before the due instant, from routing.
    const firstTouch = samples(text, 'handoff_first_touch_seconds_count').get('');
    expect(firstTouch).toBe(sla?.['accepted']);
    const touchedSeconds = (Number(touched['Handoff_Due__c']) - MINUTE - Date.parse(NOW)) / 1000;
    expect(samples(text, 'handoff_first_touch_seconds_sum').get('')).toBeGreaterThanOrEqual(
      Math.round(touchedSeconds / 60) * 60,
    );
  });
});
