import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisSyncState } from '../../src/adapters/redis/redis-sync-state.adapter.js';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

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

/** A contact the example definition qualifies at tier A, with the given email. */
function qualifyingContact(running: RunningSandboxes, email: string, at: number): string {
  return running.hubspot.store.create(
    'contacts',
    {
      email,
      firstname: 'Pat',
      lastname: 'Example',
      jobtitle: 'VP Marketing',
      company: 'Poison Test Inc',
      numberofemployees: '5000',
      country: 'US',
      recent_conversion_event_name: 'Demo Request',
      recent_conversion_date: String(at),
    },
    at,
  ).id;
}

describe('one poisoned record never blocks the others', () => {
  it('quarantines a contact whose 20 KB email would break every lookup, and routes the rest', async () => {
    sandboxes = await startSandboxes({ contacts: 120, seed: 44, now: () => Date.parse(NOW) });
    const running = sandboxes;
    const poisoned = qualifyingContact(
      running,
      `${'x'.repeat(20_000)}@poison-test.example`,
      Date.parse(NOW) - 600_000,
    );
    const healthy = qualifyingContact(
      running,
      'pat@poison-test.example',
      Date.parse(NOW) - 300_000,
    );
    const prefix = `test-${randomUUID()}`;
    const env = {
      ...running.env,
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      HANDOFF_REDIS_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    };

    const first = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    // Exit 1: a record is quarantined; the cycle itself went through.
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    const summary = JSON.parse(first.stdout) as { quarantined: number; routed: number };
    expect(summary.quarantined).toBe(1);
    expect(summary.routed).toBeGreaterThan(1);
    const leads = [...running.salesforce.store.table('Lead').values()];
    const routed = leads.find((lead) => lead['HubSpot_Contact_Id__c'] === healthy);
    expect(routed?.['Handoff_Decision_Id__c']).toEqual(expect.any(String));
    expect(leads.some((lead) => lead['HubSpot_Contact_Id__c'] === poisoned)).toBe(false);
    // No request went out too long for Salesforce.
    expect(running.salesforce.server.log.list().every((call) => call.status < 400)).toBe(true);

    const state = new RedisSyncState(redis, prefix);
    expect(await state.quarantined([poisoned])).toEqual([
      expect.objectContaining({
        code: 'VALUE_UNUSABLE',
        retry: false,
        reason: "permanent: email has 20020 characters; Salesforce's Email field holds at most 80",
      }),
    ]);

    // Parked: the next cycle neither retries it nor fails because of it.
    const second = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    expect(second.code).toBe(0);

    // The admin sees it, with the reason, and can replay it: still bad, it is parked again.
    const listed = await runCliInProcess(['quarantine'], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('1 quarantined (1 parked):');
    expect(listed.stdout).toContain(
      `${poisoned}  salesforce  VALUE_UNUSABLE  parked, 1 attempt(s)`,
    );
    const replay = await runCliInProcess(['quarantine', '--retry', poisoned, '--json'], { env });
    expect(JSON.parse(replay.stdout)).toMatchObject({ total: 1, parked: 0, unparked: 1 });
    const replayed = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    expect(replayed.code).toBe(1);
    expect(await state.quarantined([poisoned])).toEqual([
      expect.objectContaining({ retry: false, attempts: 1 }),
    ]);

    // The contact is fixed in HubSpot: it comes back through the cursor, is routed, and leaves
    // the quarantine.
    const record = running.hubspot.store.objects.contacts.get(poisoned);
    if (record === undefined) throw new Error('poisoned contact missing');
    running.hubspot.store.update(
      'contacts',
      record,
      { email: 'fixed@poison-test.example' },
      Date.parse(NOW) + 60_000,
    );
    const third = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: new Date(Date.parse(NOW) + 120_000).toISOString(),
    });
    expect(third.code).toBe(0);
    expect(
      [...running.salesforce.store.table('Lead').values()].some(
        (lead) =>
          lead['HubSpot_Contact_Id__c'] === poisoned &&
          typeof lead['Handoff_Decision_Id__c'] === 'string',
      ),
    ).toBe(true);
    expect(await state.quarantined([poisoned])).toEqual([]);
  });
});
