import { describe, expect, it } from 'vitest';
import { awayAt } from '../../../src/domain/routing/availability.js';

const at = (iso: string): Date => new Date(iso);

describe('awayAt', () => {
  const periods = [
    { userId: 'ann', start: at('2026-03-02T00:00:00Z'), end: at('2026-03-06T00:00:00Z') },
    // A conference inside the holiday, ending later: while both cover the instant, the later wins.
    { userId: 'ann', start: at('2026-03-05T00:00:00Z'), end: at('2026-03-09T00:00:00Z') },
    { userId: 'bob', start: at('2026-03-04T09:00:00Z'), end: at('2026-03-04T17:00:00Z') },
  ];

  it('names who is away at the instant, and when each is back', () => {
    expect(awayAt(periods, at('2026-03-05T12:00:00Z'))).toEqual(
      new Map([['ann', at('2026-03-09T00:00:00Z')]]),
    );
    expect(awayAt(periods, at('2026-03-04T12:00:00Z'))).toEqual(
      new Map([
        ['ann', at('2026-03-06T00:00:00Z')],
        ['bob', at('2026-03-04T17:00:00Z')],
      ]),
    );
  });

  it('keeps the later return when a shorter period overlaps a longer one', () => {
    const overlapping = [
      { userId: 'cat', start: at('2026-03-02T00:00:00Z'), end: at('2026-03-10T00:00:00Z') },
      { userId: 'cat', start: at('2026-03-03T00:00:00Z'), end: at('2026-03-04T00:00:00Z') },
    ];
    expect(awayAt(overlapping, at('2026-03-03T12:00:00Z')).get('cat')).toEqual(
      at('2026-03-10T00:00:00Z'),
    );
  });

  it('counts the start as away and the end as back', () => {
    expect(awayAt(periods, at('2026-03-04T09:00:00Z')).has('bob')).toBe(true);
    expect(awayAt(periods, at('2026-03-04T17:00:00Z')).has('bob')).toBe(false);
    expect(awayAt(periods, at('2026-03-01T23:59:59Z')).size).toBe(0);
  });
});
