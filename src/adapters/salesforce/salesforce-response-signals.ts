import type { Connection } from 'jsforce';
import { parseSalesforceLimitInfo } from '../../platform/api-budget.js';

/**
 * What every Salesforce REST answer tells for free: the server's clock (`Date`) and the org's API
 * usage (`Sforce-Limit-Info: api-usage=used/max`). Read from the answers a process gets anyway,
 * they spare the start-up checks a `/limits` call and a clock call of their own.
 */
export interface ResponseSignals {
  /** The newest `Date` header and this process's clock when it arrived (ms since epoch). */
  readonly clock: { readonly serverMs: number; readonly receivedMs: number } | null;
  /** The newest `api-usage`, and when it arrived. */
  readonly usage: {
    readonly used: number;
    readonly max: number;
    readonly receivedMs: number;
  } | null;
  /** The clock the arrivals were stamped with: their age is measured on it. */
  readonly now: () => number;
}

const seen = new WeakMap<Connection, ResponseSignals>();

/** Keeps what `headers` (lower-cased names) say about the clock and the org's usage. */
export function recordResponseSignals(
  connection: Connection,
  headers: Readonly<Record<string, string>>,
  now: () => number,
): void {
  const before = seen.get(connection) ?? { clock: null, usage: null };
  const receivedMs = now();
  const serverMs = Date.parse(headers['date'] ?? '');
  const usage = parseSalesforceLimitInfo(headers['sforce-limit-info']);
  seen.set(connection, {
    clock: Number.isNaN(serverMs) ? before.clock : { serverMs, receivedMs },
    usage: usage === null ? before.usage : { ...usage, receivedMs },
    now,
  });
}

/** The newest signals the connection's answers carried; nulls before any answer did. */
export function responseSignals(connection: Connection): ResponseSignals {
  return seen.get(connection) ?? { clock: null, usage: null, now: Date.now };
}
