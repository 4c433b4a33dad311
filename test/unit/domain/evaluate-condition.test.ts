import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  conditionHolds,
  describeCondition,
  isMissing,
  MAX_TESTED_LENGTH,
} from '../../../src/domain/conditions/evaluate-condition.js';
import {
  compileLinearRegex,
  MAX_PROGRAM_SIZE,
} from '../../../src/domain/conditions/linear-regex.js';
import { ownValue, type ConditionOperators } from '../../../src/domain/definition.js';
import type { AttributeValue } from '../../../src/domain/model.js';

describe('conditionHolds', () => {
  it.each<[string, AttributeValue | undefined, ConditionOperators, boolean]>([
    // a missing attribute: positive operators false, negative operators true
    ['exists on missing', undefined, { exists: true }, false],
    ['exists on null', null, { exists: true }, false],
    ['exists on blank text', '  ', { exists: true }, false],
    ['eq on missing', undefined, { eq: 'US' }, false],
    ['in on missing', undefined, { in: ['US'] }, false],
    ['matches on missing', undefined, { matches: '.*' }, false],
    ['gte on missing', undefined, { gte: 0 }, false],
    ['lte on missing', undefined, { lte: 0 }, false],
    ['not_in on missing', undefined, { not_in: ['US'] }, true],
    ['not_matches on missing', null, { not_matches: 'x' }, true],
    ['exists:false on missing', undefined, { exists: false }, true],
    ['exists:false on present', 'x', { exists: false }, false],
    ['exists on present', 'x', { exists: true }, true],
    ['exists on zero', 0, { exists: true }, true],
    ['exists on false', false, { exists: true }, true],
    // eq / in: strings case-insensitively, numbers numerically
    ['eq ignores case', 'us', { eq: 'US' }, true],
    ['eq ignores surrounding space', ' US ', { eq: 'us' }, true],
    ['eq different text', 'CA', { eq: 'US' }, false],
    ['eq numeric text vs number', '200', { eq: 200 }, true],
    ['eq number vs numeric text', 200, { eq: '200.0' }, true],
    ['eq numbers differ', 201, { eq: 200 }, false],
    ['eq boolean', true, { eq: true }, true],
    ['eq boolean text', 'TRUE', { eq: true }, true],
    ['eq boolean mismatch', false, { eq: true }, false],
    ['in case-insensitive', 'gb', { in: ['US', 'GB'] }, true],
    ['in numeric', '10', { in: [5, 10] }, true],
    ['in absent', 'FR', { in: ['US', 'GB'] }, false],
    ['not_in present value listed', 'gb', { not_in: ['GB'] }, false],
    ['not_in present value unlisted', 'FR', { not_in: ['GB'] }, true],
    // matches: JavaScript regex, (?i) prefix for case-insensitivity
    ['matches case-sensitive by default', 'VP Sales', { matches: '\\bvp\\b' }, false],
    ['matches with (?i)', 'VP Sales', { matches: '(?i)\\bvp\\b' }, true],
    ['matches number as text', 12345, { matches: '^\\d+$' }, true],
    ['not_matches hit', 'a@gmail.com', { not_matches: '@gmail\\.' }, false],
    ['not_matches miss', 'a@acme.com', { not_matches: '@gmail\\.' }, true],
    // gte / lte: numeric, numeric text accepted, other text never matches
    ['gte equal', 200, { gte: 200 }, true],
    ['gte below', 199, { gte: 200 }, false],
    ['gte numeric text', '250', { gte: 200 }, true],
    ['gte non-numeric text', '200-500', { gte: 100 }, false],
    ['gte boolean', true, { gte: 0 }, false],
    ['lte equal', 999, { lte: 999 }, true],
    ['lte above', 1000, { lte: 999 }, false],
    ['range inside', 500, { gte: 200, lte: 999 }, true],
    ['range above', 1500, { gte: 200, lte: 999 }, false],
    ['gte scientific text', '1e3', { gte: 1000 }, true],
    ['gte infinite number', Number.POSITIVE_INFINITY, { gte: 0 }, false],
    // every operator must hold
    ['two operators, both hold', 'VP Sales', { exists: true, matches: '(?i)sales' }, true],
    ['two operators, one fails', 'VP Sales', { exists: true, not_matches: '(?i)sales' }, false],
  ])('%s', (_label, value, operators, expected) => {
    expect(conditionHolds(value, operators)).toBe(expected);
  });
});

describe('compilePattern', () => {
  it('turns a leading (?i) into a case-insensitive pattern and caches the result', () => {
    const regex = compilePattern('(?i)^ab$');
    expect(regex.ignoreCase).toBe(true);
    expect(regex.source).toBe('^ab$');
    expect(regex.test('AB')).toBe(true);
    expect(compilePattern('(?i)^ab$')).toBe(regex);
  });

  it("runs patterns with bounded backtracking on JavaScript's engine, the rest on the linear one", () => {
    // Bounded: alternatives and fixed counts only (every pattern of the example definition).
    for (const pattern of [
      '(?i)\\b(vp|vice president|director|head)\\b',
      '(?i)(\\.edu|\\.ac\\.[a-z]{2}|\\.edu\\.[a-z]{2})$',
    ]) {
      expect(compileLinearRegex(pattern).backtrackingWork).toBeLessThanOrEqual(MAX_PROGRAM_SIZE);
      expect(compilePattern(pattern)).not.toBeInstanceOf(compileLinearRegex('a').constructor);
    }
    // Unbounded repetition, or choices that multiply past the bound: the linear engine.
    for (const pattern of ['^(a+)+$', '(a|aa){1,20}b', `${'(a|a)'.repeat(14)}b`]) {
      expect(compileLinearRegex(pattern).backtrackingWork).toBe(Infinity);
      expect(compilePattern(pattern)).toBeInstanceOf(compileLinearRegex('a').constructor);
    }
    // Either way, a hostile input costs linear work: this returns at once.
    expect(compilePattern(`${'(a|a)'.repeat(14)}b`).test('a'.repeat(10_000))).toBe(false);
    expect(compilePattern('^(a+)+$').test(`${'a'.repeat(10_000)}!`)).toBe(false);
  });

  it('throws SyntaxError on an invalid or unsupported pattern', () => {
    expect(() => compilePattern('(unclosed')).toThrow(SyntaxError);
    expect(() => compilePattern('(a)\\1')).toThrow(/backreference \\1/);
  });
});

describe('matches on long values', () => {
  it(`tests the first ${MAX_TESTED_LENGTH} characters only`, () => {
    const long = `${'x'.repeat(MAX_TESTED_LENGTH - 1)}yz`;
    expect(conditionHolds(long, { matches: 'y' })).toBe(true);
    expect(conditionHolds(long, { matches: 'z' })).toBe(false);
    expect(conditionHolds(long, { matches: 'y$' })).toBe(true);
  });

  it('stays linear on a pattern that makes backtracking engines explode', () => {
    expect(conditionHolds(`${'a'.repeat(5_000)}!`, { matches: '^(a+)+$' })).toBe(false);
  });
});

describe('attributes named like Object.prototype members', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty'])(
    '%s is missing unless the lead has it',
    (field) => {
      expect(conditionHolds(ownValue({}, field), { exists: false })).toBe(true);
      expect(conditionHolds(ownValue({ [field]: 'x' }, field), { eq: 'x' })).toBe(true);
    },
  );
});

describe('isMissing', () => {
  it.each<[AttributeValue | undefined, boolean]>([
    [undefined, true],
    [null, true],
    ['', true],
    [' \t', true],
    ['x', false],
    [0, false],
    [false, false],
  ])('%j → %s', (value, expected) => {
    expect(isMissing(value)).toBe(expected);
  });
});

describe('describeCondition', () => {
  it('names every operator without the lead value', () => {
    expect(
      describeCondition('employees', {
        exists: true,
        eq: 5,
        in: [1, 2],
        not_in: [3],
        matches: 'a',
        not_matches: 'b',
        gte: 1,
        lte: 9,
      }),
    ).toBe(
      'employees is present and employees = 5 and employees in [1, 2] and employees not in [3] and employees matches /a/ and employees does not match /b/ and employees >= 1 and employees <= 9',
    );
    expect(describeCondition('email', { exists: false })).toBe('email is absent');
  });
});
