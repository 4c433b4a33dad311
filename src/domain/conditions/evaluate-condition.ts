import type { ConditionOperators } from '../definition.js';
import type { AttributeValue } from '../model.js';
import { compileLinearRegex, MAX_PROGRAM_SIZE, type LinearRegex } from './linear-regex.js';

const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Characters of an attribute value that `matches` and `not_matches` test: the first 10,000. A
 * pattern anchored with `$` sees the cut as the end of the text. Together with the linear-time
 * engine this bounds the work of one condition to (pattern program size × 10,000) steps.
 */
export const MAX_TESTED_LENGTH = 10_000;

/** A compiled definition pattern, as conditions use it. */
export type DefinitionPattern = Pick<LinearRegex, 'source' | 'ignoreCase' | 'test'>;

const compiledPatterns = new Map<string, DefinitionPattern>();

/**
 * Compiles a definition pattern with the linear-time engine (`linear-regex.ts`): JavaScript
 * syntax without backreferences or lookaround, a leading `(?i)` (the PCRE/Java spelling admins
 * know) for case-insensitive. Throws `PatternError` (a SyntaxError) on an invalid or unsupported
 * pattern; the config loader calls it to reject such definitions before any lead is evaluated.
 *
 * A pattern whose backtracking work per position is bounded (no unbounded repetition, few
 * alternatives: every pattern of the example definition) runs on JavaScript's own engine, which
 * is several times faster and, for such a pattern, does no more work than the linear engine's
 * bound; the same syntax means the same thing on both (the engine's tests compare them).
 */
export function compilePattern(pattern: string): DefinitionPattern {
  let regex = compiledPatterns.get(pattern);
  if (regex === undefined) {
    const linear = compileLinearRegex(pattern);
    if (linear.backtrackingWork <= MAX_PROGRAM_SIZE) {
      const native = new RegExp(linear.source, linear.ignoreCase ? 'i' : '');
      regex = {
        source: linear.source,
        ignoreCase: linear.ignoreCase,
        test: (text) => native.test(text),
      };
    } else regex = linear;
    compiledPatterns.set(pattern, regex);
  }
  return regex;
}

/** Missing means absent, null, or blank text (HubSpot returns "" for cleared properties). */
export function isMissing(value: AttributeValue | undefined): value is null | undefined | '' {
  return (
    value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
  );
}

function toNumber(value: AttributeValue | string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMERIC_TEXT.test(value.trim())) return Number(value.trim());
  return null;
}

function sameValue(actual: AttributeValue, expected: string | number | boolean): boolean {
  if (typeof expected === 'boolean') {
    return typeof actual === 'boolean'
      ? actual === expected
      : String(actual).trim().toLowerCase() === String(expected);
  }
  const actualNumber = toNumber(actual);
  const expectedNumber = toNumber(expected);
  if (actualNumber !== null && expectedNumber !== null) return actualNumber === expectedNumber;
  return String(actual).trim().toLowerCase() === String(expected).trim().toLowerCase();
}

function matchesPattern(actual: AttributeValue, pattern: string): boolean {
  return compilePattern(pattern).test(String(actual).slice(0, MAX_TESTED_LENGTH));
}

/**
 * Whether every given operator holds for `value`. A missing value makes the positive operators
 * (`exists: true`, `eq`, `in`, `matches`, `gte`, `lte`) false and the negative ones
 * (`exists: false`, `not_in`, `not_matches`) true.
 */
export function conditionHolds(
  value: AttributeValue | undefined,
  operators: ConditionOperators,
): boolean {
  if (isMissing(value)) {
    return (
      operators.exists !== true &&
      operators.eq === undefined &&
      operators.in === undefined &&
      operators.matches === undefined &&
      operators.gte === undefined &&
      operators.lte === undefined
    );
  }
  if (operators.exists === false) return false;
  if (operators.eq !== undefined && !sameValue(value, operators.eq)) return false;
  if (operators.in !== undefined && !operators.in.some((option) => sameValue(value, option))) {
    return false;
  }
  if (operators.not_in?.some((option) => sameValue(value, option)) === true) return false;
  if (operators.matches !== undefined && !matchesPattern(value, operators.matches)) return false;
  if (operators.not_matches !== undefined && matchesPattern(value, operators.not_matches)) {
    return false;
  }
  if (operators.gte !== undefined || operators.lte !== undefined) {
    const number = toNumber(value);
    if (number === null) return false;
    if (operators.gte !== undefined && number < operators.gte) return false;
    if (operators.lte !== undefined && number > operators.lte) return false;
  }
  return true;
}

const descriptions = new WeakMap<ConditionOperators, { field: string; text: string }>();

/**
 * A short, value-free description of a condition, e.g. `employees >= 200`. Memoised per
 * condition object: definitions are immutable and every lead's reasons repeat the same text.
 */
export function describeCondition(field: string, operators: ConditionOperators): string {
  const cached = descriptions.get(operators);
  if (cached?.field === field) return cached.text;
  const text = buildDescription(field, operators);
  descriptions.set(operators, { field, text });
  return text;
}

function buildDescription(field: string, operators: ConditionOperators): string {
  const parts: string[] = [];
  if (operators.exists !== undefined) {
    parts.push(operators.exists ? `${field} is present` : `${field} is absent`);
  }
  if (operators.eq !== undefined) parts.push(`${field} = ${JSON.stringify(operators.eq)}`);
  if (operators.in !== undefined) parts.push(`${field} in [${operators.in.join(', ')}]`);
  if (operators.not_in !== undefined) {
    parts.push(`${field} not in [${operators.not_in.join(', ')}]`);
  }
  if (operators.matches !== undefined) parts.push(`${field} matches /${operators.matches}/`);
  if (operators.not_matches !== undefined) {
    parts.push(`${field} does not match /${operators.not_matches}/`);
  }
  if (operators.gte !== undefined) parts.push(`${field} >= ${operators.gte}`);
  if (operators.lte !== undefined) parts.push(`${field} <= ${operators.lte}`);
  return parts.join(' and ');
}
