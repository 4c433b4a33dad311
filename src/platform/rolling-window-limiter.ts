import { setTimeout as sleep } from 'node:timers/promises';

interface Slot {
  /** When the call's answer arrived (or it was given up on); null while it is in flight. */
  ended: number | null;
  readonly done: Promise<void>;
}

/**
 * How long a call may stay unanswered before the calls behind it stop waiting for it: a socket
 * that never answers must not hold every later call of the process.
 */
const MAX_IN_FLIGHT_MS = 30_000;

/**
 * At most `max` calls in any `windowMs` as the vendor counts them, for one process: callers go
 * in order, and a call starts only once the call `max` places before it has answered and
 * `windowMs` has passed since. The vendor counted that earlier call before it answered, and
 * counts this one after it is sent, so the two are always a full window apart in its count,
 * whatever the network and either side's event loop delayed: a rolling-window limit (HubSpot's
 * five searches per second) is never hit, and no margin for jitter is spent on every call.
 * `marginMs` covers only the vendor's clock granularity.
 */
export class RollingWindowLimiter {
  private readonly slots: Slot[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly marginMs = 0,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
    private readonly maxInFlightMs = MAX_IN_FLIGHT_MS,
  ) {}

  /** Runs `call` in its turn; its window is counted from when it settles. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    let settle = (): void => undefined;
    const slot: Slot = {
      ended: null,
      done: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    const turn = this.queue.then(async () => {
      const earlier =
        this.slots.length >= this.max ? this.slots[this.slots.length - this.max] : undefined;
      if (earlier !== undefined) {
        await this.settled(earlier);
        const waitMs = (earlier.ended ?? 0) + this.windowMs + this.marginMs - this.now();
        if (waitMs > 0) await this.wait(waitMs);
      }
      this.slots.push(slot);
      if (this.slots.length > this.max) this.slots.splice(0, this.slots.length - this.max);
    });
    // A turn only waits, but should one ever fail, the turns behind it must still run.
    this.queue = turn.catch(() => undefined);
    await turn;
    try {
      return await call();
    } finally {
      slot.ended ??= this.now();
      settle();
    }
  }

  /** Waits for `slot`'s call to settle, or counts it as ended once it has been in flight too long. */
  private async settled(slot: Slot): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const givenUp = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        slot.ended ??= this.now();
        resolve();
      }, this.maxInFlightMs);
    });
    try {
      await Promise.race([slot.done, givenUp]);
    } finally {
      clearTimeout(timer);
    }
  }
}
