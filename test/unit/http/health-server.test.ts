import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startHealthServer,
  type HealthReport,
  type HealthServer,
} from '../../../src/http/health-server.js';

const servers: HealthServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(
  listen: { port: number; host?: string },
  check: () => Promise<HealthReport> = () => Promise.resolve({ ok: true, redis: 'up' }),
): Promise<HealthServer> {
  const server = await startHealthServer(listen, check);
  servers.push(server);
  return server;
}

describe('startHealthServer', () => {
  it('binds the host it is given and reports the address it really bound', async () => {
    const server = await start({ port: 0, host: '127.0.0.1' });
    expect(server.address.host).toBe('127.0.0.1');
    expect(server.address.family).toBe('IPv4');
    expect(server.address.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.address.port}`);
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, redis: 'up' });
  });

  it('binds loopback when no host is given, never every interface', async () => {
    const server = await start({ port: 0 });
    expect(server.address.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.address.port}`);
  });

  it('reports 0.0.0.0 as 0.0.0.0 when asked to bind every interface', async () => {
    const server = await start({ port: 0, host: '0.0.0.0' });
    expect(server.address.host).toBe('0.0.0.0');
    expect(server.url).toBe(`http://0.0.0.0:${server.address.port}`);
  });

  it('answers 503 when the check says not ok or fails, without the error text', async () => {
    const down = await start({ port: 0, host: '127.0.0.1' }, () =>
      Promise.resolve({ ok: false, redis: 'down' }),
    );
    const failing = await start({ port: 0, host: '127.0.0.1' }, () =>
      Promise.reject(new TypeError('redis://user:secret@cache:6379 refused')),
    );
    const notOk = await fetch(`${down.url}/healthz`);
    expect(notOk.status).toBe(503);
    expect(await notOk.json()).toEqual({ ok: false, redis: 'down' });
    const broken = await fetch(`${failing.url}/healthz`);
    expect(broken.status).toBe(503);
    const body = await broken.text();
    expect(JSON.parse(body)).toEqual({ ok: false, error: 'TypeError' });
    expect(body).not.toContain('secret');
  });

  it('answers 404 to anything but GET /healthz', async () => {
    const server = await start({ port: 0, host: '127.0.0.1' });
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.url}/healthz?probe=1`)).status).toBe(200);
  });

  it('rejects with the system error when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await expect(
        startHealthServer({ port, host: '127.0.0.1' }, () => Promise.resolve({ ok: true })),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
