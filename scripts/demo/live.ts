import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isSeq, parseDocument } from 'yaml';
import { runCli } from '../../src/cli/run-cli.js';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { demoDayStart, fastClock } from './demo-clock.js';
import type { DemoFlags } from './demo-flags.js';
import { freePort, removePrefix, type DemoRedis } from './demo-redis.js';
import { seededRandom } from '../../src/sandbox/core/seeded-random.js';
import { emptyCounts, simulateStep, standing, STEP_MS, tickerLine } from './simulated-day.js';

const HOUR_MS = 3_600_000;
/** How often, in real time, the script looks at the simulated clock. */
const TICK_MS = 100;
const STARTUP_TIMEOUT_MS = 60_000;

export interface LiveOutput {
  readonly out: (text: string) => void;
  readonly isTty: boolean;
  /** The terminal's width: a redrawn line longer than it would wrap and never be erased. */
  readonly columns?: number | undefined;
}

interface Worker {
  readonly url: string;
  readonly exited: Promise<number>;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `--port` and the next one when both are free (a stable URL to bookmark), else any two. */
async function workerPorts(wanted: number): Promise<[number, number]> {
  if (wanted !== 0 && (await portIsFree(wanted)) && (await portIsFree(wanted + 1)))
    return [wanted, wanted + 1];
  return [await freePort(), await freePort()];
}

/**
 * The example definition on the demo's fast clock: a poll every simulated quarter hour and a
 * reconciliation (the full SLA watch and rejection scan) every simulated hour, but no more often
 * than every one and two real seconds. BullMQ schedules them in real time. Returns the file's
 * path and the definition's holidays (the simulated day avoids them).
 */
async function demoDefinition(
  dir: string,
  speed: number,
): Promise<{ path: string; holidays: string[] }> {
  const document = parseDocument(
    await readFile(new URL('../../config/handoff.example.yaml', import.meta.url), 'utf8'),
  );
  document.setIn(['sync', 'poll_interval'], `${Math.max(1, Math.round(STEP_MS / 1_000 / speed))}s`);
  document.setIn(
    ['sync', 'reconcile_interval'],
    `${Math.max(2, Math.round(HOUR_MS / 1_000 / speed))}s`,
  );
  const path = join(dir, 'handoff.yaml');
  await writeFile(path, document.toString());
  const holidays: unknown = document.getIn(['sla', 'holidays']);
  const days: unknown = isSeq(holidays) ? holidays.toJSON() : [];
  return {
    path,
    holidays: Array.isArray(days)
      ? days.filter((day): day is string => typeof day === 'string')
      : [],
  };
}

async function untilHealthy(worker: Worker): Promise<boolean> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exited = false;
  void worker.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    const ok = await fetch(`${worker.url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return true;
    await sleep(200);
  }
  return false;
}

async function hasDashboard(url: string): Promise<boolean> {
  const response = await fetch(`${url}/dashboard`, { redirect: 'manual' }).catch(() => null);
  return response !== null && response.status !== 404;
}

/**
 * `npm run demo`: the sandboxes, two `handoff run` workers (in this process, sharing the fast
 * clock and one Redis prefix) and the dashboard they serve, while a simulated day plays out in
 * the tenants. Resolves with the exit code once Ctrl-C (SIGINT or SIGTERM) has stopped it all:
 * workers closed, the prefix's Redis keys removed, sandboxes stopped.
 */
export async function liveDemo(
  flags: DemoFlags,
  redis: DemoRedis,
  output: LiveOutput,
  untilStopped: Promise<string>,
): Promise<number> {
  const { out } = output;
  const dir = await mkdtemp(join(tmpdir(), 'handoff-demo-'));
  const definition = await demoDefinition(dir, flags.speed);
  const clock = fastClock(demoDayStart(new Date(), definition.holidays), flags.speed);
  const logFile = join(dir, 'workers.log');
  const prefix = `demo-${randomUUID()}`;
  const adminToken = randomBytes(18).toString('base64url');
  let sandboxes: RunningSandboxes | null = null;
  let stopWorkers = (): void => undefined;
  const stopped = new Promise<string>((resolve) => (stopWorkers = () => resolve('demo stopped')));
  const workers: Worker[] = [];
  let code = 1;
  let clean = true;
  try {
    sandboxes = await startSandboxes({
      contacts: flags.contacts,
      seed: flags.seed,
      now: () => clock.now().getTime(),
    });
    const log = (text: string): void => appendFileSync(logFile, text);
    for (const port of await workerPorts(flags.port)) {
      const env = {
        ...sandboxes.env,
        REDIS_URL: redis.url,
        HANDOFF_REDIS_PREFIX: prefix,
        HANDOFF_ADMIN_TOKEN: adminToken,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
      };
      const exited = runCli(['run', '--config', definition.path], {
        stdout: log,
        stderr: log,
        env,
        now: clock.now,
        untilShutdown: () => stopped,
      });
      workers.push({ url: `http://127.0.0.1:${port}`, exited });
    }
    const healthy = await Promise.all(workers.map(untilHealthy));
    if (healthy.every(Boolean)) {
      out(await banner(workers, sandboxes, { flags, adminToken, redis, prefix, logFile }));
      clock.run();
      await playDay(sandboxes, clock, flags, output, untilStopped);
      code = 0;
    } else out(`a worker did not start: its log is in ${logFile}\n`);
  } finally {
    stopWorkers();
    const codes = await Promise.all(workers.map((worker) => worker.exited));
    const removed = await removePrefix(redis.url, prefix);
    await sandboxes?.close();
    if (code === 0) await rm(dir, { recursive: true, force: true });
    clean = codes.every((exit) => exit === 0);
    out(
      `${output.isTty ? '\n' : ''}stopped: ${workers.length} workers closed${clean ? '' : ` (exit codes ${codes.join(', ')})`}, ${removed} Redis keys of ${prefix} removed, sandboxes stopped\n`,
    );
  }
  return clean ? code : 1;
}

/** What to open, and with which token. */
async function banner(
  workers: readonly Worker[],
  sandboxes: RunningSandboxes,
  context: {
    readonly flags: DemoFlags;
    readonly adminToken: string;
    readonly redis: DemoRedis;
    readonly prefix: string;
    readonly logFile: string;
  },
): Promise<string> {
  const [first, second] = workers.map((worker) => worker.url);
  const { flags, redis } = context;
  const seconds = (HOUR_MS / flags.speed / 1_000).toFixed(1);
  return [
    `Handoff live: ${flags.hours} simulated hours on the sandboxes, one every ${seconds} s.`,
    '',
    (await hasDashboard(first ?? ''))
      ? `  Dashboard           ${first}/dashboard   (log in with the admin token)`
      : `  Health              ${first}/healthz  ${first}/readyz   (no dashboard in this build)`,
    `  Admin token         ${context.adminToken}`,
    `  Queues (Bull Board) ${first}/admin/queues`,
    `  Second worker       ${second}/healthz`,
    `  HubSpot sandbox     ${sandboxes.hubspotUrl}`,
    `  Salesforce sandbox  ${sandboxes.salesforceUrl}`,
    `  Redis               ${redis.url}${redis.privateServer ? ' (private, stopped with the demo)' : ''}, prefix ${context.prefix}`,
    `  Worker logs         ${context.logFile}`,
    '',
    'Ctrl-C stops it.',
    '',
    '',
  ].join('\n');
}

/**
 * Plays `flags.hours` simulated hours a quarter hour at a time, printing the ticker each
 * simulated hour; then freezes the clock and waits for Ctrl-C.
 */
async function playDay(
  sandboxes: RunningSandboxes,
  clock: ReturnType<typeof fastClock>,
  flags: DemoFlags,
  output: LiveOutput,
  untilStopped: Promise<string>,
): Promise<void> {
  let stopping = false;
  void untilStopped.then(() => (stopping = true));
  const random = seededRandom(flags.seed);
  const counts = emptyCounts();
  const start = clock.now().getTime();
  const end = start + flags.hours * HOUR_MS;
  let next = start;
  let nextTicker = start + HOUR_MS;
  const show = (at: number): void => {
    const line = tickerLine(new Date(at), counts, standing(sandboxes));
    const width = output.columns ?? 0;
    const fitted = width > 1 && line.length >= width ? `${line.slice(0, width - 2)}…` : line;
    output.out(output.isTty ? `\u001b[2K\r${fitted}` : `${line}\n`);
  };
  show(start);
  while (!stopping && next < end) {
    const now = clock.now().getTime();
    while (next <= now && next < end) {
      simulateStep(sandboxes, new Date(next), random, counts);
      next += STEP_MS;
      if (next >= nextTicker) {
        show(nextTicker);
        nextTicker += HOUR_MS;
      }
    }
    await sleep(TICK_MS);
  }
  if (stopping) return;
  clock.freeze();
  output.out(
    `${output.isTty ? '\n' : ''}simulated ${flags.hours} hours; the clock stops here and the workers stay up (Ctrl-C stops them)\n`,
  );
  await untilStopped;
}
