/**
 * A SOQL subset, enough for Handoff's queries: field lists with parent relationships
 * (`Owner.Name`) and one level of parent-to-child subqueries (`(SELECT Id FROM Tasks WHERE …)`),
 * `COUNT()` and `COUNT(field)` with GROUP BY, WHERE with AND/OR/NOT and
 * parentheses, `= != <> < <= > >= IN NOT IN LIKE`, `null`, booleans, numbers, quoted strings,
 * unquoted date and datetime literals, relative dates (`TODAY`, `LAST_N_DAYS:n` …), ORDER BY
 * with ASC/DESC and NULLS FIRST/LAST, LIMIT and OFFSET. Anything else is a `SoqlError`
 * (answered as 400 `MALFORMED_QUERY`, like Salesforce).
 */

export class SoqlError extends Error {
  override readonly name = 'SoqlError';
  constructor(
    message: string,
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' = 'MALFORMED_QUERY',
  ) {
    super(message);
  }
}

export type Literal =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'date'; readonly value: string }
  | { readonly kind: 'datetime'; readonly value: number }
  | { readonly kind: 'relative'; readonly name: string; readonly n: number | null };

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly items: readonly Condition[] }
  | { readonly kind: 'not'; readonly item: Condition }
  | {
      readonly kind: 'compare';
      readonly field: string;
      readonly operator: '=' | '!=' | '<' | '<=' | '>' | '>=';
      readonly value: Literal;
    }
  | {
      readonly kind: 'in';
      readonly field: string;
      readonly negated: boolean;
      readonly values: readonly Literal[];
    }
  | {
      readonly kind: 'like';
      readonly field: string;
      /**
       * Normalised: bare `%` and `_` are wildcards, and a backslash escapes the next character
       * (`\\%`, `\\_`, `\\\\`); everything else is literal. Read it with `likeSegments`.
       */
      readonly pattern: string;
    };

export type SelectItem =
  | { readonly kind: 'field'; readonly path: string }
  | { readonly kind: 'count'; readonly field: string | null; readonly alias: string | null }
  /**
   * A parent-to-child relationship query: `query.from` is the relationship name (`Tasks`),
   * resolved against the parent object when the query runs. It has no GROUP BY or COUNT.
   */
  | { readonly kind: 'subquery'; readonly query: SoqlQuery };

export interface SoqlQuery {
  readonly select: readonly SelectItem[];
  readonly from: string;
  readonly where: Condition | null;
  readonly groupBy: readonly string[];
  readonly orderBy: readonly {
    readonly field: string;
    readonly descending: boolean;
    readonly nullsLast: boolean;
  }[];
  readonly limit: number | null;
  readonly offset: number | null;
}

type Token =
  | { readonly type: 'word'; readonly text: string }
  /** `text` is the literal's contents as written, escapes undecoded. */
  | { readonly type: 'string'; readonly text: string }
  | { readonly type: 'number'; readonly text: string }
  | { readonly type: 'date'; readonly text: string }
  | { readonly type: 'datetime'; readonly text: string }
  | { readonly type: 'relative'; readonly text: string; readonly n: number }
  | { readonly type: 'symbol'; readonly text: string };

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\d:T])/;
const RELATIVE_WITH_N = /^([A-Za-z_]+):(\d+)/;
const WORD = /^[A-Za-z_][A-Za-z0-9_.]*/;
const NUMBER = /^-?\d+(\.\d+)?/;
const SYMBOLS = ['!=', '<>', '<=', '>=', '=', '<', '>', '(', ')', ','];
/**
 * Salesforce's quoted-string escapes ("Quoted String Escape Sequences"): the letters in either
 * case, `\uXXXX` (below), and `\%` `\_` in LIKE only. `\b` is U+0008, as in Java.
 */
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};
const HEX4 = /^[0-9A-Fa-f]{4}$/;

/**
 * Decodes a string literal's contents (between the quotes). Outside LIKE the result is the
 * value; `\%` and `\_` are errors there, as is any backslash sequence Salesforce does not
 * define. In a LIKE pattern the result is the normalised pattern (see `likeSegments`): bare `%`
 * and `_` stay wildcards, and every escaped `%`, `_` or backslash keeps a backslash before it.
 */
function decodeQuoted(raw: string, like: boolean): string {
  let value = '';
  for (let index = 0; index < raw.length; index += 1) {
    const character = raw[index] ?? '';
    if (character !== '\\') {
      value += character;
      continue;
    }
    index += 1;
    const next = raw[index] ?? '';
    let decoded: string;
    if (next === '%' || next === '_') {
      if (!like)
        throw new SoqlError(
          `Invalid string literal escape sequence: \\${next} is only allowed in a LIKE expression`,
        );
      decoded = next;
    } else if (next === 'u') {
      const hex = raw.slice(index + 1, index + 5);
      if (!HEX4.test(hex)) throw new SoqlError(`Invalid string literal escape sequence: \\u${hex}`);
      decoded = String.fromCharCode(parseInt(hex, 16));
      index += 4;
    } else {
      const escaped = ESCAPES[next];
      if (escaped === undefined)
        throw new SoqlError(`Invalid string literal escape sequence: \\${next}`);
      decoded = escaped;
    }
    value +=
      like && (decoded === '%' || decoded === '_' || decoded === '\\') ? `\\${decoded}` : decoded;
  }
  return value;
}

/** One piece of a LIKE pattern: literal text, `%` (any run of characters) or `_` (one). */
export type LikeSegment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'one' };

/**
 * Splits a normalised LIKE pattern (`Condition.like.pattern`) into literal text and wildcards.
 * In the normalised form a backslash always escapes the next character (`\\`, `\%`, `\_`), so
 * a literal backslash before a wildcard is never mistaken for an escape.
 */
export function likeSegments(pattern: string): LikeSegment[] {
  const segments: LikeSegment[] = [];
  let text = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index] ?? '';
    if (character === '\\') {
      text += pattern[index + 1] ?? '';
      index += 1;
    } else if (character === '%' || character === '_') {
      if (text !== '') segments.push({ kind: 'literal', text });
      text = '';
      segments.push({ kind: character === '%' ? 'any' : 'one' });
    } else text += character;
  }
  if (text !== '') segments.push({ kind: 'literal', text });
  return segments;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let rest = text;
  while (rest.length > 0) {
    const space = /^\s+/.exec(rest);
    if (space !== null) {
      rest = rest.slice(space[0].length);
      continue;
    }
    if (rest.startsWith("'")) {
      let index = 1;
      for (; index < rest.length && rest[index] !== "'"; index += 1) {
        if (rest[index] === '\\') index += 1;
      }
      if (index >= rest.length) throw new SoqlError('unterminated string literal');
      const raw = rest.slice(1, index);
      // Escapes are checked here and decoded by the parser, which knows whether it is a LIKE.
      decodeQuoted(raw, true);
      tokens.push({ type: 'string', text: raw });
      rest = rest.slice(index + 1);
      continue;
    }
    const datetime = DATETIME.exec(rest);
    if (datetime !== null) {
      tokens.push({ type: 'datetime', text: datetime[0] });
      rest = rest.slice(datetime[0].length);
      continue;
    }
    const date = DATE.exec(rest);
    if (date !== null) {
      tokens.push({ type: 'date', text: date[0] });
      rest = rest.slice(date[0].length);
      continue;
    }
    const relative = RELATIVE_WITH_N.exec(rest);
    if (relative !== null) {
      tokens.push({
        type: 'relative',
        text: (relative[1] ?? '').toUpperCase(),
        n: Number(relative[2]),
      });
      rest = rest.slice(relative[0].length);
      continue;
    }
    const word = WORD.exec(rest);
    if (word !== null) {
      tokens.push({ type: 'word', text: word[0] });
      rest = rest.slice(word[0].length);
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number !== null) {
      tokens.push({ type: 'number', text: number[0] });
      rest = rest.slice(number[0].length);
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => rest.startsWith(candidate));
    if (symbol === undefined) throw new SoqlError(`unexpected token: '${rest.slice(0, 10)}'`);
    tokens.push({ type: 'symbol', text: symbol });
    rest = rest.slice(symbol.length);
  }
  return tokens;
}

const RELATIVE_DATES = new Set([
  'TODAY',
  'YESTERDAY',
  'TOMORROW',
  'LAST_N_DAYS',
  'NEXT_N_DAYS',
  'N_DAYS_AGO',
]);
// Group and Order are also object names, so GROUP and ORDER are recognised by position only.
const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'BY',
  'LIMIT',
  'OFFSET',
  'NULL',
  'TRUE',
  'FALSE',
]);
const UNSUPPORTED = new Set([
  'HAVING',
  'WITH',
  'FOR',
  'USING',
  'TYPEOF',
  'INCLUDES',
  'EXCLUDES',
  'ROLLUP',
  'CUBE',
]);

class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private isKeyword(keyword: string, token = this.peek()): boolean {
    return token?.type === 'word' && token.text.toUpperCase() === keyword;
  }

  private acceptKeyword(keyword: string): boolean {
    if (!this.isKeyword(keyword)) return false;
    this.position += 1;
    return true;
  }

  private expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword))
      throw new SoqlError(`expecting '${keyword}', found '${this.peek()?.text ?? 'end of query'}'`);
  }

  private acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token?.type !== 'symbol' || token.text !== symbol) return false;
    this.position += 1;
    return true;
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol))
      throw new SoqlError(`expecting '${symbol}', found '${this.peek()?.text ?? 'end of query'}'`);
  }

  private fieldName(): string {
    const token = this.peek();
    if (token?.type !== 'word')
      throw new SoqlError(`expecting a field name, found '${token?.text ?? 'end of query'}'`);
    if (UNSUPPORTED.has(token.text.toUpperCase()))
      throw new SoqlError(`unsupported SOQL clause: ${token.text}`);
    if (RESERVED.has(token.text.toUpperCase()))
      throw new SoqlError(`unexpected token: '${token.text}'`);
    this.position += 1;
    return token.text;
  }

  private integer(what: string): number {
    const token = this.peek();
    if (token?.type !== 'number' || !/^\d+$/.test(token.text))
      throw new SoqlError(`${what} expects a non-negative integer`);
    this.position += 1;
    return Number(token.text);
  }

  parse(): SoqlQuery {
    const query = this.query(false);
    const rest = this.peek();
    if (rest !== undefined) throw new SoqlError(`unexpected token: '${rest.text}'`);
    return query;
  }

  /** One SELECT statement; a subquery (`nested`) ends at the `)` its caller expects. */
  private query(nested: boolean): SoqlQuery {
    this.expectKeyword('SELECT');
    const select: SelectItem[] = [];
    do {
      if (this.isKeyword('COUNT')) {
        this.position += 1;
        this.expectSymbol('(');
        const field = this.acceptSymbol(')') ? null : this.fieldName();
        if (field !== null) this.expectSymbol(')');
        const next = this.peek();
        const alias =
          next?.type === 'word' && !this.isKeyword('FROM') ? (this.position++, next.text) : null;
        select.push({ kind: 'count', field, alias });
      } else if (this.acceptSymbol('(')) {
        // Salesforce's wording before API 58.0, which added nesting to five levels; the
        // sandbox answers one level whatever the version.
        if (nested)
          throw new SoqlError(
            'SOQL statements cannot query aggregate relationships more than 1 level away from the root entity object.',
          );
        const query = this.query(true);
        this.expectSymbol(')');
        select.push({ kind: 'subquery', query });
      } else {
        select.push({ kind: 'field', path: this.fieldName() });
      }
    } while (this.acceptSymbol(','));
    this.expectKeyword('FROM');
    const from = this.fieldName();
    const where = this.acceptKeyword('WHERE') ? this.condition() : null;
    const groupBy: string[] = [];
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      do groupBy.push(this.fieldName());
      while (this.acceptSymbol(','));
    }
    const orderBy: SoqlQuery['orderBy'][number][] = [];
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      do {
        const field = this.fieldName();
        const descending = this.acceptKeyword('DESC') ? true : (this.acceptKeyword('ASC'), false);
        let nullsLast = descending;
        if (this.acceptKeyword('NULLS')) {
          if (this.acceptKeyword('LAST')) nullsLast = true;
          else {
            this.expectKeyword('FIRST');
            nullsLast = false;
          }
        }
        orderBy.push({ field, descending, nullsLast });
      } while (this.acceptSymbol(','));
    }
    const limit = this.acceptKeyword('LIMIT') ? this.integer('LIMIT') : null;
    const offset = this.acceptKeyword('OFFSET') ? this.integer('OFFSET') : null;
    if (select.some((item) => item.kind === 'count' && item.field === null) && select.length > 1) {
      throw new SoqlError('COUNT() must be the only element in the SELECT list');
    }
    const aggregated = groupBy.length > 0 || select.some((item) => item.kind === 'count');
    // The wording of these three refusals is the sandbox's own; Salesforce refuses each.
    if (nested && aggregated)
      throw new SoqlError('aggregate functions and GROUP BY are not allowed in a subquery');
    const subqueries = select.flatMap((item) => (item.kind === 'subquery' ? [item.query] : []));
    if (aggregated && subqueries.length > 0)
      throw new SoqlError('an aggregate query cannot have a relationship subquery');
    // "A subquery can use OFFSET only if the parent query has a LIMIT 1 clause" (SOQL reference).
    if (subqueries.some((subquery) => subquery.offset !== null) && limit !== 1)
      throw new SoqlError('OFFSET in a subquery needs LIMIT 1 on the parent query');
    return { select, from, where, groupBy, orderBy, limit, offset };
  }

  /** AND and OR may not be mixed without parentheses, as in SOQL. */
  private condition(): Condition {
    const first = this.unary();
    const items = [first];
    let joiner: 'and' | 'or' | null = null;
    for (;;) {
      const next = this.isKeyword('AND') ? 'and' : this.isKeyword('OR') ? 'or' : null;
      if (next === null) break;
      if (joiner !== null && joiner !== next)
        throw new SoqlError('unexpected token: mixing AND and OR needs parentheses');
      joiner = next;
      this.position += 1;
      items.push(this.unary());
    }
    return joiner === null ? first : { kind: joiner, items };
  }

  private unary(): Condition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', item: this.unary() };
    if (this.acceptSymbol('(')) {
      const inner = this.condition();
      this.expectSymbol(')');
      return inner;
    }
    const field = this.fieldName();
    if (this.acceptKeyword('LIKE')) {
      const token = this.peek();
      if (token?.type !== 'string') throw new SoqlError('LIKE expects a quoted string');
      this.position += 1;
      return { kind: 'like', field, pattern: decodeQuoted(token.text, true) };
    }
    const negated = this.acceptKeyword('NOT');
    if (this.acceptKeyword('IN')) {
      this.expectSymbol('(');
      if (this.isKeyword('SELECT'))
        throw new SoqlError('semi-join subqueries are not supported by the sandbox');
      const values: Literal[] = [];
      do values.push(this.literal());
      while (this.acceptSymbol(','));
      this.expectSymbol(')');
      return { kind: 'in', field, negated, values };
    }
    if (negated) throw new SoqlError("expecting 'IN' after 'NOT'");
    const token = this.peek();
    if (token?.type !== 'symbol' || ['(', ')', ','].includes(token.text))
      throw new SoqlError(`unexpected token: '${token?.text ?? 'end of query'}'`);
    this.position += 1;
    const operator =
      token.text === '<>' ? '!=' : (token.text as '=' | '!=' | '<' | '<=' | '>' | '>=');
    return { kind: 'compare', field, operator, value: this.literal() };
  }

  private literal(): Literal {
    const token = this.peek();
    if (token === undefined) throw new SoqlError('unexpected end of query');
    this.position += 1;
    switch (token.type) {
      case 'string':
        return { kind: 'string', value: decodeQuoted(token.text, false) };
      case 'number':
        return { kind: 'number', value: Number(token.text) };
      case 'date':
        return { kind: 'date', value: token.text };
      case 'datetime':
        return { kind: 'datetime', value: Date.parse(token.text) };
      case 'relative':
        if (!RELATIVE_DATES.has(token.text))
          throw new SoqlError(`unsupported date literal ${token.text}:${token.n}`);
        return { kind: 'relative', name: token.text, n: token.n };
      case 'word': {
        const upper = token.text.toUpperCase();
        if (upper === 'NULL') return { kind: 'null' };
        if (upper === 'TRUE' || upper === 'FALSE')
          return { kind: 'boolean', value: upper === 'TRUE' };
        if (RELATIVE_DATES.has(upper) && !upper.includes('_N_'))
          return { kind: 'relative', name: upper, n: null };
        throw new SoqlError(`unexpected token: '${token.text}'`);
      }
      case 'symbol':
        throw new SoqlError(`unexpected token: '${token.text}'`);
    }
  }
}

/** Parses a SOQL statement; throws `SoqlError` with Salesforce's error code. */
export function parseSoql(text: string): SoqlQuery {
  if (text.trim() === '') throw new SoqlError('SOQL statements cannot be empty or null');
  return new Parser(tokenize(text)).parse();
}
