import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';
import { wipeInstallation } from '../support/wipe-redis.js';
import { routedForContact } from '../support/routed-leads.js';

const NOW = '2026-11-24T15:00:00Z';
const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
let sandboxes: RunningSandboxes | null = null;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
});
afterAll(async () => {
  await redis.quit();
});
afterEach(async () => {
  await sandboxes?.close();
  sandboxes = null;
});

/** Routed Leads whose HubSpot contact does not show the Lead's owner and status. */
function unrepaired(running: RunningSandboxes): string[] {
  const missing: string[] = [];
  for (const lead of running.salesforce.store.table('Lead').values()) {
    if (!routedForContact(lead)) continue;
    const contactId = String(lead['HubSpot_Contact_Id__c']);
    const contact = running.hubspot.store.objects.contacts.get(contactId);
    if (
      contact?.properties['handoff_status'] !== 'routed' ||
      (contact.properties['handoff_owner'] ?? '') === '' ||
      contact.properties['handoff_score'] !== String(lead['Handoff_Score__c'])
    )
      missing.push(contactId);
  }
  return missing;
}

describe('Redis lost in the middle of a cycle', () => {
  it('stops the running sync within seconds, and the next cycle repairs every HubSpot write-back', async () => {
    sandboxes = await startSandboxes({ contacts: 1_000, seed: 45, now: () => Date.parse(NOW) });
    const running = sandboxes;
    const prefix = `test-${randomUUID()}`;
    const env = {
      ...running.env,
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      HANDOFF_REDIS_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    };
    // HubSpot write-backs are slow: Redis loses everything while the first ones are in flight,
    // long before the cycle could finish (even on a loaded machine).
    const slow = running.hubspot.server.faults.add({
      kind: 'latency',
      endpoint: 'contacts.batch.update',
      latencyMs: 4_000,
    });
    const sync = runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    const deadline = Date.now() + 30_000;
    // The call log records answered calls; the fault rule sees a call when it arrives.
    const arrived = () =>
      running.hubspot.server.faults.list().find((rule) => rule.id === slow.id)?.seen ?? 0;
    while (arrived() === 0) {
      if (Date.now() > deadline) throw new Error('the sync never reached the HubSpot write-back');
      await sleep(5);
    }
    // The first write-backs are in flight; the children queued behind them are lost with Redis.
    expect(await wipeInstallation(redis, prefix)).toBeGreaterThan(0);
    const wipedAt = Date.now();
    running.hubspot.server.faults.remove(slow.id);
    const lost = await sync;
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(/sync stopped: .*(vanished|lost)/);
    // Seconds, not a hang.
    expect(Date.now() - wipedAt).toBeLessThan(10_000);
    expect(unrepaired(running).length).toBeGreaterThan(0);
    // Nothing was re-created past the lost work.
    expect(await redis.hget(`${prefix}:cursors`, 'hubspot.contacts')).toBeNull();

    const repair = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    expect(repair.stderr).toBe('');
    expect(repair.code).toBe(0);
    expect(unrepaired(running)).toEqual([]);
    // One Task per decision, whatever ran twice.
    const tasks = [...running.salesforce.store.table('Task').values()].filter(
      (task) => typeof task['Handoff_Decision_Id__c'] === 'string',
    );
    expect(new Set(tasks.map((task) => task['Handoff_Decision_Id__c'])).size).toBe(tasks.length);

    const settled = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    expect(settled.code).toBe(0);
    expect((JSON.parse(settled.stdout) as { written: unknown }).written).toEqual({
      salesforce: 0,
      hubspot: 0,
    });
  });
});
