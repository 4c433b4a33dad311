import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../../../src/cli/cli-io.js';
import { validateCommand } from '../../../src/cli/validate-command.js';

/**
 * Config fuzzing: whatever an admin (or an attacker with write access to the file) puts in the
 * definition, `handoff validate` answers exit 0 with a summary or exit 2 with problems, and never
 * throws. Mutants of config/handoff.example.yaml: keys deleted and inserted (`__proto__`,
 * `constructor` among them), values of random types (huge numbers, NaN-ish text, long text,
 * nested lists, aliases, raw YAML tokens) and random text garbage.
 *
 * The seed is fixed so CI is reproducible; fast-check prints it with the counterexample. Explore
 * further with e.g. `FUZZ_SEED=7 FUZZ_RUNS=5000 npx vitest run --project unit config-fuzz`.
 */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_116);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);

const EXAMPLE = new URL('../../../config/handoff.example.yaml', import.meta.url);

type Path = readonly number[];

type Mutation =
  | { readonly kind: 'delete'; readonly path: Path }
  | { readonly kind: 'set'; readonly path: Path; readonly value: unknown }
  | { readonly kind: 'insert'; readonly path: Path; readonly key: string; readonly value: unknown }
  | { readonly kind: 'raw'; readonly path: Path; readonly token: string };

type TextMutation =
  | { readonly kind: 'garbage'; readonly at: number; readonly text: string }
  | { readonly kind: 'cut'; readonly at: number; readonly length: number };

/** Keys worth trying: real ones, prototype members, near misses, odd text. */
const KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'threshold',
  'points',
  'pool',
  'members',
  'matches',
  'not_matches',
  'first_touch',
  'tiers',
  'activities',
  'reasons',
  'salesforce',
  'hubspot',
  'salesforce_fields',
  'when',
  'id',
  'field',
  '',
  ' ',
  'é',
  '0',
  'a'.repeat(300),
];

/** Raw YAML written in place of a value: what stringify would quote or never produce. */
const RAW_TOKENS = [
  '1e400',
  '-1e400',
  '.inf',
  '-.inf',
  '.nan',
  '1e308',
  '-0',
  '0x7FFFFFFF',
  '0o777',
  '99999999999999999999999999',
  '~',
  'null',
  '!!binary aGVsbG8=',
  '!!timestamp 2026-11-01',
  '!!set { a, b }',
  '!!omap [ { a: 1 } ]',
  '!custom tag',
  '&anchor [1, 2, 3]',
  '*anchor',
  '*undefined_anchor',
  '{ <<: { a: 1 } }',
  '[[[[[[[[[[]]]]]]]]]]',
  '"\\u0000\\uFFFF"',
  '|\n  multi\n  line',
  "'(?i)^(a+)+$'",
  '"(a)\\\\1"',
  '"[z-a]"',
  '99999999999999d',
  '0s',
  // a billion-laughs bomb in one flow collection
  `[&l0 [x,x,x,x,x,x,x,x,x,x], &l1 [${'*l0,'.repeat(9)}*l0], &l2 [${'*l1,'.repeat(9)}*l1], [${'*l2,'.repeat(9)}*l2]]`,
];

const NAN_ISH = [
  'NaN',
  'nan',
  '.nan',
  'Infinity',
  '-Infinity',
  '1e400',
  '-0',
  '',
  ' ',
  '0x10',
  '1_000',
];

const LEAF = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, -(2 ** 53), 0.5),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 40 }),
  fc.constantFrom(...NAN_ISH),
  fc.constantFrom('x'.repeat(5_000), '(?i)'.repeat(300), 'a'.repeat(1_001)),
  fc.constantFrom('0055e000001AAAAAA1', '00G5e000000QUEUE01', 'Europe/Berlin', '1h', '24:00'),
);

const VALUE: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: LEAF },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.array(fc.array(LEAF, { maxLength: 3 }), { maxLength: 3 })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...KEYS), LEAF)
      .map(([key, value]) => withKey({}, key, value)),
  },
);

const PATH = fc.array(fc.nat({ max: 50 }), { maxLength: 7 });

const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  PATH.map((path) => ({ kind: 'delete' as const, path })),
  fc.record({ kind: fc.constant('set' as const), path: PATH, value: VALUE }),
  fc.record({
    kind: fc.constant('insert' as const),
    path: PATH,
    key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 })),
    value: VALUE,
  }),
  fc.record({
    kind: fc.constant('raw' as const),
    path: PATH,
    token: fc.constantFrom(...RAW_TOKENS),
  }),
);

const GARBAGE = fc.oneof(
  fc.constantFrom(
    ': ',
    '- ',
    '\n',
    '\t',
    '{',
    '}',
    '[',
    ']',
    '&a ',
    '*a',
    '<<: *a\n',
    '!!str ',
    '? ',
    '|',
    '>',
    '#',
    '"',
    "'",
    '%YAML 1.2\n---\n',
    '\n---\n',
    '\n...\n',
    '\u0000',
    '\ufeff',
    '\r\n',
    '\n  __proto__: {}\n',
    '\n  constructor: 1\n',
  ),
  fc.string({ maxLength: 30 }),
);

const TEXT_MUTATION: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({
    kind: fc.constant('garbage' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    text: GARBAGE,
  }),
  fc.record({
    kind: fc.constant('cut' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.nat({ max: 200 }),
  }),
);

const MUTANT = fc.record({
  mutations: fc.array(MUTATION, { minLength: 1, maxLength: 4 }),
  text: fc.array(TEXT_MUTATION, { maxLength: 2 }),
});

/** Sets an own property, `__proto__` included (plain assignment would set the prototype). */
function withKey<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return target;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

/** The container and key `path` leads to: each step picks a child by index, modulo the count. */
function locate(
  root: Record<string, unknown>,
  path: Path,
): { parent: Record<string, unknown> | unknown[]; key: string | number } | null {
  let parent: Record<string, unknown> | unknown[] = root;
  let key: string | number | null = null;
  for (const step of path) {
    const node: unknown = key === null ? parent : (parent as Record<string, unknown>)[key];
    if (!isContainer(node)) break;
    const keys = Array.isArray(node) ? node.map((_, index) => index) : Object.keys(node);
    if (keys.length === 0) break;
    parent = node;
    key = keys[step % keys.length] ?? null;
  }
  return key === null ? null : { parent, key };
}

let placeholders = 0;

function applyMutation(
  root: Record<string, unknown>,
  mutation: Mutation,
  raw: Map<string, string>,
): void {
  const at = locate(root, mutation.path);
  switch (mutation.kind) {
    case 'delete':
      if (at === null) return;
      if (Array.isArray(at.parent)) at.parent.splice(Number(at.key), 1);
      else Reflect.deleteProperty(at.parent, at.key);
      return;
    case 'set':
      if (at !== null) withKey(at.parent, String(at.key), mutation.value);
      return;
    case 'insert': {
      const target: unknown = at === null ? root : (at.parent as Record<string, unknown>)[at.key];
      if (Array.isArray(target)) target.push(mutation.value);
      else if (isContainer(target)) withKey(target, mutation.key, mutation.value);
      else withKey(root, mutation.key, mutation.value);
      return;
    }
    case 'raw': {
      if (at === null) return;
      placeholders += 1;
      const placeholder = `raw-token-${placeholders}`;
      raw.set(placeholder, mutation.token);
      withKey(at.parent, String(at.key), placeholder);
      return;
    }
  }
}

function applyText(text: string, mutation: TextMutation): string {
  const at = Math.floor(mutation.at * text.length);
  return mutation.kind === 'garbage'
    ? text.slice(0, at) + mutation.text + text.slice(at)
    : text.slice(0, at) + text.slice(at + mutation.length);
}

interface Mutant {
  readonly mutations: readonly Mutation[];
  readonly text: readonly TextMutation[];
}

function mutantText(example: unknown, mutant: Mutant): string {
  const root = structuredClone(example) as Record<string, unknown>;
  const raw = new Map<string, string>();
  for (const mutation of mutant.mutations) applyMutation(root, mutation, raw);
  let text = stringify(root, { lineWidth: 0 });
  for (const [placeholder, token] of raw) text = text.replace(placeholder, token);
  for (const mutation of mutant.text) text = applyText(text, mutation);
  return text;
}

describe('config fuzzing (property): handoff validate exits 0 or 2 and never throws', () => {
  let dir = '';
  let example: unknown;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'handoff-fuzz-'));
    example = parse(await readFile(EXAMPLE, 'utf8'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`on ${RUNS} mutants of the example (seed ${SEED})`, async () => {
    let run = 0;
    const exits = { ok: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(MUTANT, async (mutant) => {
        run += 1;
        const file = join(dir, `mutant-${run}.yaml`);
        await writeFile(file, mutantText(example, mutant));
        let stdout = '';
        let stderr = '';
        const io: CliIo = {
          stdout: (text) => void (stdout += text),
          stderr: (text) => void (stderr += text),
          env: {},
          now: () => new Date('2026-11-16T15:00:00Z'),
          untilShutdown: () => Promise.resolve('test'),
        };
        const code = await validateCommand({ config: file }, io);
        await rm(file);
        if (code === EXIT_OK) {
          exits.ok += 1;
          expect(stdout).toMatch(/: valid — definition /);
          expect(stderr).toBe('');
        } else {
          exits.invalid += 1;
          expect(code).toBe(EXIT_INVALID);
          expect(stdout).toBe('');
          expect(stderr).toMatch(/: \d+ problems?\n/);
          // A throw caught as a last resort would be a bug all the same.
          expect(stderr).not.toContain('could not be checked');
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(exits.ok + exits.invalid).toBe(RUNS);
    expect(exits.invalid).toBeGreaterThan(RUNS / 10);
  }, 60_000);
});
