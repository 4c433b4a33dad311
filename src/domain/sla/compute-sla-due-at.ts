import { ownValue, type SlaDefinition } from '../definition.js';
import { businessCalendar, isBusinessDay, MAX_CALENDAR_DAYS } from '../time/business-calendar.js';
import { parseDuration, subDayMs } from '../time/duration.js';
import { addDays, toWallTime, wallTimeToEpochMs, type LocalDate } from '../time/zoned-time.js';

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
  const calendar = businessCalendar(sla.business_hours, sla.holidays);
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
