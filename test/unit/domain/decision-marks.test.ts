import { describe, expect, it } from 'vitest';
import {
  isSameDecision,
  markDecision,
  readDecisionMarks,
  reassignedDecisionId,
} from '../../../src/domain/decision-marks.js';

describe('decision marks', () => {
  it.each([
    ['d-abc', { base: 'd-abc', reassignments: 0, breachHandled: false, rejected: false }],
    ['d-abc~r1', { base: 'd-abc', reassignments: 1, breachHandled: false, rejected: false }],
    ['d-abc~r1~n', { base: 'd-abc', reassignments: 1, breachHandled: true, rejected: false }],
    ['d-abc~x', { base: 'd-abc', reassignments: 0, breachHandled: true, rejected: false }],
    ['d-abc~n~j', { base: 'd-abc', reassignments: 0, breachHandled: true, rejected: true }],
    ['d-abc~r2~j', { base: 'd-abc', reassignments: 2, breachHandled: false, rejected: true }],
    // A mark before a reassignment belongs to the earlier owner.
    ['d-abc~n~r1', { base: 'd-abc', reassignments: 1, breachHandled: false, rejected: false }],
    // An id from elsewhere with a tilde that is not a mark keeps it in the base.
    ['d-a~b', { base: 'd-a~b', reassignments: 0, breachHandled: false, rejected: false }],
  ])('reads %s', (id, marks) => {
    expect(readDecisionMarks(id)).toEqual(marks);
  });

  it('builds reassignment ids from the base and adds a mark once', () => {
    expect(reassignedDecisionId('d-abc~r1~n', 2)).toBe('d-abc~r2');
    expect(markDecision('d-abc~r1', 'n')).toBe('d-abc~r1~n');
    expect(markDecision('d-abc~j', 'j')).toBe('d-abc~j');
  });

  it('knows a decision under its marks, and nothing else', () => {
    expect(isSameDecision('d-abc~r1~j', 'd-abc')).toBe(true);
    expect(isSameDecision('d-abc', 'd-abc')).toBe(true);
    expect(isSameDecision('d-abcd', 'd-abc')).toBe(false);
    expect(isSameDecision(null, 'd-abc')).toBe(false);
  });
});
