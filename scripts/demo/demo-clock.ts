/**
 * The live demo's clock: simulated time runs `speed` times faster than real time from `start`.
 * The sandboxes and both workers read it (their `now`), so a lead's due date, a rep's call and the
 * SLA watch agree on what time it is; BullMQ's own timers (poll schedules, lock renewals) keep
 * real time, which is why the demo's definition polls every few real seconds.
 */
export interface DemoClock {
  readonly now: () => Date;
  /** Starts simulated time (it stands at `start` until then: seeding and start-up take a while). */
  readonly run: () => void;
  /** Stops simulated time where it is (the day is over; the workers stay up). */
  readonly freeze: () => void;
}

export function fastClock(
  start: Date,
  speed: number,
  realMs: () => number = () => performance.now(),
): DemoClock {
  let origin: number | null = null;
  let frozenAt: number | null = null;
  const simulated = (): number =>
    origin === null ? start.getTime() : start.getTime() + (realMs() - origin) * speed;
  return {
    now: () => new Date(frozenAt ?? simulated()),
    run: () => {
      origin ??= realMs();
    },
    freeze: () => {
      frozenAt ??= simulated();
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * Noon UTC of the first weekday after `today` that the definition does not list as a holiday:
 * 07:00 in New York, when the reps' business day is about to start.
 */
export function demoDayStart(today: Date, holidays: readonly string[]): Date {
  let day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) + DAY_MS;
  for (;;) {
    const date = new Date(day);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.includes(date.toISOString().slice(0, 10)))
      return new Date(day + 12 * 3_600_000);
    day += DAY_MS;
  }
}
