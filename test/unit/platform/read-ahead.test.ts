import { describe, expect, it } from 'vitest';
import { readAhead } from '../../../src/platform/read-ahead.js';

async function* numbered(count: number, log: string[], failAt = -1): AsyncGenerator<number> {
  for (let index = 0; index < count; index += 1) {
    log.push(`produce ${index}`);
    await new Promise((resolve) => setImmediate(resolve));
    if (index === failAt) throw new Error(`item ${index} failed`);
    yield index;
  }
}

describe('readAhead', () => {
  it('yields every item in order while the next ones are produced ahead, at most depth', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const item of readAhead(numbered(6, log), 2)) {
      log.push(`consume ${item}`);
      seen.push(item);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    // Item 1 was produced before item 0 was consumed; never more than two ahead.
    expect(log.indexOf('produce 1')).toBeLessThan(log.indexOf('consume 0'));
    expect(log.indexOf('produce 3')).toBeGreaterThan(log.indexOf('consume 0'));
  });

  it('throws a producer error where its item would have come, after the items before it', async () => {
    const seen: number[] = [];
    await expect(async () => {
      for await (const item of readAhead(numbered(5, [], 3), 3)) seen.push(item);
    }).rejects.toThrow('item 3 failed');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('stops the producer when the consumer stops early', async () => {
    const log: string[] = [];
    for await (const item of readAhead(numbered(100, log), 2)) if (item === 1) break;
    expect(log.filter((line) => line.startsWith('produce')).length).toBeLessThanOrEqual(4);
  });
});
