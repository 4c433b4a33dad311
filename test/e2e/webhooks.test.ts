import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { DECISIONS_QUEUE } from '../../src/jobs/catalog.js';
import { pendingContacts } from '../../src/jobs/pending-contacts.js';
import { signV3 } from '../../src/sandbox/hubspot/hubspot-webhooks.js';
import {
  SANDBOX_HUBSPOT_TOKEN,
  startSandboxes,
  type RunningSandboxes,
} from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess, type CliRun } from '../support/run-cli-in-process.js';
import { wipeInstallation } from '../support/wipe-redis.js';

const NOW = '2026-11-24T15:00:00Z';
const NOW_MS = Date.parse(NOW);
const SECRET = 'e2e-webhook-client-secret';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The example definition polling every ten minutes: only a webhook can explain a quick route. */
async function slowPollConfig(): Promise<string> {
  const example = await readFile(
    new URL('../../config/handoff.example.yaml', import.meta.url),
    'utf8',
  );
  const file = join(await mkdtemp(join(tmpdir(), 'handoff-webhooks-')), 'handoff.yaml');
  await writeFile(file, example.replace('poll_interval: 60s', 'poll_interval: 10m'));
  return file;
}

async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(25);
  }
}

interface LogLine {
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** `handoff run` in-process, on the sandboxes, with webhooks on; stopped after the test. */
async function startWorker(
  running: RunningSandboxes,
  prefix: string,
  extraEnv: Record<string, string> = {},
): Promise<{ webhookUrl: string; logs: () => LogLine[]; stopped: Promise<CliRun> }> {
  let output = '';
  let stop: () => void = () => undefined;
  const shutdown = new Promise<string>((resolve) => {
    stop = () => resolve('SIGTERM');
  });
  const stopped = runCliInProcess(['run', '--config', await slowPollConfig()], {
    env: {
      ...running.env,
      REDIS_URL,
      HANDOFF_REDIS_PREFIX: prefix,
      HUBSPOT_WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'info',
      PORT: '0',
      ...extraEnv,
    },
    now: NOW,
    untilShutdown: () => shutdown,
    onStdout: (text) => (output += text),
  });
  cleanups.push(async () => {
    stop();
    const result = await stopped;
    expect(result.code).toBe(0);
  });
  const logs = (): LogLine[] =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const started = await waitFor(() => logs().find((line) => line.msg === 'worker started'), 15_000);
  return { webhookUrl: started['webhooks'] as string, logs, stopped };
}

async function sandboxes(contacts: number, seed: number): Promise<RunningSandboxes> {
  const running = await startSandboxes({ contacts, seed, now: () => NOW_MS });
  cleanups.push(() => running.close());
  return running;
}

/** A contact the example definition qualifies on fit alone (VP of data, enterprise, US). */
const QUALIFYING = {
  company: 'Northwind Analytics',
  jobtitle: 'VP Data Platform',
  numberofemployees: '2400',
  country: 'US',
  industry: 'Software',
  annualrevenue: '90000000',
  phone: '+1 555 0100',
};

async function createContact(running: RunningSandboxes, email: string): Promise<string> {
  const response = await fetch(`${running.hubspotUrl}/crm/v3/objects/contacts`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${SANDBOX_HUBSPOT_TOKEN}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      properties: { ...QUALIFYING, email, firstname: 'Test', lastname: 'Lead' },
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

interface RoutedLead {
  readonly id: string;
  readonly owner: string;
  readonly due: number;
  readonly decision: string;
}

/** The contact's Lead once it carries an owner, a due date and a decision, with its Task. */
function routedLead(running: RunningSandboxes, contactId: string): RoutedLead | undefined {
  const lead = [...running.salesforce.store.table('Lead').values()].find(
    (record) => record['HubSpot_Contact_Id__c'] === contactId,
  );
  const decision = lead?.['Handoff_Decision_Id__c'];
  const owner = lead?.['OwnerId'];
  // The sandbox org keeps datetimes as epoch milliseconds.
  const due = lead?.['Handoff_Due__c'];
  if (typeof decision !== 'string' || typeof owner !== 'string' || typeof due !== 'number')
    return undefined;
  const task = [...running.salesforce.store.table('Task').values()].find(
    (record) => record['Handoff_Decision_Id__c'] === decision,
  );
  return task === undefined ? undefined : { id: String(lead?.['Id']), owner, due, decision };
}

function salesforceWrites(running: RunningSandboxes): number {
  return running.salesforce.server.log
    .list()
    .filter((call) => /^(collections|sobjects)\.(create|update|upsert)/.test(call.endpoint)).length;
}

/** A delivery as HubSpot makes it: the events, signed v3 for `url` at `timestamp`. */
async function deliver(
  url: string,
  events: readonly Record<string, unknown>[],
  options: { secret?: string; timestamp?: number } = {},
): Promise<Response> {
  const body = JSON.stringify(events);
  const timestamp = options.timestamp ?? NOW_MS;
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-HubSpot-Request-Timestamp': String(timestamp),
      'X-HubSpot-Signature-v3': signV3(options.secret ?? SECRET, 'POST', url, body, timestamp),
    },
    body,
  });
}

function contactEvent(eventId: number, objectId: string, extra: Record<string, unknown> = {}) {
  return {
    eventId,
    subscriptionId: 3,
    portalId: 1,
    appId: 1,
    occurredAt: NOW_MS,
    subscriptionType: 'contact.creation',
    attemptNumber: 0,
    objectId: Number(objectId),
    changeSource: 'CRM',
    ...extra,
  };
}

const runsOf = (logs: LogLine[]): LogLine[] =>
  logs.filter((line) => line.msg === 'contact sync finished');

describe('HubSpot webhooks under handoff run', () => {
  it('routes a new qualifying contact within seconds of its signed webhook, with polling every 10 minutes', async ({
    annotate,
  }) => {
    const running = await sandboxes(60, 41);
    const worker = await startWorker(running, `test-${randomUUID()}`);
    expect(worker.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/hubspot$/);
    // The sandbox portal delivers its contact events, signed, to the worker.
    const configured = await fetch(`${running.hubspotUrl}/__sandbox/webhooks`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ targetUrl: worker.webhookUrl, clientSecret: SECRET }),
    });
    expect(configured.status).toBe(204);
    // The first poll runs at start; the next one is ten minutes away.
    await waitFor(() => worker.logs().find((line) => line.msg === 'sync cycle finished'), 20_000);
    await sleep(1_500);
    // Handoff's own write-backs came back as property changes: none of them started a run.
    expect(runsOf(worker.logs())).toEqual([]);

    const started = performance.now();
    const contactId = await createContact(running, 'webhook.vp@northwind-analytics.example');
    const lead = await waitFor(() => routedLead(running, contactId), 10_000);
    const leadMs = performance.now() - started;
    const hubspotStatus = await waitFor(() => {
      const status =
        running.hubspot.store.objects.contacts.get(contactId)?.properties['handoff_status'];
      return status === undefined || status === '' ? undefined : status;
    }, 10_000);
    const roundTripMs = performance.now() - started;
    expect(hubspotStatus).toBe('routed');
    expect(lead.owner).toMatch(/^005/);
    expect(lead.due).toBeGreaterThan(NOW_MS);
    // One poll only: the webhook, not a cycle, routed the contact.
    expect(worker.logs().filter((line) => line.msg === 'sync cycle finished')).toHaveLength(1);
    const runs = runsOf(worker.logs());
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs[0]).toMatchObject({ requested: 1, not_found: 0, routed: 1, tasks_created: 1 });
    expect(running.hubspot.webhooks.deliveries.every((delivery) => delivery.status === 200)).toBe(
      true,
    );
    await annotate(
      `webhook → Lead routed with owner, due date and Task: ${Math.round(leadMs)} ms; → HubSpot write-back: ${Math.round(roundTripMs)} ms (debounce 1000 ms)`,
    );
    // Nothing personal in the worker's log.
    expect(JSON.stringify(worker.logs())).not.toContain('northwind-analytics');
  });

  it('acknowledges a replayed delivery without queueing it again, and refuses a bad signature without changing anything', async () => {
    const running = await sandboxes(40, 42);
    const prefix = `test-${randomUUID()}`;
    const worker = await startWorker(running, prefix);
    await waitFor(() => worker.logs().find((line) => line.msg === 'sync cycle finished'), 20_000);
    // Not delivered by the portal: this test sends the events itself.
    const contactId = await createContact(running, 'forged.case@northwind-analytics.example');
    await sleep(500);
    expect(routedLead(running, contactId)).toBeUndefined();

    const creation = contactEvent(880_001, contactId);
    const writesBefore = salesforceWrites(running);
    const forged = await deliver(worker.webhookUrl, [creation], { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const stale = await deliver(worker.webhookUrl, [creation], {
      timestamp: NOW_MS - 10 * 60_000,
    });
    expect(stale.status).toBe(401);
    // Well past the debounce window: nothing was queued, run, or written.
    await sleep(2_500);
    expect(runsOf(worker.logs())).toEqual([]);
    expect(routedLead(running, contactId)).toBeUndefined();
    expect(salesforceWrites(running)).toBe(writesBefore);
    const redis = new Redis(REDIS_URL);
    cleanups.push(() => redis.quit());
    expect(await redis.zcard(`${prefix}:bull:handoff:webhooks:pending`)).toBe(0);

    // The same events, signed with the secret: taken, and the contact is routed.
    const accepted = await deliver(worker.webhookUrl, [creation]);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ received: 1, duplicates: 0, queued: 1 });
    await waitFor(() => routedLead(running, contactId), 10_000);
    await waitFor(() => (runsOf(worker.logs()).length === 1 ? true : undefined), 10_000);

    // HubSpot retries: a new attempt number and timestamp, the same events.
    const replay = await deliver(worker.webhookUrl, [{ ...creation, attemptNumber: 1 }], {
      timestamp: NOW_MS + 30_000,
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ received: 1, duplicates: 1, queued: 0 });
    await sleep(2_500);
    expect(runsOf(worker.logs())).toHaveLength(1);
    const decisions = new Queue(DECISIONS_QUEUE, { connection: redis, prefix: `${prefix}:bull` });
    cleanups.push(() => decisions.close());
    const contactRuns = (
      await decisions.getJobs(['completed', 'waiting', 'delayed', 'active'])
    ).filter((job) => job.name === 'sync.contacts');
    expect(contactRuns).toHaveLength(1);
  });

  it('turns a burst of deliveries into one run, and a backlog over one batch into runs of 500', async () => {
    const running = await sandboxes(40, 43);
    const worker = await startWorker(running, `test-${randomUUID()}`);
    await waitFor(() => worker.logs().find((line) => line.msg === 'sync cycle finished'), 20_000);
    const known = [...running.hubspot.store.objects.contacts.keys()].slice(0, 30);
    // Six deliveries of 100 events in quick succession: 600 contacts, 30 of them real (deleted
    // or merged contacts are not found, and need no decision).
    const ids = [...known, ...Array.from({ length: 570 }, (_, index) => String(900_000 + index))];
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, batch) =>
        deliver(
          worker.webhookUrl,
          ids.slice(batch * 100, batch * 100 + 100).map((id, index) =>
            contactEvent(770_000 + batch * 100 + index, id, {
              subscriptionType: 'contact.propertyChange',
              propertyName: 'jobtitle',
              propertyValue: 'Head of Data',
            }),
          ),
        ),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const runs = await waitFor(
      () => (runsOf(worker.logs()).length >= 2 ? runsOf(worker.logs()) : undefined),
      15_000,
    );
    await sleep(1_500);
    // One run for the burst (its first 500), one it queued for the rest; no more.
    expect(runsOf(worker.logs())).toHaveLength(2);
    expect(runs.map((run) => run['requested'])).toEqual([500, 100]);
    expect(runs.reduce((sum, run) => sum + Number(run['not_found']), 0)).toBe(570);
    expect(JSON.stringify(worker.logs())).not.toContain('Head of Data');
  });

  it('answers 503 and logs that webhooks are off without HUBSPOT_WEBHOOK_SECRET', async () => {
    const running = await sandboxes(10, 44);
    const worker = await startWorker(running, `test-${randomUUID()}`, {
      HUBSPOT_WEBHOOK_SECRET: '',
    });
    expect(worker.webhookUrl).toBe('off');
    expect(worker.logs().some((line) => line.msg.startsWith('webhooks are off'))).toBe(true);
    const started = worker.logs().find((line) => line.msg === 'worker started');
    const url = `${String(started?.['listen'])}/webhooks/hubspot`;
    const response = await deliver(url, [contactEvent(1, '1')]);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      error: expect.stringContaining('off') as string,
    });
  });
});

describe('webhook contacts in Redis', () => {
  async function store(debounceMs: number) {
    const prefix = `test-${randomUUID()}`;
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(DECISIONS_QUEUE, { connection: redis, prefix: `${prefix}:bull` });
    cleanups.push(async () => {
      await queue.close();
      await wipeInstallation(redis, prefix);
      await redis.quit();
    });
    await queue.waitUntilReady();
    return {
      queue,
      redis,
      prefix,
      pending: pendingContacts({ queue, queuePrefix: `${prefix}:bull`, debounceMs }),
    };
  }

  it('remembers each event for 48 hours and queues a contact once per new event', async () => {
    const { pending, redis, queue, prefix } = await store(60_000);
    expect(await pending.accept([{ key: 'e1:10:1', contactIds: ['10'] }])).toEqual({
      fresh: 1,
      queued: 1,
    });
    expect(
      await pending.accept([
        { key: 'e1:10:1', contactIds: ['10'] },
        { key: 'e2:11:1', contactIds: ['11', '12'] },
        { key: 'e3:13:1', contactIds: [] },
      ]),
    ).toEqual({ fresh: 2, queued: 2 });
    const ttl = await redis.pttl(`${prefix}:bull:handoff:webhooks:seen:e1:10:1`);
    expect(ttl).toBeGreaterThan(47 * 3_600_000);
    expect(ttl).toBeLessThanOrEqual(48 * 3_600_000);
    expect(await pending.size()).toBe(3);
    // Three accepts, one delayed run: the debounce window holds them all.
    const jobs = await queue.getJobs(['delayed', 'waiting']);
    expect(jobs.map((job) => job.name)).toEqual(['sync.contacts']);
  });

  it('keeps a contact named again while its run decides it, and claims the oldest first', async () => {
    const { pending } = await store(60_000);
    await pending.accept(
      Array.from({ length: 7 }, (_, index) => ({
        key: `e${index}`,
        contactIds: [String(100 + index)],
      })),
    );
    const claimed = await pending.claim(5);
    expect(claimed.ids).toEqual(['100', '101', '102', '103', '104']);
    // A webhook names 102 again while the run works.
    await pending.accept([{ key: 'e-again', contactIds: ['102'] }]);
    await pending.release(claimed);
    expect(await pending.size()).toBe(3);
    expect((await pending.claim(10)).ids).toEqual(['105', '106', '102']);
  });
});
