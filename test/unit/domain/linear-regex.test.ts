import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDefinition } from '../../../src/config/load-definition.js';
import {
  compileLinearRegex,
  MAX_PATTERN_LENGTH,
  PatternError,
  type LinearRegex,
} from '../../../src/domain/conditions/linear-regex.js';
import type { ConditionOperators } from '../../../src/domain/definition.js';

const EXAMPLE = new URL('../../../config/handoff.example.yaml', import.meta.url);

/** What JavaScript's own engine says: the reference this engine must agree with. */
function jsTest(pattern: string, text: string): boolean {
  const ignoreCase = pattern.startsWith('(?i)');
  return new RegExp(ignoreCase ? pattern.slice(4) : pattern, ignoreCase ? 'i' : '').test(text);
}

function refusal(pattern: string): PatternError {
  try {
    compileLinearRegex(pattern);
  } catch (err) {
    if (err instanceof PatternError) return err;
    throw err;
  }
  throw new Error(`${pattern} compiled`);
}

const SAMPLE_TEXTS = [
  '',
  'jane@acme.com',
  'JANE@GMAIL.COM',
  'bob@yahoo.co.uk',
  'x@pipelinely.io',
  'x@pipelinely.io.evil',
  'ana@uni.edu',
  'ana@ox.ac.uk',
  'li@tsinghua.edu.cn',
  'Senior VP of Sales',
  'Vice President, Data & Analytics',
  'VPN administrator',
  'Head of BI',
  'Chief Revenue Officer',
  'co-founder',
  'PhD candidate',
  'Student Ambassador',
  'Intern, RevOps',
  'Account Manager',
  'managerial',
  'Director\nof Operations',
  'Directorate',
  'café insights',
];

describe('compileLinearRegex against JavaScript', () => {
  it.each<[string, string, boolean]>([
    ['abc', 'xxabcxx', true],
    ['abc', 'ab', false],
    ['^abc$', 'abc', true],
    ['^abc$', 'abcd', false],
    ['a.c', 'a-c', true],
    ['a.c', 'a\nc', false],
    ['a.c', 'a\u2028c', false],
    ['\\d{3}-\\d{4}', 'call 555-1234', true],
    ['^\\w+$', 'snake_case_9', true],
    ['^\\W+$', '!?', true],
    ['\\s', 'a\u00a0b', true],
    ['^\\S+$', 'a b', false],
    ['^\\D+$', 'abc', true],
    ['\\bvp\\b', 'svp', false],
    ['\\Bvp', 'svp', true],
    ['^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$', 'jane.doe+x@acme.io', true],
    ['^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$', 'jane@acme', false],
    ['^[^@]+@[^@]+$', 'a@b', true],
    ['^[^@]+@[^@]+$', 'a@b@c', false],
    ['[\\d-z]', '-', true],
    ['[\\w-]', '-', true],
    ['[\\b]', '\b', true],
    ['[]', 'anything', false],
    ['[^]', '\n', true],
    ['[\\]\\\\]', '\\', true],
    ['[.]', 'x', false],
    ['\\.\\(\\)\\/\\-\\\\', '.()/-\\', true],
    ['\\x41\\u00e9', 'Aé', true],
    ['\\t\\n\\r\\f\\v', '\t\n\r\f\v', true],
    ['(?:ab|cd)+e', 'abcdabe', true],
    ['(?<word>ab)c', 'abc', true],
    ['a{2}', 'a', false],
    ['^a{2,}$', 'aaaa', true],
    ['^a{2,3}$', 'aaaa', false],
    ['^a{0}$', '', true],
    ['^(?:a|)b$', 'b', true],
    ['^()*$', '', true],
    ['^(a*)*$', 'aaa', true],
    ['^(a*?)+?b', 'aab', true],
    ['(?i)^straße$', 'STRASSE', false],
    ['(?i)^σ$', 'ς', true],
    ['(?i)^[ς]$', 'Σ', true],
    ['(?i)^k$', '\u212a', false],
    ['(?i)^[^a]$', 'A', false],
    ['(?i)^[Z-a]$', 'z', true],
    ['(?i)\\W', 'k', false],
    ['(?i)^é$', 'É', true],
    ['😀+', '😀😀', true],
  ])('%j on %j → %s', (pattern, text, expected) => {
    expect(compileLinearRegex(pattern).test(text)).toBe(expected);
    expect(jsTest(pattern, text)).toBe(expected);
  });

  it('agrees on every pattern of config/handoff.example.yaml', async () => {
    const parsed = parseDefinition(await readFile(EXAMPLE, 'utf8'));
    if (!parsed.ok) throw new Error('the example does not parse');
    const { qualification, routing } = parsed.value;
    const conditions: ConditionOperators[] = [
      ...qualification.gates,
      ...qualification.fit,
      ...routing.rules.flatMap((rule) => Object.values(rule.when ?? {})),
    ];
    const patterns = conditions.flatMap((operators) =>
      [operators.matches, operators.not_matches].filter((p) => p !== undefined),
    );
    expect(patterns.length).toBeGreaterThanOrEqual(8);
    for (const pattern of patterns) {
      const regex = compileLinearRegex(pattern);
      for (const text of SAMPLE_TEXTS) {
        expect([pattern, text, regex.test(text)]).toEqual([pattern, text, jsTest(pattern, text)]);
      }
    }
  });

  it('reads the example patterns as the agreement means them', () => {
    const business = compileLinearRegex(
      '(?i)@(gmail|googlemail|yahoo|hotmail|outlook|live|icloud|aol|proton|gmx|web)\\.',
    );
    expect(business.test('JANE@GMAIL.COM')).toBe(true);
    expect(business.test('jane@acme.com')).toBe(false);
    const student = compileLinearRegex('(?i)(\\.edu|\\.ac\\.[a-z]{2}|\\.edu\\.[a-z]{2})$');
    expect(student.test('ana@ox.ac.uk')).toBe(true);
    expect(student.test('ana@educate.com')).toBe(false);
    const senior = compileLinearRegex('(?i)\\b(vp|vice president|director|head)\\b');
    expect(senior.test('Senior VP of Sales')).toBe(true);
    expect(senior.test('VPN administrator')).toBe(false);
  });

  it.each<[string, RegExp]>([
    ['^\\s$', /^\s$/],
    ['^\\S$', /^\S$/],
    ['^.$', /^.$/],
    ['(?i)^[a-z]$', /^[a-z]$/i],
    ['(?i)^[^k]$', /^[^k]$/i],
    ['(?i)^\\w$', /^\w$/i],
  ])('matches %s like JavaScript for every UTF-16 code unit', (pattern, reference) => {
    const regex = compileLinearRegex(pattern);
    const disagreements: number[] = [];
    for (let code = 0; code < 0x10000; code += 1) {
      const text = String.fromCharCode(code);
      if (regex.test(text) !== reference.test(text)) disagreements.push(code);
    }
    expect(disagreements).toEqual([]);
  });
});

describe('compileLinearRegex refuses what it cannot run in linear time', () => {
  it.each<[string, 'invalid' | 'unsupported', string]>([
    ['(a)\\1', 'unsupported', 'backreference \\1'],
    ['(?<x>a)\\k<x>', 'unsupported', 'backreference \\k'],
    ['a(?=b)', 'unsupported', 'lookahead (?='],
    ['a(?!b)', 'unsupported', 'lookahead (?!'],
    ['(?<=a)b', 'unsupported', 'lookbehind (?<='],
    ['(?<!a)b', 'unsupported', 'lookbehind (?<!'],
    ['a(?i)b', 'unsupported', 'only at the start of the pattern'],
    ['(?s)a', 'unsupported', 'the group "(?s"'],
    ['(?<1x>a)', 'unsupported', 'group name'],
    ['a{1001}', 'unsupported', 'repetition {1001}'],
    ['a{2,5000}', 'unsupported', 'repetition {2,5000}'],
    ['a{99999999999999999999}', 'unsupported', 'repetition'],
    ['(a{1000}){10}', 'unsupported', 'more than 5000 instructions'],
    ['((((((a{1000}){1000}){1000}){1000}){0,1000}){0,1000})', 'unsupported', 'more than'],
    ['x'.repeat(MAX_PATTERN_LENGTH + 1), 'unsupported', 'a pattern of 1001 characters'],
    ['\\p{L}', 'unsupported', 'Unicode property escape \\p'],
    ['\\cJ', 'unsupported', 'control escape'],
    ['\\0', 'unsupported', 'octal'],
    ['\\q', 'unsupported', 'the escape \\q'],
    ['[\\q]', 'unsupported', 'the escape \\q'],
    ['\\x4', 'unsupported', 'two hex digits'],
    ['\\u12', 'unsupported', 'four hex digits'],
    ['a{,5}', 'unsupported', 'a lone "{"'],
    ['a}', 'unsupported', 'a lone "}"'],
    ['a]', 'unsupported', 'a lone "]"'],
    ['(', 'invalid', 'missing ")"'],
    ['a)', 'invalid', 'unmatched ")"'],
    ['[abc', 'invalid', 'missing "]"'],
    ['[z-a]', 'invalid', 'range out of order'],
    ['a**', 'invalid', 'nothing to repeat'],
    ['a{2}{3}', 'invalid', 'nothing to repeat'],
    ['*a', 'invalid', 'nothing to repeat'],
    ['{2}', 'invalid', 'nothing to repeat'],
    ['^*', 'invalid', 'an assertion cannot repeat'],
    ['\\b+', 'invalid', 'an assertion cannot repeat'],
    ['a{3,2}', 'invalid', 'numbers out of order'],
    ['(?<n>a)(?<n>b)', 'invalid', 'duplicate group name'],
    ['ab\\', 'invalid', 'at the end of the pattern'],
  ])('%j: %s', (pattern, kind, detail) => {
    const error = refusal(pattern);
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error.kind).toBe(kind);
    expect(error.message).toContain(detail);
    expect(error.message).toMatch(
      kind === 'invalid'
        ? /^invalid regular expression: /
        : /^unsupported in definition patterns: .* \(definitions run in linear time\)$/,
    );
  });

  it('says what a backreference is, as handoff validate prints it', () => {
    expect(refusal('(a)\\1').message).toBe(
      'unsupported in definition patterns: backreference \\1 (definitions run in linear time)',
    );
  });
});

describe('linear time', () => {
  /** Steps stay within 2 × program size per input position: no backtracking, whatever the input. */
  function expectLinear(regex: LinearRegex, text: string, matched: boolean): number {
    const result = regex.match(text);
    expect(result.matched).toBe(matched);
    expect(result.steps).toBeLessThanOrEqual(2 * regex.size * (text.length + 1));
    return result.steps;
  }

  it('runs ^(a+)+$ on 50,000 characters in linear steps', () => {
    const regex = compileLinearRegex('^(a+)+$');
    const half = expectLinear(regex, `${'a'.repeat(25_000)}!`, false);
    const full = expectLinear(regex, `${'a'.repeat(50_000)}!`, false);
    expect(full).toBeLessThanOrEqual(2.1 * half);
    expectLinear(regex, 'a'.repeat(50_000), true);
  });

  it('runs (a|aa)*b on 50,000 characters in linear steps', () => {
    const regex = compileLinearRegex('(a|aa)*b');
    expectLinear(regex, 'a'.repeat(50_000), false);
    expectLinear(regex, `${'a'.repeat(50_000)}b`, true);
  });

  it('starts its position marks over before they overflow, with the same answers', () => {
    const regex = compileLinearRegex('(?i)\\b(vp|director)\\b');
    expect(regex.test('Senior VP')).toBe(true);
    // White box: as after 2^31 characters searched by one long-lived pattern.
    Object.assign(regex, { markBase: 0x7fff_fff0 });
    expect(regex.test('Director of Data')).toBe(true);
    expect(regex.test('VPN administrator')).toBe(false);
    expect(regex.test('Senior VP')).toBe(true);
  });

  it('runs nested counted repetitions in linear steps', () => {
    const regex = compileLinearRegex('(?i)^(\\w{1,30}\\s?){1,20}$');
    expectLinear(regex, `${'word '.repeat(10_000)}!`, false);
  });
});

// --- Property: this engine and JavaScript's agree on random patterns of the supported subset ---

const LETTERS = ['a', 'b', 'A', 'B', 'z', '0', '7', ' ', '_', 'é', 'É', 'σ', 'ς', 'Σ', 'k', 'K'];
const TEXT_UNITS = [...LETTERS, '\u212a', '\n', '\r', '\u2028', '\t', '.', '-', '(', '@', '\u00a0'];
const ESCAPED = ['\\.', '\\(', '\\)', '\\\\', '\\/', '\\-', '\\*', '\\+', '\\?', '\\[', '\\]'];
const ESCAPED_MORE = ['\\{', '\\}', '\\|', '\\^', '\\$', '\\t', '\\n', '\\x41', '\\u00e9', '\\@'];
const CLASS_ESCAPES = ['\\d', '\\w', '\\s', '\\D', '\\W', '\\S'];
const RANGES = ['a-z', 'A-Z', '0-9', 'a-b', 'σ-ω', 'A-z', ' -@'];
const QUANTIFIERS = ['*', '+', '?', '{2}', '{0,2}', '{1,}', '{1,3}', '{0}'];

const literal = fc.constantFrom(...LETTERS, ...ESCAPED, ...ESCAPED_MORE);
const classItem = fc.constantFrom(
  ...LETTERS.filter((letter) => letter !== '-'),
  ...CLASS_ESCAPES,
  ...RANGES,
  '\\]',
  '\\-',
  '\\\\',
  '.',
  '^',
  '[',
  '\\b',
);
const characterClass = fc
  .tuple(fc.boolean(), fc.array(classItem, { maxLength: 4 }))
  .map(([negated, items]) => `[${negated ? '^' : ''}${items.join('')}]`);
const assertion = fc.constantFrom('^', '$', '\\b', '\\B');
const quantifier = fc
  .option(fc.tuple(fc.constantFrom(...QUANTIFIERS), fc.boolean()), { freq: 2 })
  .map((chosen) => (chosen === null ? '' : `${chosen[0]}${chosen[1] ? '?' : ''}`));

const { pattern: patternArbitrary } = fc.letrec<{
  pattern: string;
  sequence: string;
  term: string;
  atom: string;
  group: string;
}>((tie) => ({
  pattern: fc
    .array(tie('sequence'), { minLength: 1, maxLength: 3 })
    .map((options) => options.join('|')),
  sequence: fc.array(tie('term'), { maxLength: 4 }).map((terms) => terms.join('')),
  term: fc.oneof(
    { weight: 5, arbitrary: fc.tuple(tie('atom'), quantifier).map(([atom, q]) => atom + q) },
    { weight: 1, arbitrary: assertion },
  ),
  atom: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'group' },
    literal,
    fc.constantFrom(...CLASS_ESCAPES, '.'),
    characterClass,
    tie('group'),
  ),
  group: fc
    .tuple(fc.constantFrom('(', '(?:'), tie('pattern'))
    .map(([open, inner]) => `${open}${inner})`),
}));

const definitionPattern = fc
  .tuple(fc.boolean(), patternArbitrary)
  .map(([ignoreCase, pattern]) => (ignoreCase ? `(?i)${pattern}` : pattern));
const text = fc.string({ unit: fc.constantFrom(...TEXT_UNITS), maxLength: 12 });

describe('property: same answer as RegExp.prototype.test', () => {
  it('on random patterns of the supported subset and random texts', () => {
    fc.assert(
      fc.property(definitionPattern, fc.array(text, { minLength: 1, maxLength: 6 }), (p, texts) => {
        const regex = compileLinearRegex(p);
        for (const sample of texts) {
          if (regex.test(sample) !== jsTest(p, sample)) {
            throw new Error(`${JSON.stringify(p)} on ${JSON.stringify(sample)}`);
          }
        }
      }),
      { seed: 20_261_101, numRuns: 1_500 },
    );
  });
});
