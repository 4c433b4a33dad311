import type { Connection } from 'jsforce';
import { parseSalesforceLimitInfo } from '../../platform/api-budget.js';

/**
 * What every Salesforce REST answer tells for free: the server's clock (`Date`) and the org's API
 * usage (`Sforce-Limit-Info: api-usage=used/max`). Read from the answers a process gets anyway,
 * they spare the start-up checks a `/limits` call and a clock call of their own.
 */
interface Seen {
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

/** What recent answers said; null for what none within the age asked for said. */
export interface ResponseSignals {
  /** The server's clock now: the newest `Date` header moved on by its age (both to the second). */
  readonly serverTime: Date | null;
  readonly usage: { readonly used: number; readonly max: number } | null;
}

const seen = new WeakMap<Connection, Seen>();

/** Keeps what `headers` (lower-cased names) say about the clock and the org's usage. */
export function recordResponseSignals(
  connection: Connection,
  headers: Readonly<Record<string, string>>,
  now: () => number,
): void {
  const before = seen.get(connection);
  const receivedMs = now();
  const serverMs = Date.parse(headers['date'] ?? '');
  const usage = parseSalesforceLimitInfo(headers['sforce-limit-info']);
  seen.set(connection, {
    clock: Number.isNaN(serverMs) ? (before?.clock ?? null) : { serverMs, receivedMs },
    usage: usage === null ? (before?.usage ?? null) : { ...usage, receivedMs },
    now,
  });
}

/** The signals the connection's answers carried at most `maxAgeMs` ago. */
export function responseSignals(connection: Connection, maxAgeMs: number): ResponseSignals {
  const signals = seen.get(connection);
  if (signals === undefined) return { serverTime: null, usage: null };
  const now = signals.now();
  const fresh = (receivedMs: number): boolean =>
    now - receivedMs >= 0 && now - receivedMs <= maxAgeMs;
  const { clock, usage } = signals;
  return {
    serverTime:
      clock !== null && fresh(clock.receivedMs)
        ? new Date(clock.serverMs + (now - clock.receivedMs))
        : null,
    usage: usage !== null && fresh(usage.receivedMs) ? { used: usage.used, max: usage.max } : null,
  };
}
