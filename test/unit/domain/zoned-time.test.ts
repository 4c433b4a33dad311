import { describe, expect, it } from 'vitest';
import {
  addDays,
  isValidTimeZone,
  offsetMsAt,
  parseLocalDate,
  toWallTime,
  wallTimeToEpochMs,
} from '../../../src/domain/time/zoned-time.js';
import { durationToMs, parseDuration } from '../../../src/domain/time/duration.js';

const HOUR = 3_600_000;

describe('wallTimeToEpochMs', () => {
  it.each([
    [
      'an ordinary winter time',
      'America/New_York',
      { year: 2026, month: 1, day: 15 },
      9 * 60,
      '2026-01-15T14:00:00.000Z',
    ],
    [
      'an ordinary summer time',
      'Europe/Berlin',
      { year: 2026, month: 7, day: 1 },
      9 * 60,
      '2026-07-01T07:00:00.000Z',
    ],
    [
      'a half-hour zone',
      'Asia/Kolkata',
      { year: 2026, month: 11, day: 16 },
      9 * 60,
      '2026-11-16T03:30:00.000Z',
    ],
    [
      'a time skipped by spring-forward moves past the gap',
      'America/New_York',
      { year: 2026, month: 3, day: 8 },
      150,
      '2026-03-08T07:30:00.000Z',
    ],
    [
      'a time repeated by fall-back takes the earlier instant',
      'America/New_York',
      { year: 2026, month: 11, day: 1 },
      90,
      '2026-11-01T05:30:00.000Z',
    ],
    [
      'Berlin spring-forward gap',
      'Europe/Berlin',
      { year: 2026, month: 3, day: 29 },
      150,
      '2026-03-29T01:30:00.000Z',
    ],
    [
      '24:00 is the next midnight',
      'UTC',
      { year: 2026, month: 12, day: 31 },
      1440,
      '2027-01-01T00:00:00.000Z',
    ],
  ])('%s', (_label, zone, date, minute, expected) => {
    expect(new Date(wallTimeToEpochMs(zone, date, minute)).toISOString()).toBe(expected);
  });
});

describe('toWallTime and offsetMsAt', () => {
  it('reads the local date, weekday and time of an instant', () => {
    expect(toWallTime('America/New_York', Date.parse('2026-11-21T04:30:15.5Z'))).toEqual({
      year: 2026,
      month: 11,
      day: 20,
      weekday: 5,
      msOfDay: (23 * 60 + 30) * 60_000 + 15_500,
    });
  });

  it('handles the hour in which the offset changes, to the second', () => {
    const transition = Date.parse('2026-03-08T07:00:00Z');
    expect(offsetMsAt('America/New_York', transition - 1000)).toBe(-5 * HOUR);
    expect(offsetMsAt('America/New_York', transition)).toBe(-4 * HOUR);
    expect(offsetMsAt('America/St_Johns', Date.parse('2026-03-08T05:29:00Z'))).toBe(-3.5 * HOUR);
    expect(offsetMsAt('America/St_Johns', Date.parse('2026-03-08T05:31:00Z'))).toBe(-2.5 * HOUR);
  });

  it('handles instants before 1970', () => {
    expect(offsetMsAt('UTC', Date.parse('1969-07-20T20:17:40.5Z'))).toBe(0);
  });
});

describe('isValidTimeZone', () => {
  it.each([
    ['America/New_York', true],
    ['Europe/Berlin', true],
    ['Asia/Kolkata', true],
    ['UTC', true],
    ['Etc/GMT+5', true],
    ['America/Chicgo', false],
    ['Mars/Olympus_Mons', false],
    ['+01:00', false],
    ['', false],
    ['EST5EDT; rm -rf', false],
  ])('%s → %s', (zone, expected) => {
    expect(isValidTimeZone(zone)).toBe(expected);
  });
});

describe('local dates', () => {
  it('parses real dates only', () => {
    expect(parseLocalDate('2026-12-25')).toEqual({ year: 2026, month: 12, day: 25 });
    expect(parseLocalDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    expect(parseLocalDate('2026-02-29')).toBeNull();
    expect(parseLocalDate('2026-13-01')).toBeNull();
    expect(parseLocalDate('25.12.2026')).toBeNull();
  });

  it('adds days across month and year ends', () => {
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({
      year: 2027,
      month: 1,
      day: 1,
    });
    expect(addDays({ year: 2026, month: 3, day: 1 }, -1)).toEqual({
      year: 2026,
      month: 2,
      day: 28,
    });
  });
});

describe('parseDuration', () => {
  it.each([
    ['90m', { days: 0, hours: 0, minutes: 90, seconds: 0 }],
    ['4h', { days: 0, hours: 4, minutes: 0, seconds: 0 }],
    ['1d', { days: 1, hours: 0, minutes: 0, seconds: 0 }],
    ['2d4h', { days: 2, hours: 4, minutes: 0, seconds: 0 }],
    ['1d2h30m', { days: 1, hours: 2, minutes: 30, seconds: 0 }],
    ['60s', { days: 0, hours: 0, minutes: 0, seconds: 60 }],
    [' 4h ', { days: 0, hours: 4, minutes: 0, seconds: 0 }],
  ])('%s is valid', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each(['', '0m', '0d0h', '4', 'h4', '4h2d', '1.5h', '4 h', '-1h', '1w', '4hours', '1d1d'])(
    '%j is malformed',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );

  it('converts to wall-clock milliseconds with 24-hour days', () => {
    expect(durationToMs({ days: 1, hours: 1, minutes: 1, seconds: 1 })).toBe(90_061_000);
  });
});
