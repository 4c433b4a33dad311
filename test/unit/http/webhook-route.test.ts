import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../../src/http/http-server.js';
import {
  hubspotWebhookRoute,
  webhooksOffRoute,
  type HubSpotWebhookOptions,
  type RouteHandler,
  type WebhookIntake,
} from '../../../src/http/webhook-route.js';
import { createLogger } from '../../../src/platform/logger.js';
import { signV3 } from '../../../src/sandbox/hubspot/hubspot-webhooks.js';

const SECRET = 'client-secret-7d1c';
const NOW = Date.parse('2026-11-24T15:00:00Z');
/** A property value that must never reach a log or the intake. */
const SECRET_VALUE = 'value-that-must-not-be-stored';

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Accepted {
  key: string;
  contactIds: readonly string[];
}

/** An intake that remembers event keys in memory, as Redis does with SET NX. */
function memoryIntake(): WebhookIntake & { calls: Accepted[][]; seen: Set<string> } {
  const seen = new Set<string>();
  const calls: Accepted[][] = [];
  return {
    calls,
    seen,
    accept: (events) => {
      calls.push(events.map((event) => ({ ...event })));
      let fresh = 0;
      let queued = 0;
      for (const event of events) {
        if (seen.has(event.key)) continue;
        seen.add(event.key);
        fresh += 1;
        queued += event.contactIds.length;
      }
      return Promise.resolve({ fresh, queued });
    },
  };
}

async function start(
  options: Partial<HubSpotWebhookOptions> & { intake: WebhookIntake },
): Promise<{ url: string; logs: string[] }> {
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (line) => logs.push(line) } });
  const route = hubspotWebhookRoute({
    secret: SECRET,
    trustProxy: false,
    ownProperties: new Set(['handoff_status', 'handoff_owner']),
    now: () => NOW,
    log,
    ...options,
  });
  const server = await serve(route);
  return { url: `${server.url}/webhooks/hubspot`, logs };
}

/** The worker's HTTP server with `webhook` mounted, as `handoff run` starts it. */
async function serve(webhook: RouteHandler): Promise<HttpServer> {
  const server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    trustProxy: false,
    readiness: () =>
      Promise.resolve({ ready: true, checks: { redis: 'ok', workers: 'ok', queues: 'ok' } }),
    webhook,
    metricsPublic: false,
    adminToken: undefined,
    queues: [],
    now: () => NOW,
    log: createLogger({ level: 'silent' }),
  });
  servers.push(server);
  return server;
}

function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: 501,
    subscriptionId: 11,
    portalId: 62515,
    appId: 54321,
    occurredAt: NOW - 2_000,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 1201,
    changeSource: 'CRM',
    propertyName: 'jobtitle',
    propertyValue: SECRET_VALUE,
    ...overrides,
  };
}

/** POSTs `body` signed as HubSpot signs it for `signedUrl` (the URL it believes it calls). */
async function post(
  url: string,
  body: string,
  options: {
    secret?: string;
    timestamp?: number;
    signedUrl?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const timestamp = options.timestamp ?? NOW;
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-HubSpot-Request-Timestamp': String(timestamp),
      'X-HubSpot-Signature-v3': signV3(
        options.secret ?? SECRET,
        'POST',
        options.signedUrl ?? url,
        body,
        timestamp,
      ),
      ...options.headers,
    },
    body,
  });
}

describe('POST /webhooks/hubspot', () => {
  it('answers 200 with counts and hands over event identities and contact ids only', async () => {
    const intake = memoryIntake();
    const { url, logs } = await start({ intake });
    const body = JSON.stringify([
      event(),
      event({ eventId: 502, subscriptionType: 'contact.creation', objectId: 1202 }),
      event({ eventId: 503, propertyName: 'handoff_status', objectId: 1203 }),
      event({ eventId: 504, subscriptionType: 'contact.deletion', objectId: 1204 }),
      event({ eventId: 505, subscriptionType: 'contact.merge', objectId: 1205 }),
      event({ eventId: 506, subscriptionType: 'company.creation', objectId: 77 }),
    ]);
    const response = await post(url, body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 6, duplicates: 0, queued: 3 });
    expect(intake.calls).toEqual([
      [
        { key: `501:1201:${NOW - 2_000}`, contactIds: ['1201'] },
        { key: `502:1202:${NOW - 2_000}`, contactIds: ['1202'] },
        // Handoff's own write-back coming back: nothing to decide.
        { key: `503:1203:${NOW - 2_000}`, contactIds: [] },
        // Deleted: nothing to route.
        { key: `504:1204:${NOW - 2_000}`, contactIds: [] },
        // Merged: the surviving record is decided again.
        { key: `505:1205:${NOW - 2_000}`, contactIds: ['1205'] },
        { key: `506:77:${NOW - 2_000}`, contactIds: [] },
      ],
    ]);
    expect(JSON.stringify(intake.calls)).not.toContain(SECRET_VALUE);
    expect(logs.join('')).not.toContain(SECRET_VALUE);
  });

  it('acknowledges a retried delivery (new attempt and timestamp) as duplicates', async () => {
    const intake = memoryIntake();
    const { url } = await start({ intake });
    expect(await (await post(url, JSON.stringify([event()]))).json()).toMatchObject({
      queued: 1,
    });
    const retry = JSON.stringify([event({ attemptNumber: 1 })]);
    const response = await post(url, retry, { timestamp: NOW + 60_000 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 1, duplicates: 1, queued: 0 });
    // Same eventId, another contact or instant: not a duplicate.
    const other = JSON.stringify([event({ objectId: 1299 }), event({ occurredAt: NOW - 1 })]);
    expect(await (await post(url, other)).json()).toEqual({
      received: 2,
      duplicates: 0,
      queued: 2,
    });
  });

  it('refuses a bad signature, a wrong secret or a stale timestamp with 401 and takes nothing', async () => {
    const intake = memoryIntake();
    const { url, logs } = await start({ intake });
    const body = JSON.stringify([event()]);
    const forged = await fetch(url, {
      method: 'POST',
      headers: {
        'X-HubSpot-Request-Timestamp': String(NOW),
        'X-HubSpot-Signature-v3': signV3(SECRET, 'POST', url, '[]', NOW),
      },
      body,
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: 'invalid signature', reason: 'mismatch' });
    expect((await post(url, body, { secret: 'not-the-secret' })).status).toBe(401);
    const stale = await post(url, body, { timestamp: NOW - 6 * 60_000 });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ reason: 'stale' });
    const future = await post(url, body, { timestamp: NOW + 6 * 60_000 });
    expect(await future.json()).toMatchObject({ reason: 'future' });
    const unsigned = await fetch(url, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ reason: 'missing' });
    expect(intake.calls).toEqual([]);
    const refusals = logs.filter((line) => line.includes('webhook refused: signature'));
    expect(refusals).toHaveLength(5);
    expect(logs.join('')).not.toContain(SECRET_VALUE);
  });

  it('answers 400 for a signed body that is not JSON or not a list of events, taking nothing', async () => {
    const intake = memoryIntake();
    const { url, logs } = await start({ intake });
    const notJson = await post(url, '{not json');
    expect(notJson.status).toBe(400);
    const cases = [
      JSON.stringify({ events: [event()] }),
      JSON.stringify([]),
      JSON.stringify([event({ objectId: undefined })]),
      JSON.stringify([event({ occurredAt: 'yesterday' })]),
      JSON.stringify([event({ objectId: 'DROP TABLE' })]),
    ];
    for (const body of cases) {
      const response = await post(url, body);
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { error: string; issues: string[] };
      expect(answer.error).toBe('malformed payload');
      expect(answer.issues.length).toBeGreaterThan(0);
    }
    expect(intake.calls).toEqual([]);
    expect(logs.join('')).not.toContain(SECRET_VALUE);
    expect(logs.join('')).not.toContain('DROP TABLE');
  });

  it('accepts events with fields HubSpot added later, and association events without objectId', async () => {
    const intake = memoryIntake();
    const { url } = await start({ intake });
    const body = JSON.stringify([
      event({ sourceId: 'userId:1', isSensitive: false, changeFlag: 'UPDATED' }),
      event({
        eventId: 510,
        subscriptionType: 'contact.associationChange',
        objectId: undefined,
        associationType: 'CONTACT_TO_COMPANY',
        fromObjectId: 1201,
        toObjectId: 88,
      }),
    ]);
    const response = await post(url, body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 2, duplicates: 0, queued: 1 });
    expect(intake.calls[0]?.[1]).toEqual({ key: `510:1201>88:${NOW - 2_000}`, contactIds: [] });
  });

  it('refuses a body over the limit with 413 before reading it', async () => {
    const intake = memoryIntake();
    const { url } = await start({ intake, maxBodyBytes: 2_048 });
    const big = JSON.stringify(Array.from({ length: 40 }, (_, index) => event({ eventId: index })));
    expect(big.length).toBeGreaterThan(2_048);
    const response = await post(url, big);
    expect(response.status).toBe(413);
    expect(intake.calls).toEqual([]);
  });

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const intake = memoryIntake();
    const { url } = await start({ intake, maxBodyBytes: 4_096 });
    const target = new URL(url);
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST' },
        (incoming) => {
          incoming.resume();
          resolve(incoming.statusCode ?? 0);
        },
      );
      outgoing.on('error', reject);
      // No Content-Length: the server finds out while reading.
      for (let index = 0; index < 10; index += 1) outgoing.write('x'.repeat(1_000));
      outgoing.end();
    });
    expect(status).toBe(413);
    expect(intake.calls).toEqual([]);
  });

  it('answers 405 to anything but POST', async () => {
    const { url } = await start({ intake: memoryIntake() });
    const response = await fetch(url);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('answers 503 when the intake fails or does not answer in time, so HubSpot retries', async () => {
    const failing = await start({ intake: { accept: () => Promise.reject(new Error('down')) } });
    expect((await post(failing.url, JSON.stringify([event()]))).status).toBe(503);
    const hanging = await start({
      intake: { accept: () => new Promise(() => undefined) },
      intakeTimeoutMs: 100,
    });
    const started = performance.now();
    expect((await post(hanging.url, JSON.stringify([event()]))).status).toBe(503);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('honours X-Forwarded-Proto/Host only when a proxy is trusted', async () => {
    const publicUrl = 'https://handoff.example.com/webhooks/hubspot';
    const forwarded = {
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'handoff.example.com',
    };
    const body = JSON.stringify([event()]);
    const trusted = await start({ intake: memoryIntake(), trustProxy: true });
    const viaProxy = await post(trusted.url, body, { signedUrl: publicUrl, headers: forwarded });
    expect(viaProxy.status).toBe(200);
    const untrusted = await start({ intake: memoryIntake(), trustProxy: false });
    const spoofed = await post(untrusted.url, body, { signedUrl: publicUrl, headers: forwarded });
    expect(spoofed.status).toBe(401);
    // Without the proxy, the URL is the one really called.
    expect((await post(untrusted.url, body)).status).toBe(200);
  });

  it('serves /healthz beside the webhook route on the same port', async () => {
    const { url } = await start({ intake: memoryIntake() });
    const health = await fetch(url.replace('/webhooks/hubspot', '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(url.replace('/webhooks/hubspot', '/webhooks/other'))).status).toBe(404);
  });
});

describe('webhooks without HUBSPOT_WEBHOOK_SECRET', () => {
  it('answer 503 and say that they are off', async () => {
    const server = await serve(webhooksOffRoute());
    const response = await fetch(`${server.url}/webhooks/hubspot`, {
      method: 'POST',
      body: JSON.stringify([event()]),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: 'webhooks are off: HUBSPOT_WEBHOOK_SECRET is not set',
    });
  });
});
