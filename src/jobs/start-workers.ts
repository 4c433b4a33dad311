import { Queue, Worker, type ConnectionOptions, type Processor } from 'bullmq';
import type { Logger } from 'pino';
import { durationToMs, parseDuration } from '../domain/time/duration.js';
import type { ApiCallMeter } from '../platform/api-call-meter.js';
import type { ContactFeedbackWriter } from '../ports/contact-feedback.port.js';
import type { ContactWriter } from '../ports/contact-writer.port.js';
import type { HandoffEvents } from '../ports/handoff-events.port.js';
import type { SalesforceChangeProbe } from '../ports/change-probe.port.js';
import type { LeadLifecycleStore } from '../ports/lead-lifecycle.port.js';
import type { SyncCycleDeps } from '../usecases/sync/run-sync-cycle.js';
import { countQuarantines } from '../metrics/count-quarantines.js';
import { integrationBackoff } from './backoff.js';
import { slaTimers } from './sla-timers.js';
import { startInstallationGuard, type InstallationProblem } from './installation-guard.js';
import {
  DECISIONS_QUEUE,
  HUBSPOT_QUEUE,
  jobCatalog,
  SALESFORCE_QUEUE,
  RETIRED_SCHEDULERS,
  SCHEDULERS,
  type QueueName,
} from './catalog.js';
import { contactsProcessor } from './processors/contacts.processor.js';
import { hubspotProcessor, quarantineAbandonedBatch } from './processors/hubspot.processor.js';
import { pendingContacts, type PendingContacts } from './pending-contacts.js';
import { salesforceProcessor } from './processors/salesforce.processor.js';
import { runCycleOnce, type OnceOptions } from './run-once.js';
import { syncCycleProcessor, type SyncCycleResult } from './processors/sync-cycle.processor.js';
import type { RateLimitTargets } from './to-bullmq-error.js';

/** The adapters the processors run on, as the composition root builds them. */
export interface WorkerRuntime {
  /** Everything a cycle needs but what the workers add: the outbox and the SLA timers. */
  readonly deps: Omit<SyncCycleDeps, 'outbox' | 'timers'>;
  readonly contactWriter: ContactWriter;
  readonly feedbackWriter: ContactFeedbackWriter;
  readonly lifecycle: LeadLifecycleStore;
  /** What changed in Salesforce since the last cycle, in one call. */
  readonly probe: SalesforceChangeProbe;
  readonly meter: ApiCallMeter;
  /** The doctor's failing checks now (empty when the installation can run Handoff). */
  readonly installationProblems: () => Promise<readonly InstallationProblem[]>;
}

export interface WorkersOptions {
  /** Worker connection: ioredis options with `maxRetriesPerRequest: null` (BullMQ requirement). */
  readonly connection: ConnectionOptions;
  /** Queue key prefix (BullMQ `prefix`), so installations can share a Redis. */
  readonly prefix: string;
  readonly runtime: WorkerRuntime;
  readonly log: Logger;
  /** Whether to install the poll schedules (`handoff run`) or only serve queued jobs (`sync --once`). */
  readonly schedule?: boolean;
  /** How long webhook contacts gather before a `sync.contacts` run (default 1,000 ms). */
  readonly webhookDebounceMs?: number;
  /**
   * Where the jobs tell decisions, SLA outcomes, escalations, returned rejections, quarantines
   * and hand-off latencies (the metrics); nothing is told when absent.
   */
  readonly events?: HandoffEvents;
}

export interface Workers {
  readonly queues: Readonly<Record<QueueName, Queue>>;
  /**
   * Queues one cycle and waits for it and its children, whichever workers run them: cycles
   * never overlap, so a `sync --once` next to running workers waits its turn. Rejects with the
   * job's failure reason.
   */
  runOnce(dryRun: boolean, options?: OnceOptions): Promise<SyncCycleResult>;
  /** Where the webhook route hands contacts over: remembered in Redis, decided by a run. */
  readonly webhookContacts: PendingContacts;
  /** Whether every worker of this process is running (false once closing, or after it failed). */
  running(): boolean;
  /** Graceful: active jobs finish (or return to their queue), then connections close. */
  close(): Promise<void>;
}

/**
 * Per queue: how many jobs one process runs at once, and the limiter (rate-limited jobs wait in
 * their queue; BullMQ honours `rateLimit` only on workers that have a limiter).
 */
const QUEUE_SETTINGS: Record<QueueName, { concurrency: number; perSecond: number }> = {
  // One cycle at a time across every process (global concurrency 1, set below).
  [DECISIONS_QUEUE]: { concurrency: 1, perSecond: 20 },
  // Each job is one batch call; 8 a second stays inside the lowest 10-second allowance.
  [HUBSPOT_QUEUE]: { concurrency: 2, perSecond: 8 },
  [SALESFORCE_QUEUE]: { concurrency: 1, perSecond: 20 },
};

/**
 * Job locks (BullMQ `lockDuration`), renewed by the worker every half period while the job runs.
 * A process that dies (SIGKILL, OOM, a lost machine) stops renewing; the stall check then finds
 * the job within `STALLED_CHECK_MS` of the lock expiring, so the next worker starts within about
 * `JOB_LOCK_MS + STALLED_CHECK_MS` (under 5 s) instead of BullMQ's default 30 s + 30 s. The
 * trade-off: a process whose event loop is blocked longer than the lock (it is not: pages are
 * decided in well under a second) would be taken for dead; its work is idempotent, so the cost is
 * a repeated page, never a duplicate record. The stall check itself is one Redis script a second
 * per worker.
 */
const JOB_LOCK_MS = 3_000;
const STALLED_CHECK_MS = 1_000;
/**
 * How often a stalled job goes back to its queue before it fails. A cycle, an SLA watch or a
 * rejection scan is never re-run as such: the next one (scheduled, or the `sync --once` that
 * follows the crash) redoes its work from Salesforce, HubSpot and the cursors. A HubSpot
 * write-back batch is re-run, since only it carries those contacts' values.
 */
const MAX_STALLED: Record<QueueName, number> = {
  [DECISIONS_QUEUE]: 0,
  [HUBSPOT_QUEUE]: 10,
  [SALESFORCE_QUEUE]: 0,
};
/** How often `handoff run` checks that Redis still holds its schedules. */
const SCHEDULE_CHECK_MS = 10_000;

/** A validated definition interval in milliseconds. */
function intervalMs(text: string, fallback: number): number {
  const parsed = parseDuration(text);
  return parsed === null ? fallback : durationToMs(parsed);
}

/**
 * The three queues, their workers and the poll scheduler. Failed jobs retry with the provider's
 * wait or exponential backoff; retention is bounded so Redis does not grow forever.
 */
export async function startWorkers(options: WorkersOptions): Promise<Workers> {
  const { log, connection, prefix } = options;
  const { contactWriter, feedbackWriter, lifecycle, meter } = options.runtime;
  const queue = (name: QueueName): Queue =>
    new Queue(name, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 8,
        backoff: { type: 'integration' },
        removeOnComplete: { count: 1_000, age: 7 * 86_400 },
        removeOnFail: { count: 5_000, age: 30 * 86_400 },
      },
    });
  const queues = {
    [DECISIONS_QUEUE]: queue(DECISIONS_QUEUE),
    [HUBSPOT_QUEUE]: queue(HUBSPOT_QUEUE),
    [SALESFORCE_QUEUE]: queue(SALESFORCE_QUEUE),
  };
  const serialized = [queues[DECISIONS_QUEUE], queues[SALESFORCE_QUEUE]];
  const { events } = options;
  const state =
    events === undefined
      ? options.runtime.deps.state
      : countQuarantines(options.runtime.deps.state, events);
  const timers = slaTimers(state, queues[SALESFORCE_QUEUE], options.runtime.deps.now);
  const sync = { ...options.runtime.deps, state, timers, events };
  const every = intervalMs(sync.definition.sync.poll_interval, 60_000);
  /** The reconciliation: the full SLA watch and rejection scan, and the recycle search. */
  const reconcileEvery = intervalMs(sync.definition.sync.reconcile_interval, 3_600_000);
  const guard = startInstallationGuard({
    queues: Object.values(queues),
    key: `${prefix}:handoff:installation-paused`,
    problems: options.runtime.installationProblems,
    intervalMs: every,
    pauses: options.schedule !== false,
    log,
  });
  // The installation was checked before the workers started: what a problem paused can run.
  const resumed = await guard.resumeAll();
  if (resumed.length > 0) log.info({ queues: resumed }, 'installation fixed; queues resumed');
  const targets = (own: QueueName): RateLimitTargets => ({
    own: queues[own],
    bySystem: { hubspot: queues[HUBSPOT_QUEUE], salesforce: queues[SALESFORCE_QUEUE] },
    pauseForInstallation: (queue, problem) => guard.pause(queue, problem),
  });
  /**
   * What the queues need in Redis: global concurrency 1 (cycles never overlap across processes,
   * nor do SLA watches and rejection scans) and, under `handoff run`, the poll schedules. Checked
   * again every few seconds, because a Redis that lost its data loses them too, and a worker
   * without schedules would sit idle for good. Returns what had to be put back.
   */
  const ensureQueueSetup = async (): Promise<string[]> => {
    const restored: string[] = [];
    for (const queue of serialized) {
      if ((await queue.getGlobalConcurrency()) === 1) continue;
      await queue.setGlobalConcurrency(1);
      restored.push(`${queue.name}.concurrency`);
    }
    if (options.schedule === false) return restored;
    for (const [name, id] of Object.entries(RETIRED_SCHEDULERS) as [
      keyof typeof RETIRED_SCHEDULERS,
      string,
    ][]) {
      const queue = queues[jobCatalog[name].queue];
      if ((await queue.getJobScheduler(id)) !== undefined) await queue.removeJobScheduler(id);
    }
    for (const [name, scheduler] of Object.entries(SCHEDULERS) as [
      keyof typeof SCHEDULERS,
      (typeof SCHEDULERS)[keyof typeof SCHEDULERS],
    ][]) {
      const queue = queues[jobCatalog[name].queue];
      const wanted = scheduler.every === 'poll' ? every : reconcileEvery;
      // An interval changed in the definition replaces the schedule, not only a lost one.
      if ((await queue.getJobScheduler(scheduler.id))?.every === wanted) continue;
      await queue.upsertJobScheduler(
        scheduler.id,
        { every: wanted },
        { name, data: jobCatalog[name].schema.parse({ trigger: 'schedule' }) },
      );
      restored.push(scheduler.id);
    }
    return restored;
  };
  await ensureQueueSetup();
  // A timer, not a BullMQ scheduler: it must keep working when Redis has lost the schedulers.
  const setupCheck = setInterval(() => {
    ensureQueueSetup().then(
      (restored) => {
        if (restored.length > 0) log.warn({ restored }, 'redis lost queue setup; restored');
      },
      (err: unknown) =>
        log.warn(
          { err: { name: (err as Error).name, message: (err as Error).message } },
          'queue setup check failed',
        ),
    );
  }, SCHEDULE_CHECK_MS);
  setupCheck.unref();
  const writeBack = { contacts: sync.contacts, contactWriter, state: sync.state, now: sync.now };
  const webhookContacts = pendingContacts({
    queue: queues[DECISIONS_QUEUE],
    queuePrefix: prefix,
    debounceMs: options.webhookDebounceMs ?? 1_000,
  });
  const cycle = syncCycleProcessor({
    sync,
    probe: options.runtime.probe,
    reconcileEveryMs: reconcileEvery,
    hubspotQueue: queues[HUBSPOT_QUEUE],
    salesforceQueue: queues[SALESFORCE_QUEUE],
    rateLimits: targets(DECISIONS_QUEUE),
    log,
    meter,
  });
  const contactRun = contactsProcessor({
    sync,
    hubspotQueue: queues[HUBSPOT_QUEUE],
    pending: webhookContacts,
    rateLimits: targets(DECISIONS_QUEUE),
    log,
    meter,
  });
  const processors: Record<QueueName, Processor> = {
    // One worker, one slot: webhook runs and poll cycles take turns, by job name.
    [DECISIONS_QUEUE]: (job, token) =>
      job.name === 'sync.contacts' ? contactRun(job, token) : cycle(job, token),
    [HUBSPOT_QUEUE]: hubspotProcessor({
      writeBack,
      feedback: {
        feedback: feedbackWriter,
        contactWriter,
        state: sync.state,
        now: sync.now,
      },
      bornContacts: { lifecycle, contactWriter, state: sync.state, now: sync.now },
      rateLimits: targets(HUBSPOT_QUEUE),
      log,
      meter,
    }),
    [SALESFORCE_QUEUE]: salesforceProcessor({
      lifecycle: {
        definition: sync.definition,
        lifecycle,
        leads: sync.leads,
        directory: sync.directory,
        state: sync.state,
        now: sync.now,
        timers,
        events,
      },
      hubspotQueue: queues[HUBSPOT_QUEUE],
      rateLimits: targets(SALESFORCE_QUEUE),
      log,
      meter,
    }),
  };
  const abandoned = quarantineAbandonedBatch({ writeBack, log });
  const workers = Object.entries(processors).map(([name, processor]) => {
    const settings = QUEUE_SETTINGS[name as QueueName];
    const worker = new Worker(name, processor, {
      connection,
      prefix,
      concurrency: settings.concurrency,
      limiter: { max: settings.perSecond, duration: 1_000 },
      lockDuration: JOB_LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      maxStalledCount: MAX_STALLED[name as QueueName],
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
          integrationBackoff(attemptsMade, err),
      },
    });
    worker.on('failed', (job, err) => {
      log.error(
        {
          queue: name,
          jobId: job?.id,
          job: job?.name,
          err: { name: err.name, message: err.message },
        },
        'job failed',
      );
      // The event fires for every failed attempt; only a job that failed for good is given up.
      if (name !== HUBSPOT_QUEUE || job === undefined) return;
      job
        .isFailed()
        .then((failed) => (failed ? abandoned(job, err.message) : undefined))
        .catch((cause: unknown) =>
          log.error(
            { queue: name, jobId: job.id, err: cause },
            'could not quarantine a failed batch',
          ),
        );
    });
    worker.on('error', (err) =>
      log.error({ queue: name, err: { name: err.name, message: err.message } }, 'worker error'),
    );
    return worker;
  });
  // Contacts a webhook left waiting when the last process stopped get their run now.
  if (options.schedule !== false && (await webhookContacts.size()) > 0)
    await webhookContacts.schedule(0);
  return {
    queues,
    webhookContacts,
    runOnce: (dryRun: boolean, once: OnceOptions = {}) =>
      runCycleOnce({ queues, connection, prefix, log }, dryRun, once) as Promise<SyncCycleResult>,
    running: () => workers.every((worker) => worker.isRunning()),
    close: async () => {
      clearInterval(setupCheck);
      guard.close();
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all(Object.values(queues).map((each) => each.close()));
    },
  };
}
