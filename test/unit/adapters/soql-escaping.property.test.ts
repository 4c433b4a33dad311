import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  likeContains,
  soql,
  soqlLike,
  type SoqlLikeMatch,
} from '../../../src/adapters/salesforce/soql.js';
import { SalesforceStore } from '../../../src/sandbox/salesforce/salesforce-store.js';
import {
  likeSegments,
  parseSoql,
  type Condition,
} from '../../../src/sandbox/salesforce/soql/parse-soql.js';
import { runSoql } from '../../../src/sandbox/salesforce/soql/run-soql.js';

/**
 * SOQL literals built with the helpers in soql.ts survive the sandbox's parser and evaluator
 * unchanged, for `=`, `IN` and `LIKE`: arbitrary Unicode (quotes, backslashes, line breaks,
 * `%`, `_`, emoji, lone surrogates) parses back to the same string and matches a record that
 * holds exactly that value, never one that differs by one character, and in LIKE never a
 * record that `%` or `_` would match as wildcards.
 */

const NOW = Date.parse('2026-05-01T10:00:00Z');
const RUNS = { numRuns: 300 };

/** The characters that break naive escaping, mixed into ordinary text. */
const TRICKY = fc.constantFrom(
  "'",
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\b',
  '\f',
  '%',
  '_',
  '\\%',
  '\\_',
  "\\'",
  '\u0000',
  '\u2028',
  'é',
  'İ',
  'Σ',
  '😀',
  '👩‍👩‍👧',
  '\uD800',
  'a',
  'Z',
  ' ',
  '.',
  '*',
  '(',
  '[',
  '$',
);
const text = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1 }),
  fc.string({ unit: TRICKY, minLength: 1, maxLength: 12 }),
  fc
    .tuple(fc.string({ unit: 'grapheme' }), TRICKY, fc.string({ unit: 'binary' }))
    .map((parts) => parts.join('')),
);
/** LIKE refuses blank values (callers skip them). */
const likeText = text.filter((value) => value.trim() !== '');

/** `value` with the code unit at `index` replaced by one no letter case folds onto. */
function oneOff(value: string, index: number): string {
  const at = index % value.length;
  const replacement = value[at] === '0' ? '1' : '0';
  return value.slice(0, at) + replacement + value.slice(at + 1);
}

/** Records a wildcard reading of `%` and `_` in `value` would match, and a literal one would not. */
function wildcardVariants(value: string): string[] {
  const variants: string[] = [];
  for (let index = 0; index < value.length; index += 1) {
    const character = value[index];
    if (character === '_') variants.push(value.slice(0, index) + 'q' + value.slice(index + 1));
    if (character === '%') {
      variants.push(value.slice(0, index) + value.slice(index + 1));
      variants.push(value.slice(0, index) + 'qq' + value.slice(index + 1));
    }
  }
  return variants;
}

function storeWith(field: 'Email' | 'Website', values: readonly string[]): SalesforceStore {
  const store = new SalesforceStore(() => NOW);
  const table = store.table('Lead');
  values.forEach((value, index) => {
    const id = `00Q5e00000${String(index).padStart(5, '0')}AAA`;
    table.set(id, { Id: id, IsDeleted: false, LastName: 'X', Company: 'Y', [field]: value });
  });
  return store;
}

/** Which of `values` the query matches, by position. */
function matching(text: string, field: 'Email' | 'Website', values: readonly string[]): boolean[] {
  const store = storeWith(field, values);
  const ids = new Set(
    runSoql(store, parseSoql(text), {
      includeDeleted: false,
      version: 'v62.0',
      now: NOW,
    }).records.map((record) => record['Id']),
  );
  return values.map((_, index) => ids.has(`00Q5e00000${String(index).padStart(5, '0')}AAA`));
}

function where(text: string): Condition | null {
  return parseSoql(text).where;
}

describe('SOQL literal escaping (property)', () => {
  it('= round-trips any string and matches exactly that value', () => {
    fc.assert(
      fc.property(text, fc.nat(), (value, index) => {
        const query = soql`SELECT Id FROM Lead WHERE Email = ${value}`;
        expect(where(query)).toEqual({
          kind: 'compare',
          field: 'Email',
          operator: '=',
          value: { kind: 'string', value },
        });
        expect(matching(query, 'Email', [value, oneOff(value, index), `${value}0`])).toEqual([
          true,
          false,
          false,
        ]);
      }),
      RUNS,
    );
  });

  it('IN round-trips every item and matches exactly those values', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), fc.nat(), (values, index) => {
        const query = soql`SELECT Id FROM Lead WHERE Email IN ${values}`;
        expect(where(query)).toEqual({
          kind: 'in',
          field: 'Email',
          negated: false,
          values: values.map((value) => ({ kind: 'string', value })),
        });
        const first = values[0] ?? '';
        const other = oneOff(first, index);
        // Lower-cased like the sandbox (and Salesforce) compare text fields.
        const listed = values.some((value) => value.toLowerCase() === other.toLowerCase());
        expect(matching(query, 'Email', [first, other])).toEqual([true, listed]);
      }),
      RUNS,
    );
  });

  it('LIKE (exact) matches the literal value only, never a wildcard reading of % or _', () => {
    fc.assert(
      fc.property(likeText, fc.nat(), (value, index) => {
        const query = soql`SELECT Id FROM Lead WHERE Website LIKE ${soqlLike(value)}`;
        const condition = where(query);
        expect(condition).toMatchObject({ kind: 'like', field: 'Website' });
        const pattern = condition?.kind === 'like' ? condition.pattern : '';
        expect(likeSegments(pattern)).toEqual([{ kind: 'literal', text: value }]);
        const variants = [oneOff(value, index), `${value}0`, ...wildcardVariants(value)];
        expect(matching(query, 'Website', [value, ...variants])).toEqual([
          true,
          ...variants.map(() => false),
        ]);
      }),
      RUNS,
    );
  });

  it.each<[SoqlLikeMatch, string, string]>([
    ['contains', '<', '>'],
    ['startsWith', '', '>'],
    ['endsWith', '<', ''],
  ])(
    'LIKE (%s) keeps its own wildcards and matches the value literally',
    (match, before, after) => {
      fc.assert(
        fc.property(likeText, fc.nat(), (value, index) => {
          const query = soql`SELECT Id FROM Lead WHERE Website LIKE ${soqlLike(value, match)}`;
          const condition = where(query);
          const pattern = condition?.kind === 'like' ? condition.pattern : '';
          expect(likeSegments(pattern)).toEqual([
            ...(before === '' ? [] : [{ kind: 'any' }]),
            { kind: 'literal', text: value },
            ...(after === '' ? [] : [{ kind: 'any' }]),
          ]);
          // Same-length or one-off variants cannot contain the value anywhere else.
          const variants = [oneOff(value, index), ...wildcardVariants(value)];
          expect(matching(query, 'Website', [`${before}${value}${after}`, ...variants])).toEqual([
            true,
            ...variants.map(() => false),
          ]);
        }),
        RUNS,
      );
    },
  );

  it('likeContains is soqlLike(value, "contains") and refuses blank values', () => {
    fc.assert(
      fc.property(likeText, (value) => {
        expect(likeContains(value).text).toBe(soqlLike(value, 'contains').text);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u00a0') }), (blank) => {
        expect(() => likeContains(blank)).toThrow(/empty value/);
      }),
    );
  });
});
