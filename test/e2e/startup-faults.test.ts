import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
const NOW = '2026-11-24T15:00:00Z';
/** A token the sandbox org does not know; it must never be echoed. */
const BAD_TOKEN = '00D000000000BAD!not-a-session-7f3e9c';

let sandboxes: RunningSandboxes | null = null;

afterEach(async () => {
  await sandboxes?.close();
  sandboxes = null;
});

async function start(): Promise<RunningSandboxes> {
  sandboxes = await startSandboxes({ contacts: 40, seed: 51, now: () => Date.parse(NOW) });
  return sandboxes;
}

function baseEnv(running: RunningSandboxes): Record<string, string> {
  return {
    ...running.env,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
    LOG_LEVEL: 'silent',
  };
}

/** The JWT bearer flow's environment: no static token, so the key file is what is used. */
function jwtEnv(running: RunningSandboxes, keyFile: string): Record<string, string> {
  const {
    SALESFORCE_ACCESS_TOKEN: _token,
    SALESFORCE_CLIENT_SECRET: _secret,
    ...env
  } = baseEnv(running);
  return {
    ...env,
    SALESFORCE_CLIENT_ID: 'handoff-jwt-app',
    SALESFORCE_USERNAME: 'integration@handoff.sandbox',
    SALESFORCE_PRIVATE_KEY_FILE: keyFile,
  };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface ProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * `handoff …` as a real child process, which must exit by itself: a handle left open (a Redis
 * socket, a timer) keeps it alive, and it is then killed and reported as hung.
 */
async function runProcess(
  args: readonly string[],
  env: Record<string, string>,
  limitMs: number,
): Promise<ProcessRun> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, limitMs);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, stdout, stderr, ms: Date.now() - started };
}

describe('startup faults', () => {
  it('a refused SALESFORCE_ACCESS_TOKEN exits 2 promptly, naming it, with nothing left open', async () => {
    const running = await start();
    const run = await runProcess(
      ['sync', '--once', '--config', CONFIG],
      { ...baseEnv(running), SALESFORCE_ACCESS_TOKEN: BAD_TOKEN },
      30_000,
    );
    expect(run.code, `hung or crashed after ${run.ms} ms; stderr: ${run.stderr}`).toBe(2);
    expect(run.stderr).toMatch(/SALESFORCE_ACCESS_TOKEN/);
    expect(run.stderr).toMatch(/INVALID_SESSION_ID/);
    expect(run.stderr).not.toContain(BAD_TOKEN);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // Nothing was read or written: the identity lookup's first call was refused, and it was the last.
    expect(running.salesforce.server.log.list()).toHaveLength(1);
    expect(running.hubspot.server.log.list()).toEqual([]);
  });

  it('checks Salesforce before opening Redis: a refused token is exit 2 even with Redis away', async () => {
    const running = await start();
    const result = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env: {
        ...baseEnv(running),
        SALESFORCE_ACCESS_TOKEN: BAD_TOKEN,
        REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      },
      now: NOW,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/SALESFORCE_ACCESS_TOKEN/);
    expect(result.stderr).not.toMatch(/Redis/);
  });

  it('Redis away after a good identity: exit 1, naming REDIS_URL, with nothing left open', async () => {
    const running = await start();
    const run = await runProcess(
      ['sync', '--once', '--config', CONFIG],
      { ...baseEnv(running), REDIS_URL: `redis://127.0.0.1:${await closedPort()}` },
      30_000,
    );
    expect(run.code, `hung or crashed after ${run.ms} ms; stderr: ${run.stderr}`).toBe(1);
    expect(run.stderr).toMatch(/REDIS_URL/);
  });

  it('Salesforce unreachable at start: exit 1 with a sentence, no stack trace', async () => {
    const running = await start();
    const result = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env: {
        ...baseEnv(running),
        SALESFORCE_INSTANCE_URL: `http://127.0.0.1:${await closedPort()}`,
      },
      now: NOW,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Salesforce is not available \(.*ECONNREFUSED.*\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('handoff run logs the address /healthz really listens on (HOST, loopback by default)', async () => {
    const running = await start();
    for (const [host, expected] of [
      [undefined, '127.0.0.1'],
      ['0.0.0.0', '0.0.0.0'],
    ] as const) {
      const result = await runCliInProcess(['run', '--config', CONFIG], {
        env: {
          ...baseEnv(running),
          LOG_LEVEL: 'info',
          PORT: '0',
          ...(host === undefined ? {} : { HOST: host }),
        },
        now: NOW,
      });
      expect(result.code).toBe(0);
      const started = result.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg: string; listen?: string; health?: string })
        .find((line) => line.msg === 'worker started');
      expect(started?.listen).toMatch(
        new RegExp(`^http://${expected.replace(/\./g, '\\.')}:\\d+$`),
      );
      expect(started?.health).toBe(`${started?.listen ?? ''}/healthz`);
    }
  });

  it('handoff run on a taken PORT exits 2 naming HOST/PORT, with nothing left open', async () => {
    const running = await start();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const run = await runProcess(
        ['run', '--config', CONFIG],
        { ...baseEnv(running), HOST: '127.0.0.1', PORT: String(port) },
        30_000,
      );
      expect(run.code, `hung or crashed after ${run.ms} ms; stderr: ${run.stderr}`).toBe(2);
      expect(run.stderr.trim()).toBe(
        `HOST/PORT: cannot listen on 127.0.0.1 port ${port} (EADDRINUSE)`,
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('a missing SALESFORCE_PRIVATE_KEY_FILE exits 2 naming the variable and the path', async () => {
    const running = await start();
    const missing = join(await mkdtemp(join(tmpdir(), 'handoff-key-')), 'absent.pem');
    const result = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env: jwtEnv(running, missing),
      now: NOW,
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `SALESFORCE_PRIVATE_KEY_FILE: cannot read ${missing} (ENOENT)`,
    );
    expect(running.salesforce.server.log.list()).toEqual([]);
  });

  it('a file that is not a PEM private key exits 2 and never prints what the file holds', async () => {
    const running = await start();
    const dir = await mkdtemp(join(tmpdir(), 'handoff-key-'));
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const garbage = 'secret-looking-material-0123456789\n';
    for (const [name, content] of [
      ['garbage.pem', garbage],
      ['public.pem', publicPem],
    ] as const) {
      const file = join(dir, name);
      await writeFile(file, content);
      const result = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
        env: jwtEnv(running, file),
        now: NOW,
      });
      expect(result.code, name).toBe(2);
      expect(result.stderr.trim(), name).toBe(
        `SALESFORCE_PRIVATE_KEY_FILE: ${file} is not a PEM private key`,
      );
      expect(result.stderr).not.toContain('secret-looking-material');
      expect(result.stderr).not.toContain('BEGIN');
    }
    expect(running.salesforce.server.log.list()).toEqual([]);
  });

  it('a valid key gets through the JWT bearer flow (the check does not get in the way)', async () => {
    const running = await start();
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    running.salesforce.auth.addApp({
      clientId: 'handoff-jwt-app',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const file = join(await mkdtemp(join(tmpdir(), 'handoff-key-')), 'key.pem');
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const result = await runCliInProcess(['sync', '--once', '--dry-run', '--config', CONFIG], {
      env: jwtEnv(running, file),
      now: NOW,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
