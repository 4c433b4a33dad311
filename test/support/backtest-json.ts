import { join } from 'node:path';
import type { BacktestReport } from '../../src/usecases/backtest/build-backtest-report.js';
import { CONFIG } from './lifecycle-harness.js';
import { runCliInProcess } from './run-cli-in-process.js';

/**
 * `handoff backtest --json` of the example definition over the fortnight the backtest e2e tenants
 * are seeded in (5–19 October 2026), as of `clock`, caching under `dir`: what it printed on
 * stderr, and its report.
 */
export async function backtestJson(
  env: Readonly<Record<string, string>>,
  dir: string,
  clock: number,
): Promise<{ readonly stderr: string; readonly report: BacktestReport }> {
  const run = await runCliInProcess(
    [
      'backtest',
      '--since',
      '2026-10-05T00:00:00Z',
      '--until',
      '2026-10-19T00:00:00Z',
      '--config',
      CONFIG,
      '--json',
      '--cache-dir',
      join(dir, 'cache'),
    ],
    { env: { ...env, LOG_LEVEL: 'silent' }, now: new Date(clock).toISOString() },
  );
  return { stderr: run.stderr, report: JSON.parse(run.stdout) as BacktestReport };
}
