import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const opened: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close();
});

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('handoff run between changes: the probe and the SLA timers', () => {
  it('costs one call per system on a quiet cycle, finds a rep’s call through the probe, and checks each SLA when its timer fires', async () => {
    let clock = Date.parse('2026-11-24T15:00:00Z');
    const running: RunningSandboxes = await startSandboxes({
      contacts: 150,
      seed: 31,
      now: () => clock,
    });
    opened.push(running);
    const example = await readFile(CONFIG, 'utf8');
    const config = join(await mkdtemp(join(tmpdir(), 'handoff-probe-')), 'handoff.yaml');
    await writeFile(config, example.replace('poll_interval: 60s', 'poll_interval: 1s'));
    const prefix = `test-${randomUUID()}`;
    const lines: Record<string, unknown>[] = [];
    let stop: () => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
      stop = () => resolve('SIGTERM');
    });
    const worker = runCliInProcess(['run', '--config', config], {
      env: {
        ...running.env,
        REDIS_URL,
        HANDOFF_REDIS_PREFIX: prefix,
        LOG_LEVEL: 'info',
        PORT: '0',
      },
      now: () => new Date(clock),
      untilShutdown: () => stopped,
      onStdout: (chunk) => {
        for (const line of chunk.split('\n'))
          if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
    opened.push({ close: async () => (stop(), await worker) });
    const cycles = () => lines.filter((line) => line['msg'] === 'sync cycle finished');
    const leads = () =>
      [...running.salesforce.store.table('Lead').values()].filter(
        (lead) => typeof lead['Handoff_Decision_Id__c'] === 'string',
      );

    // Settled: everything routed, and two cycles in a row with nothing to do.
    await waitFor(
      () => {
        const done = cycles();
        return (
          leads().length > 10 &&
          done.length >= 3 &&
          done.slice(-2).every((line) => line['routed'] === 0 && line['decided'] === 0)
        );
      },
      30_000,
      'the first cycles',
    );
    await sleep(1_500);

    // Quiet: per cycle, one HubSpot search and one Salesforce probe, nothing else.
    const hubspotSeq = running.hubspot.server.log.lastSeq;
    const salesforceSeq = running.salesforce.server.log.lastSeq;
    const from = cycles().length;
    await waitFor(() => cycles().length >= from + 4, 20_000, 'quiet cycles');
    const quiet = cycles().length - from;
    const hubspotCalls = running.hubspot.server.log.list(hubspotSeq).map((call) => call.endpoint);
    const salesforceCalls = running.salesforce.server.log
      .list(salesforceSeq)
      .map((call) => call.endpoint);
    expect(new Set(hubspotCalls)).toEqual(new Set(['contacts.search']));
    expect(new Set(salesforceCalls)).toEqual(new Set(['composite']));
    // One of each per cycle (a cycle may be under way at either end of the window).
    expect(hubspotCalls.length).toBeLessThanOrEqual(quiet + 1);
    expect(salesforceCalls.length).toBeLessThanOrEqual(quiet + 1);

    // A rep logs a call: the next probe sees it and the lead is accepted, in both systems.
    const touched = leads().find((lead) => String(lead['OwnerId']).startsWith('005'));
    if (touched === undefined) throw new Error('no rep-owned lead');
    const rep = String(touched['OwnerId']);
    const call = running.salesforce.store.create(
      'Task',
      {
        WhoId: touched['Id'],
        OwnerId: rep,
        Subject: 'Call',
        Status: 'Completed',
        TaskSubtype: 'Call',
      },
      false,
    );
    if (!call.ok) throw new Error('call refused');
    Object.assign(running.salesforce.store.table('Task').get(call.id) ?? {}, {
      CreatedById: rep,
      LastModifiedById: rep,
    });
    await waitFor(() => touched['Handoff_Stage__c'] === 'accepted', 15_000, 'the touch');
    const contact = running.hubspot.store.objects.contacts.get(
      String(touched['HubSpot_Contact_Id__c']),
    );
    await waitFor(
      () => contact?.properties['handoff_status'] === 'accepted',
      15_000,
      'HubSpot to hear of it',
    );

    // Every routed lead has a timer at its due instant.
    const redis = new Redis(REDIS_URL);
    opened.push({ close: () => redis.quit() });
    const routed = leads();
    const timers = await redis.zrange(`${prefix}:sla-timers`, 0, -1, 'WITHSCORES');
    const byLead = new Map<string, number>();
    for (let index = 0; index < timers.length; index += 2)
      byLead.set(timers[index] ?? '', Number(timers[index + 1]));
    for (const lead of routed) expect(byLead.get(String(lead['Id']))).toBe(lead['Handoff_Due__c']);

    // Time passes beyond every deadline; the timers fire (promoted, as BullMQ would at that
    // hour) and each untouched lead's breach is handled, none before.
    expect(routed.filter((lead) => lead['Handoff_Breached_Owners__c'] != null)).toEqual([]);
    clock = Math.max(...routed.map((lead) => Number(lead['Handoff_Due__c']))) + 2 * MINUTE;
    const salesforceQueue = new Queue('salesforce', {
      connection: { url: REDIS_URL },
      prefix: `${prefix}:bull`,
    });
    opened.push(salesforceQueue);
    const delayed = (await salesforceQueue.getDelayed()).filter(
      (job) => job.name === 'salesforce.sla.check',
    );
    expect(delayed.length).toBeGreaterThan(0);
    for (const job of delayed) await job.promote();
    const untouched = routed.filter((lead) => lead['Id'] !== touched['Id']);
    await waitFor(
      () => untouched.every((lead) => lead['Handoff_Breached_Owners__c'] != null),
      30_000,
      'every breach handled',
    );
    expect(touched['Handoff_Breached_Owners__c']).toBeNull();
  }, 120_000);
});
