/**
 * `npm run demo`: Handoff on its built-in sandboxes, no credentials needed.
 *
 * - Default (live): the sandboxes, two `handoff run` workers and the dashboard they serve, while
 *   a simulated day on a fast clock plays out in the tenants (new leads in HubSpot; reps call,
 *   accept, reject with reasons or miss their SLA in Salesforce). Prints the dashboard URL and a
 *   fresh admin token, then a one-line ticker; Ctrl-C stops everything and exits 0.
 * - `--once`: the textual walkthrough of a few cycles, for CI and terminals without a browser.
 *
 * Redis comes from REDIS_URL (default 127.0.0.1:6379); when nothing answers there, a private
 * `redis-server` is started on a free port if the binary is on the PATH, else the demo stops at
 * once with the fix.
 */
import { randomUUID } from 'node:crypto';
import { startSandboxes } from '../src/sandbox/start-sandboxes.js';
import { DEMO_USAGE, parseDemoFlags, type DemoFlags } from './demo/demo-flags.js';
import { demoRedis, NoRedisError, removePrefix, type DemoRedis } from './demo/demo-redis.js';
import { liveDemo } from './demo/live.js';
import { walkthrough } from './demo/walkthrough.js';

const stdout = (text: string): void => void process.stdout.write(text);
const stderr = (text: string): void => void process.stderr.write(text);

async function once(flags: DemoFlags, redis: DemoRedis): Promise<number> {
  const clock = { now: new Date() };
  const sandboxes = await startSandboxes({
    contacts: flags.contacts,
    seed: flags.seed,
    now: () => clock.now.getTime(),
  });
  const prefix = `demo-${randomUUID()}`;
  try {
    return await walkthrough({
      sandboxes,
      env: {
        ...process.env,
        ...sandboxes.env,
        REDIS_URL: redis.url,
        HANDOFF_REDIS_PREFIX: prefix,
        LOG_LEVEL: 'silent',
      },
      config: new URL('../config/handoff.example.yaml', import.meta.url).pathname,
      clock,
      out: stdout,
      err: stderr,
    });
  } finally {
    await sandboxes.close();
    await removePrefix(redis.url, prefix);
  }
}

async function main(): Promise<number> {
  let flags: DemoFlags;
  try {
    flags = parseDemoFlags(process.argv.slice(2));
  } catch (err) {
    stderr(`${err instanceof Error ? err.message : String(err)}\nusage: ${DEMO_USAGE}\n`);
    return 2;
  }
  let redis: DemoRedis;
  try {
    redis = await demoRedis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  } catch (err) {
    if (!(err instanceof NoRedisError)) throw err;
    stderr(`${err.message}\n`);
    return 2;
  }
  if (redis.privateServer) stdout(`No Redis at REDIS_URL: using a private one at ${redis.url}\n`);
  try {
    if (flags.once) return await once(flags, redis);
    const stopped = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    return await liveDemo(
      flags,
      redis,
      { out: stdout, isTty: process.stdout.isTTY, columns: process.stdout.columns },
      stopped,
    );
  } finally {
    await redis.stop();
  }
}

process.exitCode = await main();
