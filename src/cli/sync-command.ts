import { createLogger } from '../platform/logger.js';
import { startWorkers } from '../jobs/start-workers.js';
import { createWorkerConnection, queuePrefix } from '../main.js';
import type { JobValue } from '../jobs/processors/job-steps.js';
import type { SyncCycleResult } from '../jobs/processors/sync-cycle.processor.js';
import type { SyncSummary } from '../usecases/sync/run-sync-cycle.js';
import { EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, type CliIo } from './cli-io.js';
import { loadEnvAndDefinition, openSyncRuntime } from './load-runtime.js';

export const SYNC_USAGE = 'handoff sync --once [--dry-run] [--json] [--config FILE]';

export interface SyncFlags {
  readonly once?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
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

function text(
  summary: CycleResult,
  apiCalls: { hubspot: number; salesforce: number },
  dryRun: boolean,
): string {
  const { sla, feedback } = summary;
  const lines = [
    `pulled ${summary.pulled.contacts} contacts (${summary.pulled.leads_matched} matched to Leads); decided ${summary.decided}, qualified ${summary.qualified}`,
    `${dryRun ? 'would route' : 'routed'} ${summary.routed}; skipped ${summary.skipped.already_routed} already routed, ${summary.skipped.owned_by_rep} owned by a rep, ${summary.skipped.converted} converted, ${summary.skipped.no_lead} without a Lead, ${summary.skipped.shared_lead} sharing a Lead with another contact, ${summary.skipped.recycling} rejected and not yet recycled`,
    `wrote ${summary.written.salesforce} Salesforce and ${summary.written.hubspot} HubSpot records; ${summary.tasks_created} Tasks created; ${summary.quarantined} quarantined; ${summary.recycled} rejected contacts recycled`,
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
  ];
  if (dryRun) {
    lines.push('', 'planned changes (nothing was written):');
    for (const change of summary.plan) {
      lines.push(
        `  contact ${change.contactId} → ${change.action} lead ${change.leadId ?? '(new)'} owner ${change.ownerId} due ${change.due} [${change.decisionId}]`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `handoff sync --once`: one complete cycle against the configured tenants, then exit.
 * Exit 0 when everything was written, 1 when records were quarantined or could not be finished
 * (routing, SLA watch or rejections), 2 for configuration or authentication problems.
 */
export async function syncCommand(flags: SyncFlags, io: CliIo): Promise<number> {
  if (flags.once !== true) {
    io.stderr(`only one cycle is supported here: pass --once\nusage: ${SYNC_USAGE}\n`);
    return EXIT_INVALID;
  }
  const inputs = await loadEnvAndDefinition(flags.config, io);
  if (typeof inputs === 'number') return inputs;
  const { env, definition } = inputs;
  // Logs go to stderr so that stdout carries only the summary (one JSON object with --json).
  const log = createLogger({
    level: env.LOG_LEVEL,
    destination: { write: (line: string) => io.stderr(line) },
  });
  const dryRun = flags.dryRun === true;
  const runtime = await openSyncRuntime(env, definition, log, io);
  if (typeof runtime === 'number') return runtime;
  const connection = createWorkerConnection(env);
  const worker = await startWorkers({
    connection,
    prefix: queuePrefix(env),
    runtime,
    log,
    schedule: false,
  });
  try {
    const result = await worker.runOnce(dryRun);
    const summary = { ...result, plan: result.plan ?? [] };
    if (flags.json === true) {
      const { plan, api_calls: apiCalls, ...rest } = summary;
      io.stdout(
        `${JSON.stringify({ ...rest, api_calls: apiCalls, dry_run: dryRun, ...(dryRun ? { planned: plan } : {}) })}\n`,
      );
    } else io.stdout(text(summary, result.api_calls, dryRun));
    return problems(summary) > 0 ? EXIT_PROBLEMS : EXIT_OK;
  } catch (err) {
    // The job failed: nothing is lost, cursors moved only past written pages.
    const reason = err instanceof Error ? err.message : String(err);
    io.stderr(`sync stopped: ${reason}\n`);
    return /(^|: )auth:/.test(reason) ? EXIT_INVALID : EXIT_PROBLEMS;
  } finally {
    await worker.close();
    await runtime.close();
    await connection.quit();
  }
}
