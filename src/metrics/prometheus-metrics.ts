import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiBudget } from '../platform/api-budget.js';
import type { ApiCallMeter } from '../platform/api-call-meter.js';
import type { IntegrationSystem } from '../platform/errors.js';
import { queueStats, type QueueStats } from '../jobs/queue-stats.js';
import type {
  DecisionOutcome,
  DecisionSource,
  EscalationKind,
  HandoffEvents,
} from '../ports/handoff-events.port.js';

/** What `/metrics` serves: Prometheus text and its content type. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface PrometheusMetrics extends MetricsSource {
  /** Where the jobs tell what they did (pass to the workers). */
  readonly events: HandoffEvents;
  /** This process's own registry (the global one is left alone). */
  readonly registry: Registry;
}

export interface PrometheusMetricsOptions {
  /** The queues whose depth and oldest waiting job are read at each scrape. */
  readonly queues: () => readonly Queue[];
  readonly budget: Pick<ApiBudget, 'usage'>;
  readonly meter: Pick<ApiCallMeter, 'total'>;
  /** Epoch ms; the oldest waiting job's age is measured from it. */
  readonly now: () => number;
}

/**
 * Every outcome, so each series exists (at 0) from the start: a rate over a series that appears
 * only with its first event misses that event. A Record, so a new outcome cannot be forgotten.
 */
const OUTCOMES: Readonly<Record<DecisionOutcome, true>> = {
  routed: true,
  kept_owner: true,
  not_qualified: true,
  quarantined: true,
  converted: true,
  owned_by_rep: true,
  already_routed: true,
  no_lead: true,
  shared_lead: true,
  recycling: true,
};
const SOURCES: readonly DecisionSource[] = ['hubspot', 'salesforce'];
const ESCALATIONS: Readonly<Record<EscalationKind, true>> = {
  reassigned: true,
  notified: true,
  recorded: true,
};
const SYSTEMS: readonly IntegrationSystem[] = ['hubspot', 'salesforce'];
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** The label value for "none applied" (Prometheus reads an empty label as no label at all). */
export const NONE = 'none';
/** The `rule` of a lead its rep kept: no routing rule chose that owner. */
export const KEPT_OWNER_RULE = 'kept_owner';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Tier allowances run from an hour to a business day; a weekend makes a touch days late. */
const FIRST_TOUCH_BUCKETS = [
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  4 * HOUR,
  8 * HOUR,
  DAY,
  2 * DAY,
  3 * DAY,
  7 * DAY,
];
/** A webhook run lands in seconds, a poll within its interval (a minute by default). */
const HANDOFF_LATENCY_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * Handoff's Prometheus metrics on a registry of their own (tests and several workers in one
 * process never collide): the business counters the jobs tell through `events`, the API calls
 * and budget and the queues read at scrape time, and Node's process metrics, all named
 * `handoff_…`. The README's Metrics section lists them.
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'handoff_' });

  const decisions = new Counter({
    name: 'handoff_decisions_total',
    help: 'Records decided, by outcome and by the system the record came from',
    labelNames: ['outcome', 'source'] as const,
    registers,
  });
  for (const outcome of Object.keys(OUTCOMES))
    for (const source of SOURCES) decisions.labels(outcome, source).inc(0);
  const routed = new Counter({
    name: 'handoff_routed_total',
    help: `Leads given an owner, by pool and routing rule ("${NONE}" when none applied; rule "${KEPT_OWNER_RULE}" when the rep kept the lead)`,
    labelNames: ['pool', 'rule'] as const,
    registers,
  });
  const rejections = new Counter({
    name: 'handoff_rejections_returned_total',
    help: 'Rep rejections returned to marketing and nurture, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const slaMet = new Counter({
    name: 'handoff_sla_met_total',
    help: 'First-touch deadlines met',
    registers,
  });
  const slaBreached = new Counter({
    name: 'handoff_sla_breached_total',
    help: 'First-touch deadlines missed (touched late, or found overdue)',
    registers,
  });
  const escalations = new Counter({
    name: 'handoff_escalations_total',
    help: 'Missed deadlines acted on, by what on_breach did',
    labelNames: ['kind'] as const,
    registers,
  });
  for (const kind of Object.keys(ESCALATIONS)) escalations.labels(kind).inc(0);
  const quarantined = new Counter({
    name: 'handoff_quarantined_total',
    help: 'Records put in the quarantine, by error code',
    labelNames: ['code'] as const,
    registers,
  });
  const firstTouch = new Histogram({
    name: 'handoff_first_touch_seconds',
    help: 'Time from routing to the owner’s first touch',
    buckets: FIRST_TOUCH_BUCKETS,
    registers,
  });
  const latency = new Histogram({
    name: 'handoff_sync_latency_seconds',
    help: 'Time from a contact’s change in HubSpot to its Lead’s write in Salesforce',
    buckets: HANDOFF_LATENCY_BUCKETS,
    registers,
  });

  const { meter, budget } = options;
  new Counter({
    name: 'handoff_api_calls_total',
    help: 'API calls this process made, by system',
    labelNames: ['system'] as const,
    registers,
    collect() {
      // The meter keeps the running total; the counter shows it as it is at the scrape.
      this.reset();
      for (const system of SYSTEMS) this.labels(system).inc(meter.total[system]);
    },
  });
  registerBudgetGauges(registers, budget);
  registerQueueGauges(registers, options);

  const events: HandoffEvents = {
    decided: (outcome, source) => decisions.labels(outcome, source).inc(),
    routed: ({ pool, rule, ownerKept }) =>
      routed.labels(pool ?? NONE, ownerKept ? KEPT_OWNER_RULE : (rule ?? NONE)).inc(),
    rejectionReturned: (reason) => rejections.labels(reason).inc(),
    slaAssessed: (met, minutes) => {
      (met ? slaMet : slaBreached).inc();
      if (minutes !== null) firstTouch.observe(Math.max(0, minutes) * MINUTE);
    },
    escalated: (kind) => escalations.labels(kind).inc(),
    quarantined: (code) => quarantined.labels(code).inc(),
    handedOff: (latencyMs) => latency.observe(latencyMs / 1000),
  };
  return {
    events,
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
  };
}

/** Each system's daily allowance as the budget last saw it (`ApiBudget.usage()`). */
function registerBudgetGauges(
  registers: Registry[],
  budget: PrometheusMetricsOptions['budget'],
): void {
  new Gauge({
    name: 'handoff_api_budget_used_percent',
    help: 'Daily API allowance used, in percent: by Handoff (scope="handoff") and by everyone (scope="pool"); absent until a response reported the allowance',
    labelNames: ['system', 'scope'] as const,
    registers,
    collect() {
      this.reset();
      const usage = budget.usage();
      for (const system of SYSTEMS) {
        const { percent, handoff_percent: handoff } = usage[system];
        if (handoff !== null) this.labels(system, 'handoff').set(handoff);
        if (percent !== null) this.labels(system, 'pool').set(percent);
      }
    },
  });
  new Gauge({
    name: 'handoff_api_budget_calls',
    help: 'Handoff’s own API calls in the last 24 h, over every process of the installation',
    labelNames: ['system'] as const,
    registers,
    collect() {
      const usage = budget.usage();
      for (const system of SYSTEMS) this.labels(system).set(usage[system].handoff_calls);
    },
  });
  new Gauge({
    name: 'handoff_api_budget_ceiling_percent',
    help: 'The share of the daily allowance Handoff lets itself use (budget.*_daily_percent)',
    labelNames: ['system'] as const,
    registers,
    collect() {
      const usage = budget.usage();
      for (const system of SYSTEMS) this.labels(system).set(usage[system].ceiling_percent);
    },
  });
  new Gauge({
    name: 'handoff_api_budget_paused',
    help: '1 while the budget keeps the system’s queue paused, else 0',
    labelNames: ['system'] as const,
    registers,
    collect() {
      const usage = budget.usage();
      for (const system of SYSTEMS) this.labels(system).set(usage[system].paused ? 1 : 0);
    },
  });
}

/**
 * Queue depth and the oldest waiting job, read from Redis at each scrape. Both gauges share one
 * read per scrape (the registry collects them together). While Redis cannot be read the queue
 * series are absent and `handoff_queue_stats_up` is 0: the process metrics are still served.
 */
function registerQueueGauges(registers: Registry[], options: PrometheusMetricsOptions): void {
  let reading: Promise<readonly QueueStats[] | null> | null = null;
  const read = (): Promise<readonly QueueStats[] | null> =>
    (reading ??= Promise.all(
      options.queues().map((queue) => queueStats(queue, options.now())),
    ).then(
      (stats) => stats,
      () => null,
    )).finally(() => {
      reading = null;
    });
  new Gauge({
    name: 'handoff_queue_stats_up',
    help: '1 when the queues could be read from Redis at this scrape, else 0',
    registers,
    async collect() {
      this.set((await read()) === null ? 0 : 1);
    },
  });
  new Gauge({
    name: 'handoff_queue_jobs',
    help: 'Jobs in each queue, by state (waiting includes prioritized)',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const stats of (await read()) ?? [])
        for (const state of QUEUE_STATES) this.labels(stats.name, state).set(stats[state]);
    },
  });
  new Gauge({
    name: 'handoff_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting to run in each queue (0 when none waits)',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      this.reset();
      for (const stats of (await read()) ?? [])
        this.labels(stats.name).set((stats.oldestWaitingAgeMs ?? 0) / 1000);
    },
  });
}
