import type { IncomingHttpHeaders } from 'node:http';
import type { FaultDecision } from './fault-types.js';

/** Which emulated API a server, log entry or fault belongs to. */
export type SandboxSystem = 'hubspot' | 'salesforce';

/** A parsed request as route handlers see it. */
export interface SandboxRequest {
  readonly method: string;
  /** Path without query string and without a trailing slash. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON or form body; undefined when empty. */
  readonly body: unknown;
  readonly rawBody: string;
  /** What the fault injector decided for this call (absent on control routes). */
  readonly faults?: FaultDecision | undefined;
}

/** Counts a handler reports for the call log. */
export interface RecordCounts {
  readonly recordsIn?: number;
  readonly recordsOut?: number;
}

export interface SandboxResponse extends RecordCounts {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON unless it is a string; omitted for 204. */
  readonly body?: unknown;
}

export type RouteParams = Readonly<Record<string, string>>;

export interface Route {
  readonly method: string;
  /** `/crm/v3/objects/:objectType/search`; `:name` matches one path segment. */
  readonly path: string;
  /** Stable endpoint name for counters and faults, e.g. `contacts.search`. */
  readonly endpoint: string | ((params: RouteParams) => string);
  readonly handle: (
    request: SandboxRequest,
    params: RouteParams,
  ) => SandboxResponse | Promise<SandboxResponse>;
}

export interface CompiledRoute {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

export function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    return { route, pattern: new RegExp(`^${source}$`), names };
  });
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: RouteParams;
  readonly endpoint: string;
}

/** The route for `method path`, or the reason none matched (404 vs 405). */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): RouteMatch | 'not_found' | 'method_not_allowed' {
  let pathMatched = false;
  for (const { route, pattern, names } of routes) {
    const match = pattern.exec(path);
    if (match === null) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    const endpoint = typeof route.endpoint === 'string' ? route.endpoint : route.endpoint(params);
    return { route, params, endpoint };
  }
  return pathMatched ? 'method_not_allowed' : 'not_found';
}

/** JSON response helper. */
export function json(status: number, body: unknown, counts: RecordCounts = {}): SandboxResponse {
  return { status, body, ...counts };
}

/** Thrown by handlers for a response that ends the request early (validation, not found). */
export class SandboxHttpError extends Error {
  override readonly name = 'SandboxHttpError';
  constructor(readonly response: SandboxResponse) {
    super(`sandbox answered ${response.status}`);
  }
}

/**
 * The records of a batch that an injected partial failure hits: `fraction` of them, spread
 * evenly and the same on every run (record i fails when ⌊(i+1)·f⌋ > ⌊i·f⌋).
 */
export function failingIndexes(count: number, fraction: number): ReadonlySet<number> {
  const failing = new Set<number>();
  if (fraction <= 0) return failing;
  for (let index = 0; index < count; index += 1) {
    if (Math.floor((index + 1) * fraction) > Math.floor(index * fraction)) failing.add(index);
  }
  return failing;
}

/** Text of a JSON value for messages and keys; objects are shown as JSON, not `[object Object]`. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === undefined) return '';
  return JSON.stringify(value);
}
