import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/sandbox/core/seeded-random.js';
import { wipeInstallation } from '../support/wipe-redis.js';
import {
  callsSoFar,
  expectConverged,
  firstHubSpotCallAfter,
  interruptAfter,
  report,
  setUpDrill,
  syncOnce,
  type DrillTenant,
} from './support/drill-harness.js';

/** Two pages of 1,000 contacts a cycle. */
const CONTACTS = 1_500;
const KILLS = 20;
let redis: Redis;
const tenants: DrillTenant[] = [];

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
});
afterAll(async () => {
  await Promise.all(tenants.map((tenant) => tenant.running.close()));
  await redis.quit();
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

describe('drill: SIGKILL at random points of multi-page cycles', () => {
  it(`survives ${KILLS} kills with no duplicate and no gap, recovering in seconds`, async () => {
    const { seed, config, definition, clean, tenant } = await setUpDrill(
      'kills',
      CONTACTS,
      tenants,
    );
    const random = seededRandom(seed);

    const recoveries: number[] = [];
    let kills = 0;
    let completed = 0;
    let pendingKill: { at: number; seq: number } | null = null;
    // Kill points anywhere in a run: up to as many calls as the last run that finished made (the
    // clean run's at first; later runs have less left to do). Runs that finish first count apart.
    let runCalls = callsSoFar(clean.running);
    for (let run = 0; kills < KILLS && run < KILLS * 4; run += 1) {
      const afterCalls = random.int(1, runCalls);
      const before = callsSoFar(tenant.running);
      const result = await interruptAfter(tenant, config, afterCalls, ({ child }) => {
        child.kill('SIGKILL');
      });
      if (pendingKill !== null) {
        const recovery = firstHubSpotCallAfter(tenant.running, pendingKill.seq, pendingKill.at);
        if (recovery !== null) recoveries.push(recovery);
      }
      if (result.acted) {
        kills += 1;
        pendingKill = { at: result.actedAt, seq: tenant.running.hubspot.server.log.lastSeq };
      } else {
        completed += 1;
        runCalls = callsSoFar(tenant.running) - before;
        pendingKill = null;
        expect(result.outcome.code, `seed ${seed}: ${result.outcome.stderr}`).toBe(0);
      }
    }
    expect(kills, `seed ${seed}`).toBe(KILLS);
    const final = await syncOnce(tenant, config);
    if (pendingKill !== null) {
      const recovery = firstHubSpotCallAfter(tenant.running, pendingKill.seq, pendingKill.at);
      if (recovery !== null) recoveries.push(recovery);
    }
    expect(final.code, `seed ${seed}: ${final.stderr}`).toBe(0);
    expectConverged(tenant.running, clean.running, definition, `kills seed ${seed}`);
    report('kills', {
      seed,
      kills,
      completedRunsBetween: completed,
      recoveryMs: {
        median: median(recoveries),
        max: Math.max(...recoveries),
        runs: recoveries.length,
      },
    });
    // From the kill to the next run's first HubSpot call, process start included.
    expect(Math.max(...recoveries), `seed ${seed}`).toBeLessThan(10_000);
  });
});

describe('drill: Redis wiped at random points, mid-cycle included', () => {
  it('stops the affected runs within seconds and converges to the clean state', async () => {
    const { seed, config, definition, clean, tenant } = await setUpDrill(
      'redis-wipes',
      CONTACTS,
      tenants,
    );
    const random = seededRandom(seed);

    const stopTimes: number[] = [];
    let midCycle = 0;
    for (let wipe = 0; wipe < 6; wipe += 1) {
      // One wipe in six falls between cycles; the others at a random call of a running one.
      if (wipe === 2) {
        await wipeInstallation(redis, tenant.prefix);
        continue;
      }
      const result = await interruptAfter(tenant, config, random.int(5, 80), async () => {
        await wipeInstallation(redis, tenant.prefix);
      });
      if (!result.acted) continue;
      midCycle += 1;
      stopTimes.push(Date.now() - result.actedAt);
      // A run that lost its state says so and exits 1; one that had finished its job exits 0.
      expect([0, 1], `seed ${seed}: ${result.outcome.stderr}`).toContain(result.outcome.code);
    }
    let runs = 0;
    let last = await syncOnce(tenant, config);
    runs += 1;
    while (last.code !== 0 && runs < 3) {
      last = await syncOnce(tenant, config);
      runs += 1;
    }
    expect(last.code, `seed ${seed}: ${last.stderr}`).toBe(0);
    expectConverged(tenant.running, clean.running, definition, `redis wipes seed ${seed}`);
    report('redis-wipes', {
      seed,
      wipes: 6,
      midCycle,
      slowestStopMs: Math.max(0, ...stopTimes),
      runsToConverge: runs,
    });
    expect(Math.max(0, ...stopTimes), `seed ${seed}`).toBeLessThan(15_000);
  });
});
