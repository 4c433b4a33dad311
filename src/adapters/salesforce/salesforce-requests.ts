import type { Connection } from 'jsforce';
import { retryInPlace } from '../../platform/retry-in-place.js';
import { classifySalesforceError } from './salesforce.errors.js';

/**
 * jsforce retries GET, PUT and DELETE up to five times on 429/5xx and socket errors, out of
 * sight and uncounted (its `request.js`). Turned off here, so that every request is counted and
 * one retry policy (ours, with a per-job budget) covers reads and writes alike.
 */
const NO_JSFORCE_RETRY = { retry: { maxRetries: 0 } } as const;

/**
 * Routes every request of `connection` (queries, sObject Collections, identity) through one
 * place: each attempt is counted with `onRequest`, and a transient failure is retried in place.
 * Every request Handoff sends to Salesforce is idempotent (queries, updates, upserts on an
 * external id), so any transient failure may be retried. Returns the same connection.
 */
export function instrumentRequests(connection: Connection, onRequest: () => void): Connection {
  const request = connection.request.bind(connection);
  const instrumented = (...args: Parameters<typeof request>) =>
    retryInPlace(
      () => {
        onRequest();
        const [target, options] = args;
        const merged: Record<string, unknown> = { ...(options ?? {}), ...NO_JSFORCE_RETRY };
        return request(target, merged);
      },
      { idempotent: true, classify: classifySalesforceError },
    );
  // jsforce awaits `request` everywhere Handoff reaches it (query, sobject, identity), so a plain
  // promise serves where it returned a StreamPromise.
  connection.request = instrumented as unknown as typeof connection.request;
  return connection;
}
