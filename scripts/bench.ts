/**
 * `npm run bench`: every benchmark in one command. Prints a Markdown table (stdout) and writes
 * everything measured to bench-results.json; progress goes to stderr. Needs Redis at REDIS_URL.
 *
 *   npm run bench                              # every section, backfill at 10k: ~5 min on 2 cores
 *   npm run bench -- --only idle,webhook       # some sections only (or --skip decide)
 *   npm run bench -- --sizes 10000,100000      # backfill sizes; 100k takes ~30 min (the sandbox)
 *
 * Sections: backfill, limits (the rate-limited backfill, --limits-size), webhook, idle, decide.
 * Handoff runs as `node dist/cli.js`, built first (`--skip-build` uses dist/ as it is), except
 * in `idle`, which needs a clock it moves. See README.md, Benchmarks.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchBackfill } from './bench/backfill.js';
import { benchDecide } from './bench/decide.js';
import { benchIdle } from './bench/idle.js';
import { markdownTable, TARGETS, type BenchResults } from './bench/table.js';
import { benchWebhook } from './bench/webhook.js';
import { progress } from './bench/support.js';

const SECTIONS = ['backfill', 'limits', 'webhook', 'idle', 'decide'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    skip: { type: 'string' },
    sizes: { type: 'string', default: '10000' },
    'limits-size': { type: 'string', default: '10000' },
    'webhook-contacts': { type: 'string', default: '200' },
    'webhook-rate': { type: 'string', default: '10' },
    'webhook-tenant': { type: 'string', default: '300' },
    'idle-contacts': { type: 'string', default: '8000' },
    'idle-cycles': { type: 'string', default: '30' },
    'decide-leads': { type: 'string', default: '100000' },
    'decide-runs': { type: 'string', default: '5' },
    // The commit whose message reported ~87k leads/s (the figure the target refers to).
    'decide-baseline': { type: 'string', default: '58d3c90' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench-results.json' },
    'skip-build': { type: 'boolean', default: false },
  },
});

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive whole number, got ${text}`);
  return value;
}

for (const name of [...list(values.only), ...list(values.skip)])
  if (!(SECTIONS as readonly string[]).includes(name))
    throw new Error(`unknown section ${name}; sections: ${SECTIONS.join(', ')}`);
const selected = new Set<Section>(
  (values.only === undefined ? SECTIONS : (list(values.only) as Section[])).filter(
    (section) => !list(values.skip).includes(section),
  ),
);
// Every number is checked before anything runs: a typo should not surface after a long section.
const settings = {
  seed: positive('seed', values.seed),
  sizes: list(values.sizes).map((size) => positive('sizes', size)),
  limitsSize: positive('limits-size', values['limits-size']),
  webhookContacts: positive('webhook-contacts', values['webhook-contacts']),
  webhookRate: positive('webhook-rate', values['webhook-rate']),
  webhookTenant: positive('webhook-tenant', values['webhook-tenant']),
  idleContacts: positive('idle-contacts', values['idle-contacts']),
  idleCycles: positive('idle-cycles', values['idle-cycles']),
  decideLeads: positive('decide-leads', values['decide-leads']),
  decideRuns: positive('decide-runs', values['decide-runs']),
  decideBaseline: values['decide-baseline'] === 'none' ? null : values['decide-baseline'],
};
const { seed } = settings;

if (
  !values['skip-build'] &&
  (['backfill', 'limits', 'webhook'] as const).some((section) => selected.has(section))
) {
  progress('building dist/ (npm run build)');
  const build = spawnSync(
    process.execPath,
    [
      fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)),
      '-p',
      fileURLToPath(new URL('../tsconfig.build.json', import.meta.url)),
    ],
    { stdio: 'inherit' },
  );
  if (build.status !== 0) throw new Error('the build failed; fix it or pass --skip-build');
}

const startedAt = new Date();
const results: BenchResults = {};
const failures: Partial<Record<Section, string>> = {};
/** A failed section is reported and the others still run: their figures are not lost. */
async function section(name: Section, run: () => Promise<void>): Promise<void> {
  if (!selected.has(name)) return;
  try {
    await run();
  } catch (err) {
    failures[name] = err instanceof Error ? err.message : String(err);
    progress(`${name} failed: ${failures[name]}`);
  }
}
await section('backfill', async () => {
  results.backfill = [];
  for (const contacts of settings.sizes)
    results.backfill.push(await benchBackfill({ contacts, seed, realisticLimits: false }));
});
await section('limits', async () => {
  results.rate_limited = await benchBackfill({
    contacts: settings.limitsSize,
    seed,
    realisticLimits: true,
  });
});
await section('webhook', async () => {
  results.webhook = await benchWebhook({
    contacts: settings.webhookContacts,
    ratePerSecond: settings.webhookRate,
    tenantContacts: settings.webhookTenant,
    seed,
  });
});
await section('idle', async () => {
  results.idle = await benchIdle({
    contacts: settings.idleContacts,
    cycles: settings.idleCycles,
    seed,
  });
});
await section('decide', async () => {
  results.decide = await benchDecide({
    leads: settings.decideLeads,
    seed: 7,
    runs: settings.decideRuns,
    baselineRef: settings.decideBaseline,
  });
});

const table = markdownTable(results);
const report = {
  started_at: startedAt.toISOString(),
  duration_s: Math.round((Date.now() - startedAt.getTime()) / 1_000),
  machine: {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memory_gib: Number((totalmem() / 1_073_741_824).toFixed(1)),
    node: process.version,
  },
  sections: [...selected],
  settings,
  targets: TARGETS,
  results,
  failures,
  table,
};
await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
progress(`done in ${report.duration_s} s; full results in ${values.out}`);
process.stdout.write(`${table}\n`);
for (const [name, message] of Object.entries(failures))
  process.stdout.write(`\n${name} failed: ${message.split('\n')[0] ?? ''}\n`);
if (Object.keys(failures).length > 0) process.exitCode = 1;
