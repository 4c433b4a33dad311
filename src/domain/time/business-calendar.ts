import type { BusinessHours, Weekday } from '../definition.js';
import {
  addDays,
  formatLocalDate,
  toWallTime,
  wallTimeToEpochMs,
  weekdayOf,
  type LocalDate,
} from './zoned-time.js';

/** Opening hours on given weekdays, minus holidays: when an SLA clock runs and a rep works. */
export interface BusinessCalendar {
  readonly weekdays: ReadonlySet<number>;
  readonly holidays: ReadonlySet<string>;
  readonly openMinute: number;
  readonly closeMinute: number;
}

/** Ten years of calendar: an allowance that finds no business time in it is a broken calendar. */
export const MAX_CALENDAR_DAYS = 3_660;

const WEEKDAY_NUMBERS: Readonly<Record<Weekday, number>> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
};

/** `HH:MM` → minutes after midnight (`24:00` → 1440); null when malformed. */
export function parseClockTime(text: string): number | null {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (match === null) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 1440 ? minutes : null;
}

/** Definitions are immutable: each hours object is compiled once (per holiday list). */
const compiled = new WeakMap<BusinessHours, WeakMap<readonly string[], BusinessCalendar>>();

/** Throws only on hours the loader would have rejected. */
export function businessCalendar(
  hours: BusinessHours,
  holidays: readonly string[],
): BusinessCalendar {
  let byHolidays = compiled.get(hours);
  if (byHolidays === undefined) {
    byHolidays = new WeakMap();
    compiled.set(hours, byHolidays);
  }
  let calendar = byHolidays.get(holidays);
  if (calendar === undefined) {
    const openMinute = parseClockTime(hours.start);
    const closeMinute = parseClockTime(hours.end);
    if (openMinute === null || closeMinute === null || openMinute >= closeMinute) {
      throw new Error(`invalid business hours ${hours.start}–${hours.end}`);
    }
    calendar = {
      weekdays: new Set(hours.days.map((day) => WEEKDAY_NUMBERS[day])),
      holidays: new Set(holidays),
      openMinute,
      closeMinute,
    };
    byHolidays.set(holidays, calendar);
  }
  return calendar;
}

export function isBusinessDay(calendar: BusinessCalendar, date: LocalDate): boolean {
  return calendar.weekdays.has(weekdayOf(date)) && !calendar.holidays.has(formatLocalDate(date));
}

/**
 * The first instant at or after `atMs` when the calendar is open in `timeZone`: `atMs` itself
 * inside hours, else the next opening (local wall-clock, so it moves with daylight-saving time).
 * Null when no business day falls within ten years.
 */
export function nextOpeningAt(
  calendar: BusinessCalendar,
  timeZone: string,
  atMs: number,
): number | null {
  let date: LocalDate = toWallTime(timeZone, atMs);
  for (let day = 0; day < MAX_CALENDAR_DAYS; day += 1, date = addDays(date, 1)) {
    if (!isBusinessDay(calendar, date)) continue;
    const closeMs = wallTimeToEpochMs(timeZone, date, calendar.closeMinute);
    if (atMs >= closeMs) continue;
    return Math.max(atMs, wallTimeToEpochMs(timeZone, date, calendar.openMinute));
  }
  return null;
}
