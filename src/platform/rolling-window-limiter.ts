import { setTimeout as sleep } from 'node:timers/promises';

/**
 * At most `max` starts in any `windowMs`, for one process: callers queue in order, and each
 * waits only as long as the oldest of the last `max` starts needs to leave the window. For a
 * vendor limit counted on a rolling window (HubSpot's five searches per second), staying under
 * it costs less than a 429 and the retry after it. `marginMs` absorbs the clock and network
 * jitter between here and the vendor's count.
 */
export class RollingWindowLimiter {
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly marginMs = 0,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  /** Resolves when one more start fits; the start is counted from then. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      if (this.starts.length >= this.max) {
        const oldest = this.starts[this.starts.length - this.max] ?? 0;
        const waitMs = oldest + this.windowMs + this.marginMs - this.now();
        if (waitMs > 0) await this.wait(waitMs);
      }
      this.starts.push(this.now());
      if (this.starts.length > this.max) this.starts.splice(0, this.starts.length - this.max);
    });
    this.queue = turn;
    return turn;
  }
}
