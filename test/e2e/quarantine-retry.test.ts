import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisSyncState } from '../../src/adapters/redis/redis-sync-state.adapter.js';
import { RETRY_LIMITS } from '../../src/platform/retry-in-place.js';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const NOW = '2026-11-24T15:00:00Z';
const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
const opened: RunningSandboxes[] = [];
let redis: Redis;

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
});
afterAll(async () => {
  await redis.quit();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((running) => running.close()));
});

async function tenant(): Promise<RunningSandboxes> {
  const running = await startSandboxes({ contacts: 250, seed: 21, now: () => Date.parse(NOW) });
  opened.push(running);
  return running;
}

function decisions(running: RunningSandboxes): Set<unknown> {
  return new Set(
    [...running.salesforce.store.table('Lead').values()]
      .map((lead) => lead['Handoff_Decision_Id__c'])
      .filter((id) => typeof id === 'string'),
  );
}

describe('a quarantined record leaves the quarantine only when its retry succeeded', () => {
  it('survives retries that fail while reading and while writing, then converges', async () => {
    const clean = await tenant();
    const env = (running: RunningSandboxes, prefix: string) => ({
      ...running.env,
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      HANDOFF_REDIS_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    });
    const sync = (running: RunningSandboxes, prefix: string) =>
      runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
        env: env(running, prefix),
        now: NOW,
      });
    expect((await sync(clean, `test-${randomUUID()}`)).code).toBe(0);
    const expected = decisions(clean);

    const running = await tenant();
    const prefix = `test-${randomUUID()}`;
    const state = new RedisSyncState(redis, prefix);
    // A quarter of the Lead updates are refused once (a validation rule the admin then fixes).
    running.salesforce.server.faults.add({
      kind: 'partial_batch',
      endpoint: 'collections.update',
      fraction: 0.25,
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      times: 1,
    });
    const first = await sync(running, prefix);
    expect(first.code).toBe(1);
    const held = await state.quarantined();
    expect(held.length).toBeGreaterThan(0);
    const keys = held.map((entry) => entry.key).sort();

    // The retry fails while reading the quarantined contacts back: they stay quarantined.
    running.hubspot.server.faults.add({
      kind: 'server_error',
      endpoint: 'contacts.batch.read',
      times: RETRY_LIMITS.attemptsPerCall,
    });
    const readFails = await sync(running, prefix);
    expect(readFails.code).toBe(1);
    expect(readFails.stderr).toContain('sync stopped');
    expect((await state.quarantined()).map((entry) => entry.key).sort()).toEqual(keys);

    // The retry fails while writing them: still quarantined, one attempt more each.
    running.salesforce.server.faults.add({
      kind: 'server_error',
      endpoint: 'collections.update',
      times: RETRY_LIMITS.attemptsPerCall,
    });
    const writeFails = await sync(running, prefix);
    expect(writeFails.code).toBe(1);
    expect(writeFails.stderr).toContain('sync stopped');
    expect((await state.quarantined()).map((entry) => entry.key).sort()).toEqual(keys);

    // Nothing fails any more: every one is routed and the quarantine is empty.
    const healed = await sync(running, prefix);
    expect(healed.code).toBe(0);
    expect(await state.quarantined()).toEqual([]);
    expect(decisions(running)).toEqual(expected);
    const tasks = [...running.salesforce.store.table('Task').values()].filter(
      (task) => typeof task['Handoff_Decision_Id__c'] === 'string',
    );
    expect(new Set(tasks.map((task) => task['Handoff_Decision_Id__c'])).size).toBe(tasks.length);
    for (const key of keys) {
      const contact = running.hubspot.store.objects.contacts.get(key);
      expect(contact?.properties['handoff_status']).toBe('routed');
    }
  });
});
