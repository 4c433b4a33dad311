import { describe, expect, it } from 'vitest';
import { RollingWindowLimiter } from '../../../src/platform/rolling-window-limiter.js';

/** A clock that moves only when someone waits on it. */
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
  it('lets max calls through, then starts each a window after the answer max places before it', async () => {
    const time = fakeTime();
    const limiter = new RollingWindowLimiter(5, 1_000, 5, time.now, time.wait);
    const starts: number[] = [];
    const ends: number[] = [];
    // Each call takes 30 ms to answer.
    const call = async (): Promise<void> => {
      starts.push(time.now());
      await time.wait(30);
      ends.push(time.now());
    };
    await Promise.all(Array.from({ length: 12 }, () => limiter.run(call)));
    expect(starts).toHaveLength(12);
    // However late the vendor counted an earlier call (at the latest, when it answered), the
    // call max places on is sent a full window (and the margin) after that.
    for (let index = 5; index < starts.length; index += 1)
      expect((starts[index] ?? 0) - (ends[index - 5] ?? 0)).toBeGreaterThanOrEqual(1_005);
  });

  it('waits for an earlier call still in flight before counting its window', async () => {
    const time = fakeTime();
    const limiter = new RollingWindowLimiter(1, 1_000, 0, time.now, time.wait);
    let release = (): void => undefined;
    const slow = limiter.run(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    let second = false;
    const next = limiter.run(() => {
      second = true;
      return Promise.resolve();
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe(false);
    release();
    await Promise.all([slow, next]);
    expect(second).toBe(true);
    expect(time.waits).toEqual([1_000]);
  });

  it('counts a failed call too, and passes its error on', async () => {
    const time = fakeTime();
    const limiter = new RollingWindowLimiter(1, 1_000, 0, time.now, time.wait);
    await expect(limiter.run(() => Promise.reject(new Error('refused')))).rejects.toThrow(
      'refused',
    );
    await limiter.run(() => Promise.resolve());
    expect(time.waits).toEqual([1_000]);
  });

  it('stops waiting for a call that never answers, so the calls behind it still run', async () => {
    const limiter = new RollingWindowLimiter(1, 10, 0, Date.now, undefined, 50);
    void limiter.run(() => new Promise<never>(() => undefined));
    const ran: number[] = [];
    await Promise.all(
      [1, 2, 3].map((index) =>
        limiter.run(() => {
          ran.push(index);
          return Promise.resolve();
        }),
      ),
    );
    expect(ran).toEqual([1, 2, 3]);
  });

  it('does not wait when the callers are slower than the limit', async () => {
    const time = fakeTime();
    const limiter = new RollingWindowLimiter(5, 1_000, 0, time.now, time.wait);
    for (let index = 0; index < 20; index += 1) {
      await limiter.run(() => Promise.resolve());
      await time.wait(300);
    }
    expect(time.waits.every((ms) => ms === 300)).toBe(true);
  });
});
