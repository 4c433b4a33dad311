import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';
import { routedForContact } from '../support/routed-leads.js';

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
    if (routedForContact(lead))
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

/** `handoff run` polling every second, its JSON log lines collected as they come. */
async function startWorker(running: RunningSandboxes) {
  const example = await readFile(CONFIG, 'utf8');
  const config = join(await mkdtemp(join(tmpdir(), 'handoff-field-')), 'handoff.yaml');
  await writeFile(config, example.replace('poll_interval: 60s', 'poll_interval: 1s'));
  // The first cycle's first HubSpot page is slow: the tenant changes while the cycle is under way.
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
  const done = runCliInProcess(['run', '--config', config], {
    env,
    now: NOW,
    untilShutdown: () => stopped,
    onStdout: (chunk) => {
      for (const line of chunk.split('\n'))
        if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  await waitFor(
    () =>
      running.hubspot.server.faults.list().some((rule) => rule.id === slow.id && rule.fired > 0),
    15_000,
    'the first cycle',
  );
  const pausedLines = () =>
    lines.filter((line) => String(line['msg']).startsWith('installation problem'));
  return {
    config,
    env,
    lines,
    done,
    stop,
    /** The one error a queue logs when a problem pauses it. */
    paused: (queue: string) => pausedLines().find((line) => line['queue'] === queue),
    pausedLines,
    /** `handoff setup --apply`, the documented way to put back what Handoff needs. */
    setup: () => runCliInProcess(['setup', '--apply', '--config', config], { env, now: NOW }),
    resumed: () => lines.some((line) => line['msg'] === 'installation fixed; queues resumed'),
  };
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
    const worker = await startWorker(running);
    try {
      const removed = await fetch(
        `${running.env['SALESFORCE_INSTANCE_URL'] ?? ''}/__sandbox/fields/Lead/Handoff_Routed_At__c`,
        { method: 'DELETE' },
      );
      expect(removed.status).toBe(204);

      // The cycle's Lead writes fail, and so does the SLA watch's query: each queue pauses.
      await waitFor(() => worker.paused('decisions') !== undefined, 15_000, 'the cycle to pause');
      expect(worker.paused('decisions')).toMatchObject({
        level: 50,
        problem:
          'salesforce INVALID_FIELD: Lead.Handoff_Routed_At__c is missing or not visible to the integration user — run handoff doctor',
      });
      // Several polls later: no retry storm, one error per paused queue, no routing half-done.
      const writes = () =>
        running.salesforce.server.log.summary().byEndpoint['collections.update']?.calls ?? 0;
      const writesThen = writes();
      await sleep(3_000);
      const queues = worker.pausedLines().map((line) => line['queue']);
      expect(new Set(queues).size).toBe(queues.length);
      expect(
        worker.lines.filter(
          (line) => line['msg'] === 'job failed' && line['queue'] === 'decisions',
        ),
      ).toEqual([]);
      expect(writes()).toBe(writesThen);

      // The admin puts the field back the documented way; the worker notices by itself.
      expect((await worker.setup()).code).toBe(0);
      await waitFor(worker.resumed, 15_000, 'the queues to resume');
      await waitFor(() => routed(running).size >= expected.size, 20_000, 'every lead routed');
      const after = routed(running);
      expect([...after.keys()].sort()).toEqual([...expected.keys()].sort());
      // Routed with the restored field written: nothing was half-done and left so.
      for (const routedAt of after.values()) expect(routedAt).not.toBeNull();
    } finally {
      worker.stop();
      expect((await worker.done).code).toBe(0);
    }
  }, 90_000);

  it('pauses HubSpot write-backs when a property is deleted, and delivers them once it is back', async () => {
    const running = await sandboxes();
    const worker = await startWorker(running);
    try {
      // An admin deletes a Handoff property in HubSpot while the cycle reads its first page.
      running.hubspot.store.properties.contacts.delete('handoff_due');
      await waitFor(() => worker.paused('hubspot') !== undefined, 15_000, 'write-backs to pause');
      expect(worker.paused('hubspot')).toMatchObject({
        level: 50,
        problem:
          'hubspot PROPERTY_DOESNT_EXIST: contact property handoff_due is missing — run handoff doctor',
      });
      const routedContacts = [...routed(running).keys()];
      expect(routedContacts.length).toBeGreaterThan(5);
      // Salesforce work went on: routing does not wait for HubSpot.
      expect(worker.paused('decisions')).toBeUndefined();
      // Nobody's values were quarantined: the installation, not the contacts, is at fault.
      expect(worker.lines.filter((line) => String(line['msg']).includes('quarantined'))).toEqual(
        [],
      );

      expect((await worker.setup()).code).toBe(0);
      await waitFor(worker.resumed, 15_000, 'the queues to resume');
      const contact = (id: string) => running.hubspot.store.objects.contacts.get(id);
      await waitFor(
        () => routedContacts.every((id) => contact(id)?.properties['handoff_due'] !== undefined),
        20_000,
        'every write-back delivered',
      );
      for (const id of routedContacts)
        expect(contact(id)?.properties['handoff_status']).toBe('routed');
    } finally {
      worker.stop();
      expect((await worker.done).code).toBe(0);
    }
  }, 90_000);
});
