import { describe, expect, it } from 'vitest';
import { businessCalendar, nextOpeningAt } from '../../../src/domain/time/business-calendar.js';

const WEEKDAYS = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const,
  start: '09:00',
  end: '17:00',
};

describe('nextOpeningAt', () => {
  const calendar = businessCalendar({ ...WEEKDAYS, days: [...WEEKDAYS.days] }, ['2026-12-25']);
  const at = (iso: string): number => Date.parse(iso);

  it('is the instant itself inside hours, and the next opening outside them', () => {
    expect(nextOpeningAt(calendar, 'Europe/Paris', at('2026-12-22T10:00:00Z'))).toBe(
      at('2026-12-22T10:00:00Z'),
    );
    // 17:30 in Paris on Tuesday → Wednesday 09:00 Paris (08:00 UTC).
    expect(nextOpeningAt(calendar, 'Europe/Paris', at('2026-12-22T16:30:00Z'))).toBe(
      at('2026-12-23T08:00:00Z'),
    );
  });

  it('skips holidays and weekends', () => {
    // Thursday 24 December after hours → Friday 25 is a holiday → Monday 28, 09:00 Paris.
    expect(nextOpeningAt(calendar, 'Europe/Paris', at('2026-12-24T17:00:00Z'))).toBe(
      at('2026-12-28T08:00:00Z'),
    );
  });

  it('is null for a calendar without a working day', () => {
    const never = {
      weekdays: new Set<number>(),
      holidays: new Set<string>(),
      openMinute: 540,
      closeMinute: 1020,
    };
    expect(nextOpeningAt(never, 'UTC', 0)).toBeNull();
  });

  it('refuses hours that end before they start', () => {
    expect(() => businessCalendar({ days: ['mon'], start: '18:00', end: '09:00' }, [])).toThrow(
      'invalid business hours 18:00–09:00',
    );
  });
});
