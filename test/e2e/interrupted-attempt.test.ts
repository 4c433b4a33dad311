import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const NOW = '2026-11-24T15:00:00Z';
const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;

let sandboxes: RunningSandboxes | null = null;

afterEach(async () => {
  await sandboxes?.close();
  sandboxes = null;
});

interface PlanEntry {
  readonly contactId: string;
  readonly leadId: string | null;
  readonly action: string;
  readonly ownerId: string;
  readonly decisionId: string;
}

/**
 * An attempt that died after writing its follow-up Task and before the Lead's decision fields
 * gave the lead to a rep; by the retry the rotation has moved on and the same decision goes to a
 * queue. The retry closes that Task, knowing it from the Leads' lookup (no Task query of its own).
 */
it('closes the follow-up Task an interrupted attempt left, when the retried decision goes to a queue', async () => {
  sandboxes = await startSandboxes({ contacts: 200, seed: 21, now: () => Date.parse(NOW) });
  const env = {
    ...sandboxes.env,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
    LOG_LEVEL: 'silent',
  };
  // Every pool member has left: routing falls back to the queue.
  const rep = '0055e000001AAAAAA3';
  for (const suffix of ['1', '2', '3', '4', '5', '6', '7', '8', '9'])
    expect(
      sandboxes.salesforce.store.update(
        'User',
        `0055e000001AAAAAA${suffix}`,
        { IsActive: false },
        false,
      ).ok,
    ).toBe(true);
  const dry = await runCliInProcess(['sync', '--once', '--dry-run', '--json', '--config', CONFIG], {
    env,
    now: NOW,
  });
  expect(dry.code).toBe(0);
  const planned = (JSON.parse(dry.stdout) as { planned: PlanEntry[] }).planned;
  const toQueue = planned.filter(
    (entry) => entry.action === 'route' && entry.leadId !== null && entry.ownerId.startsWith('00G'),
  );
  expect(toQueue.length).toBeGreaterThan(0);
  const [first] = toQueue;
  if (first === undefined || first.leadId === null) return;

  const tasks = sandboxes.salesforce.store;
  const left = tasks.insertRaw('Task', {
    WhoId: first.leadId,
    OwnerId: rep,
    Subject: 'Follow up with an interrupted attempt',
    Status: 'Not Started',
    Handoff_Decision_Id__c: first.decisionId,
  });
  // Another decision's open Task on a Lead that stays with its rep is not touched.
  const unrelated = tasks.insertRaw('Task', {
    WhoId: first.leadId,
    OwnerId: rep,
    Subject: 'An earlier decision',
    Status: 'Not Started',
    Handoff_Decision_Id__c: 'd-earlier-decision',
  });

  const real = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
    env,
    now: NOW,
  });
  expect(real.code).toBe(0);
  const stored = (id: unknown) => sandboxes?.salesforce.store.table('Task').get(String(id));
  expect(stored(left['Id'])).toMatchObject({ Status: 'Completed', IsClosed: true });
  expect(stored(unrelated['Id'])).toMatchObject({ Status: 'Not Started', IsClosed: false });
  expect(sandboxes.salesforce.store.table('Lead').get(first.leadId)).toMatchObject({
    OwnerId: first.ownerId,
    Handoff_Decision_Id__c: first.decisionId,
  });
});
