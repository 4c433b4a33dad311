import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

/**
 * The API budget end to end: `handoff sync --once` against the sandboxes, with the Salesforce
 * org's allocation set through the sandbox's control API (`PUT /__sandbox/api-usage`), which its
 * `Sforce-Limit-Info` header then reports on every answer.
 */

const NOW = '2026-11-24T15:00:00Z';
const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const SALESFORCE_WRITES =
  /^(collections\.(create|update|upsert|delete)|sobjects\.(create|update|upsert|delete))$/;
const FIFTEEN_MINUTES = 15 * 60_000;

interface UsageReport {
  used: number | null;
  max: number | null;
  percent: number | null;
  handoff_calls: number;
  ceiling_percent: number;
  paused: boolean;
  paused_until: string | null;
}
type ApiUsage = Record<'salesforce' | 'hubspot', UsageReport>;

let sandboxes: RunningSandboxes | null = null;
const opened: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  await sandboxes?.close();
  sandboxes = null;
  for (const each of opened.splice(0)) await each.close();
});

async function start(contacts: number, seed: number): Promise<RunningSandboxes> {
  sandboxes = await startSandboxes({ contacts, seed, now: () => Date.parse(NOW) });
  return sandboxes;
}

function envFor(running: RunningSandboxes, prefix: string): Record<string, string> {
  return {
    ...running.env,
    REDIS_URL,
    HANDOFF_REDIS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
}

/** The org's allocation, as an admin's other integrations and Setup would leave it. */
async function setSalesforceUsage(
  running: RunningSandboxes,
  usage: { used?: number; max?: number },
): Promise<void> {
  const response = await fetch(`${running.salesforceUrl}/__sandbox/api-usage`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(usage),
  });
  expect(response.status).toBe(200);
}

function logLines(stderr: string): { level: number; msg: string; [key: string]: unknown }[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

function salesforceWrites(running: RunningSandboxes): string[] {
  return running.salesforce.server.log
    .list()
    .map((call) => call.endpoint)
    .filter((endpoint) => SALESFORCE_WRITES.test(endpoint));
}

/** One of the installation's BullMQ queues, to look at from outside the worker. */
function queue(prefix: string, name: string): Queue {
  const opened_ = new Queue(name, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
  opened.push(opened_);
  return opened_;
}

describe('the API budget under handoff sync --once', () => {
  it('stops before queuing anything when the org is already past its stop, with one clear warning, HubSpot not paused', async () => {
    const running = await start(60, 71);
    await setSalesforceUsage(running, { used: 95_000, max: 100_000 });
    const prefix = `test-${randomUUID()}`;

    const run = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env: envFor(running, prefix),
      now: NOW,
    });

    expect(run.code).toBe(1);
    const output = JSON.parse(run.stdout) as { stopped: string; api_usage: ApiUsage };
    // The header of the last answer, read as the sandbox counted it.
    const used = running.salesforce.api.apiUsed;
    expect(used).toBeGreaterThan(95_000);
    expect(output.stopped).toBe(
      `salesforce API budget reached: ${used} of 100000 calls used across the org in the last 24 h (ceiling 10%; Handoff stops when the pool reaches 90%); queue paused, checked again in 15 min`,
    );
    expect(output.api_usage.salesforce).toMatchObject({
      used,
      max: 100_000,
      percent: Math.round((used / 100_000) * 1000) / 10,
      ceiling_percent: 10,
      paused: true,
      paused_until: new Date(Date.parse(NOW) + FIFTEEN_MINUTES).toISOString(),
    });
    expect(output.api_usage.salesforce.handoff_calls).toBeGreaterThan(0);
    // HubSpot's answers carry its daily pair too: read, under its ceiling, not paused.
    expect(output.api_usage.hubspot).toMatchObject({
      used: running.hubspot.server.log.list().length,
      max: running.hubspot.api.limiter.settings.daily,
      ceiling_percent: 50,
      paused: false,
      paused_until: null,
    });
    const warnings = logLines(run.stderr).filter((line) => line.msg === output.stopped);
    expect(warnings).toEqual([
      expect.objectContaining({ level: 40, system: 'salesforce', rule: 'pool' }),
    ]);
    expect(run.stderr).toContain(`sync stopped: ${output.stopped}\n`);
    // Nothing was queued to wait in a paused queue, and nothing was written.
    for (const name of ['decisions', 'salesforce', 'hubspot'])
      expect(await queue(prefix, name).count()).toBe(0);
    expect(salesforceWrites(running)).toEqual([]);

    // In text, one line says the same.
    const text = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env: envFor(running, prefix),
      now: NOW,
    });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^API usage: Salesforce \d+ of 100000 \(9\d(\.\d)?%\); Handoff \d+ calls, ceiling 10% paused until 2026-11-24T15:15:00\.000Z; HubSpot \d+ of 1000000 \(0(\.\d)?%\); Handoff \d+ calls, ceiling 50%\n$/,
    );
    expect(logLines(text.stderr).filter((line) => line['rule'] === 'pool')).toHaveLength(1);
  });

  it("pauses the Salesforce queue only when Handoff's share runs out mid-cycle; the next worker finishes the cycle", async () => {
    const running = await start(120, 72);
    // A dry run (it writes nothing) tells how many Salesforce calls starting up takes.
    const dry = await runCliInProcess(
      ['sync', '--once', '--dry-run', '--json', '--config', CONFIG],
      { env: envFor(running, `test-${randomUUID()}`), now: NOW },
    );
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout) as {
      api_calls: { salesforce: number };
      api_usage: ApiUsage;
    };
    const startup = planned.api_usage.salesforce.handoff_calls - planned.api_calls.salesforce;
    expect(startup).toBeGreaterThan(0);
    // More reads than the two allowed below (the directory and the lookups, one Composite call
    // each): the refusal falls mid-cycle, before any write.
    expect(planned.api_calls.salesforce).toBeGreaterThan(2);
    // 10% of this allocation is what starting up takes plus two of the cycle's calls.
    const allowed = startup + 2;
    const max = allowed * 10;
    await setSalesforceUsage(running, { used: 0, max });
    const prefix = `test-${randomUUID()}`;

    const run = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env: envFor(running, prefix),
      now: NOW,
    });

    expect(run.code).toBe(1);
    const output = JSON.parse(run.stdout) as { stopped: string; api_usage: ApiUsage };
    expect(output.stopped).toBe(
      `salesforce API budget reached: Handoff used ${allowed} of ${max} daily calls in the last 24 h (ceiling 10%); queue paused, checked again in 15 min`,
    );
    expect(output.api_usage.salesforce).toMatchObject({
      max,
      handoff_calls: allowed,
      ceiling_percent: 10,
      paused: true,
    });
    expect(output.api_usage.hubspot).toMatchObject({ paused: false, ceiling_percent: 50 });
    const lines = logLines(run.stderr);
    expect(lines.filter((line) => line.msg === output.stopped)).toHaveLength(1);
    // The job machinery paused the Salesforce queue (and the cycle's own), never HubSpot's.
    const limited = lines.filter((line) => line.msg.endsWith(' rate limited'));
    expect(limited.length).toBeGreaterThan(0);
    for (const line of limited)
      expect(line).toMatchObject({ system: 'salesforce', code: 'BUDGET_CEILING' });
    expect(limited[0]?.['paused']).toEqual(['salesforce', 'decisions']);
    const salesforceTtl = await queue(prefix, 'salesforce').getRateLimitTtl();
    expect(salesforceTtl).toBeGreaterThan(FIFTEEN_MINUTES - 60_000);
    expect(salesforceTtl).toBeLessThanOrEqual(FIFTEEN_MINUTES);
    expect(await queue(prefix, 'hubspot').getRateLimitTtl()).toBeLessThanOrEqual(0);
    // Refused before the writes: the org saw only the calls allowed.
    expect(salesforceWrites(running)).toEqual([]);
    expect(running.salesforce.api.apiUsed).toBe(allowed);

    // The org's allocation is raised and the pause runs out: the interrupted cycle, still queued,
    // runs first, and the installation's count of Handoff's calls carried over between runs.
    await setSalesforceUsage(running, { max: 100_000 });
    const redis = new Redis(REDIS_URL);
    opened.push({ close: () => redis.quit() });
    for (const name of ['salesforce', 'decisions']) await queue(prefix, name).removeRateLimitKey();
    const next = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env: envFor(running, prefix),
      now: NOW,
    });
    expect(next.stderr).not.toContain('API budget reached');
    expect(next.code).toBe(0);
    expect(await queue(prefix, 'decisions').getJobCounts('completed', 'waiting')).toMatchObject({
      completed: 2,
      waiting: 0,
    });
    const after = JSON.parse(next.stdout) as { api_usage: ApiUsage };
    // Every call the org saw since its count was reset is Handoff's, over both runs.
    expect(after.api_usage.salesforce).toMatchObject({
      handoff_calls: running.salesforce.api.apiUsed,
      used: running.salesforce.api.apiUsed,
      paused: false,
    });
    expect(after.api_usage.salesforce.handoff_calls).toBeGreaterThan(allowed);
    const routed = [...running.salesforce.store.table('Lead').values()].filter(
      (lead) => typeof lead['Handoff_Decision_Id__c'] === 'string',
    );
    expect(routed.length).toBeGreaterThan(0);
    expect(await redis.keys(`${prefix}:api-budget:calls:salesforce:*`)).toHaveLength(1);
  });
});
