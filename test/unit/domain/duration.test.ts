import { describe, expect, it } from 'vitest';
import {
  durationToMs,
  MAX_DURATION_DAYS,
  parseDuration,
  readDuration,
} from '../../../src/domain/time/duration.js';

describe('readDuration', () => {
  it.each<[string, ReturnType<typeof readDuration>]>([
    ['90m', { days: 0, hours: 0, minutes: 90, seconds: 0 }],
    ['2d4h', { days: 2, hours: 4, minutes: 0, seconds: 0 }],
    [' 60s ', { days: 0, hours: 0, minutes: 0, seconds: 60 }],
    [`${MAX_DURATION_DAYS}d`, { days: 365, hours: 0, minutes: 0, seconds: 0 }],
    ['8760h', { days: 0, hours: 8760, minutes: 0, seconds: 0 }],
    ['8761h', 'too_long'],
    ['366d', 'too_long'],
    ['99999999999999d', 'too_long'],
    [`${'9'.repeat(400)}s`, 'too_long'],
    ['0s', 'zero'],
    ['0d0h', 'zero'],
    ['', 'zero'],
    ['4x', 'malformed'],
    ['4h2d', 'malformed'],
    ['-1h', 'malformed'],
    ['1.5h', 'malformed'],
  ])('%j → %j', (text, expected) => {
    expect(readDuration(text)).toEqual(expected);
    expect(parseDuration(text)).toEqual(typeof expected === 'string' ? null : expected);
  });

  it('measures a day as 24 hours for intervals', () => {
    expect(durationToMs({ days: 1, hours: 1, minutes: 1, seconds: 1 })).toBe(90_061_000);
  });
});
