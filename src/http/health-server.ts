import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What `/healthz` reports; `ok: false` answers 503 so orchestrators restart or hold traffic. */
export interface HealthReport {
  readonly ok: boolean;
  readonly [detail: string]: unknown;
}

export interface HealthServer {
  /** Where the server really listens, from `server.address()`: `http://0.0.0.0:3000`. */
  readonly url: string;
  /** The bound address and port, as the operating system reports them. */
  readonly address: { readonly host: string; readonly port: number; readonly family: string };
  close(): Promise<void>;
}

/** `host:port` for a URL: IPv6 addresses go in brackets. */
function urlHost(address: AddressInfo): string {
  return address.family === 'IPv6' || address.address.includes(':')
    ? `[${address.address}]`
    : address.address;
}

/** More paths on the same server (`/webhooks/hubspot`), each handling every method itself. */
export type ExtraRoutes = Readonly<
  Record<string, (request: IncomingMessage, response: ServerResponse) => void>
>;

/**
 * A minimal HTTP server: `GET /healthz` → the report as JSON; the `routes` given; anything
 * else → 404. It binds `host`, loopback unless told otherwise (`HOST`; the Docker image sets
 * 0.0.0.0), and reports the address it actually bound, never an assumed one. One server and one
 * port for everything the worker serves.
 */
export async function startHealthServer(
  listen: {
    readonly port: number;
    readonly host?: string | undefined;
    readonly routes?: ExtraRoutes;
  },
  check: () => Promise<HealthReport>,
): Promise<HealthServer> {
  const { port, host = '127.0.0.1', routes = {} } = listen;
  const server: Server = createServer((request, response) => {
    const path = request.url?.split('?')[0] ?? '';
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route !== undefined) {
      route(request, response);
      return;
    }
    if (request.method !== 'GET' || path !== '/healthz') {
      response.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    check().then(
      (report) =>
        response
          .writeHead(report.ok ? 200 : 503, { 'Content-Type': 'application/json' })
          .end(JSON.stringify(report)),
      (err: unknown) =>
        response
          .writeHead(503, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ ok: false, error: err instanceof Error ? err.name : 'error' })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    url: `http://${urlHost(bound)}:${bound.port}`,
    address: { host: bound.address, port: bound.port, family: bound.family },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
