import { EnvError, loadEnv } from '../config/env.js';
import { loadDefinitionFile } from '../config/load-definition.js';
import { formatIssue } from '../config/parse-yaml.js';
import { createSyncRuntime, SetupError } from '../main.js';
import { IntegrationError } from '../platform/errors.js';
import { createLogger } from '../platform/logger.js';
import { runSyncCycle, type SyncSummary } from '../usecases/sync/run-sync-cycle.js';
import { configPath, EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, type CliIo } from './cli-io.js';

export const SYNC_USAGE = 'handoff sync --once [--dry-run] [--json] [--config FILE]';

export interface SyncFlags {
  readonly once?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
  readonly json?: boolean | undefined;
  readonly config?: string | undefined;
}

function text(
  summary: SyncSummary,
  apiCalls: { hubspot: number; salesforce: number },
  dryRun: boolean,
): string {
  const lines = [
    `pulled ${summary.pulled.contacts} contacts (${summary.pulled.leads_matched} matched to Leads); decided ${summary.decided}, qualified ${summary.qualified}`,
    `${dryRun ? 'would route' : 'routed'} ${summary.routed}; skipped ${summary.skipped.already_routed} already routed, ${summary.skipped.owned_by_rep} owned by a rep, ${summary.skipped.converted} converted, ${summary.skipped.no_lead} without a Lead`,
    `wrote ${summary.written.salesforce} Salesforce and ${summary.written.hubspot} HubSpot records; ${summary.tasks_created} Tasks created; ${summary.quarantined} quarantined`,
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
 * Exit 0 when everything was written, 1 when records were quarantined, 2 for configuration or
 * authentication problems.
 */
export async function syncCommand(flags: SyncFlags, io: CliIo): Promise<number> {
  if (flags.once !== true) {
    io.stderr(`only one cycle is supported here: pass --once\nusage: ${SYNC_USAGE}\n`);
    return EXIT_INVALID;
  }
  let env;
  try {
    env = loadEnv(io.env);
  } catch (err) {
    if (err instanceof EnvError) {
      io.stderr(`${err.message}\n`);
      return EXIT_INVALID;
    }
    throw err;
  }
  const file = configPath(flags.config, io);
  const definition = await loadDefinitionFile(file);
  if (!definition.ok) {
    io.stderr(
      `${file}: ${definition.issues.length} problem(s)\n${definition.issues.map((issue) => `  ${formatIssue(issue)}\n`).join('')}`,
    );
    return EXIT_INVALID;
  }
  const log = createLogger({
    level: env.LOG_LEVEL,
    destination: { write: (line: string) => io.stderr(line) },
  });
  const dryRun = flags.dryRun === true;
  let runtime;
  try {
    runtime = await createSyncRuntime(env, definition.value, log, () => io.now());
  } catch (err) {
    if (err instanceof SetupError || (err instanceof IntegrationError && err.kind === 'auth')) {
      io.stderr(`${err.message}\n`);
      return EXIT_INVALID;
    }
    throw err;
  }
  try {
    const summary = await runSyncCycle(runtime.deps, { dryRun });
    const apiCalls = { ...runtime.apiCalls };
    if (flags.json === true) {
      const { plan, ...rest } = summary;
      io.stdout(
        `${JSON.stringify({ ...rest, api_calls: apiCalls, dry_run: dryRun, ...(dryRun ? { planned: plan } : {}) })}\n`,
      );
    } else io.stdout(text(summary, apiCalls, dryRun));
    return summary.quarantined > 0 ? EXIT_PROBLEMS : EXIT_OK;
  } catch (err) {
    if (err instanceof IntegrationError) {
      // Nothing is lost: cursors moved only past written pages; the next cycle resumes there.
      io.stderr(`sync stopped: ${err.message} (${err.kind})\n`);
      return err.kind === 'auth' ? EXIT_INVALID : EXIT_PROBLEMS;
    }
    throw err;
  } finally {
    await runtime.close();
  }
}
