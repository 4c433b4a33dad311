import { randomUUID } from 'node:crypto';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RETRY_LIMITS } from '../../src/platform/retry-in-place.js';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';
import { routedForContact } from '../support/routed-leads.js';

const NOW = '2026-11-24T15:00:00Z';
let sandboxes: RunningSandboxes | null = null;

afterEach(async () => {
  await sandboxes?.close();
  sandboxes = null;
});

/** The example definition polling every second, so a test sees several cycles. */
async function fastConfig(): Promise<string> {
  const example = await readFile(
    new URL('../../config/handoff.example.yaml', import.meta.url),
    'utf8',
  );
  const file = join(await mkdtemp(join(tmpdir(), 'handoff-run-')), 'handoff.yaml');
  await writeFile(file, example.replace('poll_interval: 60s', 'poll_interval: 1s'));
  return file;
}

function controlledShutdown(): { until: () => Promise<string>; stop: () => void } {
  let stop: () => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    stop = () => resolve('SIGTERM');
  });
  return { until: () => stopped, stop };
}

async function waitFor(condition: () => boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(everyMs);
  }
}

const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

describe('handoff run', () => {
  it('two workers over one Redis route every lead once, serve /healthz, and stop gracefully', async () => {
    sandboxes = await startSandboxes({ contacts: 200, seed: 31, now: () => Date.parse(NOW) });
    const running = sandboxes;
    const config = await fastConfig();
    const env = {
      ...running.env,
      SALESFORCE_ACCESS_TOKEN: running.env['SALESFORCE_ACCESS_TOKEN'] ?? '',
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
      LOG_LEVEL: 'info',
      PORT: '0',
    };
    const shutdownA = controlledShutdown();
    const shutdownB = controlledShutdown();
    const workerA = runCliInProcess(['run', '--config', config], {
      env,
      now: NOW,
      untilShutdown: shutdownA.until,
    });
    const workerB = runCliInProcess(['run', '--config', config], {
      env,
      now: NOW,
      untilShutdown: shutdownB.until,
    });

    const routedLeads = (): number =>
      [...running.salesforce.store.table('Lead').values()].filter((lead) => routedForContact(lead))
        .length;
    await waitFor(() => routedLeads() > 10, 20_000);
    const leadWrites = (): number =>
      running.salesforce.server.log.summary().byEndpoint['collections.update']?.calls ?? 0;
    // The first cycle is done once a second passes without a Lead write (Leads born in
    // Salesforce are decided after the contacts).
    let seen = -1;
    await waitFor(
      () => {
        const now = leadWrites();
        const quiet = now === seen;
        seen = now;
        return quiet;
      },
      20_000,
      1_000,
    );
    // Let a few more cycles run: they must find nothing left to write.
    const settled = routedLeads();
    const writesBefore = leadWrites();
    await sleep(2_500);
    expect(routedLeads()).toBe(settled);
    expect(
      running.salesforce.server.log.summary().byEndpoint['collections.update']?.calls ?? 0,
    ).toBe(writesBefore);

    shutdownA.stop();
    shutdownB.stop();
    const [a, b] = await Promise.all([workerA, workerB]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const lines = `${a.stdout}${b.stdout}`
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; health?: string });
    expect(lines.filter((line) => line.msg === 'worker stopped')).toHaveLength(2);
    expect(lines.some((line) => line.msg === 'lead routed')).toBe(true);
    // The SLA watch and the rejection scan run on their own schedules too.
    expect(lines.some((line) => line.msg === 'sla watch finished')).toBe(true);
    expect(lines.some((line) => line.msg === 'rejection scan finished')).toBe(true);
    expect(`${a.stdout}${b.stdout}`).not.toMatch(/@(sandbox-sales|acme|gmail)\./);

    const tasks = [...running.salesforce.store.table('Task').values()].filter(
      (task) => typeof task['Handoff_Decision_Id__c'] === 'string',
    );
    expect(new Set(tasks.map((task) => task['Handoff_Decision_Id__c'])).size).toBe(tasks.length);
    expect(tasks.length).toBeGreaterThan(0);
  });

  it('waits out a HubSpot 429 that outlasts the in-place retries through the queue, then routes', async () => {
    sandboxes = await startSandboxes({ contacts: 80, seed: 33, now: () => Date.parse(NOW) });
    const running = sandboxes;
    // Every try of one call is refused: the call gives up and the queue waits instead.
    running.hubspot.server.faults.add({
      kind: 'rate_limit',
      variant: 'secondly',
      endpoint: 'contacts.search',
      times: RETRY_LIMITS.attemptsPerCall,
    });
    const env = {
      ...running.env,
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
      LOG_LEVEL: 'info',
      PORT: '0',
    };
    const shutdown = controlledShutdown();
    const worker = runCliInProcess(['run', '--config', await fastConfig()], {
      env,
      now: NOW,
      untilShutdown: shutdown.until,
    });
    const routed = (): number =>
      [...running.salesforce.store.table('Lead').values()].filter((lead) => routedForContact(lead))
        .length;
    await waitFor(() => routed() > 0, 20_000);
    shutdown.stop();
    const result = await worker;
    expect(result.code).toBe(0);
    const logs = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; policy?: string });
    expect(logs.find((line) => line.msg === 'hubspot rate limited')).toMatchObject({
      policy: 'SECONDLY',
    });
    expect(running.hubspot.server.log.list().filter((call) => call.status === 429)).toHaveLength(
      RETRY_LIMITS.attemptsPerCall,
    );
  });

  it('answers /healthz, /readyz and, with the admin token, /admin/status while running', async () => {
    sandboxes = await startSandboxes({ contacts: 50, seed: 32, now: () => Date.parse(NOW) });
    const running = sandboxes;
    const env = {
      ...running.env,
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
      LOG_LEVEL: 'info',
      PORT: '0',
      HANDOFF_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    const shutdown = controlledShutdown();
    let output = '';
    const worker = runCliInProcess(['run', '--config', await fastConfig()], {
      env,
      now: NOW,
      untilShutdown: shutdown.until,
      onStdout: (text) => (output += text),
    });
    await waitFor(() => output.includes('"worker started"'), 10_000);
    const started = output.split('\n').find((line) => line.includes('"worker started"')) ?? '{}';
    const health = (JSON.parse(started) as { health: string }).health;
    const response = await fetch(health);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    const ready = await fetch(health.replace('/healthz', '/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { redis: 'ok', workers: 'ok', queues: 'ok' },
    });
    // The detail is the admin's.
    const statusUrl = health.replace('/healthz', '/admin/status');
    expect((await fetch(statusUrl)).status).toBe(401);
    const status = await fetch(statusUrl, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      redis: 'up',
      workers: 'running',
      definition: '2026-11-01',
      quarantine: { total: 0, parked: 0, by_code: {} },
      queues: {
        decisions: { waiting: expect.any(Number) as unknown, oldestWaitingAgeMs: null },
        hubspot: expect.any(Object) as unknown,
        salesforce: expect.any(Object) as unknown,
      },
    });
    expect((await fetch(health.replace('/healthz', '/nope'))).status).toBe(404);
    shutdown.stop();
    expect((await worker).code).toBe(0);
  });
});
