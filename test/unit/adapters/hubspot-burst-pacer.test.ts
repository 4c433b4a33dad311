import { describe, expect, it } from 'vitest';
import { HubSpotBurstPacer } from '../../../src/adapters/hubspot/hubspot-burst-pacer.js';

/** A clock that moves only when the pacer waits. */
function fakeTime(): { now: () => number; wait: (ms: number) => Promise<void>; at: () => number } {
  let at = 0;
  return {
    now: () => at,
    wait: (ms) => {
      at += ms;
      return Promise.resolve();
    },
    at: () => at,
  };
}

const headers = (max: number, remaining: number, windowMs = 10_000) => ({
  'x-hubspot-ratelimit-max': String(max),
  'x-hubspot-ratelimit-remaining': String(remaining),
  'x-hubspot-ratelimit-interval-milliseconds': String(windowMs),
});

/** Starts of `count` calls taken back to back. */
async function starts(pacer: HubSpotBurstPacer, time: { now: () => number }, count: number) {
  const at: number[] = [];
  await Promise.all(
    Array.from({ length: count }, () => pacer.take().then(() => at.push(time.now()))),
  );
  return at;
}

describe('HubSpotBurstPacer', () => {
  it('keeps to 95 of the lowest tier’s 100 calls a rolling 10 s until an answer names the allowance', async () => {
    const time = fakeTime();
    const pacer = new HubSpotBurstPacer(time.now, time.wait);
    const at = await starts(pacer, time, 200);
    expect(at.filter((start) => start === 0)).toHaveLength(95);
    for (let index = 95; index < at.length; index += 1)
      expect((at[index] ?? 0) - (at[index - 95] ?? 0)).toBeGreaterThanOrEqual(10_000);
  });

  it('follows the account’s allowance from X-HubSpot-RateLimit-Max and its interval', async () => {
    const time = fakeTime();
    const pacer = new HubSpotBurstPacer(time.now, time.wait);
    pacer.observe(headers(190, 190));
    const at = await starts(pacer, time, 400);
    // 180 a window (190 less the reserve): no rolling 10 s ever holds 181 starts.
    expect(at.filter((start) => start === 0)).toHaveLength(180);
    for (let index = 180; index < at.length; index += 1)
      expect((at[index] ?? 0) - (at[index - 180] ?? 0)).toBeGreaterThanOrEqual(10_000);
    expect(time.at()).toBe(20_000);
  });

  it('holds the next calls a moment when an answer says the allowance is nearly spent', async () => {
    const time = fakeTime();
    const pacer = new HubSpotBurstPacer(time.now, time.wait);
    pacer.observe(headers(190, 190));
    await pacer.take();
    expect(time.at()).toBe(0);
    // Another worker on the same app spent it.
    pacer.observe(headers(190, 3));
    await pacer.take();
    expect(time.at()).toBe(1_000);
    pacer.observe(headers(190, 120));
    await pacer.take();
    expect(time.at()).toBe(1_000);
  });

  it('ignores answers without the burst headers (searches carry only the daily ones)', async () => {
    const time = fakeTime();
    const pacer = new HubSpotBurstPacer(time.now, time.wait);
    pacer.observe({
      'x-hubspot-ratelimit-daily': '250000',
      'x-hubspot-ratelimit-daily-remaining': '1',
    });
    pacer.observe(headers(0, 0));
    expect(await starts(pacer, time, 95)).toEqual(Array.from({ length: 95 }, () => 0));
  });
});
