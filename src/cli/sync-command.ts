import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { ApiUsageReport, BudgetPause } from '../platform/api-budget.js';
import type { IntegrationSystem } from '../platform/errors.js';
import { createLogger, logFormat } from '../platform/logger.js';
import { startWorkers } from '../jobs/start-workers.js';
import { createWorkerConnection, queuePrefix, shadowEnv } from '../main.js';
import type { JobValue } from '../jobs/processors/job-steps.js';
import type { SyncCycleResult } from '../jobs/processors/sync-cycle.processor.js';
import type { SyncSummary } from '../usecases/sync/run-sync-cycle.js';
import { EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, type CliIo } from './cli-io.js';
import { planLine } from './format-plan.js';
import { progressLine } from './progress-line.js';
import { loadEnvAndDefinition, openSyncRuntime } from './load-runtime.js';
import { SYNC_USAGE } from './usage.js';

export interface SyncFlags {
  readonly once?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
  /** Decide and journal everything, write nothing, in the shadow state (`report --shadow`). */
  readonly shadow?: boolean | undefined;
  /** Walk every contact, not only those changed since the cursor; resumable. */
  readonly backfill?: boolean | undefined;
  readonly json?: boolean | undefined;
  readonly config?: string | undefined;
}

type CycleResult = SyncSummary & Pick<SyncCycleResult, 'sla' | 'feedback'>;

const count = (value: JobValue | undefined, path: readonly string[]): number => {
  let current: unknown = value;
  for (const key of path)
    current =
      typeof current === 'object' && current !== null
        ? (current as Record<string, unknown>)[key]
        : undefined;
  return typeof current === 'number' ? current : 0;
};

/** Records the cycle could not finish (quarantined or failed), across all its jobs. */
function problems(result: CycleResult): number {
  return (
    result.quarantined +
    count(result.sla, ['failed']) +
    count(result.sla, ['hubspot', 'quarantined']) +
    count(result.feedback, ['failed']) +
    count(result.feedback, ['hubspot', 'quarantined'])
  );
}

type ApiUsage = Readonly<Record<IntegrationSystem, ApiUsageReport>>;

/**
 * One line: each system's daily usage as it last reported it, Handoff's own calls in the last
 * 24 h against its ceiling, and any pause the budget is holding.
 */
function usageLine(usage: ApiUsage): string {
  const names: Readonly<Record<IntegrationSystem, string>> = {
    salesforce: 'Salesforce',
    hubspot: 'HubSpot',
  };
  const parts = (['salesforce', 'hubspot'] as const).map((system) => {
    const report = usage[system];
    const pool =
      report.used === null || report.max === null
        ? 'usage not reported'
        : `${report.used} of ${report.max} (${report.percent ?? 0}%)`;
    const paused = report.paused ? ` paused until ${report.paused_until ?? '?'}` : '';
    return `${names[system]} ${pool}; Handoff ${report.handoff_calls} calls, ceiling ${report.ceiling_percent}%${paused}`;
  });
  return `API usage: ${parts.join('; ')}`;
}

function text(
  summary: CycleResult,
  apiCalls: { hubspot: number; salesforce: number },
  usage: ApiUsage,
  dryRun: boolean,
  now: Date,
  shadow = false,
): string {
  const { sla, feedback } = summary;
  // A shadow run's writes went to its journal: they are what it would have written.
  const wrote = shadow ? 'would have written' : 'wrote';
  const lines = [
    `pulled ${summary.pulled.contacts} contacts (${summary.pulled.leads_matched} matched to Leads); decided ${summary.decided}, qualified ${summary.qualified}${summary.skipped.own_write > 0 ? `; ${summary.skipped.own_write} changed only by Handoff's own write-back` : ''}`,
    `${dryRun ? 'would route' : 'routed'} ${summary.routed}; skipped ${summary.skipped.already_routed} already routed, ${summary.skipped.owned_by_rep} owned by a rep, ${summary.skipped.converted} converted, ${summary.skipped.no_lead} without a Lead, ${summary.skipped.shared_lead} sharing a Lead with another contact, ${summary.skipped.recycling} rejected and not yet recycled`,
    ...(summary.salesforce_born.pulled === 0
      ? []
      : [
          `Leads born in Salesforce: ${summary.salesforce_born.pulled} read, ${summary.salesforce_born.in_hubspot} left to their HubSpot contact, ${summary.salesforce_born.qualified} of ${summary.salesforce_born.decided} qualified, ${summary.salesforce_born.routed} ${dryRun ? 'would be routed' : 'routed'}`,
        ]),
    `${wrote} ${summary.written.salesforce} Salesforce and ${summary.written.hubspot} HubSpot records; ${summary.tasks_created} Tasks created; ${summary.quarantined} quarantined; ${summary.recycled} rejected contacts recycled`,
    ...(sla === undefined
      ? []
      : [
          `SLA: checked ${count(sla, ['checked'])}, ${count(sla, ['accepted'])} touched (${count(sla, ['late_touches'])} late), ${count(sla, ['breached'])} breached: ${count(sla, ['reassigned'])} reassigned, ${count(sla, ['notified'])} notified, ${count(sla, ['recorded'])} recorded`,
        ]),
    ...(feedback === undefined
      ? []
      : [
          `rejections: ${count(feedback, ['rejected'])} returned to marketing (${count(feedback, ['flagged'])} with a missing or unknown reason), ${count(feedback, ['hubspot', 'notes'])} notes written`,
        ]),
    `API calls: HubSpot ${apiCalls.hubspot}, Salesforce ${apiCalls.salesforce}`,
    usageLine(usage),
  ];
  if (dryRun) {
    lines.push('', 'planned changes (nothing was written):');
    for (const change of summary.plan) lines.push(`  ${planLine(change, now)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The API budget stopped the cycle: what is known is printed (stdout: the usage, or with --json
 * `{ stopped, api_usage, dry_run }`), the reason on stderr. Exit 1: nothing is lost, and a cycle
 * the budget interrupted stays queued, paused, for the next worker.
 */
function budgetStop(
  pause: BudgetPause,
  usage: ApiUsage,
  flags: SyncFlags,
  io: CliIo,
  dryRun: boolean,
): number {
  if (flags.json === true)
    io.stdout(`${JSON.stringify({ stopped: pause.message, api_usage: usage, dry_run: dryRun })}\n`);
  else io.stdout(`${usageLine(usage)}\n`);
  io.stderr(`sync stopped: ${pause.message}\n`);
  return EXIT_PROBLEMS;
}

/** How long the command waits for an interrupted cycle's job to go back to its queue. */
const SETTLE_MS = 5_000;
const POLL_MS = 50;

/**
 * Waits, at most `SETTLE_MS`, until no job is running on the installation's queues: the job the
 * budget refused is handed back to its paused queue first. A BullMQ worker closed while it hands
 * a job back to a rate-limited queue would sleep out its rate-limit delay (up to 30 s) before
 * closing; one closed when idle stops at once.
 */
async function untilIdle(queues: readonly Queue[]): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline) {
    const active = await Promise.all(queues.map((queue) => queue.getActiveCount()));
    if (active.every((count) => count === 0)) break;
    await sleep(POLL_MS);
  }
  // The worker's loop goes from the handed-back job to its wait, where closing interrupts it.
  await sleep(2 * POLL_MS);
}

/**
 * `handoff sync --once`: one complete cycle against the configured tenants, then exit.
 * Exit 0 when everything was written, 1 when records were quarantined or could not be finished
 * (routing, SLA watch or rejections) or the API budget is spent, 2 for configuration or
 * authentication problems.
 */
export async function syncCommand(flags: SyncFlags, io: CliIo): Promise<number> {
  if (flags.once !== true) {
    io.stderr(`only one cycle is supported here: pass --once\nusage: ${SYNC_USAGE}\n`);
    return EXIT_INVALID;
  }
  if (flags.shadow === true && flags.dryRun === true) {
    io.stderr(
      `--shadow and --dry-run: pick one (a dry run keeps nothing; a shadow run keeps its decisions)\nusage: ${SYNC_USAGE}\n`,
    );
    return EXIT_INVALID;
  }
  const inputs = await loadEnvAndDefinition(flags.config, io);
  if (typeof inputs === 'number') return inputs;
  const shadow = flags.shadow === true;
  const { definition } = inputs;
  const env = shadow ? shadowEnv(inputs.env) : inputs.env;
  // Logs go to stderr so that stdout carries only the summary (one JSON object with --json).
  const log = createLogger({
    level: env.LOG_LEVEL,
    destination: { write: (line: string) => io.stderr(line) },
    format: logFormat(env, io.stderrIsTty),
    colorize: io.stderrIsTty === true,
  });
  const dryRun = flags.dryRun === true;
  const runtime = await openSyncRuntime(env, definition, log, io, { shadow });
  if (typeof runtime === 'number') return runtime;
  const { budget } = runtime;
  // The start-up checks have read both systems' usage. A system already past its budget would
  // pause the cycle at its first call and leave it queued: say so now, and queue nothing.
  const spent = (['salesforce', 'hubspot'] as const)
    .map((system) => budget.check(system))
    .find((pause) => pause !== null);
  if (spent !== undefined) {
    await runtime.close();
    return budgetStop(spent, budget.usage(), flags, io, dryRun);
  }
  const connection = createWorkerConnection(env, log);
  const worker = await startWorkers({
    connection,
    prefix: queuePrefix(env),
    runtime,
    log,
    schedule: false,
  });
  // A budget reached during the cycle pauses its queue for minutes or an hour: rather than wait
  // that out (and again after it, while the budget stays spent), the command stops and says why.
  let unsubscribe = (): void => undefined;
  const budgetReached = new Promise<BudgetPause>((resolve) => {
    unsubscribe = budget.onPause(resolve);
  });
  const started = Date.now();
  // One line redrawn on a terminal, for a backfill and for any cycle with more than one batch
  // to go (a small one is over before a bar would help); elsewhere a backfill's
  // `backfill progress` log lines say it.
  let drawing = false;
  const label = flags.backfill === true ? 'backfill' : 'sync';
  const running = worker.runOnce(dryRun, {
    backfill: flags.backfill === true,
    ...(io.stderrIsTty === true
      ? {
          onProgress: ({ done, total }) => {
            drawing ||= flags.backfill === true || done < total;
            // Erase the line first: a shorter line (the ETA shrinks) leaves no tail behind.
            if (drawing)
              io.stderr(`\x1b[2K\r${progressLine(done, total, Date.now() - started, label)}`);
          },
        }
      : {}),
  });
  try {
    const outcome = await Promise.race([
      running.then((result) => ({ result })),
      budgetReached.then((pause) => ({ pause })),
    ]);
    const usage = budget.usage();
    if ('pause' in outcome) {
      await untilIdle(Object.values(worker.queues));
      return budgetStop(outcome.pause, usage, flags, io, dryRun);
    }
    const { result } = outcome;
    if (drawing) io.stderr('\n');
    const summary = { ...result, plan: result.plan ?? [] };
    if (flags.json === true) {
      const { plan, api_calls: apiCalls, ...rest } = summary;
      io.stdout(
        `${JSON.stringify({ ...rest, api_calls: apiCalls, api_usage: usage, dry_run: dryRun, shadow, ...(dryRun ? { planned: plan } : {}) })}\n`,
      );
    } else {
      io.stdout(text(summary, result.api_calls, usage, dryRun, io.now(), shadow));
      if (shadow)
        io.stdout(
          'shadow: decisions journaled, nothing written to HubSpot or Salesforce (handoff report --shadow compares them)\n',
        );
    }
    return problems(summary) > 0 ? EXIT_PROBLEMS : EXIT_OK;
  } catch (err) {
    // The job failed: nothing is lost, cursors moved only past written pages.
    const reason = err instanceof Error ? err.message : String(err);
    io.stderr(`sync stopped: ${reason}\n`);
    return /(^|: )auth:/.test(reason) ? EXIT_INVALID : EXIT_PROBLEMS;
  } finally {
    unsubscribe();
    await worker.close();
    await runtime.close();
    await connection.quit();
    // An interrupted cycle's wait ends once its connection is gone; its outcome is not needed.
    await Promise.race([
      running.catch(() => undefined),
      sleep(SETTLE_MS, undefined, { ref: false }),
    ]);
  }
}
