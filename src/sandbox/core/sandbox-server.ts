import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CallLog } from './call-log.js';
import { FAULT_KINDS, type FaultRule, type FaultSpec } from './fault-types.js';
import { FaultInjector } from './faults.js';
import {
  compileRoutes,
  json,
  matchRoute,
  SandboxHttpError,
  type Route,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxSystem,
} from './sandbox-http.js';

/** Reserved path prefix of the control API (never an API path of either vendor). */
export const CONTROL_PREFIX = '/__sandbox';

/** The system-specific behaviour a sandbox server is built from. */
export interface SandboxApi {
  readonly system: SandboxSystem;
  readonly routes: readonly Route[];
  /** Control routes beyond calls and faults (paths relative to CONTROL_PREFIX). */
  readonly controlRoutes?: readonly Route[];
  /** Null when the request may proceed, else the vendor's 401 (or similar). */
  authenticate(request: SandboxRequest, endpoint: string): SandboxResponse | null;
  /** Vendor limits that answer before the handler (rate limits, daily allocations). */
  admit(request: SandboxRequest, endpoint: string): SandboxResponse | null;
  /** The vendor's answer to an injected fault. */
  renderFault(rule: FaultRule, request: SandboxRequest): SandboxResponse;
  /** Headers every answer carries (Content-Type, limit headers…). */
  responseHeaders(request: SandboxRequest, endpoint: string): Record<string, string>;
  notFound(request: SandboxRequest): SandboxResponse;
  malformedBody(request: SandboxRequest): SandboxResponse;
}

function parseBody(
  raw: string,
  contentType: string | undefined,
): { ok: true; value: unknown } | { ok: false } {
  if (raw === '') return { ok: true, value: undefined };
  if (contentType?.includes('application/x-www-form-urlencoded') === true) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(raw)) };
  }
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function countsOf(response: SandboxResponse): { recordsIn: number; recordsOut: number } {
  return { recordsIn: response.recordsIn ?? 0, recordsOut: response.recordsOut ?? 0 };
}

const FaultSpecKeys = new Set([
  'kind',
  'endpoint',
  'rate',
  'times',
  'afterCalls',
  'latencyMs',
  'status',
  'variant',
  'fraction',
  'code',
]);

function toFaultSpec(body: unknown): FaultSpec | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return 'expected a JSON object';
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !FaultSpecKeys.has(key));
  if (unknown.length > 0) return `unknown keys: ${unknown.join(', ')}`;
  if (
    typeof record['kind'] !== 'string' ||
    !FAULT_KINDS.includes(record['kind'] as FaultSpec['kind'])
  ) {
    return `kind must be one of ${FAULT_KINDS.join(', ')}`;
  }
  for (const key of ['rate', 'times', 'afterCalls', 'latencyMs', 'status', 'fraction']) {
    if (record[key] !== undefined && typeof record[key] !== 'number')
      return `${key} must be a number`;
  }
  for (const key of ['endpoint', 'variant', 'code']) {
    if (record[key] !== undefined && typeof record[key] !== 'string')
      return `${key} must be a string`;
  }
  return record as unknown as FaultSpec;
}

/**
 * One emulated API on a loopback port: routing, vendor auth and limits, fault injection, the
 * call log, and the control API under `/__sandbox` (`GET/DELETE calls`, `GET/POST/DELETE faults`,
 * plus the system's own control routes). Control calls are not API calls and are not logged.
 */
export class SandboxServer {
  readonly log = new CallLog();
  readonly faults: FaultInjector;
  private readonly server: Server;
  private readonly routes;
  private readonly controlRoutes;
  private url: string | null = null;

  constructor(
    private readonly api: SandboxApi,
    options: { faultSeed?: number | undefined; controlRoutes?: readonly Route[] | undefined } = {},
  ) {
    this.faults = new FaultInjector(api.system, options.faultSeed);
    this.routes = compileRoutes(api.routes);
    this.controlRoutes = compileRoutes([
      ...this.builtInControlRoutes(),
      ...(api.controlRoutes ?? []),
      ...(options.controlRoutes ?? []),
    ]);
    this.server = createServer((request, response) => {
      this.serve(request, response).catch((err: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { 'Content-Type': 'text/plain' });
          response.end(`sandbox failure: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  /** Listens on 127.0.0.1 (`port` 0 picks a free one) and returns the base URL. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  get baseUrl(): string {
    if (this.url === null) throw new Error('sandbox is not listening');
    return this.url;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private builtInControlRoutes(): Route[] {
    return [
      {
        method: 'GET',
        path: '/calls',
        endpoint: 'control',
        handle: (request) =>
          json(200, {
            summary: this.log.summary(),
            calls: this.log.list(Number(request.query.get('since') ?? 0)),
          }),
      },
      {
        method: 'GET',
        path: '/counts',
        endpoint: 'control',
        handle: () => json(200, this.log.summary()),
      },
      {
        method: 'DELETE',
        path: '/calls',
        endpoint: 'control',
        handle: () => {
          this.log.reset();
          return { status: 204 };
        },
      },
      {
        method: 'GET',
        path: '/faults',
        endpoint: 'control',
        handle: () => json(200, { faults: this.faults.list() }),
      },
      {
        method: 'POST',
        path: '/faults',
        endpoint: 'control',
        handle: (request) => {
          const spec = toFaultSpec(request.body);
          return typeof spec === 'string'
            ? json(400, { error: spec })
            : json(201, this.faults.add(spec));
        },
      },
      {
        method: 'DELETE',
        path: '/faults',
        endpoint: 'control',
        handle: () => {
          this.faults.clear();
          return { status: 204 };
        },
      },
      {
        method: 'DELETE',
        path: '/faults/:id',
        endpoint: 'control',
        handle: (_request, params) =>
          this.faults.remove(params['id'] ?? '')
            ? { status: 204 }
            : json(404, { error: 'no such fault' }),
      },
    ];
  }

  private async serve(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(incoming.url ?? '/', 'http://sandbox');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const raw = await readBody(incoming);
    const body = parseBody(raw, incoming.headers['content-type']);
    const base: SandboxRequest = {
      method: incoming.method ?? 'GET',
      path,
      query: url.searchParams,
      headers: incoming.headers,
      body: body.ok ? body.value : undefined,
      rawBody: raw,
    };

    if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
      const control = { ...base, path: path.slice(CONTROL_PREFIX.length) || '/' };
      const match = matchRoute(this.controlRoutes, control.method, control.path);
      const response =
        typeof match === 'string'
          ? json(404, { error: `no control route ${control.method} ${control.path}` })
          : await match.route.handle(control, match.params);
      this.write(outgoing, response, { 'Content-Type': 'application/json;charset=utf-8' });
      return;
    }

    const match = matchRoute(this.routes, base.method, path);
    const endpoint = typeof match === 'string' ? 'unknown' : match.endpoint;
    const record = (
      status: number,
      counts: { recordsIn: number; recordsOut: number },
      fault: string | null,
    ): void => {
      this.log.record({
        system: this.api.system,
        method: base.method,
        path,
        endpoint,
        status,
        ...counts,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        fault,
        headers: incoming.headers,
      });
    };
    const finish = (response: SandboxResponse, fault: string | null): void => {
      this.write(outgoing, response, this.api.responseHeaders(base, endpoint));
      record(response.status, countsOf(response), fault);
    };

    const denied = this.api.authenticate(base, endpoint);
    if (denied !== null) return finish(denied, null);
    const decision = this.faults.decide(endpoint);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.answer !== null) {
      if (decision.answer.kind === 'reset') {
        // Status 0 in the log: the client got no answer at all.
        record(0, { recordsIn: 0, recordsOut: 0 }, 'reset');
        incoming.socket.destroy();
        return;
      }
      return finish(this.api.renderFault(decision.answer, base), decision.answer.kind);
    }
    const limited = this.api.admit(base, endpoint);
    if (limited !== null) return finish(limited, null);
    if (!body.ok) return finish(this.api.malformedBody(base), null);
    if (typeof match === 'string') return finish(this.api.notFound(base), null);
    let response: SandboxResponse;
    try {
      response = await match.route.handle({ ...base, faults: decision }, match.params);
    } catch (err) {
      if (!(err instanceof SandboxHttpError)) throw err;
      response = err.response;
    }
    const injected =
      decision.partialBatch !== null ? 'partial_batch' : decision.lockRow ? 'lock_row' : null;
    finish(response, injected);
  }

  private write(
    outgoing: ServerResponse,
    response: SandboxResponse,
    headers: Record<string, string>,
  ): void {
    if (outgoing.destroyed) return;
    const merged = { ...headers, ...response.headers };
    if (response.status === 204 || response.body === undefined) {
      outgoing.writeHead(response.status, merged);
      outgoing.end();
      return;
    }
    const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    outgoing.writeHead(response.status, {
      ...merged,
      'Content-Length': String(Buffer.byteLength(text)),
    });
    outgoing.end(text);
  }
}
