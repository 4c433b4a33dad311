import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../src/sandbox/core/fault-types.js';
import {
  convergenceProblems,
  expectConverged,
  report,
  setUpDrill,
  spawnCli,
  syncOnce,
  type CliOutcome,
  type DrillTenant,
} from './support/drill-harness.js';

const CONTACTS = 1_500;
/** Enough calls that a seed's luck cannot thin the storm much (about 170 calls). */
const STORM_CONTACTS = 3_000;
const tenants: DrillTenant[] = [];

afterAll(async () => {
  await Promise.all(tenants.map((tenant) => tenant.running.close()));
});

/**
 * About 18% of calls to each system fail transiently (more than the 15% the target names, so a
 * seed that draws few faults still storms): 429s with Retry-After, 502s and 503s, locked rows
 * (whole calls, and a fifth of a batch's records).
 */
const HUBSPOT_STORM: readonly FaultSpec[] = [
  { kind: 'server_error', status: 503, rate: 0.06 },
  { kind: 'server_error', status: 502, rate: 0.05 },
  { kind: 'rate_limit', variant: 'secondly', retryAfterSeconds: 1, rate: 0.06 },
  { kind: 'lock_row', rate: 0.03 },
];
const SALESFORCE_STORM: readonly FaultSpec[] = [
  { kind: 'server_error', status: 503, rate: 0.06 },
  { kind: 'server_error', status: 502, rate: 0.05 },
  { kind: 'lock_row', rate: 0.04 },
  { kind: 'partial_batch', code: 'UNABLE_TO_LOCK_ROW', fraction: 0.2, rate: 0.05 },
];

describe('drill: a seeded 15% transient fault storm', () => {
  it('completes the work in one sync --once, two at worst', async () => {
    const { seed, config, definition, clean, tenant } = await setUpDrill(
      'storm',
      STORM_CONTACTS,
      tenants,
    );
    for (const fault of HUBSPOT_STORM) tenant.running.hubspot.server.faults.add(fault);
    for (const fault of SALESFORCE_STORM) tenant.running.salesforce.server.faults.add(fault);

    const outcomes: CliOutcome[] = [];
    do outcomes.push(await syncOnce(tenant, config));
    while (outcomes.at(-1)?.code !== 0 && outcomes.length < 4);
    const fired = [
      ...tenant.running.hubspot.server.faults.list(),
      ...tenant.running.salesforce.server.faults.list(),
    ].reduce((total, rule) => total + rule.fired, 0);
    const calls =
      tenant.running.hubspot.server.log.lastSeq + tenant.running.salesforce.server.log.lastSeq;
    report('storm', {
      seed,
      runsToComplete: outcomes.length,
      exitCodes: outcomes.map((outcome) => outcome.code),
      calls,
      faultsInjected: fired,
      faultRate: Number((fired / calls).toFixed(3)),
    });
    expect(
      outcomes.at(-1)?.code,
      `seed ${seed}: ${outcomes.map((outcome) => outcome.stderr).join('\n')}`,
    ).toBe(0);
    expect(outcomes.length, `seed ${seed}`).toBeLessThanOrEqual(2);
    // Converged while the storm still blows.
    expectConverged(tenant.running, clean.running, definition, `storm seed ${seed}`);
  });
});

describe('drill: four workers on one Redis', () => {
  it('route every lead exactly once and stop cleanly', async () => {
    const { seed, config, definition, clean, tenant } = await setUpDrill(
      'workers',
      CONTACTS,
      tenants,
    );

    const started = Date.now();
    const workers = Array.from({ length: 4 }, () =>
      spawnCli(['run', '--config', config], tenant.env),
    );
    let problems = convergenceProblems(tenant.running, clean.running, definition);
    while (problems.length > 0 && Date.now() - started < 120_000) {
      await sleep(500);
      problems = convergenceProblems(tenant.running, clean.running, definition);
    }
    const convergedMs = Date.now() - started;
    // A few more polls: settled means nothing more is written.
    const settledAt = tenant.running.salesforce.server.log.lastSeq;
    await sleep(3_000);
    const writesAfter = tenant.running.salesforce.server.log
      .list(settledAt)
      .filter((call) => call.endpoint.startsWith('collections.')).length;
    for (const worker of workers) worker.child.kill('SIGTERM');
    const exits = await Promise.all(workers.map((worker) => worker.exited));
    report('workers', { seed, workers: 4, convergedMs, writesAfterSettled: writesAfter });
    expect(
      exits.map((exit) => exit.code),
      `seed ${seed}: ${exits.map((exit) => exit.stderr).join('\n')}`,
    ).toEqual([0, 0, 0, 0]);
    expect(writesAfter, `seed ${seed}`).toBe(0);
    expectConverged(tenant.running, clean.running, definition, `workers seed ${seed}`);
  });
});
