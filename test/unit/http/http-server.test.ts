import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_SESSION_TTL_MS } from '../../../src/http/admin-session.js';
import {
  startHttpServer,
  type HttpServer,
  type HttpServerOptions,
  type ReadinessReport,
} from '../../../src/http/http-server.js';
import { LOGIN_MAX_FAILURES } from '../../../src/http/login-throttle.js';
import { createLogger } from '../../../src/platform/logger.js';

const TOKEN = 'admin-token-0123456789abcdef';
const NOW = Date.parse('2026-11-24T15:00:00Z');
const READY: ReadinessReport = {
  ready: true,
  checks: { redis: 'ok', workers: 'ok', queues: 'ok' },
};

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Started {
  server: HttpServer;
  url: string;
  logs: string[];
  clock: { now: number };
}

async function start(overrides: Partial<HttpServerOptions> = {}): Promise<Started> {
  const logs: string[] = [];
  const clock = { now: NOW };
  const server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    trustProxy: false,
    readiness: () => Promise.resolve(READY),
    webhook: (_request, response) => response.writeHead(204).end(),
    metricsPublic: false,
    adminToken: TOKEN,
    queues: [],
    status: () => Promise.resolve({ queues: { decisions: { waiting: 3 } } }),
    now: () => clock.now,
    log: createLogger({ level: 'debug', destination: { write: (line) => logs.push(line) } }),
    ...overrides,
  });
  servers.push(server);
  return { server, url: server.url, logs, clock };
}

const bearer = (token = TOKEN): Record<string, string> => ({ Authorization: `Bearer ${token}` });

/** Logs in through the form; returns the `name=value` cookie pair and the Set-Cookie line. */
async function login(
  url: string,
  token = TOKEN,
  headers: Record<string, string> = {},
): Promise<{ response: Response; cookie: string; setCookie: string }> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token, next: '/admin/status' }).toString(),
  });
  const setCookie = response.headers.getSetCookie()[0] ?? '';
  return { response, cookie: setCookie.split(';')[0] ?? '', setCookie };
}

describe('startHttpServer: binding and probes', () => {
  it('binds the host it is given and reports the address it really bound', async () => {
    const { server } = await start();
    expect(server.address).toMatchObject({ host: '127.0.0.1', family: 'IPv4' });
    expect(server.address.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${String(server.address.port)}`);
  });

  it('reports 0.0.0.0 as 0.0.0.0 when asked to bind every interface', async () => {
    const { server } = await start({ host: '0.0.0.0' });
    expect(server.address.host).toBe('0.0.0.0');
    expect(server.url).toBe(`http://0.0.0.0:${String(server.address.port)}`);
  });

  it('rejects with the system error when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await expect(start({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('answers /healthz with the status only, without any credentials', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/healthz?probe=1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 when ready and 503 naming the failed check when not', async () => {
    const ready = await start();
    const up = await fetch(`${ready.url}/readyz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ready', checks: READY.checks });
    const stuck = await start({
      readiness: () =>
        Promise.resolve({ ready: false, checks: { redis: 'ok', workers: 'ok', queues: 'stuck' } }),
    });
    const down = await fetch(`${stuck.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: 'not_ready',
      checks: { redis: 'ok', workers: 'ok', queues: 'stuck' },
    });
  });

  it('answers /readyz 503 without the error text when the check itself fails', async () => {
    const { url } = await start({
      readiness: () => Promise.reject(new TypeError('redis://user:secret@cache:6379 refused')),
    });
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ status: 'not_ready' });
    expect(body).not.toContain('secret');
  });

  it('answers 404 JSON to unknown paths and methods', async () => {
    const { url } = await start();
    const unknown = await fetch(`${url}/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not found' });
    expect((await fetch(`${url}/healthz`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${url}/webhooks/other`, { method: 'POST' })).status).toBe(404);
  });

  it('hands /webhooks/hubspot to the raw handler with the body unread, whatever its type', async () => {
    const received: { method: string; body: string; contentType: string | undefined }[] = [];
    const { url } = await start({
      webhook: (request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          received.push({
            method: request.method ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
            contentType: request.headers['content-type'],
          });
          response.writeHead(202).end();
        });
      },
    });
    const body = '[{"eventId": 1,   "objectId": 2}]';
    const json = await fetch(`${url}/webhooks/hubspot?x=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(json.status).toBe(202);
    const form = await fetch(`${url}/webhooks/hubspot`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=2',
    });
    expect(form.status).toBe(202);
    // Bytes as sent, spacing included: fastify parsed nothing.
    expect(received).toEqual([
      { method: 'POST', body, contentType: 'application/json' },
      { method: 'POST', body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    ]);
  });
});

describe('admin auth: bearer', () => {
  it('lets the right bearer token through, and refuses a wrong or missing one with 401', async () => {
    const { url } = await start();
    const ok = await fetch(`${url}/admin/status`, { headers: bearer() });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ queues: { decisions: { waiting: 3 } } });
    expect(ok.headers.get('x-frame-options')).toBe('DENY');
    const wrong = await fetch(`${url}/admin/status`, { headers: bearer(`${TOKEN}x`) });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
    expect(JSON.stringify(await wrong.json())).not.toContain(TOKEN);
    expect((await fetch(`${url}/admin/status`)).status).toBe(401);
    expect(
      (await fetch(`${url}/admin/status`, { headers: { Authorization: `Basic ${TOKEN}` } })).status,
    ).toBe(401);
  });

  it('redirects a browser to the login form, keeping where it was going', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/admin/status?x=1`, {
      redirect: 'manual',
      headers: { Accept: 'text/html,application/xhtml+xml' },
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      `/login?next=${encodeURIComponent('/admin/status?x=1')}`,
    );
  });

  it('answers 503 on every admin path and says how to turn them on when no token is set', async () => {
    const { url } = await start({ adminToken: undefined });
    for (const path of ['/admin/status', '/admin/queues', '/dashboard', '/dashboard/x', '/login']) {
      const response = await fetch(`${url}${path}`, { headers: bearer() });
      expect(response.status, path).toBe(503);
      expect(await response.json()).toEqual({
        error: expect.stringContaining('set HANDOFF_ADMIN_TOKEN') as string,
      });
    }
    const page = await fetch(`${url}/dashboard`, { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('the admin pages are off');
    expect((await fetch(`${url}/login`, { method: 'POST' })).status).toBe(503);
  });
});

describe('admin auth: login form and session cookie', () => {
  it('serves a login form without scripts', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/login?next=//evil.example/x`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('<form method="post" action="/login">');
    // A foreign `next` is never kept.
    expect(html).not.toContain('evil.example');
  });

  it('sets an HttpOnly, SameSite=Strict cookie that is not the token and authenticates', async () => {
    const { url } = await start();
    const { response, cookie, setCookie } = await login(url);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/status');
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/i);
    expect(setCookie).not.toContain(TOKEN);
    const ok = await fetch(`${url}/admin/status`, { headers: { Cookie: cookie } });
    expect(ok.status).toBe(200);
  });

  it('marks the cookie Secure over https, believing X-Forwarded-Proto only behind a trusted proxy', async () => {
    const proxied = await start({ trustProxy: true });
    const viaProxy = await login(proxied.url, TOKEN, { 'X-Forwarded-Proto': 'https' });
    expect(viaProxy.setCookie).toMatch(/; Secure/i);
    const direct = await start({ trustProxy: false });
    const spoofed = await login(direct.url, TOKEN, { 'X-Forwarded-Proto': 'https' });
    expect(spoofed.response.status).toBe(303);
    expect(spoofed.setCookie).not.toMatch(/Secure/i);
  });

  it('refuses a tampered cookie, an expired one, and every cookie after the token changes', async () => {
    const first = await start();
    const { cookie } = await login(first.url);
    const [name, value = ''] = cookie.split('=');
    const parts = value.split('.');
    // A later expiry with the old MAC.
    const tampered = `${name ?? ''}=${[parts[0], String(NOW + 10 * ADMIN_SESSION_TTL_MS), parts[2], parts[3]].join('.')}`;
    expect(
      (await fetch(`${first.url}/admin/status`, { headers: { Cookie: tampered } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${first.url}/admin/status`, { headers: { Cookie: `${cookie}x` } })).status,
    ).toBe(401);
    first.clock.now = NOW + ADMIN_SESSION_TTL_MS - 1;
    expect((await fetch(`${first.url}/admin/status`, { headers: { Cookie: cookie } })).status).toBe(
      200,
    );
    first.clock.now = NOW + ADMIN_SESSION_TTL_MS;
    const expired = await fetch(`${first.url}/admin/status`, { headers: { Cookie: cookie } });
    expect(expired.status).toBe(401);
    // The stale cookie is cleared.
    expect(expired.headers.getSetCookie()[0]).toMatch(/^handoff_admin=;/);

    // A second worker with the same token accepts it; one with a new token does not.
    const { cookie: fresh } = await login(first.url);
    const sameToken = await start();
    sameToken.clock.now = first.clock.now;
    expect(
      (await fetch(`${sameToken.url}/admin/status`, { headers: { Cookie: fresh } })).status,
    ).toBe(200);
    const rotated = await start({ adminToken: `${TOKEN}-rotated` });
    rotated.clock.now = first.clock.now;
    expect(
      (await fetch(`${rotated.url}/admin/status`, { headers: { Cookie: fresh } })).status,
    ).toBe(401);
  });

  it('refuses a wrong token without logging it, and limits failures per address', async () => {
    const { url, logs } = await start();
    const attempt = `${TOKEN.slice(0, -1)}X`;
    for (let count = 0; count < LOGIN_MAX_FAILURES; count += 1) {
      const wrong = await login(url, attempt);
      expect(wrong.response.status).toBe(401);
      expect(wrong.setCookie).toBe('');
    }
    // Even the right token waits for the window to end.
    const limited = await login(url);
    expect(limited.response.status).toBe(429);
    expect(Number(limited.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.setCookie).toBe('');
    const failures = logs.filter((line) => line.includes('admin login failed'));
    expect(failures).toHaveLength(LOGIN_MAX_FAILURES);
    expect(logs.join('\n')).not.toContain(attempt);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('logs out from its own pages only', async () => {
    const { url } = await start();
    const { cookie } = await login(url);
    const crossSite = await fetch(`${url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    const out = await fetch(`${url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: cookie, Origin: url },
    });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie()[0]).toMatch(/^handoff_admin=;.*Expires=Thu, 01 Jan 1970/);
  });
});

describe('admin plugins and CSRF', () => {
  /** A plugin with a page that embeds the CSRF token and an action that changes state. */
  async function withPlugin(): Promise<Started & { retried: string[] }> {
    const retried: string[] = [];
    const started = await start({
      adminPlugins: [
        (app, context) => {
          app.get('/dashboard', async (request, reply) => {
            await reply.send({ csrf: context.csrfToken(request) });
          });
          app.post<{ Body: { id: string } }>('/dashboard/retry', async (request, reply) => {
            retried.push(request.body.id);
            await reply.send({ ok: true });
          });
          return Promise.resolve();
        },
      ],
    });
    return { ...started, retried };
  }

  it('holds cookie mutations to the session CSRF token; bearer mutations need none', async () => {
    const { url, retried } = await withPlugin();
    const { cookie, response } = await login(url);
    const page = (await (
      await fetch(`${url}/dashboard`, { headers: { Cookie: cookie } })
    ).json()) as { csrf: string };
    expect(page.csrf).toMatch(/^[\w-]{43}$/);
    const post = (headers: Record<string, string>, id: string): Promise<Response> =>
      fetch(`${url}/dashboard/retry`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ id }),
      });
    expect((await post({ Cookie: cookie }, 'none')).status).toBe(403);
    expect((await post({ Cookie: cookie, 'x-csrf-token': `${page.csrf}x` }, 'wrong')).status).toBe(
      403,
    );
    // Another session's token is not this session's.
    const other = await login(url);
    const otherPage = (await (
      await fetch(`${url}/dashboard`, { headers: { Cookie: other.cookie } })
    ).json()) as { csrf: string };
    expect(otherPage.csrf).not.toBe(page.csrf);
    expect((await post({ Cookie: cookie, 'x-csrf-token': otherPage.csrf }, 'other')).status).toBe(
      403,
    );
    expect((await post({ Cookie: cookie, 'x-csrf-token': page.csrf }, 'right')).status).toBe(200);
    expect((await post(bearer(), 'bearer')).status).toBe(200);
    expect((await post({}, 'anonymous')).status).toBe(401);
    expect(retried).toEqual(['right', 'bearer']);
    // Logging in lands on the dashboard once it is plugged in.
    expect(response.headers.get('location')).toBe('/admin/status');
    const home = await fetch(`${url}/login`);
    expect(await home.text()).toContain('value="/dashboard"');
  });

  it('gives a bearer request an empty CSRF token', async () => {
    const { url } = await withPlugin();
    const page = await fetch(`${url}/dashboard`, { headers: bearer() });
    expect(await page.json()).toEqual({ csrf: '' });
  });
});

describe('/metrics', () => {
  const metrics = {
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    metrics: () => Promise.resolve('handoff_up 1\n'),
  };

  it('is public with METRICS_PUBLIC, even without an admin token', async () => {
    const { url } = await start({ metrics, metricsPublic: true, adminToken: undefined });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.contentType);
    expect(await response.text()).toBe('handoff_up 1\n');
  });

  it('needs the admin token otherwise', async () => {
    const { url } = await start({ metrics });
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const ok = await fetch(`${url}/metrics`, { headers: bearer() });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('handoff_up 1\n');
  });

  it('says it is off without a token or METRICS_PUBLIC, and 404 when this process has none', async () => {
    const noToken = await start({ metrics, adminToken: undefined });
    const off = await fetch(`${noToken.url}/metrics`);
    expect(off.status).toBe(503);
    expect(await off.json()).toEqual({
      error: expect.stringContaining('METRICS_PUBLIC=true') as string,
    });
    const none = await start({ metricsPublic: true });
    const missing = await fetch(`${none.url}/metrics`, { headers: bearer() });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'metrics are off in this process' });
  });
});
