import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
const sandboxes: RunningSandboxes[] = [];

afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((running) => running.close()));
});

async function tenant(): Promise<RunningSandboxes> {
  // The killed run is a real process on the real clock, so every run here uses the real clock.
  const running = await startSandboxes({ contacts: 400, seed: 41 });
  sandboxes.push(running);
  return running;
}

function envFor(running: RunningSandboxes, prefix: string): Record<string, string> {
  return {
    ...running.env,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    HANDOFF_REDIS_PREFIX: prefix,
    LOG_LEVEL: 'silent',
  };
}

/** The contacts whose Lead carries a decision (stable across two tenants seeded alike). */
function decisions(running: RunningSandboxes): Set<unknown> {
  return new Set(
    [...running.salesforce.store.table('Lead').values()]
      .filter((lead) => typeof lead['Handoff_Decision_Id__c'] === 'string')
      .map((lead) => lead['HubSpot_Contact_Id__c']),
  );
}

describe('a sync killed mid-batch', () => {
  it('leaves no duplicate Tasks and no gaps once it runs again', async () => {
    const clean = await tenant();
    expect(
      (
        await runCliInProcess(['sync', '--once', '--config', CONFIG], {
          env: envFor(clean, `test-${randomUUID()}`),
          now: new Date().toISOString(),
        })
      ).code,
    ).toBe(0);
    const expected = decisions(clean);

    const running = await tenant();
    const env = envFor(running, `test-${randomUUID()}`);
    // Slow Lead updates so the process is mid-batch, Tasks already written, when it dies.
    running.salesforce.server.faults.add({
      kind: 'latency',
      endpoint: 'collections.update',
      latencyMs: 5_000,
    });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'sync', '--once', '--config', CONFIG],
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env } },
    );
    const deadline = Date.now() + 20_000;
    while (
      !running.salesforce.server.log.list().some((call) => call.endpoint === 'collections.update')
    ) {
      if (Date.now() > deadline) throw new Error('the sync never reached the Lead updates');
      await sleep(20);
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    running.salesforce.server.faults.clear();
    const tasksAfterCrash = [...running.salesforce.store.table('Task').values()].filter(
      (task) => typeof task['Handoff_Decision_Id__c'] === 'string',
    ).length;
    expect(tasksAfterCrash).toBeGreaterThan(0);

    // The rerun shares the dead process's Redis: its cycle job still holds a lock and the one
    // cycle slot until the stall check hands them back, which must take seconds, not a minute.
    const killedAt = Date.now();
    const hubspotCalls = running.hubspot.server.log.lastSeq;
    const rerun = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env,
      now: new Date().toISOString(),
    });
    const resumed = running.hubspot.server.log.list(hubspotCalls)[0];
    expect(resumed).toBeDefined();
    // Recovery: from the kill to the rerun's first HubSpot call (process start included).
    expect(Date.parse(resumed?.at ?? '') - killedAt).toBeLessThan(10_000);
    expect(rerun.code).toBe(0);
    expect(decisions(running)).toEqual(expected);
    const tasks = [...running.salesforce.store.table('Task').values()].filter(
      (task) => typeof task['Handoff_Decision_Id__c'] === 'string',
    );
    expect(new Set(tasks.map((task) => task['Handoff_Decision_Id__c'])).size).toBe(tasks.length);
    for (const lead of running.salesforce.store.table('Lead').values()) {
      if (
        typeof lead['Handoff_Decision_Id__c'] !== 'string' ||
        !String(lead['OwnerId']).startsWith('005')
      )
        continue;
      expect(
        tasks.filter((task) => task['Handoff_Decision_Id__c'] === lead['Handoff_Decision_Id__c']),
      ).toHaveLength(1);
    }
  });
});
