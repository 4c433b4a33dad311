import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startHttpServer,
  type HttpServer,
  type HttpServerOptions,
} from '../../src/http/http-server.js';
import { checkReadiness } from '../../src/http/probes.js';
import { createLogger } from '../../src/platform/logger.js';
import { wipeInstallation } from '../support/wipe-redis.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TOKEN = 'e2e-admin-token-0123456789';
const MAX_AGE_MS = 60_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Three queues under a fresh prefix, as the worker has them, and its Redis connection. */
async function installation(): Promise<{ redis: Redis; queues: Queue[]; prefix: string }> {
  const prefix = `test-${randomUUID()}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queues = ['decisions', 'hubspot', 'salesforce'].map(
    (name) => new Queue(name, { connection: redis, prefix: `${prefix}:bull` }),
  );
  cleanups.push(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    await wipeInstallation(redis, prefix);
    await redis.quit();
  });
  await Promise.all(queues.map((queue) => queue.waitUntilReady()));
  return { redis, queues, prefix };
}

async function serve(
  queues: Queue[],
  readiness: HttpServerOptions['readiness'],
): Promise<HttpServer> {
  const server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    trustProxy: false,
    readiness,
    webhook: (_request, response) => response.writeHead(204).end(),
    metricsPublic: false,
    adminToken: TOKEN,
    queues,
    now: () => Date.now(),
    log: createLogger({ level: 'silent' }),
  });
  cleanups.push(() => server.close());
  return server;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('/readyz on real Redis and BullMQ', () => {
  it('is ready, then 503 when a waiting job is older than the threshold, with no counts or names', async () => {
    const { redis, queues } = await installation();
    const clock = { now: Date.now() };
    const server = await serve(
      queues,
      checkReadiness({
        ping: () => redis.ping(),
        workersRunning: () => true,
        queues,
        maxWaitingAgeMs: MAX_AGE_MS,
        now: () => clock.now,
      }),
    );
    const job = await queues[1]!.add('hubspot.pullLeads', { secretish: 'lead-4711' });
    clock.now = job.timestamp + MAX_AGE_MS;
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { redis: 'ok', workers: 'ok', queues: 'ok' },
    });
    clock.now = job.timestamp + MAX_AGE_MS + 1;
    const stuck = await fetch(`${server.url}/readyz`);
    expect(stuck.status).toBe(503);
    const body = await stuck.text();
    expect(JSON.parse(body)).toEqual({
      status: 'not_ready',
      checks: { redis: 'ok', workers: 'ok', queues: 'stuck' },
    });
    for (const hidden of ['hubspot', 'lead-4711', String(job.id), '1'])
      expect(body).not.toContain(hidden);
    // A delayed job (an SLA timer) is not late until due.
    await job.remove();
    await queues[2]!.add('sla.timer', {}, { delay: 10 * MAX_AGE_MS });
    clock.now += 5 * MAX_AGE_MS;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('is 503 once this process’s workers are closed', async () => {
    const { redis, queues, prefix } = await installation();
    const worker = new Worker('decisions', () => Promise.resolve(), {
      connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: `${prefix}:bull`,
    });
    await worker.waitUntilReady();
    const server = await serve(
      queues,
      checkReadiness({
        ping: () => redis.ping(),
        workersRunning: () => worker.isRunning(),
        queues,
        maxWaitingAgeMs: MAX_AGE_MS,
        now: () => Date.now(),
      }),
    );
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await worker.close();
    await worker.disconnect();
    const stopped = await fetch(`${server.url}/readyz`);
    expect(stopped.status).toBe(503);
    expect(await stopped.json()).toEqual({
      status: 'not_ready',
      checks: { redis: 'ok', workers: 'stopped', queues: 'ok' },
    });
  });

  it('is 503 within its deadline when Redis is unreachable', async () => {
    const port = await closedPort();
    // As the worker's connection does: commands wait for Redis to come back instead of failing.
    const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    const queue = new Queue('decisions', { connection: redis, prefix: `test-${randomUUID()}` });
    queue.on('error', () => undefined);
    cleanups.push(async () => {
      const ended = new Promise((resolve) => redis.once('end', resolve));
      redis.disconnect();
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 1_000))]);
      // The queue's connection learns of the end through promise callbacks: closing the queue
      // before they ran would drop its error listener, and leave their rejection unhandled.
      await new Promise((resolve) => setImmediate(resolve));
      await queue.close().catch(() => undefined);
    });
    const server = await serve(
      [],
      checkReadiness({
        ping: () => redis.ping(),
        workersRunning: () => true,
        queues: [queue],
        maxWaitingAgeMs: MAX_AGE_MS,
        now: () => Date.now(),
        timeoutMs: 300,
      }),
    );
    const started = Date.now();
    const response = await fetch(`${server.url}/readyz`);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'not_ready',
      checks: { redis: 'unreachable', workers: 'ok', queues: 'unknown' },
    });
    // Liveness does not depend on Redis.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('Bull Board at /admin/queues', () => {
  async function board(): Promise<{ server: HttpServer; queues: Queue[]; cookie: string }> {
    const { redis, queues } = await installation();
    const server = await serve(
      queues,
      checkReadiness({
        ping: () => redis.ping(),
        workersRunning: () => true,
        queues,
        maxWaitingAgeMs: MAX_AGE_MS,
        now: () => Date.now(),
      }),
    );
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    expect(login.status).toBe(303);
    // Without the dashboard plugged in, the admin lands on Bull Board.
    expect(login.headers.get('location')).toBe('/admin/queues');
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    return { server, queues, cookie };
  }

  it('serves its page, API and assets to an admin only', async () => {
    const { server, cookie } = await board();
    const page = await fetch(`${server.url}/admin/queues`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/"');
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1] ?? '';
    expect(script).not.toBe('');
    const asset = `/admin/queues/${script}`;
    expect((await fetch(`${server.url}${asset}`, { headers: { Cookie: cookie } })).status).toBe(
      200,
    );
    expect((await fetch(`${server.url}${asset}`)).status).toBe(401);

    const api = await fetch(`${server.url}/admin/queues/api/queues`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(api.status).toBe(200);
    const { queues } = (await api.json()) as { queues: { name: string }[] };
    expect(queues.map((queue) => queue.name).sort()).toEqual([
      'decisions',
      'hubspot',
      'salesforce',
    ]);
    expect((await fetch(`${server.url}/admin/queues/api/queues`)).status).toBe(401);

    const browser = await fetch(`${server.url}/admin/queues`, {
      redirect: 'manual',
      headers: { Accept: 'text/html' },
    });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toBe('/login?next=%2Fadmin%2Fqueues');
  });

  it('refuses a cross-site mutation and takes a same-origin one', async () => {
    const { server, queues, cookie } = await board();
    const pause = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${server.url}/admin/queues/api/queues/hubspot/pause`, {
        method: 'PUT',
        headers: { Cookie: cookie, ...headers },
      });
    const hubspot = queues[1]!;
    expect((await pause({ 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await pause({ 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect((await pause({ Origin: 'https://evil.example' })).status).toBe(403);
    // A cookie alone proves nothing about who sent the request.
    expect((await pause({})).status).toBe(403);
    expect(await hubspot.isPaused()).toBe(false);
    expect((await pause({ 'Sec-Fetch-Site': 'same-origin', Origin: server.url })).status).toBe(200);
    expect(await hubspot.isPaused()).toBe(true);
    const resume = await fetch(`${server.url}/admin/queues/api/queues/hubspot/resume`, {
      method: 'PUT',
      headers: { Cookie: cookie, Origin: server.url },
    });
    expect(resume.status).toBe(200);
    expect(await hubspot.isPaused()).toBe(false);
    // A script with the token needs no browser headers.
    const scripted = await fetch(`${server.url}/admin/queues/api/queues/hubspot/pause`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(scripted.status).toBe(200);
    expect(await hubspot.isPaused()).toBe(true);
  });
});
