import { setTimeout as sleep } from 'node:timers/promises';

/**
 * HubSpot's lowest burst allowance for a private app (Free and Starter: 100 requests per rolling
 * 10 seconds; Professional and Enterprise: 190), used until an answer names the account's own.
 * https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
 */
const DEFAULT_MAX = 100;
const DEFAULT_WINDOW_MS = 10_000;
/**
 * The share of the allowance this process leaves unused: other Handoff workers on the same app,
 * and the jitter between our clock and HubSpot's count.
 */
const RESERVE = 0.05;
/** Past this much of the allowance spent (by anyone), a start waits a little more. */
const LOW_REMAINING = 0.02;
/** How long a start waits when the last answer said the allowance was nearly spent. */
const LOW_REMAINING_WAIT_MS = 1_000;

/** The `X-HubSpot-RateLimit-*` headers of one answer (names lower-cased). */
function allowance(headers: Readonly<Record<string, string>>): {
  max: number;
  windowMs: number;
  remaining: number;
} | null {
  const max = Number(headers['x-hubspot-ratelimit-max']);
  const windowMs = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
  const remaining = Number(headers['x-hubspot-ratelimit-remaining']);
  if (![max, windowMs, remaining].every(Number.isFinite) || max <= 0 || windowMs <= 0) return null;
  return { max, windowMs, remaining };
}

/**
 * Keeps this process's HubSpot calls (searches aside: they have a limit of their own) under the
 * account's rolling burst allowance, instead of drawing its 429 and the ten-second wait after it:
 * a backfill's batch reads and write-backs then run at the allowance, never stalled by it. The
 * allowance is what the answers say (`X-HubSpot-RateLimit-Max` per `…-Interval-Milliseconds`),
 * less a reserve; an answer saying nearly nothing remains (other workers on the same app) makes
 * the next starts wait a moment too.
 */
export class HubSpotBurstPacer {
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();
  private max = DEFAULT_MAX;
  private windowMs = DEFAULT_WINDOW_MS;
  private lowUntil = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  /** What one answer says about the allowance. */
  observe(headers: Readonly<Record<string, string>>): void {
    const seen = allowance(headers);
    if (seen === null) return;
    this.max = seen.max;
    this.windowMs = seen.windowMs;
    if (seen.remaining <= Math.floor(seen.max * LOW_REMAINING))
      this.lowUntil = this.now() + LOW_REMAINING_WAIT_MS;
  }

  /** Resolves when one more call fits; the call is counted from then. Callers go in order. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      const budget = Math.max(1, Math.floor(this.max * (1 - RESERVE)));
      const low = this.lowUntil - this.now();
      if (low > 0) await this.wait(low);
      if (this.starts.length >= budget) {
        const oldest = this.starts[this.starts.length - budget] ?? 0;
        const waitMs = oldest + this.windowMs - this.now();
        if (waitMs > 0) await this.wait(waitMs);
      }
      this.starts.push(this.now());
      // Only the newest `max` starts can matter, whatever the allowance becomes.
      if (this.starts.length > this.max) this.starts.splice(0, this.starts.length - this.max);
    });
    // A turn only waits, but should one ever fail, the turns behind it must still run.
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
