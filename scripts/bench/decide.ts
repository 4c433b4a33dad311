/**
 * Decide throughput: `scripts/bench-decide.ts` (qualify + route + SLA of synthetic leads, one
 * core), each run in its own process so its JIT and heap owe nothing to what ran before. A
 * shared VM's speed drifts by tens of percent from minute to minute, so "no regression" is
 * judged against a baseline commit's bench-decide run on the same machine, interleaved with
 * the current one (A B B A …), rather than against a figure measured elsewhere.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, progress, round } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One bench-decide run's report (its last line). */
export interface DecideRun {
  readonly leads: number;
  readonly qualified: number;
  readonly assigned_to_a_member: number;
  readonly leads_per_second_median: number;
  readonly leads_per_second_best: number;
  readonly microseconds_per_lead_median: number;
  readonly peak_rss_mib: number;
  readonly node: string;
}

export interface DecideResult {
  readonly leads: number;
  /** Median over the runs of each run's median of three passes. */
  readonly leads_per_second_median: number;
  readonly leads_per_second_range: readonly [number, number];
  readonly runs: readonly DecideRun[];
  readonly baseline: {
    readonly ref: string;
    readonly leads_per_second_median: number;
    readonly leads_per_second_range: readonly [number, number];
    readonly runs: readonly DecideRun[];
    /** Current / baseline, both measured here, interleaved. */
    readonly ratio: number;
  } | null;
}

async function runDecide(root: string, leads: number, seed: number): Promise<DecideRun> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/bench-decide.ts',
      '--leads',
      String(leads),
      '--seed',
      String(seed),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  // bench-decide ends with its report as one JSON line.
  const json = stdout
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('{'));
  if (code !== 0 || json === undefined) throw new Error(`bench-decide exit ${code}\n${stdout}`);
  return JSON.parse(json) as DecideRun;
}

/** The baseline's sources in a temporary directory, sharing this checkout's node_modules. */
async function checkout(ref: string): Promise<string | null> {
  const dir = await mkdtemp(join(tmpdir(), 'handoff-bench-baseline-'));
  const archive = spawnSync(
    'sh',
    [
      '-c',
      'git -C "$1" archive --format=tar "$2" src scripts/bench-decide.ts config package.json tsconfig.json | tar -x -C "$3"',
      'checkout',
      ROOT,
      ref,
      dir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (archive.status !== 0) {
    progress(`decide: no baseline (${ref}: ${archive.stderr.trim()})`);
    await rm(dir, { recursive: true, force: true });
    return null;
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function summary(runs: readonly DecideRun[]): {
  median: number;
  range: readonly [number, number];
} {
  const values = runs.map((run) => run.leads_per_second_median).sort((a, b) => a - b);
  return {
    median: percentile(values, 50) ?? 0,
    range: [values[0] ?? 0, values.at(-1) ?? 0],
  };
}

export async function benchDecide(options: {
  leads: number;
  seed: number;
  runs: number;
  baselineRef: string | null;
}): Promise<DecideResult> {
  const baselineDir = options.baselineRef === null ? null : await checkout(options.baselineRef);
  progress(
    `decide: ${options.leads} synthetic leads, ${options.runs} runs${baselineDir === null ? '' : ` interleaved with ${options.baselineRef ?? ''}'s`}`,
  );
  const current: DecideRun[] = [];
  const baseline: DecideRun[] = [];
  try {
    for (let index = 0; index < options.runs; index += 1) {
      // A B, then B A: a drift in the machine's speed weighs on both sides alike.
      const order = index % 2 === 0 ? ['current', 'baseline'] : ['baseline', 'current'];
      for (const side of order) {
        if (side === 'current') current.push(await runDecide(ROOT, options.leads, options.seed));
        else if (baselineDir !== null)
          baseline.push(await runDecide(baselineDir, options.leads, options.seed));
      }
    }
  } finally {
    if (baselineDir !== null) await rm(baselineDir, { recursive: true, force: true });
  }
  const now = summary(current);
  const then = summary(baseline);
  const result: DecideResult = {
    leads: options.leads,
    leads_per_second_median: now.median,
    leads_per_second_range: now.range,
    runs: current,
    baseline:
      baselineDir === null || options.baselineRef === null
        ? null
        : {
            ref: options.baselineRef,
            leads_per_second_median: then.median,
            leads_per_second_range: then.range,
            runs: baseline,
            ratio: round(now.median / then.median, 2),
          },
  };
  progress(
    `decide: ${now.median} leads/s (median of ${options.runs} runs)${result.baseline === null ? '' : `; baseline ${then.median} (${result.baseline.ratio}×)`}`,
  );
  return result;
}
