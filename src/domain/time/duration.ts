/**
 * Durations as the definition file writes them: `90m`, `4h`, `1d`, `2d4h`, `60s`. Units appear
 * largest first, each at most once. What a day means is the caller's business: the SLA counts
 * `d` as one business day, the poll interval as 24 hours.
 */
export interface Duration {
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

const DURATION_PATTERN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Parses a duration; null when the text is malformed or the duration is zero. */
export function parseDuration(text: string): Duration | null {
  const match = DURATION_PATTERN.exec(text.trim());
  if (match === null) return null;
  const [, days, hours, minutes, seconds] = match;
  const duration = {
    days: Number(days ?? 0),
    hours: Number(hours ?? 0),
    minutes: Number(minutes ?? 0),
    seconds: Number(seconds ?? 0),
  };
  const total = duration.days + duration.hours + duration.minutes + duration.seconds;
  return total > 0 ? duration : null;
}

/** Milliseconds of the hours, minutes and seconds part (days excluded). */
export function subDayMs(duration: Duration): number {
  return ((duration.hours * 60 + duration.minutes) * 60 + duration.seconds) * 1000;
}

/** Wall-clock milliseconds, a day being 24 hours (for intervals, not business time). */
export function durationToMs(duration: Duration): number {
  return duration.days * 86_400_000 + subDayMs(duration);
}
