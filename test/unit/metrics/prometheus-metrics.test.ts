import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../../../src/metrics/prometheus-metrics.js';
import { countQuarantines } from '../../../src/metrics/count-quarantines.js';
import type { ApiUsageReport } from '../../../src/platform/api-budget.js';
import type { SyncState } from '../../../src/ports/sync-state.port.js';

const connection = { host: '127.0.0.1', port: 6379 };
const opened: Queue[] = [];

afterEach(async () => {
  for (const each of opened.splice(0)) {
    await each.obliterate({ force: true });
    await each.close();
  }
});

function queue(name: string): Queue {
  const created = new Queue(name, { connection, prefix: `test-${randomUUID()}` });
  opened.push(created);
  return created;
}

function usage(overrides: Partial<ApiUsageReport> = {}): ApiUsageReport {
  return {
    used: null,
    max: null,
    percent: null,
    handoff_calls: 0,
    handoff_percent: null,
    ceiling_percent: 10,
    paused: false,
    paused_until: null,
    seen_at: null,
    ...overrides,
  };
}

function metricsWith(options: { queues?: readonly Queue[]; now?: number } = {}) {
  const meter = { total: { hubspot: 0, salesforce: 0 } };
  const budget = {
    usage: () => ({
      salesforce: usage({
        used: 45_000,
        max: 100_000,
        percent: 45,
        handoff_calls: 2_500,
        handoff_percent: 2.5,
        paused: true,
      }),
      hubspot: usage({ handoff_calls: 12, ceiling_percent: 20 }),
    }),
  };
  const metrics = createPrometheusMetrics({
    queues: () => options.queues ?? [],
    budget,
    meter,
    now: () => options.now ?? Date.now(),
  });
  return { metrics, meter };
}

/** The value of one sample line (`name{labels} value`), or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((each) => each.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus metrics', () => {
  it('names every metric handoff_ and lists every decision outcome at 0 before any event', async () => {
    const { metrics } = metricsWith();
    const text = await metrics.metrics();
    const names = text
      .split('\n')
      .filter((line) => line.startsWith('# TYPE '))
      .map((line) => line.split(' ')[2] ?? '');
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((name) => !name.startsWith('handoff_'))).toEqual([]);
    expect(names).toContain('handoff_process_cpu_user_seconds_total');
    expect(sample(text, 'handoff_decisions_total{outcome="not_qualified",source="hubspot"}')).toBe(
      0,
    );
    expect(sample(text, 'handoff_decisions_total{outcome="recycling",source="salesforce"}')).toBe(
      0,
    );
    expect(sample(text, 'handoff_escalations_total{kind="notified"}')).toBe(0);
    expect(metrics.contentType).toContain('text/plain');
  });

  it('counts events with their labels', async () => {
    const { metrics } = metricsWith();
    const { events } = metrics;
    events.decided('routed', 'hubspot');
    events.decided('routed', 'hubspot');
    events.decided('kept_owner', 'salesforce');
    events.routed({ pool: 'inbound', rule: 'inbound', ownerKept: false });
    events.routed({ pool: 'inbound', rule: 'inbound', ownerKept: false });
    events.routed({ pool: null, rule: 'existing-account', ownerKept: false });
    events.routed({ pool: null, rule: null, ownerKept: true });
    events.rejectionReturned('No budget');
    events.slaAssessed(true, 30);
    events.slaAssessed(false, null);
    events.slaAssessed(false, 600);
    events.escalated('reassigned');
    events.quarantined('STRING_TOO_LONG');
    events.quarantined('STRING_TOO_LONG');
    const text = await metrics.metrics();
    expect(sample(text, 'handoff_decisions_total{outcome="routed",source="hubspot"}')).toBe(2);
    expect(sample(text, 'handoff_decisions_total{outcome="kept_owner",source="salesforce"}')).toBe(
      1,
    );
    expect(sample(text, 'handoff_routed_total{pool="inbound",rule="inbound"}')).toBe(2);
    expect(sample(text, 'handoff_routed_total{pool="none",rule="existing-account"}')).toBe(1);
    expect(sample(text, 'handoff_routed_total{pool="none",rule="kept_owner"}')).toBe(1);
    expect(sample(text, 'handoff_rejections_returned_total{reason="No budget"}')).toBe(1);
    expect(sample(text, 'handoff_sla_met_total')).toBe(1);
    expect(sample(text, 'handoff_sla_breached_total')).toBe(2);
    expect(sample(text, 'handoff_escalations_total{kind="reassigned"}')).toBe(1);
    expect(sample(text, 'handoff_quarantined_total{code="STRING_TOO_LONG"}')).toBe(2);
    // Only touches are timed: the breach found overdue has no first touch.
    expect(sample(text, 'handoff_first_touch_seconds_count')).toBe(2);
    expect(sample(text, 'handoff_first_touch_seconds_sum')).toBe(630 * 60);
  });

  it('puts first touches and hand-off latencies in the right buckets', async () => {
    const { metrics } = metricsWith();
    metrics.events.slaAssessed(true, 10); // 600 s
    metrics.events.slaAssessed(false, 3 * 24 * 60 + 1); // past 3 days
    metrics.events.handedOff(400);
    metrics.events.handedOff(45_000);
    metrics.events.handedOff(2 * 3_600_000);
    const text = await metrics.metrics();
    expect(sample(text, 'handoff_first_touch_seconds_bucket{le="300"}')).toBe(0);
    expect(sample(text, 'handoff_first_touch_seconds_bucket{le="900"}')).toBe(1);
    expect(sample(text, 'handoff_first_touch_seconds_bucket{le="259200"}')).toBe(1);
    expect(sample(text, 'handoff_first_touch_seconds_bucket{le="604800"}')).toBe(2);
    expect(sample(text, 'handoff_sync_latency_seconds_bucket{le="0.5"}')).toBe(1);
    expect(sample(text, 'handoff_sync_latency_seconds_bucket{le="30"}')).toBe(1);
    expect(sample(text, 'handoff_sync_latency_seconds_bucket{le="60"}')).toBe(2);
    expect(sample(text, 'handoff_sync_latency_seconds_bucket{le="3600"}')).toBe(2);
    expect(sample(text, 'handoff_sync_latency_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(sample(text, 'handoff_sync_latency_seconds_sum')).toBe(0.4 + 45 + 7200);
  });

  it('reads API calls from the meter and the budget at each scrape', async () => {
    const { metrics, meter } = metricsWith();
    meter.total.hubspot = 7;
    meter.total.salesforce = 3;
    let text = await metrics.metrics();
    expect(sample(text, 'handoff_api_calls_total{system="hubspot"}')).toBe(7);
    meter.total.hubspot = 9;
    text = await metrics.metrics();
    expect(sample(text, 'handoff_api_calls_total{system="hubspot"}')).toBe(9);
    expect(sample(text, 'handoff_api_calls_total{system="salesforce"}')).toBe(3);
    expect(
      sample(text, 'handoff_api_budget_used_percent{system="salesforce",scope="handoff"}'),
    ).toBe(2.5);
    expect(sample(text, 'handoff_api_budget_used_percent{system="salesforce",scope="pool"}')).toBe(
      45,
    );
    // HubSpot has reported no allowance yet: no percentage to show.
    expect(
      sample(text, 'handoff_api_budget_used_percent{system="hubspot",scope="handoff"}'),
    ).toBeUndefined();
    expect(sample(text, 'handoff_api_budget_calls{system="salesforce"}')).toBe(2_500);
    expect(sample(text, 'handoff_api_budget_calls{system="hubspot"}')).toBe(12);
    expect(sample(text, 'handoff_api_budget_ceiling_percent{system="hubspot"}')).toBe(20);
    expect(sample(text, 'handoff_api_budget_paused{system="salesforce"}')).toBe(1);
    expect(sample(text, 'handoff_api_budget_paused{system="hubspot"}')).toBe(0);
  });

  it('reads each queue from Redis at scrape time, aged by the injected clock', async () => {
    const decisions = queue('decisions');
    const hubspot = queue('hubspot');
    const first = await decisions.add('sync.cycle', {});
    await decisions.add('sync.cycle', {});
    await decisions.add('sla.check', {}, { delay: 60_000 });
    const now = first.timestamp + 90_000;
    const { metrics } = metricsWith({ queues: [decisions, hubspot], now });
    const text = await metrics.metrics();
    expect(sample(text, 'handoff_queue_stats_up')).toBe(1);
    expect(sample(text, 'handoff_queue_jobs{queue="decisions",state="waiting"}')).toBe(2);
    expect(sample(text, 'handoff_queue_jobs{queue="decisions",state="delayed"}')).toBe(1);
    expect(sample(text, 'handoff_queue_jobs{queue="decisions",state="active"}')).toBe(0);
    expect(sample(text, 'handoff_queue_jobs{queue="hubspot",state="waiting"}')).toBe(0);
    expect(sample(text, 'handoff_queue_oldest_waiting_seconds{queue="decisions"}')).toBe(90);
    expect(sample(text, 'handoff_queue_oldest_waiting_seconds{queue="hubspot"}')).toBe(0);

    await decisions.drain();
    const after = await metrics.metrics();
    expect(sample(after, 'handoff_queue_jobs{queue="decisions",state="waiting"}')).toBe(0);
  });

  it('still serves the other metrics when the queues cannot be read', async () => {
    const closed = new Queue('decisions', {
      connection: { ...connection, maxRetriesPerRequest: 0, enableOfflineQueue: false },
      prefix: `test-${randomUUID()}`,
    });
    await closed.close();
    const { metrics } = metricsWith({ queues: [closed] });
    metrics.events.decided('routed', 'hubspot');
    const text = await metrics.metrics();
    expect(sample(text, 'handoff_queue_stats_up')).toBe(0);
    expect(text).not.toContain('handoff_queue_jobs{');
    expect(sample(text, 'handoff_decisions_total{outcome="routed",source="hubspot"}')).toBe(1);
  });

  it('keeps two registries apart', async () => {
    const one = metricsWith().metrics;
    const two = metricsWith().metrics;
    one.events.escalated('notified');
    expect(sample(await one.metrics(), 'handoff_escalations_total{kind="notified"}')).toBe(1);
    expect(sample(await two.metrics(), 'handoff_escalations_total{kind="notified"}')).toBe(0);
  });
});

describe('countQuarantines', () => {
  it('tells each stored quarantine by its code and leaves the rest of the state alone', async () => {
    const stored: string[] = [];
    class State {
      private readonly cursors = new Map([['hubspot.contacts', new Date(5)]]);
      quarantine(entry: { key: string }): Promise<void> {
        stored.push(entry.key);
        return Promise.resolve();
      }
      cursor(stream: string): Promise<Date | null> {
        return Promise.resolve(this.cursors.get(stream) ?? null);
      }
    }
    const { metrics } = metricsWith();
    const state = countQuarantines(new State() as unknown as SyncState, metrics.events);
    await state.quarantine({
      system: 'salesforce',
      key: '101',
      code: 'VALUE_UNUSABLE',
      reason: 'permanent: bad',
      at: new Date(0).toISOString(),
    });
    expect(stored).toEqual(['101']);
    expect(await state.cursor('hubspot.contacts')).toEqual(new Date(5));
    expect(
      sample(await metrics.metrics(), 'handoff_quarantined_total{code="VALUE_UNUSABLE"}'),
    ).toBe(1);
  });
});
