import type { PoolMember, SlaDefinition } from '../definition.js';
import { businessCalendar, nextOpeningAt } from '../time/business-calendar.js';
import { personalZone, toWallTime } from '../time/zoned-time.js';

/** A pool member's working day as seen at one instant. */
export interface MemberHours {
  /** The routing instant when the member is at work, else their next start; null: never. */
  readonly opensAt: number | null;
  /** The member's local time at the instant (`Tue 02:13 Asia/Tokyo`), for explanations. */
  readonly localNow: string;
  /** When their working hours next start (`Tue 09:00 Asia/Tokyo`), or `never`. */
  readonly nextStart: string;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function localLabel(timeZone: string, epochMs: number): string {
  const wall = toWallTime(timeZone, epochMs);
  const minutes = Math.floor(wall.msOfDay / 60_000);
  const clock = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return `${WEEKDAYS[wall.weekday] ?? ''} ${clock} ${timeZone}`;
}

/**
 * The member's working hours (`working_hours`, else the SLA's business hours, less the SLA's
 * holidays) in their own zone: the member's configured `timezone`, else their Salesforce time
 * zone, else `sla.default_timezone`. A fixed `sla.timezone` does not apply: it sets whose clock
 * the deadline runs on, while working hours are about the rep's own morning.
 */
export function workingHoursOf(
  member: PoolMember,
  /** The user's Salesforce time zone, when known. */
  userZone: string | null | undefined,
  sla: SlaDefinition,
  at: Date,
): MemberHours {
  const zone = personalZone(member.timezone, userZone, sla.default_timezone);
  const calendar = businessCalendar(member.working_hours ?? sla.business_hours, sla.holidays);
  const opensAt = nextOpeningAt(calendar, zone, at.getTime());
  return {
    opensAt,
    localNow: localLabel(zone, at.getTime()),
    nextStart: opensAt === null ? 'never' : localLabel(zone, opensAt),
  };
}
