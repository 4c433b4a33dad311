/**
 * A linear-time regular-expression engine for definition patterns (`matches`, `not_matches`).
 *
 * V8's own engine backtracks, so an admin's `^(a+)+$` and a 35-character job title can pin a CPU
 * for minutes. This engine compiles the pattern to a Thompson NFA and simulates every thread at
 * once (a Pike VM without captures): time is O(program size × input length) whatever the pattern,
 * memory O(program size).
 *
 * It accepts the subset of JavaScript syntax (without the `u` flag) that definitions use, with the
 * same meaning as `RegExp.prototype.test`: literals, `.` (any code unit but a line terminator),
 * `\d \w \s \D \W \S \b \B`, `\t \n \r \f \v \xHH \uHHHH`, escaped punctuation (`\. \( \\ \/ \-`),
 * character classes with ranges, negation and escapes (`[a-z0-9._%+-]`, `[^@]`), anchors `^ $`,
 * groups `( )`, `(?: )` and `(?<name> )`, alternation `|`, quantifiers `* + ? {n} {n,} {n,m}`
 * (a lazy `?` suffix is accepted: a yes/no search has the same answer), and a leading `(?i)` for
 * a case-insensitive pattern (JavaScript's `i` flag). The test searches anywhere in the text.
 *
 * Anything else is rejected with a `PatternError`: backreferences, lookaround, inline flags other
 * than the leading `(?i)`, control and octal escapes, `\p{…}`, lone `{ } ]`, repetition counts
 * above `MAX_REPEAT`, patterns longer than `MAX_PATTERN_LENGTH` and patterns whose program would
 * exceed `MAX_PROGRAM_SIZE` instructions (e.g. `(a{1000}){1000}`).
 */

export const MAX_PATTERN_LENGTH = 1_000;
/** Highest `n` or `m` in `{n}`, `{n,}`, `{n,m}`. */
export const MAX_REPEAT = 1_000;
/** Instructions of a compiled pattern; bounds the work per input character. */
export const MAX_PROGRAM_SIZE = 5_000;

const CASE_INSENSITIVE_PREFIX = '(?i)';
const LINEAR_NOTE = 'definitions run in linear time';

/** Why a pattern was refused: invalid JavaScript syntax, or valid syntax this engine refuses. */
export type PatternErrorKind = 'invalid' | 'unsupported';

/**
 * A refused pattern. The message is a complete sentence for `handoff validate`:
 * `invalid regular expression: …` or `unsupported in definition patterns: … (definitions run in
 * linear time)`. A SyntaxError, like the one `new RegExp` throws.
 */
export class PatternError extends SyntaxError {
  readonly kind: PatternErrorKind;
  readonly detail: string;

  constructor(kind: PatternErrorKind, detail: string) {
    super(
      kind === 'invalid'
        ? `invalid regular expression: ${detail}`
        : `unsupported in definition patterns: ${detail} (${LINEAR_NOTE})`,
    );
    this.name = 'PatternError';
    this.kind = kind;
    this.detail = detail;
  }
}

const invalid = (detail: string): PatternError => new PatternError('invalid', detail);
const unsupported = (detail: string): PatternError => new PatternError('unsupported', detail);

// ---------------------------------------------------------------------------------------------
// Character sets

/** A set of UTF-16 code units: ranges, nested sets (class escapes), optionally complemented. */
interface CharSet {
  /** Flat `[lo, hi, lo, hi, …]`, inclusive. */
  readonly ranges: readonly number[];
  readonly members: readonly CharSet[];
  readonly complement: boolean;
}

const set = (ranges: readonly number[], complement = false): CharSet => ({
  ranges,
  members: [],
  complement,
});

const DIGIT = set([0x30, 0x39]);
const WORD = set([0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a]);
/** JavaScript's WhiteSpace and LineTerminator code points. */
const SPACE = set([
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f,
  0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
]);
const LINE_TERMINATORS = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];
const DOT = set(LINE_TERMINATORS, true);

const CLASS_ESCAPES: Readonly<Record<string, CharSet>> = {
  d: DIGIT,
  D: set(DIGIT.ranges, true),
  w: WORD,
  W: set(WORD.ranges, true),
  s: SPACE,
  S: set(SPACE.ranges, true),
};

const CONTROL_ESCAPES: Readonly<Record<string, number>> = {
  t: 0x09,
  n: 0x0a,
  v: 0x0b,
  f: 0x0c,
  r: 0x0d,
};

function inSet(charSet: CharSet, code: number): boolean {
  let found = false;
  const { ranges } = charSet;
  for (let index = 0; index < ranges.length && !found; index += 2) {
    found = code >= (ranges[index] as number) && code <= (ranges[index + 1] as number);
  }
  for (let index = 0; index < charSet.members.length && !found; index += 1) {
    found = inSet(charSet.members[index] as CharSet, code);
  }
  return found !== charSet.complement;
}

/** `\w` without the u flag: [A-Za-z0-9_] (the WORD set, written out for the hot path). */
function isWordCode(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f
  );
}

// ---------------------------------------------------------------------------------------------
// Case folding: JavaScript's Canonicalize without the `u` flag (ECMA-262 §22.2.2.7.3)

function canonicalOf(code: number): number {
  const upper = String.fromCharCode(code).toUpperCase();
  if (upper.length !== 1) return code;
  const upperCode = upper.charCodeAt(0);
  return code >= 128 && upperCode < 128 ? code : upperCode;
}

interface CaseTables {
  /** Code unit → its canonical code unit. */
  readonly table: Uint16Array;
  /** Canonical code unit → every code unit with that canonical form, when there are several. */
  readonly classes: ReadonlyMap<number, readonly number[]>;
}

let caseTables: CaseTables | null = null;

/** Built once, on the first case-insensitive pattern: 64 Ki code units. */
function canonicalTables(): CaseTables {
  if (caseTables === null) {
    const table = new Uint16Array(0x10000);
    const classes = new Map<number, number[]>();
    for (let code = 0; code < 0x10000; code += 1) {
      const canonical = canonicalOf(code);
      table[code] = canonical;
      if (canonical !== code) classes.set(canonical, [...(classes.get(canonical) ?? []), code]);
    }
    for (const [canonical, codes] of classes) {
      if (table[canonical] === canonical) codes.push(canonical);
    }
    caseTables = { table, classes };
  }
  return caseTables;
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

type AssertionKind = 'start' | 'end' | 'word' | 'not_word';

type Node =
  | { readonly type: 'empty' }
  | { readonly type: 'char'; readonly code: number }
  | { readonly type: 'set'; readonly set: CharSet; readonly invert: boolean }
  | { readonly type: 'assert'; readonly kind: AssertionKind }
  | { readonly type: 'concat'; readonly items: readonly Node[] }
  | { readonly type: 'alt'; readonly options: readonly Node[] }
  | { readonly type: 'repeat'; readonly node: Node; readonly min: number; readonly max: number };

const EMPTY: Node = { type: 'empty' };
const HEX = /^[0-9a-fA-F]+$/;

class Parser {
  private position = 0;
  private readonly groupNames = new Set<string>();

  constructor(private readonly source: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.position < this.source.length) {
      // alternation() stops only at the end or at a `)` that closes nothing.
      throw invalid(`unmatched ")" at position ${this.position + 1}`);
    }
    return node;
  }

  private peek(offset = 0): string {
    return this.source.charAt(this.position + offset);
  }

  private alternation(): Node {
    const options = [this.concatenation()];
    while (this.peek() === '|') {
      this.position += 1;
      options.push(this.concatenation());
    }
    return options.length === 1 ? (options[0] as Node) : { type: 'alt', options };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    while (this.position < this.source.length && this.peek() !== '|' && this.peek() !== ')') {
      items.push(this.quantified());
    }
    if (items.length === 0) return EMPTY;
    return items.length === 1 ? (items[0] as Node) : { type: 'concat', items };
  }

  private quantified(): Node {
    const start = this.position;
    const grouped = this.peek() === '(';
    const atom = this.atom();
    const bounds = this.quantifier();
    if (bounds === null) return atom;
    if (atom.type === 'assert' && !grouped) {
      throw invalid(`nothing to repeat at position ${start + 1} (an assertion cannot repeat)`);
    }
    if (this.peek() === '?') this.position += 1; // lazy: same yes/no answer
    if (this.quantifierAhead()) {
      throw invalid(`nothing to repeat at position ${this.position + 1}`);
    }
    return { type: 'repeat', node: atom, min: bounds.min, max: bounds.max };
  }

  /** `{n}`, `{n,}` or `{n,m}` at the current position, without consuming it; null otherwise. */
  private braces(): { min: number; max: number; length: number } | null {
    const braces = /\{(\d+)(,(\d*))?\}/y;
    braces.lastIndex = this.position;
    const match = braces.exec(this.source);
    if (match === null) return null;
    const [text, low = '', comma, high = ''] = match;
    const min = Number(low);
    const max = comma === undefined ? min : high === '' ? Infinity : Number(high);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
      throw unsupported(`repetition ${text} (counts above ${MAX_REPEAT})`);
    }
    if (max < min) throw invalid(`numbers out of order in ${text}`);
    return { min, max, length: text.length };
  }

  private quantifierAhead(): boolean {
    const next = this.peek();
    return next === '*' || next === '+' || next === '?' || (next === '{' && this.braces() !== null);
  }

  private quantifier(): { min: number; max: number } | null {
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?') {
      this.position += 1;
      return { min: next === '+' ? 1 : 0, max: next === '?' ? 1 : Infinity };
    }
    if (next !== '{') return null;
    const bounds = this.braces();
    if (bounds === null) return null;
    this.position += bounds.length;
    return bounds;
  }

  private atom(): Node {
    const char = this.peek();
    const at = this.position + 1;
    switch (char) {
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '\\':
        return this.escape();
      case '.':
        this.position += 1;
        return { type: 'set', set: DOT, invert: false };
      case '^':
        this.position += 1;
        return { type: 'assert', kind: 'start' };
      case '$':
        this.position += 1;
        return { type: 'assert', kind: 'end' };
      case '*':
      case '+':
      case '?':
        throw invalid(`nothing to repeat at position ${at}`);
      case '{':
        if (this.braces() !== null) throw invalid(`nothing to repeat at position ${at}`);
        throw unsupported(`a lone "{" at position ${at} (write \\{)`);
      case '}':
      case ']':
        throw unsupported(`a lone "${char}" at position ${at} (write \\${char})`);
      default:
        this.position += 1;
        return { type: 'char', code: char.charCodeAt(0) };
    }
  }

  private group(): Node {
    const start = this.position;
    this.position += 1;
    if (this.peek() === '?') {
      const kind = this.peek(1);
      const after = this.peek(2);
      if (kind === ':') this.position += 2;
      else if (kind === '=' || kind === '!') {
        throw unsupported(`lookahead (?${kind} at position ${start + 1}`);
      } else if (kind === '<' && (after === '=' || after === '!')) {
        throw unsupported(`lookbehind (?<${after} at position ${start + 1}`);
      } else if (kind === '<') this.groupName(start);
      else if (this.source.startsWith(CASE_INSENSITIVE_PREFIX, start)) {
        throw unsupported(`(?i) at position ${start + 1} (only at the start of the pattern)`);
      } else {
        throw unsupported(`the group "(?${kind}" at position ${start + 1}`);
      }
    }
    const node = this.alternation();
    if (this.peek() !== ')') throw invalid(`missing ")" for the group at position ${start + 1}`);
    this.position += 1;
    return node;
  }

  /** `(?<name>`: a named group is a plain group here (nothing refers to it). */
  private groupName(start: number): void {
    const name = /\?<([A-Za-z_$][\w$]*)>/y;
    name.lastIndex = this.position;
    const match = name.exec(this.source);
    if (match === null) {
      throw unsupported(`the group name at position ${start + 1} (letters, digits, _ and $ only)`);
    }
    const groupName = match[1] as string;
    if (this.groupNames.has(groupName)) throw invalid(`duplicate group name "${groupName}"`);
    this.groupNames.add(groupName);
    this.position += match[0].length;
  }

  /** `\x` outside a class. */
  private escape(): Node {
    const at = this.position + 1;
    const next = this.peek(1);
    if (next === 'b' || next === 'B') {
      this.position += 2;
      return { type: 'assert', kind: next === 'b' ? 'word' : 'not_word' };
    }
    const escaped = this.classAtomEscape(at);
    return typeof escaped === 'number'
      ? { type: 'char', code: escaped }
      : { type: 'set', set: escaped, invert: false };
  }

  /**
   * An escape in or outside a class (`\b` is handled by the callers): a code unit or a class
   * escape's set. Consumes it.
   */
  private classAtomEscape(at: number): number | CharSet {
    const next = this.peek(1);
    if (next === '') throw invalid('"\\" at the end of the pattern');
    this.position += 2;
    const classEscape = CLASS_ESCAPES[next];
    if (classEscape !== undefined) return classEscape;
    const control = CONTROL_ESCAPES[next];
    if (control !== undefined) return control;
    if (next === 'x' || next === 'u') {
      const digits = this.source.slice(this.position, this.position + (next === 'x' ? 2 : 4));
      if (digits.length !== (next === 'x' ? 2 : 4) || !HEX.test(digits)) {
        throw unsupported(
          `\\${next} at position ${at} without ${next === 'x' ? 'two' : 'four'} hex digits`,
        );
      }
      this.position += digits.length;
      return Number.parseInt(digits, 16);
    }
    if (/[1-9]/.test(next)) throw unsupported(`backreference \\${next}`);
    if (next === 'k') throw unsupported('backreference \\k<…>');
    if (next === '0') throw unsupported(`the octal or NUL escape \\0 at position ${at}`);
    if (next === 'p' || next === 'P') {
      throw unsupported(`the Unicode property escape \\${next} at position ${at}`);
    }
    if (next === 'c') throw unsupported(`the control escape \\c at position ${at}`);
    if (/[A-Za-z]/.test(next)) throw unsupported(`the escape \\${next} at position ${at}`);
    return next.charCodeAt(0);
  }

  private characterClass(): Node {
    const start = this.position;
    this.position += 1;
    const invert = this.peek() === '^';
    if (invert) this.position += 1;
    const ranges: number[] = [];
    const members: CharSet[] = [];
    const add = (atom: number | CharSet): void => {
      if (typeof atom === 'number') ranges.push(atom, atom);
      else members.push(atom);
    };
    while (this.peek() !== ']') {
      if (this.position >= this.source.length) {
        throw invalid(`missing "]" for the class at position ${start + 1}`);
      }
      const first = this.classAtom();
      if (this.peek() !== '-' || this.peek(1) === ']' || this.peek(1) === '') {
        add(first);
        continue;
      }
      this.position += 1;
      const last = this.classAtom();
      if (typeof first !== 'number' || typeof last !== 'number') {
        // JavaScript (without the u flag) reads [\d-z] as \d, "-" and z.
        add(first);
        add(0x2d);
        add(last);
      } else if (first > last) {
        throw invalid(
          `range out of order in the class at position ${start + 1}: ${String.fromCharCode(first)}-${String.fromCharCode(last)}`,
        );
      } else ranges.push(first, last);
    }
    this.position += 1;
    return { type: 'set', set: { ranges, members, complement: false }, invert };
  }

  private classAtom(): number | CharSet {
    const char = this.peek();
    if (char !== '\\') {
      this.position += 1;
      return char.charCodeAt(0);
    }
    if (this.peek(1) === 'b') {
      this.position += 2;
      return 0x08; // [\b] is a backspace
    }
    return this.classAtomEscape(this.position + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Program

const OP_CHAR = 0;
const OP_SET = 1;
const OP_SPLIT = 2;
const OP_JUMP = 3;
const OP_ASSERT = 4;
const OP_MATCH = 5;

interface Instruction {
  op: number;
  /** OP_CHAR: the code unit (canonical when case-insensitive); jump targets otherwise. */
  x: number;
  y: number;
  set: CharSet | null;
  invert: boolean;
  assertion: AssertionKind | null;
}

function instruction(op: number, x = 0, y = 0): Instruction {
  return { op, x, y, set: null, invert: false, assertion: null };
}

/** Instructions `node` compiles to, or `MAX_PROGRAM_SIZE + 1` when that is more than the limit. */
function programSize(node: Node): number {
  const capped = (size: number): number => Math.min(size, MAX_PROGRAM_SIZE + 1);
  switch (node.type) {
    case 'empty':
      return 0;
    case 'char':
    case 'set':
    case 'assert':
      return 1;
    case 'concat':
      return node.items.reduce((total, item) => capped(total + programSize(item)), 0);
    case 'alt':
      return node.options.reduce((total, option) => capped(total + programSize(option) + 2), -2);
    case 'repeat': {
      const inner = programSize(node.node);
      // min copies, then a loop (split, body, jump) or max − min optional copies (split, body).
      const rest = node.max === Infinity ? inner + 2 : (node.max - node.min) * (inner + 1);
      return capped(node.min * inner + rest);
    }
  }
}

/**
 * How many ways a backtracking engine can choose its path through `node` at one start position:
 * alternatives add, sequences multiply, a bounded repetition sums its counts; an unbounded one
 * (`*`, `+`, `{n,}`) is Infinity. Capped once it passes `cap`.
 */
function choicePaths(node: Node, cap: number): number {
  const capped = (paths: number): number => (paths > cap ? Infinity : paths);
  switch (node.type) {
    case 'empty':
    case 'char':
    case 'set':
    case 'assert':
      return 1;
    case 'concat':
      return node.items.reduce((total, item) => capped(total * choicePaths(item, cap)), 1);
    case 'alt':
      return node.options.reduce((total, option) => capped(total + choicePaths(option, cap)), 0);
    case 'repeat': {
      if (node.max === Infinity) return Infinity;
      const inner = choicePaths(node.node, cap);
      let total = 0;
      for (let count = node.min; count <= node.max && total <= cap; count += 1)
        total = capped(total + capped(inner ** count));
      return total;
    }
  }
}

class Compiler {
  readonly program: Instruction[] = [];

  constructor(private readonly ignoreCase: boolean) {}

  private emit(op: number, x = 0, y = 0): Instruction {
    const added = instruction(op, x, y);
    this.program.push(added);
    return added;
  }

  compile(node: Node): void {
    switch (node.type) {
      case 'empty':
        return;
      case 'char':
        this.emit(OP_CHAR, this.ignoreCase ? canonicalTables().table[node.code] : node.code);
        return;
      case 'set': {
        const added = this.emit(OP_SET);
        added.set = node.set;
        added.invert = node.invert;
        return;
      }
      case 'assert':
        this.emit(OP_ASSERT).assertion = node.kind;
        return;
      case 'concat':
        for (const item of node.items) this.compile(item);
        return;
      case 'alt':
        this.alternation(node.options);
        return;
      case 'repeat':
        this.repeat(node.node, node.min, node.max);
        return;
    }
  }

  /** `a|b|c`: split to a or (split to b or c); each branch jumps past the rest. */
  private alternation(options: readonly Node[]): void {
    const jumps: Instruction[] = [];
    options.forEach((option, index) => {
      const last = index === options.length - 1;
      const split = last ? null : this.emit(OP_SPLIT, this.program.length + 1);
      this.compile(option);
      if (split !== null) {
        jumps.push(this.emit(OP_JUMP));
        split.y = this.program.length;
      }
    });
    for (const jump of jumps) jump.x = this.program.length;
  }

  private repeat(node: Node, min: number, max: number): void {
    for (let count = 0; count < min; count += 1) this.compile(node);
    if (max === Infinity) {
      const loopAt = this.program.length;
      const loop = this.emit(OP_SPLIT, loopAt + 1);
      this.compile(node);
      this.emit(OP_JUMP, loopAt);
      loop.y = this.program.length;
      return;
    }
    // x{0,3} as (x(x(x)?)?)?: every optional copy may end the repetition.
    const exits: Instruction[] = [];
    for (let count = min; count < max; count += 1) {
      exits.push(this.emit(OP_SPLIT, this.program.length + 1));
      this.compile(node);
    }
    for (const exit of exits) exit.y = this.program.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Simulation

/** The outcome of one search, with the work it took (for tests of the linear bound). */
export interface LinearMatch {
  readonly matched: boolean;
  /** Instructions visited and tested: at most 2 × `size` per input position, plus `size`. */
  readonly steps: number;
}

/** A compiled definition pattern. */
export interface LinearRegex {
  /** The pattern without its `(?i)` prefix. */
  readonly source: string;
  readonly ignoreCase: boolean;
  /** Instructions of the compiled program. */
  readonly size: number;
  /**
   * An upper bound on the work a backtracking engine does per input position for this pattern
   * (choice paths × program size), or Infinity when an unbounded repetition makes it unbounded.
   */
  readonly backtrackingWork: number;
  /** Whether the pattern matches anywhere in `text` (as `RegExp.prototype.test`). */
  test(text: string): boolean;
  /** `test`, with the number of steps it took. */
  match(text: string): LinearMatch;
}

const ASSERTION_CODES: Readonly<Record<AssertionKind, number>> = {
  start: 0,
  end: 1,
  word: 2,
  not_word: 3,
};
const ASCII = 128;
/** Answers remembered per pattern, and the longest text remembered. */
const MEMO_ENTRIES = 4_096;
const MEMO_MAX_TEXT_LENGTH = 256;
/** Marks grow by the text length + 1 per search; start over before they overflow. */
const MAX_MARK = 0x7fff_ffff;

/**
 * The Pike VM. The program is flattened into typed arrays, whether a reading instruction accepts
 * each ASCII code unit is precomputed, and the thread lists are allocated once per pattern and
 * reused (a search runs to completion synchronously, so they are never shared).
 */
class PikeVm implements LinearRegex {
  readonly size: number;
  private readonly ops: Uint8Array;
  private readonly xs: Int32Array;
  private readonly ys: Int32Array;
  private readonly asciiAccepts: Uint8Array;
  private readonly sets: readonly (CharSet | null)[];
  private readonly inverts: Uint8Array;
  private readonly cases: CaseTables | null;
  private current: Int32Array;
  private next: Int32Array;
  private readonly stack: Int32Array;
  /** Per instruction, the mark of the position at which it was last put on a list. */
  private readonly seen: Int32Array;
  private markBase = 0;
  private steps = 0;
  /** ASCII code units that some thread starting afresh can read; others need a live thread. */
  private readonly startAccepts: Uint8Array;
  /** Whether a match can start without reading (then no position may be skipped). */
  private readonly nullable: boolean;
  /** Whether every match starts at position 0 (`^…`). */
  private readonly anchored: boolean;
  private readonly answers = new Map<string, boolean>();

  constructor(
    readonly source: string,
    readonly ignoreCase: boolean,
    program: readonly Instruction[],
    readonly backtrackingWork: number,
  ) {
    const instructions = [...program, instruction(OP_MATCH)];
    const size = instructions.length;
    this.size = size;
    this.cases = ignoreCase ? canonicalTables() : null;
    this.ops = new Uint8Array(size);
    this.xs = new Int32Array(size);
    this.ys = new Int32Array(size);
    this.inverts = new Uint8Array(size);
    this.sets = instructions.map((step) => step.set);
    instructions.forEach((step, pc) => {
      this.ops[pc] = step.op;
      this.xs[pc] = step.assertion === null ? step.x : ASSERTION_CODES[step.assertion];
      this.ys[pc] = step.y;
      this.inverts[pc] = step.invert ? 1 : 0;
    });
    this.asciiAccepts = new Uint8Array(size * ASCII);
    for (let pc = 0; pc < size; pc += 1) {
      if (this.ops[pc] !== OP_CHAR && this.ops[pc] !== OP_SET) continue;
      for (let code = 0; code < ASCII; code += 1) {
        this.asciiAccepts[pc * ASCII + code] = this.readsAny(pc, code) ? 1 : 0;
      }
    }
    this.current = new Int32Array(size);
    this.next = new Int32Array(size);
    this.stack = new Int32Array(2 * size + 2);
    this.seen = new Int32Array(size).fill(-1);
    const anywhere = this.startClosure(false);
    this.nullable = anywhere.matches;
    this.startAccepts = new Uint8Array(ASCII);
    for (const pc of anywhere.reading) {
      for (let code = 0; code < ASCII; code += 1) {
        if (this.asciiAccepts[pc * ASCII + code] === 1) this.startAccepts[code] = 1;
      }
    }
    const past = this.startClosure(true);
    this.anchored = !past.matches && past.reading.length === 0;
  }

  /**
   * What a thread started afresh reaches without reading: the reading instructions, and whether
   * a match. Assertions are assumed to hold (an over-estimate), except `^` when `afterStart`.
   */
  private startClosure(afterStart: boolean): { reading: number[]; matches: boolean } {
    const reading: number[] = [];
    let matches = false;
    const visited = new Uint8Array(this.size);
    const pending = [0];
    for (let pc = pending.pop(); pc !== undefined; pc = pending.pop()) {
      if (visited[pc] === 1) continue;
      visited[pc] = 1;
      const op = this.ops[pc];
      if (op === OP_JUMP) pending.push(this.xs[pc] as number);
      else if (op === OP_SPLIT) pending.push(this.xs[pc] as number, this.ys[pc] as number);
      else if (op === OP_ASSERT) {
        if (!afterStart || this.xs[pc] !== ASSERTION_CODES.start) pending.push(pc + 1);
      } else if (op === OP_MATCH) matches = true;
      else reading.push(pc);
    }
    return { reading, matches };
  }

  test(text: string): boolean {
    // Definition fields repeat (titles, industries, countries): a bounded memo of answers makes
    // a repeated value cost one lookup. The answer depends only on the text, so it is exact.
    const known = this.answers.get(text);
    if (known !== undefined) return known;
    const matched = this.run(text);
    if (this.answers.size >= MEMO_ENTRIES) this.answers.clear();
    if (text.length <= MEMO_MAX_TEXT_LENGTH) this.answers.set(text, matched);
    return matched;
  }

  match(text: string): LinearMatch {
    const matched = this.run(text);
    return { matched, steps: this.steps };
  }

  private run(text: string): boolean {
    if (this.markBase + text.length + 1 >= MAX_MARK) {
      this.seen.fill(-1);
      this.markBase = 0;
    }
    const base = this.markBase;
    this.markBase += text.length + 1;
    this.steps = 0;
    let currentCount = 0;
    for (let at = 0; at <= text.length; at += 1) {
      if (currentCount === 0 && at > 0 && !this.nullable) {
        // No live thread: skip to where a fresh one could read, or stop (nothing can match).
        if (this.anchored) break;
        while (at < text.length && !this.mayStartAt(text.charCodeAt(at))) at += 1;
        if (at === text.length) break;
      }
      currentCount = this.addClosure(this.current, currentCount, 0, text, at, base + at);
      if (currentCount < 0) return true;
      if (at === text.length) break;
      const code = text.charCodeAt(at);
      const { current, next } = this;
      let nextCount = 0;
      for (let index = 0; index < currentCount; index += 1) {
        const pc = current[index] as number;
        this.steps += 1;
        if (code < ASCII ? this.asciiAccepts[pc * ASCII + code] === 1 : this.readsAny(pc, code)) {
          nextCount = this.addClosure(next, nextCount, pc + 1, text, at + 1, base + at + 1);
          if (nextCount < 0) return true;
        }
      }
      this.current = next;
      this.next = current;
      currentCount = nextCount;
    }
    return false;
  }

  /**
   * Adds `from` and every instruction reachable from it without reading (at position `at`) to
   * `list` after its first `count` entries; returns the new count, or -1 on reaching a match.
   */
  private addClosure(
    list: Int32Array,
    count: number,
    from: number,
    text: string,
    at: number,
    mark: number,
  ): number {
    const { ops, xs, ys, stack, seen } = this;
    let top = 0;
    stack[top++] = from;
    let added = count;
    while (top > 0) {
      const pc = stack[--top] as number;
      if (seen[pc] === mark) continue;
      seen[pc] = mark;
      this.steps += 1;
      switch (ops[pc]) {
        case OP_JUMP:
          stack[top++] = xs[pc] as number;
          break;
        case OP_SPLIT:
          stack[top++] = ys[pc] as number;
          stack[top++] = xs[pc] as number;
          break;
        case OP_ASSERT:
          if (assertionHolds(xs[pc] as number, text, at)) stack[top++] = pc + 1;
          break;
        case OP_MATCH:
          return -1;
        default:
          list[added++] = pc;
      }
    }
    return added;
  }

  private mayStartAt(code: number): boolean {
    return code >= ASCII || this.startAccepts[code] === 1;
  }

  /** Whether the reading instruction at `pc` accepts `code`, for any code unit. */
  private readsAny(pc: number, code: number): boolean {
    const { cases } = this;
    if (this.ops[pc] === OP_CHAR)
      return (cases === null ? code : cases.table[code]) === this.xs[pc];
    const charSet = this.sets[pc] as CharSet;
    // Case-insensitive: a member of the set with the same canonical form (σ matches [ς]).
    const equivalents = cases?.classes.get(cases.table[code] as number);
    const found =
      equivalents === undefined
        ? inSet(charSet, code)
        : equivalents.some((candidate) => inSet(charSet, candidate));
    return found !== (this.inverts[pc] === 1);
  }
}

function assertionHolds(kind: number, text: string, at: number): boolean {
  switch (kind) {
    case ASSERTION_CODES.start:
      return at === 0;
    case ASSERTION_CODES.end:
      return at === text.length;
    default: {
      const before = at > 0 && isWordCode(text.charCodeAt(at - 1));
      const after = at < text.length && isWordCode(text.charCodeAt(at));
      return (before !== after) === (kind === ASSERTION_CODES.word);
    }
  }
}

/**
 * Compiles a definition pattern; a leading `(?i)` makes it case-insensitive. Throws
 * `PatternError` (a SyntaxError) on invalid or unsupported syntax.
 */
export function compileLinearRegex(pattern: string): LinearRegex {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw unsupported(`a pattern of ${pattern.length} characters (at most ${MAX_PATTERN_LENGTH})`);
  }
  const ignoreCase = pattern.startsWith(CASE_INSENSITIVE_PREFIX);
  const source = ignoreCase ? pattern.slice(CASE_INSENSITIVE_PREFIX.length) : pattern;
  const tree = new Parser(source).parse();
  const size = programSize(tree);
  if (size > MAX_PROGRAM_SIZE) {
    throw unsupported(
      `a pattern that expands to more than ${MAX_PROGRAM_SIZE} instructions (lower the repetition counts)`,
    );
  }
  const compiler = new Compiler(ignoreCase);
  compiler.compile(tree);
  const paths = choicePaths(tree, MAX_PROGRAM_SIZE);
  return new PikeVm(source, ignoreCase, compiler.program, paths * size);
}
