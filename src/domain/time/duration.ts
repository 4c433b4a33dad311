import { MS_PER_DAY } from './zoned-time.js';

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

/** Longest duration a definition may write, a day counted as 24 hours: one year. */
export const MAX_DURATION_DAYS = 365;

/** Why a text is not a usable duration. */
export type DurationProblem = 'malformed' | 'zero' | 'too_long';

/** Reads a duration, or says why it is none (malformed, zero, longer than `MAX_DURATION_DAYS`). */
export function readDuration(text: string): Duration | DurationProblem {
  const match = DURATION_PATTERN.exec(text.trim());
  if (match === null) return 'malformed';
  const [, days, hours, minutes, seconds] = match;
  const duration = {
    days: Number(days ?? 0),
    hours: Number(hours ?? 0),
    minutes: Number(minutes ?? 0),
    seconds: Number(seconds ?? 0),
  };
  const ms = durationToMs(duration);
  if (ms === 0) return 'zero';
  return ms > MAX_DURATION_DAYS * MS_PER_DAY ? 'too_long' : duration;
}

/** Parses a duration; null when the text is malformed, the duration zero or over a year. */
export function parseDuration(text: string): Duration | null {
  const duration = readDuration(text);
  return typeof duration === 'string' ? null : duration;
}

/** Milliseconds of the hours, minutes and seconds part (days excluded). */
export function subDayMs(duration: Duration): number {
  return ((duration.hours * 60 + duration.minutes) * 60 + duration.seconds) * 1000;
}

/** Wall-clock milliseconds, a day being 24 hours (for intervals, not business time). */
export function durationToMs(duration: Duration): number {
  return duration.days * MS_PER_DAY + subDayMs(duration);
}
