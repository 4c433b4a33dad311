/**
 * Failed logins per client address, so the admin token cannot be guessed at network speed. In
 * memory and per process: enough to turn a brute force into years, without a Redis round trip on
 * the login path. Time is a parameter, as everywhere else.
 */

/** Failures allowed per address within one window before the form refuses to check tokens. */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** Addresses remembered at most: a flood of spoofed ones cannot grow the map without bound. */
const MAX_TRACKED_ADDRESSES = 10_000;

interface Failures {
  count: number;
  windowStartedAt: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  /** Ms until `address` may try again; 0 when it may try now. */
  retryAfterMs(address: string, now: number): number {
    const entry = this.failures.get(address);
    if (entry === undefined) return 0;
    const endsAt = entry.windowStartedAt + LOGIN_WINDOW_MS;
    if (now >= endsAt) {
      this.failures.delete(address);
      return 0;
    }
    return entry.count >= LOGIN_MAX_FAILURES ? endsAt - now : 0;
  }

  recordFailure(address: string, now: number): void {
    const entry = this.failures.get(address);
    if (entry !== undefined && now < entry.windowStartedAt + LOGIN_WINDOW_MS) {
      entry.count += 1;
      return;
    }
    this.failures.delete(address);
    if (this.failures.size >= MAX_TRACKED_ADDRESSES) {
      // Maps iterate in insertion order: the first key is the oldest window.
      const oldest = this.failures.keys().next();
      if (oldest.done !== true) this.failures.delete(oldest.value);
    }
    this.failures.set(address, { count: 1, windowStartedAt: now });
  }

  recordSuccess(address: string): void {
    this.failures.delete(address);
  }
}
