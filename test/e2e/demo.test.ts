import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { Client } from '@hubspot/api-client';
import { Redis } from 'ioredis';
import { Connection } from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SANDBOX_HUBSPOT_TOKEN,
  SANDBOX_SALESFORCE_TOKEN,
} from '../../src/sandbox/start-sandboxes.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const children: ChildProcessWithoutNullStreams[] = [];

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 1),
      );
    });
  });
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** `npm run demo -- <args>` without the install step, as its own process. */
function demo(
  args: readonly string[],
  env: Record<string, string> = { PATH: process.env['PATH'] ?? '', REDIS_URL },
): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<RegExpMatchArray>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], {
    cwd: ROOT,
    env,
  });
  children.push(child);
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(output);
          if (match === null) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`exited before ${String(pattern)}; output:\n${output}`));
          }
        });
        check();
      }),
  };
}

describe('npm run demo', () => {
  it('--once prints the walkthrough: routed Leads, a rejection back in HubSpot, the funnel', async () => {
    const run = demo(['--once', '--contacts', '300']);
    const code = await run.exited;
    const text = run.output();
    expect(code, text).toBeLessThanOrEqual(1);
    expect(text).toContain('$ handoff sync --once   # first cycle: qualify, route, write');
    expect(text).toMatch(
      /Three of the routed Leads, as a rep sees them in Salesforce:\n {2}\S.* → /,
    );
    expect(text).toMatch(/A rep rejects .+: Unqualified, "No budget"\./);
    expect(text).toMatch(
      /What the marketer sees on .+ in HubSpot: status rejected, reason "No budget"/,
    );
    expect(text).toContain('$ handoff report --since');
    expect(text).not.toContain('Redis is not reachable');
  }, 120_000);

  it('stops at once with the fix when no Redis answers and redis-server is not on the PATH', async () => {
    const run = demo(['--once'], {
      PATH: '',
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(
      /^Redis is not reachable at redis:\/\/127\.0\.0\.1:\d+: start one \(redis-server --daemonize yes.*\) or set REDIS_URL\n$/,
    );
  });

  it('starts a private redis-server when nothing answers at REDIS_URL, and stops it after', async () => {
    const run = demo(['--once', '--contacts', '100'], {
      PATH: process.env['PATH'] ?? '',
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    });
    const code = await run.exited;
    const text = run.output();
    expect(code, text).toBeLessThanOrEqual(1);
    const url = /using a private one at (redis:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1] ?? '';
    expect(url).not.toBe('');
    expect(text).toMatch(/routed \d+/);
    const redis = new Redis(url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', () => undefined);
    await expect(redis.connect()).rejects.toThrow();
    redis.disconnect();
  }, 120_000);

  it('runs the loop live on a fast clock, then stops cleanly on Ctrl-C', async () => {
    const run = demo(['--hours', '8', '--speed', '3600', '--port', '0', '--contacts', '300']);
    const banner = await run.waitFor(/Ctrl-C stops it\./, 60_000);
    expect(banner).toBeDefined();
    const text = run.output();
    const token = /Admin token {9}(\S+)/.exec(text)?.[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(16);
    const hubspotUrl = /HubSpot sandbox {5}(\S+)/.exec(text)?.[1] ?? '';
    const salesforceUrl = /Salesforce sandbox {2}(\S+)/.exec(text)?.[1] ?? '';
    const prefix = /prefix (demo-[\w-]+)/.exec(text)?.[1] ?? '';
    const worker = /(http:\/\/127\.0\.0\.1:\d+)\/(?:dashboard|healthz)/.exec(text)?.[1] ?? '';
    expect((await fetch(`${worker}/healthz`)).status).toBe(200);
    // The printed token opens the admin pages; nothing else does.
    const admin = text.includes('/dashboard') ? '/dashboard' : '/admin/queues';
    const bearer = { headers: { Authorization: `Bearer ${token}` }, redirect: 'manual' as const };
    expect((await fetch(`${worker}${admin}`, bearer)).status).toBe(200);
    const anonymous = await fetch(`${worker}${admin}`, { redirect: 'manual' });
    expect([401, 303]).toContain(anonymous.status);

    await run.waitFor(/simulated 8 hours; the clock stops here/, 90_000);
    // One ticker line per simulated hour, with what happened so far.
    expect(
      run.output().match(/^\w{3} \d\d:\d\d America\/New_York · \d+ new leads · \d+ routed/gm)
        ?.length,
    ).toBeGreaterThanOrEqual(8);

    const salesforce = new Connection({
      instanceUrl: salesforceUrl,
      accessToken: SANDBOX_SALESFORCE_TOKEN,
      version: '62.0',
    });
    const count = async (where: string): Promise<number> =>
      (await salesforce.query(`SELECT COUNT() FROM Lead WHERE ${where}`)).totalSize;
    expect(await count('Handoff_Decision_Id__c != null')).toBeGreaterThan(10);
    expect(await count('Handoff_Breached_At__c != null')).toBeGreaterThan(0);
    const hubspot = new Client({
      accessToken: SANDBOX_HUBSPOT_TOKEN,
      basePath: hubspotUrl,
      numberOfApiCallRetries: 0,
    });
    const returned = await hubspot.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [{ propertyName: 'handoff_status', operator: 'EQ' as never, value: 'rejected' }],
        },
      ],
      limit: 1,
    });
    expect(returned.total).toBeGreaterThan(0);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(
      /stopped: 2 workers closed, \d+ Redis keys of demo-[\w-]+ removed, sandboxes stopped/,
    );
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      await redis.quit();
    }
    await expect(fetch(`${worker}/healthz`)).rejects.toThrow();
  }, 180_000);
});
