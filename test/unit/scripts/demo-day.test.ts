import { describe, expect, it } from 'vitest';
import { demoDayStart, fastClock } from '../../../scripts/demo/demo-clock.js';
import { parseDemoFlags } from '../../../scripts/demo/demo-flags.js';
import { emptyCounts, tickerLine } from '../../../scripts/demo/simulated-day.js';

describe('the live demo clock', () => {
  it('stands at the start until run, then runs `speed` times faster, and stops when frozen', () => {
    let real = 1_000;
    const clock = fastClock(new Date('2026-12-07T12:00:00Z'), 1_200, () => real);
    real += 5_000;
    expect(clock.now().toISOString()).toBe('2026-12-07T12:00:00.000Z');
    clock.run();
    real += 3_000;
    expect(clock.now().toISOString()).toBe('2026-12-07T13:00:00.000Z');
    clock.freeze();
    real += 60_000;
    expect(clock.now().toISOString()).toBe('2026-12-07T13:00:00.000Z');
  });

  it('starts the day at noon UTC on the next weekday that is not a holiday', () => {
    // Sunday → Monday.
    expect(demoDayStart(new Date('2026-12-06T17:00:00Z'), []).toISOString()).toBe(
      '2026-12-07T12:00:00.000Z',
    );
    // Wednesday before Thanksgiving → the Monday after (Thursday and Friday are holidays).
    expect(
      demoDayStart(new Date('2026-11-25T08:00:00Z'), ['2026-11-26', '2026-11-27']).toISOString(),
    ).toBe('2026-11-30T12:00:00.000Z');
  });
});

describe('parseDemoFlags', () => {
  it('defaults to a live day at one simulated hour every three seconds', () => {
    expect(parseDemoFlags([])).toEqual({
      once: false,
      hours: 24,
      speed: 1_200,
      contacts: 1_000,
      seed: 1,
      port: 3_000,
    });
    expect(parseDemoFlags(['--once', '--hours', '3', '--speed', '3600'])).toMatchObject({
      once: true,
      hours: 3,
      speed: 3_600,
    });
  });

  it('names the flag it cannot use', () => {
    expect(() => parseDemoFlags(['--speed', 'fast'])).toThrow(
      '--speed: expected an integer from 1 to 86400, got "fast"',
    );
    expect(() => parseDemoFlags(['--hours', '0'])).toThrow('--hours:');
    expect(() => parseDemoFlags(['--colour'])).toThrow(/colour/);
  });
});

describe('tickerLine', () => {
  it('reads the reps’ clock and what happened so far on one line', () => {
    const counts = { ...emptyCounts(), arrived: 12, called: 4, accepted: 3, rejected: 2 };
    expect(
      tickerLine(new Date('2026-12-07T15:00:00Z'), counts, {
        routed: 40,
        returned: 1,
        slaMissed: 5,
      }),
    ).toBe(
      'Mon 10:00 America/New_York · 12 new leads · 40 routed · 4 calls, 3 accepted, 2 rejected by reps · 1 returned to marketing · 5 SLA missed',
    );
  });
});
