/**
 * The one way to build SOQL: a tagged template that quotes every interpolated
 * value, and validated identifiers for field and object names that come from configuration.
 *
 *   soql`SELECT Id FROM Lead WHERE Email = ${email} AND ${field(name)} IN ${ids}`
 */

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

/** Field or object names, each checked to be an identifier, inserted unquoted (comma-separated). */
export class SoqlIdentifier {
  readonly name: string;

  constructor(names: string | readonly string[]) {
    const list = typeof names === 'string' ? [names] : [...new Set(names)];
    if (list.length === 0) throw new Error('empty field list in SOQL');
    for (const name of list) {
      if (!IDENTIFIER.test(name)) throw new Error(`not a SOQL identifier: ${JSON.stringify(name)}`);
    }
    this.name = list.join(', ');
  }
}

export function field(name: string): SoqlIdentifier {
  return new SoqlIdentifier(name);
}

/** A SELECT list; duplicates are dropped. */
export function fieldList(names: readonly string[]): SoqlIdentifier {
  return new SoqlIdentifier(names);
}

const LIKE_PATTERN: unique symbol = Symbol('SoqlLikePattern');

/**
 * A LIKE pattern, quoted and escaped, inserted as is. Built only by `soqlLike` / `likeContains`,
 * so the wildcards in it are the ones the helper put there, never ones from the value.
 */

export class SoqlLikePattern {
  /** The quoted literal, e.g. `'%a\_b\%c.com%'` for `a_b%c.com`. */
  readonly text: string;

  /** Module-private: the token keeps other code from passing raw text off as a pattern. */
  constructor(token: typeof LIKE_PATTERN, text: string) {
    if (token !== LIKE_PATTERN) throw new Error('SoqlLikePattern is built by soqlLike');
    this.text = text;
  }
}

export type SoqlValue =
  | string
  | number
  | boolean
  | null
  | Date
  | SoqlIdentifier
  | SoqlLikePattern
  | readonly (string | number)[];

/** Escapes a string literal's contents (SOQL reserved characters: ' " \ and line breaks). */
export function escapeSoqlString(text: string): string {
  return text.replace(/[\\'"\n\r\t\f\b]/g, (character) => {
    switch (character) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '\f':
        return '\\f';
      case '\b':
        return '\\b';
      default:
        return `\\${character}`;
    }
  });
}

/**
 * Escapes a value for use inside a LIKE literal so that it only matches itself: the string
 * escapes, plus `\%` and `\_` for the wildcards (Salesforce's LIKE-only escape sequences).
 */
export function escapeSoqlLike(text: string): string {
  return escapeSoqlString(text).replace(/[%_]/g, (wildcard) => `\\${wildcard}`);
}

/** How a LIKE pattern places the literal value: alone, or with `%` before and/or after it. */
export type SoqlLikeMatch = 'exact' | 'contains' | 'startsWith' | 'endsWith';

/**
 * A LIKE pattern that matches `value` literally (`%` and `_` in it are not wildcards), placed as
 * `match` says. Throws on an empty or blank value: `'%%'` would match every non-null row, so
 * callers must skip blank values before building the query.
 *
 *   soql`SELECT Id FROM Account WHERE Website LIKE ${likeContains(domain)}`
 */
export function soqlLike(value: string, match: SoqlLikeMatch = 'exact'): SoqlLikePattern {
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error('empty value in a SOQL LIKE pattern');
  const before = match === 'contains' || match === 'endsWith' ? '%' : '';
  const after = match === 'contains' || match === 'startsWith' ? '%' : '';
  return new SoqlLikePattern(LIKE_PATTERN, `'${before}${escapeSoqlLike(value)}${after}'`);
}

/** `LIKE '%value%'` with `value` matched literally; throws on an empty or blank value. */
export function likeContains(value: string): SoqlLikePattern {
  return soqlLike(value, 'contains');
}

/** A datetime literal, unquoted, to the second in UTC (Salesforce datetimes have no finer grain). */
export function soqlDateTime(instant: Date): string {
  if (Number.isNaN(instant.getTime())) throw new Error('invalid date in SOQL');
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function literal(value: SoqlValue): string {
  if (value instanceof SoqlIdentifier) return value.name;
  if (value instanceof SoqlLikePattern) return value.text;
  if (value === null) return 'null';
  if (value instanceof Date) return soqlDateTime(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('non-finite number in SOQL');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return `'${escapeSoqlString(value)}'`;
  if (value.length === 0) throw new Error('empty IN list in SOQL');
  return `(${value.map((item) => literal(item)).join(', ')})`;
}

export function soql(strings: TemplateStringsArray, ...values: readonly SoqlValue[]): string {
  return strings.reduce(
    (text, part, index) =>
      text + part + (index < values.length ? literal(values[index] as SoqlValue) : ''),
    '',
  );
}
