import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createBacktestRuntime } from '../backtest-runtime.js';
import { loadDefinitionFile } from '../config/load-definition.js';
import { formatIssue } from '../config/parse-yaml.js';
import type { Definition } from '../domain/definition.js';
import { SetupError } from '../main.js';
import { IntegrationError } from '../platform/errors.js';
import { createLogger, logFormat } from '../platform/logger.js';
import { buildBacktestReport } from '../usecases/backtest/build-backtest-report.js';
import { readBacktestHistory } from '../usecases/backtest/read-backtest-history.js';
import { backtestHtml } from './backtest-html.js';
import { EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, type CliIo } from './cli-io.js';
import { backtestText } from './format-backtest.js';
import { loadEnvAndDefinition } from './load-runtime.js';
import { parseInstant } from './parse-instant.js';
import { BACKTEST_USAGE } from './usage.js';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 90;
/** Longest window: the history is read in memory, and older outcomes say little about today. */
const MAX_DAYS = 730;

export interface BacktestFlags {
  readonly config?: string | undefined;
  readonly baseline?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly json?: boolean | undefined;
  readonly out?: string | undefined;
  readonly cacheDir?: string | undefined;
}

type Window = { from: Date; to: Date };

/**
 * The window, or a message naming the flag. Without `--until` it ends at the start of today
 * (UTC): whole days, so runs through the day file their pages under the same window and share
 * the cache, and today's leads, whose outcomes are not in yet, stay out.
 */
function windowFrom(flags: BacktestFlags, now: Date): Window | string {
  let to = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  if (flags.until !== undefined) {
    const until = parseInstant(flags.until);
    if (until === null)
      return `--until: expected an ISO-8601 date-time with an offset, e.g. 2026-11-01T00:00:00Z, got "${flags.until}"`;
    to = until;
  }
  const since = flags.since ?? `${DEFAULT_DAYS}d`;
  const days = /^(\d{1,4})d$/.exec(since);
  const from =
    days === null ? parseInstant(since) : new Date(to.getTime() - Number(days[1]) * DAY_MS);
  if (from === null)
    return `--since: expected an ISO-8601 date-time with an offset or a number of days (90d), got "${since}"`;
  if (from >= to) return `--since: must be before the window's end ${to.toISOString()}`;
  if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS)
    return `--since: the window may span at most ${MAX_DAYS} days`;
  return { from, to };
}

async function loadBaseline(path: string, io: CliIo): Promise<Definition | null> {
  const loaded = await loadDefinitionFile(path);
  if (loaded.ok) return loaded.value;
  io.stderr(
    `--baseline ${path}: ${loaded.issues.length} problem(s)\n${loaded.issues.map((issue) => `  ${formatIssue(issue)}\n`).join('')}`,
  );
  return null;
}

/**
 * `handoff backtest`: replays the candidate definition (and the baseline) over the leads created
 * in the window, with their outcomes from Salesforce. Read-only; every API answer is kept in the
 * page cache, so another candidate over the same window reads nothing again. Exit 0; 2 for a bad
 * flag or definition; 1 when a system cannot be reached.
 */
export async function backtestCommand(flags: BacktestFlags, io: CliIo): Promise<number> {
  const invalid = (message: string): number => {
    io.stderr(`${message}\nusage: ${BACKTEST_USAGE}\n`);
    return EXIT_INVALID;
  };
  if (flags.config === undefined) return invalid('--config: the candidate definition is required');
  if (flags.out !== undefined && !flags.out.endsWith('.html'))
    return invalid(`--out: expected a file name ending in .html, got "${flags.out}"`);
  const window = windowFrom(flags, io.now());
  if (typeof window === 'string') return invalid(window);
  const inputs = await loadEnvAndDefinition(flags.config, io);
  if (typeof inputs === 'number') return inputs;
  const { env, definition: candidate } = inputs;
  const baseline = flags.baseline === undefined ? null : await loadBaseline(flags.baseline, io);
  if (flags.baseline !== undefined && baseline === null) return EXIT_INVALID;
  const log = createLogger({
    level: env.LOG_LEVEL,
    destination: { write: (line: string) => io.stderr(line) },
    format: logFormat(env, io.stderrIsTty),
    colorize: io.stderrIsTty === true,
  });
  try {
    const runtime = await createBacktestRuntime({
      env,
      definitions: baseline === null ? [candidate] : [candidate, baseline],
      window,
      cacheDir: resolve(flags.cacheDir ?? '.handoff-cache'),
      log,
    });
    const { result: history, calls } = await runtime.meter.measure(() =>
      readBacktestHistory(runtime.deps, window),
    );
    const report = buildBacktestReport({ history, candidate, baseline, window, calls });
    if (flags.out !== undefined) await writeFile(flags.out, backtestHtml(report));
    io.stdout(flags.json === true ? `${JSON.stringify(report)}\n` : backtestText(report));
    return EXIT_OK;
  } catch (err) {
    if (err instanceof SetupError || (err instanceof IntegrationError && err.kind === 'auth')) {
      io.stderr(`${err.message}\n`);
      return EXIT_INVALID;
    }
    if (err instanceof IntegrationError) {
      const system = err.system === 'salesforce' ? 'Salesforce' : 'HubSpot';
      io.stderr(`backtest stopped: ${system} is not available (${err.code})\n`);
      return EXIT_PROBLEMS;
    }
    throw err;
  }
}
