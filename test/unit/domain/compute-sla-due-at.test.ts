import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SlaDefinition } from '../../../src/domain/definition.js';
import { computeSlaDueAt } from '../../../src/domain/sla/compute-sla-due-at.js';
import { parseClockTime } from '../../../src/domain/time/business-calendar.js';
import { makeDefinition } from '../../support/factories.js';

const sla: SlaDefinition = makeDefinition((file) => {
  file.sla.holidays = ['2026-12-25', '2027-01-01'];
  file.sla.first_touch = { A: '1h', B: '4h', C: '1d' };
}).sla;

function due(
  routedAt: string,
  allowance: string,
  timezone: string,
  policy: SlaDefinition = sla,
): string {
  const withAllowance = { ...policy, first_touch: { X: allowance } };
  return computeSlaDueAt({
    routedAt: new Date(routedAt),
    tier: 'X',
    sla: withAllowance,
    timezone,
  }).due.toISOString();
}

describe('computeSlaDueAt', () => {
  it.each([
    // daylight-saving weeks: the opening hour follows the local clock
    [
      'NY, Friday before spring-forward',
      'America/New_York',
      '2026-03-06T21:00:00Z',
      '4h',
      '2026-03-09T16:00:00.000Z',
    ],
    [
      'NY, Friday before fall-back',
      'America/New_York',
      '2026-10-30T20:00:00Z',
      '4h',
      '2026-11-02T17:00:00.000Z',
    ],
    [
      'Berlin, Friday before spring-forward',
      'Europe/Berlin',
      '2026-03-27T15:00:00Z',
      '4h',
      '2026-03-30T10:00:00.000Z',
    ],
    [
      'Berlin, Friday before fall-back',
      'Europe/Berlin',
      '2026-10-23T14:00:00Z',
      '4h',
      '2026-10-26T11:00:00.000Z',
    ],
    [
      'NY, Monday after spring-forward, before opening',
      'America/New_York',
      '2026-03-09T12:00:00Z',
      '1h',
      '2026-03-09T14:00:00.000Z',
    ],
    [
      'NY, on the spring-forward Sunday',
      'America/New_York',
      '2026-03-08T12:00:00Z',
      '1h',
      '2026-03-09T14:00:00.000Z',
    ],
    [
      'Berlin, on the fall-back Sunday, one day',
      'Europe/Berlin',
      '2026-10-25T10:00:00Z',
      '1d',
      '2026-10-26T16:00:00.000Z',
    ],
    [
      'NY, three days across a weekend and fall-back',
      'America/New_York',
      '2026-10-29T16:00:00Z',
      '3d',
      '2026-11-03T17:00:00.000Z',
    ],
    // Friday 16:59 arrivals
    [
      'NY, Friday 16:59, 1h',
      'America/New_York',
      '2026-11-20T21:59:00Z',
      '1h',
      '2026-11-23T14:59:00.000Z',
    ],
    [
      'NY, Friday 16:59, 1d',
      'America/New_York',
      '2026-11-20T21:59:00Z',
      '1d',
      '2026-11-23T21:59:00.000Z',
    ],
    [
      'NY, Friday 16:59, 4h',
      'America/New_York',
      '2026-11-20T21:59:00Z',
      '4h',
      '2026-11-23T17:59:00.000Z',
    ],
    // weekends and holidays
    [
      'NY, Saturday arrival',
      'America/New_York',
      '2026-11-21T15:00:00Z',
      '1h',
      '2026-11-23T15:00:00.000Z',
    ],
    [
      'NY, arrival on a holiday',
      'America/New_York',
      '2026-12-25T15:00:00Z',
      '1h',
      '2026-12-28T15:00:00.000Z',
    ],
    [
      'NY, the evening before a holiday',
      'America/New_York',
      '2026-12-24T21:30:00Z',
      '1h',
      '2026-12-28T14:30:00.000Z',
    ],
    [
      'NY, New Year holiday on a Friday',
      'America/New_York',
      '2026-12-31T21:00:00Z',
      '2h',
      '2027-01-04T15:00:00.000Z',
    ],
    // several days
    [
      'NY, 2d4h from Monday 10:00',
      'America/New_York',
      '2026-11-16T15:00:00Z',
      '2d4h',
      '2026-11-18T19:00:00.000Z',
    ],
    ['NY, 90m', 'America/New_York', '2026-11-16T15:00:00Z', '90m', '2026-11-16T16:30:00.000Z'],
    [
      'NY, 5d is one business week',
      'America/New_York',
      '2026-11-16T15:00:00Z',
      '5d',
      '2026-11-23T15:00:00.000Z',
    ],
    // half-hour offset
    [
      'Kolkata, before opening',
      'Asia/Kolkata',
      '2026-11-16T02:30:00Z',
      '90m',
      '2026-11-16T05:00:00.000Z',
    ],
    [
      'Kolkata, across the evening',
      'Asia/Kolkata',
      '2026-11-16T10:30:00Z',
      '2h',
      '2026-11-17T04:30:00.000Z',
    ],
    // edges of the business day
    [
      'NY, exactly at close',
      'America/New_York',
      '2026-11-16T22:00:00Z',
      '1h',
      '2026-11-17T15:00:00.000Z',
    ],
    [
      'NY, exactly at opening, 1d ends at close',
      'America/New_York',
      '2026-11-16T14:00:00Z',
      '1d',
      '2026-11-16T22:00:00.000Z',
    ],
    [
      'NY, allowance ending at close',
      'America/New_York',
      '2026-11-16T21:00:00Z',
      '1h',
      '2026-11-16T22:00:00.000Z',
    ],
    [
      'NY, keeps seconds and milliseconds',
      'America/New_York',
      '2026-11-16T15:00:01.250Z',
      '30s',
      '2026-11-16T15:00:31.250Z',
    ],
  ])('%s', (_label, timezone, routedAt, allowance, expected) => {
    expect(due(routedAt, allowance, timezone)).toBe(expected);
  });

  it('returns the zone and the allowance as written', () => {
    const result = computeSlaDueAt({
      routedAt: new Date('2026-11-16T15:00:00Z'),
      tier: 'B',
      sla,
      timezone: 'Europe/Berlin',
    });
    expect(result).toEqual({
      due: new Date('2026-11-17T11:00:00Z'),
      timezone: 'Europe/Berlin',
      allowance: '4h',
    });
  });

  it('counts business hours that end at 24:00 and include weekends', () => {
    const allWeek: SlaDefinition = {
      ...sla,
      business_hours: {
        days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
        start: '00:00',
        end: '24:00',
      },
      holidays: [],
    };
    expect(due('2026-11-21T15:00:00Z', '1d', 'UTC', allWeek)).toBe('2026-11-22T15:00:00.000Z');
  });

  it('throws on a tier without an allowance (the loader prevents it)', () => {
    expect(() =>
      computeSlaDueAt({ routedAt: new Date(), tier: 'Z', sla, timezone: 'UTC' }),
    ).toThrow(/tier Z/);
  });

  it('throws on business hours the loader would reject', () => {
    const broken: SlaDefinition = {
      ...sla,
      business_hours: { ...sla.business_hours, start: '18:00' },
    };
    expect(() =>
      computeSlaDueAt({ routedAt: new Date(), tier: 'A', sla: broken, timezone: 'UTC' }),
    ).toThrow(/business hours/);
  });

  it('throws when the calendar has no business time for ten years', () => {
    const days = Array.from({ length: 3_700 }, (_, index) =>
      new Date(Date.UTC(2026, 0, 1) + index * 86_400_000).toISOString().slice(0, 10),
    );
    const closed: SlaDefinition = { ...sla, holidays: days };
    expect(() =>
      computeSlaDueAt({
        routedAt: new Date('2026-01-01T00:00:00Z'),
        tier: 'A',
        sla: closed,
        timezone: 'UTC',
      }),
    ).toThrow(/no business time/);
  });

  describe('invariants', () => {
    const zones = [
      'America/New_York',
      'Europe/Berlin',
      'Asia/Kolkata',
      'Australia/Sydney',
      'America/Los_Angeles',
      'Asia/Tokyo',
    ];
    const formatters = new Map<string, Intl.DateTimeFormat>();
    const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
      const formatter =
        formatters.get(timeZone) ??
        new Intl.DateTimeFormat('en-US', {
          timeZone,
          hourCycle: 'h23',
          weekday: 'short',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
        });
      formatters.set(timeZone, formatter);
      return formatter;
    };
    const localParts = (
      instant: Date,
      timeZone: string,
    ): { date: string; weekday: string; minutes: number } => {
      const parts = Object.fromEntries(
        formatterFor(timeZone)
          .formatToParts(instant)
          .map((part) => [part.type, part.value]),
      );
      return {
        date: `${parts['year']}-${parts['month']}-${parts['day']}`,
        weekday: String(parts['weekday']).toLowerCase(),
        minutes:
          Number(parts['hour']) * 60 + Number(parts['minute']) + Number(parts['second']) / 60,
      };
    };
    const isBusinessMinute = (instant: Date, timeZone: string, endInclusive: boolean): boolean => {
      const local = localParts(instant, timeZone);
      const inHours =
        local.minutes >= 540 && (endInclusive ? local.minutes <= 1020 : local.minutes < 1020);
      return (
        inHours &&
        ['mon', 'tue', 'wed', 'thu', 'fri'].includes(local.weekday) &&
        !sla.holidays.includes(local.date)
      );
    };
    const routedAtArb = fc
      .integer({ min: Date.UTC(2026, 0, 1) / 60_000, max: Date.UTC(2027, 11, 31) / 60_000 })
      .map((minute) => new Date(minute * 60_000));
    const allowanceArb = fc
      .record({
        days: fc.integer({ min: 0, max: 2 }),
        hours: fc.integer({ min: 0, max: 7 }),
        minutes: fc.integer({ min: 0, max: 59 }),
      })
      .filter(({ days, hours, minutes }) => days + hours + minutes > 0)
      .map(({ days, hours, minutes }) => ({
        text: `${days > 0 ? `${days}d` : ''}${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}`,
        // business minutes with the 8-hour day of the calendar under test
        minutes: (days * 8 + hours) * 60 + minutes,
      }));

    it('is never before routedAt, falls inside business hours and is at least the allowance away', () => {
      fc.assert(
        fc.property(
          routedAtArb,
          allowanceArb,
          fc.constantFrom(...zones),
          (routedAt, allowance, timezone) => {
            const result = new Date(due(routedAt.toISOString(), allowance.text, timezone));
            expect(result.getTime()).toBeGreaterThanOrEqual(routedAt.getTime());
            expect(isBusinessMinute(result, timezone, true)).toBe(true);
            expect(result.getTime() - routedAt.getTime()).toBeGreaterThanOrEqual(
              allowance.minutes * 60_000,
            );
          },
        ),
        { numRuns: 300 },
      );
    });

    it('matches a minute-by-minute count of business time (an independent oracle)', () => {
      fc.assert(
        fc.property(
          routedAtArb,
          allowanceArb,
          fc.constantFrom(...zones),
          (routedAt, allowance, timezone) => {
            let remaining = allowance.minutes;
            let cursor = routedAt.getTime();
            while (remaining > 0) {
              if (isBusinessMinute(new Date(cursor), timezone, false)) remaining -= 1;
              cursor += 60_000;
            }
            expect(due(routedAt.toISOString(), allowance.text, timezone)).toBe(
              new Date(cursor).toISOString(),
            );
          },
        ),
        { numRuns: 40 },
      );
      // The oracle walks every minute of up to weeks of calendar time: slow by design, and on a
      // busy 2-core machine it has taken longer than the default 5 s.
    }, 30_000);
  });
});

describe('parseClockTime', () => {
  it.each([
    ['09:00', 540],
    ['00:00', 0],
    ['24:00', 1440],
    ['23:59', 1439],
    ['24:01', null],
    ['9:00', null],
    ['09:60', null],
    ['25:00', null],
  ])('%s → %s', (text, expected) => {
    expect(parseClockTime(text)).toBe(expected);
  });
});
