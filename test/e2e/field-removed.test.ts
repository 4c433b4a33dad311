import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const NOW = '2026-11-24T15:00:00Z';
const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
const SEED = 61;
const CONTACTS = 150;
const opened: RunningSandboxes[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((running) => running.close()));
});

async function sandboxes(): Promise<RunningSandboxes> {
  const running = await startSandboxes({
    contacts: CONTACTS,
    seed: SEED,
    now: () => Date.parse(NOW),
  });
  opened.push(running);
  return running;
}

function envFor(running: RunningSandboxes, logLevel = 'silent'): Record<string, string> {
  return {
    ...running.env,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
    LOG_LEVEL: logLevel,
    PORT: '0',
  };
}

/** HubSpot contact ids whose Lead Handoff routed, with its routing instant when it has one. */
function routed(running: RunningSandboxes): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const lead of running.salesforce.store.table('Lead').values())
    if (typeof lead['Handoff_Decision_Id__c'] === 'string')
      found.set(String(lead['HubSpot_Contact_Id__c']), lead['Handoff_Routed_At__c']);
  return found;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('a field removed while handoff run is working', () => {
  it('pauses the affected queues with one clear error, and once the field is back routes every lead it would have', async () => {
    // What an undisturbed cycle routes on the same tenant.
    const reference = await sandboxes();
    const once = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env: envFor(reference),
      now: NOW,
    });
    expect(once.code).toBe(0);
    const expected = routed(reference);
    expect(expected.size).toBeGreaterThan(5);

    const running = await sandboxes();
    const example = await readFile(CONFIG, 'utf8');
    const config = join(await mkdtemp(join(tmpdir(), 'handoff-field-')), 'handoff.yaml');
    await writeFile(config, example.replace('poll_interval: 60s', 'poll_interval: 1s'));
    // The first cycle's first HubSpot page is slow: the field goes while the cycle is under way.
    const slow = running.hubspot.server.faults.add({
      kind: 'latency',
      endpoint: 'contacts.search',
      latencyMs: 1_500,
      times: 1,
    });
    const env = envFor(running, 'info');
    const lines: Record<string, unknown>[] = [];
    let stop: () => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = () => resolve('SIGTERM');
    });
    const worker = runCliInProcess(['run', '--config', config], {
      env,
      now: NOW,
      untilShutdown: () => stopped,
      onStdout: (chunk) => {
        for (const line of chunk.split('\n'))
          if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
    try {
      await waitFor(
        () =>
          running.hubspot.server.faults
            .list()
            .some((rule) => rule.id === slow.id && rule.fired > 0),
        15_000,
        'the first cycle',
      );
      const removed = await fetch(
        `${running.env['SALESFORCE_INSTANCE_URL'] ?? ''}/__sandbox/fields/Lead/Handoff_Routed_At__c`,
        { method: 'DELETE' },
      );
      expect(removed.status).toBe(204);

      const paused = () =>
        lines.filter((line) => String(line['msg']).startsWith('installation problem'));
      // The cycle's Lead writes fail, and so does the SLA watch's query: each queue pauses.
      const pausedQueue = (name: string) => paused().find((line) => line['queue'] === name);
      await waitFor(() => pausedQueue('decisions') !== undefined, 15_000, 'the cycle to pause');
      expect(pausedQueue('decisions')).toMatchObject({
        level: 50,
        problem:
          'salesforce INVALID_FIELD: Lead.Handoff_Routed_At__c is missing or not visible to the integration user — run handoff doctor',
      });
      // Several polls later: no retry storm, one error per paused queue, no routing half-done.
      const writes = () =>
        running.salesforce.server.log.summary().byEndpoint['collections.update']?.calls ?? 0;
      const writesThen = writes();
      await sleep(3_000);
      const queues = paused().map((line) => line['queue']);
      expect(new Set(queues).size).toBe(queues.length);
      expect(
        lines.filter((line) => line['msg'] === 'job failed' && line['queue'] === 'decisions'),
      ).toEqual([]);
      expect(writes()).toBe(writesThen);

      // The admin puts the field back the documented way; the worker notices by itself.
      const setup = await runCliInProcess(['setup', '--apply', '--config', config], {
        env,
        now: NOW,
      });
      expect(setup.code).toBe(0);
      await waitFor(
        () => lines.some((line) => line['msg'] === 'installation fixed; queues resumed'),
        15_000,
        'the queues to resume',
      );
      await waitFor(() => routed(running).size >= expected.size, 20_000, 'every lead routed');
      const after = routed(running);
      expect([...after.keys()].sort()).toEqual([...expected.keys()].sort());
      // Routed with the restored field written: nothing was half-done and left so.
      for (const routedAt of after.values()) expect(routedAt).not.toBeNull();
    } finally {
      stop();
      expect((await worker).code).toBe(0);
    }
  }, 90_000);
});
