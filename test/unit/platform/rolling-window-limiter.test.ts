import { describe, expect, it } from 'vitest';
import { RollingWindowLimiter } from '../../../src/platform/rolling-window-limiter.js';

/** A clock that moves only when the limiter waits. */
function fakeTime(): { now: () => number; wait: (ms: number) => Promise<void>; waits: number[] } {
  let at = 0;
  const waits: number[] = [];
  return {
    now: () => at,
    wait: (ms) => {
      waits.push(ms);
      at += ms;
      return Promise.resolve();
    },
    waits,
  };
}

describe('RollingWindowLimiter', () => {
  it('lets a burst of max through, then spaces the rest so no window holds more than max', async () => {
    const time = fakeTime();
    const limiter = new RollingWindowLimiter(5, 1_000, 20, time.now, time.wait);
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, () => limiter.take().then(() => starts.push(time.now()))),
    );
    expect(starts.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(starts[5]).toBe(1_020);
    // No rolling second (with the margin) ever holds six starts.
    for (let index = 5; index < starts.length; index += 1)
      expect((starts[index] ?? 0) - (starts[index - 5] ?? 0)).toBeGreaterThanOrEqual(1_020);
    // Twelve starts at five a second: two waits of a window each, no more.
    expect(time.now()).toBe(2_040);
  });

  it('does not wait when the callers are slower than the limit', async () => {
    const time = fakeTime();
    const limiter = new RollingWindowLimiter(5, 1_000, 0, time.now, time.wait);
    for (let index = 0; index < 20; index += 1) {
      await limiter.take();
      await time.wait(300);
    }
    expect(time.waits.every((ms) => ms === 300)).toBe(true);
  });
});
