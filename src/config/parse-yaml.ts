import { open, type FileHandle } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';

/**
 * Largest configuration or input file read, checked before parsing: a definition is a few
 * kilobytes, and a 24 MB one took 35 s and 2.7 GB to refuse.
 */
export const MAX_FILE_BYTES = 1024 * 1024;
const MAX_FILE_TEXT = '1 MiB';

/**
 * Alias expansions allowed while building the data (yaml's `maxAliasCount`): a "billion laughs"
 * file of nested aliases is refused instead of expanding exponentially.
 */
export const MAX_ALIAS_COUNT = 100;

/** A key JavaScript objects cannot hold as data: it would become the object's prototype. */
const RESERVED_KEY = '__proto__';

/** Longest text of an input value quoted in a message. */
const MAX_QUOTED_LENGTH = 60;

/** One problem in a YAML or JSON input file, located by key path and line. */
export interface ConfigIssue {
  /** `qualification.fit[2].points`; empty for the document as a whole. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the file, when the key (or its nearest parent) exists there. */
  readonly line: number | null;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

type PathSegment = PropertyKey;

/** `qualification.fit[2].points`, `feedback.reasons["No budget"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment)) {
      text += text === '' ? segment : `.${segment}`;
    } else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** `ConfigIssue` as one line: `path: message (line N)`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === null ? '' : ` (line ${issue.line})`;
  return `${issue.path === '' ? '(file)' : issue.path}: ${issue.message}${where}`;
}

/** An input value for a message: `"ten"`, `Infinity`, `a list`; long text is shortened. */
export function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'number') return String(input); // Infinity and NaN too, not "null"
  if (typeof input === 'string' && input.length > MAX_QUOTED_LENGTH) {
    return `${JSON.stringify(input.slice(0, MAX_QUOTED_LENGTH))}… (${input.length} characters)`;
  }
  return JSON.stringify(input) ?? typeof input;
}

/** zod's generic messages start so; a schema's own message is worth keeping. */
const GENERIC_MESSAGE = 'Invalid input';

function messageOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `required (expected ${issue.expected})`;
      return issue.message.startsWith(GENERIC_MESSAGE)
        ? `expected ${issue.expected}, got ${describeInput(issue.input)}`
        : `${issue.message}, got ${describeInput(issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}, got ${describeInput(issue.input)}`;
    case 'invalid_union':
      // zod's own union message says nothing; a schema's custom one is worth keeping.
      if (issue.input === undefined) return 'required';
      return issue.message === 'Invalid input'
        ? `unexpected value ${describeInput(issue.input)}`
        : `${issue.message}, got ${describeInput(issue.input)}`;
    case 'too_small':
    case 'too_big':
      return typeof issue.input === 'number'
        ? `${issue.message}, got ${describeInput(issue.input)}`
        : issue.message;
    case 'custom':
    case 'invalid_format':
    case 'invalid_key':
    case 'invalid_element':
    case 'not_multiple_of':
    case 'unrecognized_keys':
      return issue.message;
  }
}

/** The 1-based line of the deepest node along `path` (the key itself when it exists). */
function lineOf(
  root: Node | null,
  path: readonly PathSegment[],
  lines: LineCounter,
): number | null {
  let node: unknown = root;
  let offset: number | undefined = root?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => {
        const key: unknown = item.key;
        return (
          key !== null &&
          typeof key === 'object' &&
          'value' in key &&
          String(key.value) === String(segment)
        );
      });
      if (pair === undefined) break;
      const key: unknown = pair.key;
      if (key !== null && typeof key === 'object' && 'range' in key && Array.isArray(key.range)) {
        offset = Number(key.range[0]);
      }
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      if (
        item !== null &&
        typeof item === 'object' &&
        'range' in item &&
        Array.isArray(item.range)
      ) {
        offset = Number(item.range[0]);
      }
      node = item;
    } else break;
  }
  return offset === undefined ? null : lines.linePos(offset).line;
}

function fileIssue(message: string): ParseResult<never> {
  return { ok: false, issues: [{ path: '', message, line: null }] };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Every `__proto__` key in the data, as an issue: zod records drop it silently, and looked up
 * it finds `Object.prototype`. Iterative, and each shared (aliased) node is visited once.
 */
function reservedKeyIssues(data: unknown, root: Node | null, lines: LineCounter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new WeakSet<object>();
  const pending: { value: unknown; path: PathSegment[] }[] = [{ value: data, path: [] }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, Array.isArray(value) ? Number(key) : key];
      if (key === RESERVED_KEY) {
        issues.push({
          path: formatPath(childPath),
          message: `"${RESERVED_KEY}" cannot be a key or a name (JavaScript reserves it); rename it`,
          line: lineOf(root, childPath, lines),
        });
      }
      pending.push({ value: child, path: childPath });
    }
  }
  return issues;
}

/** The document's data, or the issue that stopped building it (too many aliases). */
function documentData(document: Document): ParseResult<unknown> {
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    return fileIssue(
      err instanceof ReferenceError && /alias/i.test(err.message)
        ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): aliases (*name) nested to multiply the data are refused`
        : `cannot build the data: ${errorText(err)}`,
    );
  }
}

/**
 * Parses YAML (or JSON, which is YAML) text with `schema`. Returns every problem at once, each
 * naming its key path and line: syntax errors and duplicate keys first, then what the schema finds.
 * Never throws: an alias bomb, a `__proto__` key or a failure inside the schema is an issue too.
 */
export function parseYamlWith<T>(text: string, schema: z.ZodType<T>): ParseResult<T> {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.map((error) => ({
        path: '',
        message: `syntax: ${error.message.split('\n')[0] ?? error.code}`,
        line: lines.linePos(error.pos[0]).line,
      })),
    };
  }
  if (document.contents === null) {
    return { ok: false, issues: [{ path: '', message: 'the file is empty', line: null }] };
  }
  const data = documentData(document);
  if (!data.ok) return data;
  const root = document.contents;
  const reserved = reservedKeyIssues(data.value, root, lines);
  let parsed: z.ZodSafeParseResult<T>;
  try {
    parsed = schema.safeParse(data.value, { reportInput: true });
  } catch (err) {
    return fileIssue(`could not be checked: ${errorText(err)}`);
  }
  if (parsed.success) {
    return reserved.length === 0
      ? { ok: true, value: parsed.data }
      : { ok: false, issues: reserved };
  }
  const issues = parsed.error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      // A `__proto__` key is among `reserved` already.
      return issue.keys
        .filter((key) => key !== RESERVED_KEY)
        .map((key) => {
          const path = [...issue.path, key];
          return {
            path: formatPath(path),
            message: 'unknown key (check the spelling)',
            line: lineOf(root, path, lines),
          };
        });
    }
    return [
      {
        path: formatPath(issue.path),
        message: messageOf(issue),
        line: lineOf(root, issue.path, lines),
      },
    ];
  });
  return { ok: false, issues: [...reserved, ...issues] };
}

function tooLarge(file: string, bytes: number | null): ParseResult<never> {
  const size = bytes === null ? '' : `${bytes} bytes is `;
  return fileIssue(
    `cannot read ${file}: ${size}over the ${MAX_FILE_TEXT} (${MAX_FILE_BYTES} bytes) limit for configuration and input files`,
  );
}

/** Up to `limit` bytes of an open file (a device or a growing file may report no size). */
async function readAtMost(handle: FileHandle, limit: number): Promise<Buffer> {
  const buffer = Buffer.alloc(limit);
  let length = 0;
  while (length < limit) {
    const { bytesRead } = await handle.read(buffer, length, limit - length, null);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buffer.subarray(0, length);
}

/**
 * Reads a UTF-8 text file of at most `MAX_FILE_BYTES`, checked before anything is parsed; a
 * missing, unreadable or too large file is one issue, not a throw.
 */
export async function readTextFile(file: string, hint = ''): Promise<ParseResult<string>> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    if (size > MAX_FILE_BYTES) return tooLarge(file, size);
    const bytes = await readAtMost(handle, MAX_FILE_BYTES + 1);
    if (bytes.length > MAX_FILE_BYTES) return tooLarge(file, null);
    return { ok: true, value: bytes.toString('utf8') };
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    const suffix = code === 'ENOENT' ? hint : '';
    return fileIssue(`cannot read ${file}: ${code}${suffix}`);
  } finally {
    await handle?.close();
  }
}
