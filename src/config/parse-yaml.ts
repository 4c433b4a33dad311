import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { z } from 'zod';

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

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return JSON.stringify(input);
}

function messageOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `required (expected ${issue.expected})`
        : `expected ${issue.expected}, got ${describeInput(issue.input)}`;
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

/**
 * Parses YAML (or JSON, which is YAML) text with `schema`. Returns every problem at once, each
 * naming its key path and line: syntax errors and duplicate keys first, then what the schema finds.
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
  const parsed = schema.safeParse(document.toJS(), { reportInput: true });
  if (parsed.success) return { ok: true, value: parsed.data };
  const root = document.contents;
  const issues = parsed.error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
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
  return { ok: false, issues };
}

/** Reads a text file; a missing or unreadable file is one issue, not a throw. */
export async function readTextFile(file: string, hint = ''): Promise<ParseResult<string>> {
  try {
    return { ok: true, value: await readFile(file, 'utf8') };
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    const suffix = code === 'ENOENT' ? hint : '';
    return {
      ok: false,
      issues: [{ path: '', message: `cannot read ${file}: ${code}${suffix}`, line: null }],
    };
  }
}
