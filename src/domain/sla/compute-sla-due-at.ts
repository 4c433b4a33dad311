import { ownValue, type SlaDefinition, type Weekday } from '../definition.js';
import { parseDuration, subDayMs } from '../time/duration.js';
import {
  addDays,
  formatLocalDate,
  toWallTime,
  wallTimeToEpochMs,
  weekdayOf,
  type LocalDate,
} from '../time/zoned-time.js';

export interface ComputeSlaDueAtInput {
  /** When the lead was routed; the clock starts here, or at the next opening. */
  readonly routedAt: Date;
  readonly tier: string;
  readonly sla: SlaDefinition;
  /** IANA zone of the owner (already resolved, see `resolveOwnerTimezone`). */
  readonly timezone: string;
}

export interface SlaDue {
  readonly due: Date;
  readonly timezone: string;
  /** The tier's allowance as written in the definition, e.g. `4h`. */
  readonly allowance: string;
}

/** Ten years of calendar: an allowance that finds no business time in it is a broken calendar. */
const MAX_CALENDAR_DAYS = 3_660;
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

interface Calendar {
  readonly weekdays: ReadonlySet<number>;
  readonly holidays: ReadonlySet<string>;
  readonly openMinute: number;
  readonly closeMinute: number;
}

const calendars = new WeakMap<SlaDefinition, Calendar>();

function calendarOf(sla: SlaDefinition): Calendar {
  let calendar = calendars.get(sla);
  if (calendar === undefined) {
    const openMinute = parseClockTime(sla.business_hours.start);
    const closeMinute = parseClockTime(sla.business_hours.end);
    if (openMinute === null || closeMinute === null || openMinute >= closeMinute) {
      throw new Error(
        `invalid business hours ${sla.business_hours.start}–${sla.business_hours.end}`,
      );
    }
    calendar = {
      weekdays: new Set(sla.business_hours.days.map((day) => WEEKDAY_NUMBERS[day])),
      holidays: new Set(sla.holidays),
      openMinute,
      closeMinute,
    };
    calendars.set(sla, calendar);
  }
  return calendar;
}

function isBusinessDay(calendar: Calendar, date: LocalDate): boolean {
  return calendar.weekdays.has(weekdayOf(date)) && !calendar.holidays.has(formatLocalDate(date));
}

/**
 * The first-touch deadline: the tier's allowance counted in business time in `timezone`.
 *
 * Business hours and holidays are local wall-clock times, so the opening instant moves with
 * daylight-saving time. A lead routed outside business hours starts its clock at the next
 * opening. `1d` is one full business day (close − open), so `1d` from Friday 16:59 ends Monday
 * 16:59; `2d4h` is two business days plus four business hours. The due instant is exact to the
 * millisecond and, when the allowance ends exactly at a closing time, is that closing time.
 * Throws only on a definition the loader would have rejected (unknown tier, bad hours).
 */
export function computeSlaDueAt(input: ComputeSlaDueAtInput): SlaDue {
  const { routedAt, tier, sla, timezone } = input;
  const allowance = ownValue(sla.first_touch, tier);
  const duration = allowance === undefined ? null : parseDuration(allowance);
  if (allowance === undefined || duration === null) {
    throw new Error(`no valid first_touch allowance for tier ${tier}`);
  }
  const calendar = calendarOf(sla);
  const businessDayMs = (calendar.closeMinute - calendar.openMinute) * 60_000;
  let remainingMs = duration.days * businessDayMs + subDayMs(duration);
  const startMs = routedAt.getTime();
  let date: LocalDate = toWallTime(timezone, startMs);

  for (let day = 0; day < MAX_CALENDAR_DAYS; day += 1, date = addDays(date, 1)) {
    if (!isBusinessDay(calendar, date)) continue;
    const openMs = wallTimeToEpochMs(timezone, date, calendar.openMinute);
    const closeMs = wallTimeToEpochMs(timezone, date, calendar.closeMinute);
    if (startMs >= closeMs) continue;
    const fromMs = Math.max(startMs, openMs);
    const availableMs = closeMs - fromMs;
    if (remainingMs <= availableMs) {
      return { due: new Date(fromMs + remainingMs), timezone, allowance };
    }
    remainingMs -= availableMs;
  }
  throw new Error(`no business time within ${MAX_CALENDAR_DAYS} days of ${routedAt.toISOString()}`);
}
