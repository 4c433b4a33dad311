import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What `/healthz` reports; `ok: false` answers 503 so orchestrators restart or hold traffic. */
export interface HealthReport {
  readonly ok: boolean;
  readonly [detail: string]: unknown;
}

export interface HealthServer {
  readonly url: string;
  close(): Promise<void>;
}

/** A minimal HTTP server: `GET /healthz` → the report as JSON; anything else → 404. */
export async function startHealthServer(
  port: number,
  check: () => Promise<HealthReport>,
  host = '0.0.0.0',
): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/healthz') {
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
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
