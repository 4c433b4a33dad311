import { readFileSync } from 'node:fs';
import nock from 'nock';

/**
 * One vendor answer as documented: status, headers and body, stored under
 * test/fixtures/vendor/<system>/<name>.json, its source cited in that folder's README.md.
 * `body` is the JSON the vendor sends, or a string for a non-JSON body (`""`: none).
 */
export interface VendorReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** A request nock intercepted: lower-cased header names, the body as sent. */
export interface InterceptedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: string;
}

export function vendorReply(system: 'hubspot' | 'salesforce', name: string): VendorReply {
  const url = new URL(`../fixtures/vendor/${system}/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as VendorReply;
}

/** The arguments for nock's `.reply(status, body, headers)`, the body serialised as sent. */
export function asReply(reply: VendorReply): [number, string, Record<string, string>] {
  const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  return [reply.status, body, { ...reply.headers }];
}

/** Every request the scope answers, in order (nock's `request` event). */
export function recordRequests(scope: nock.Scope): InterceptedRequest[] {
  const requests: InterceptedRequest[] = [];
  scope.on(
    'request',
    (
      req: { method: string; path: string; headers: Record<string, unknown> },
      _interceptor: unknown,
      body: string,
    ) => {
      requests.push({ method: req.method, path: req.path, headers: { ...req.headers }, body });
    },
  );
  return requests;
}

/**
 * Nothing leaves the process: only loopback may connect (vitest's own traffic), every vendor
 * host must be answered by an interceptor. Call in `beforeAll`; `releaseNetwork` in `afterAll`.
 */
export function isolateNetwork(): void {
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
}

/** Undoes `isolateNetwork`, so nothing of nock outlives the file. */
export function releaseNetwork(): void {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
}
