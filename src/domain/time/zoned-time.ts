/**
 * Wall-clock ↔ instant conversion for IANA time zones, on top of the runtime's `Intl` time-zone
 * data (no tables of our own). Results are memoised: `formatToParts` costs microseconds and the
 * SLA calculation asks the same few questions (this hour's offset, this date's opening instant)
 * for many leads. The memos only cache answers of pure functions, so callers see plain functions.
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;
/** Bound on each memo; beyond it the memo starts over, which only costs recomputation. */
const MEMO_MAX_ENTRIES = 50_000;

/** A calendar date without a zone; `month` is 1–12. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** The wall-clock reading of an instant in a zone. */
export interface WallTime extends LocalDate {
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
  /** Milliseconds since local midnight. */
  readonly msOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Zone → UTC hour start → offset. */
const hourOffsets = new Map<string, Map<number, number>>();
/** Zone → (days since epoch × 1441 + minute of day) → instant. */
const wallInstants = new Map<string, Map<number, number>>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function memoFor(memos: Map<string, Map<number, number>>, timeZone: string): Map<number, number> {
  let memo = memos.get(timeZone);
  if (memo === undefined) {
    memo = new Map();
    memos.set(timeZone, memo);
  }
  return memo;
}

function remember(memo: Map<number, number>, key: number, value: number): number {
  if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
  memo.set(key, value);
  return value;
}

/** True when the runtime knows `name` as an IANA zone (`Europe/Berlin`, `UTC`, …). */
export function isValidTimeZone(name: string): boolean {
  // Offsets such as "+01:00" are accepted by newer ICU builds but are not IANA zones: they have
  // no daylight-saving rules, which is exactly what an owner's zone is needed for.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    formatterFor(name);
    return true;
  } catch (err) {
    if (err instanceof RangeError) return false;
    throw err;
  }
}

/** UTC offset of `timeZone` at `epochMs`, in ms (positive east of Greenwich), to the second. */
function computeOffsetMs(timeZone: string, epochMs: number): number {
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  // Some ICU versions print midnight as hour 24 even with h23.
  const hour = fields.hour === 24 ? 0 : fields.hour;
  const asUtc = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    hour,
    fields.minute,
    fields.second,
  );
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/**
 * UTC offset of `timeZone` at `epochMs`. Memoised per UTC hour when the offset is the same at
 * both ends of that hour (no zone changes offset twice within one hour).
 */
export function offsetMsAt(timeZone: string, epochMs: number): number {
  const hourStart = Math.floor(epochMs / MS_PER_HOUR) * MS_PER_HOUR;
  const memo = memoFor(hourOffsets, timeZone);
  const cached = memo.get(hourStart);
  if (cached !== undefined) return cached;
  const atStart = computeOffsetMs(timeZone, hourStart);
  const atEnd = computeOffsetMs(timeZone, hourStart + MS_PER_HOUR - 1000);
  if (atStart === atEnd) return remember(memo, hourStart, atStart);
  return computeOffsetMs(timeZone, epochMs);
}

/** The wall-clock reading of `epochMs` in `timeZone`. */
export function toWallTime(timeZone: string, epochMs: number): WallTime {
  const shifted = new Date(epochMs + offsetMsAt(timeZone, epochMs));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
    msOfDay:
      shifted.getUTCHours() * MS_PER_HOUR +
      shifted.getUTCMinutes() * MS_PER_MINUTE +
      shifted.getUTCSeconds() * 1000 +
      shifted.getUTCMilliseconds(),
  };
}

/**
 * The instant at which the clocks of `timeZone` show `minuteOfDay` on `date`. Disambiguates like
 * Temporal's `compatible` mode: a wall time skipped by a spring-forward gap resolves to the same
 * distance after the gap (02:30 → 03:30), a wall time repeated by a fall-back resolves to the
 * earlier of its two instants.
 */
export function wallTimeToEpochMs(timeZone: string, date: LocalDate, minuteOfDay: number): number {
  const midnightAsUtc = Date.UTC(date.year, date.month - 1, date.day);
  const key = (midnightAsUtc / MS_PER_DAY) * 1441 + minuteOfDay;
  const memo = memoFor(wallInstants, timeZone);
  const cached = memo.get(key);
  if (cached !== undefined) return cached;
  const wallAsUtc = midnightAsUtc + minuteOfDay * MS_PER_MINUTE;
  // Offsets a day either side bracket any transition near this wall time.
  const offsetBefore = offsetMsAt(timeZone, wallAsUtc - MS_PER_DAY);
  const offsetAfter = offsetMsAt(timeZone, wallAsUtc + MS_PER_DAY);
  const candidates = [wallAsUtc - offsetBefore, wallAsUtc - offsetAfter].filter(
    (instant) => instant + offsetMsAt(timeZone, instant) === wallAsUtc,
  );
  const instant = candidates.length > 0 ? Math.min(...candidates) : wallAsUtc - offsetBefore;
  return remember(memo, key, instant);
}

/** The calendar date `days` after `date` (negative goes back). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const next = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * MS_PER_DAY);
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** `YYYY-MM-DD`. */
export function formatLocalDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** Parses `YYYY-MM-DD` into a real calendar date, or null (rejects 2026-02-30). */
export function parseLocalDate(text: string): LocalDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return null;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return formatLocalDate(addDays(date, 0)) === text ? date : null;
}

/**
 * A person's own zone: the configured one (the admin's explicit word wins), else their Salesforce
 * zone when it is a valid IANA zone, else the definition's default.
 */
export function personalZone(
  configured: string | undefined,
  userZone: string | null | undefined,
  defaultZone: string,
): string {
  if (configured !== undefined) return configured;
  if (typeof userZone === 'string' && isValidTimeZone(userZone)) return userZone;
  return defaultZone;
}
