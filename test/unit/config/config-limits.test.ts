import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { z } from 'zod';
import {
  isHubSpotPropertyName,
  salesforceFieldProblem,
} from '../../../src/config/check-definition.js';
import type { DefinitionFile } from '../../../src/config/definition.schema.js';
import { loadDefinitionFile, parseDefinition } from '../../../src/config/load-definition.js';
import {
  describeInput,
  formatIssue,
  MAX_ALIAS_COUNT,
  MAX_FILE_BYTES,
  parseYamlWith,
  readTextFile,
} from '../../../src/config/parse-yaml.js';
import { baseDefinitionFile } from '../../support/factories.js';

const EXAMPLE = new URL('../../../config/handoff.example.yaml', import.meta.url);

/** The problems of the base definition after `edit`, as the CLI prints them (without lines). */
function problems(edit: (file: DefinitionFile) => void): string[] {
  const file = baseDefinitionFile();
  edit(file);
  const result = parseDefinition(stringify(file));
  return result.ok ? [] : result.issues.map((issue) => formatIssue({ ...issue, line: null }));
}

/** The problems of the example file with `from` replaced by `to` in its text. */
async function exampleProblems(from: string, to: string): Promise<string[]> {
  const text = await readFile(EXAMPLE, 'utf8');
  expect(text).toContain(from);
  const result = parseDefinition(text.replace(from, to));
  return result.ok ? [] : result.issues.map((issue) => formatIssue({ ...issue, line: null }));
}

describe('numbers are finite and bounded', () => {
  it.each<[string, string, string, string]>([
    [
      'a threshold YAML reads as Infinity',
      'threshold: 60',
      'threshold: 1e400',
      'qualification.threshold: expected a finite number between 0 and 10000, got Infinity',
    ],
    [
      'a negative infinite threshold',
      'threshold: 60',
      'threshold: -.inf',
      'qualification.threshold: expected a finite number between 0 and 10000, got -Infinity',
    ],
    [
      'a threshold that is not a number',
      'threshold: 60',
      'threshold: .nan',
      'qualification.threshold: expected a finite number between 0 and 10000, got NaN',
    ],
    [
      'a threshold above the bound',
      'threshold: 60',
      'threshold: 10001',
      'qualification.threshold: expected a finite number between 0 and 10000, got 10001',
    ],
    [
      'huge points',
      'points: 25 }',
      'points: 1e308 }',
      'qualification.fit[0].points: expected a finite number between -10000 and 10000, got 1e+308',
    ],
    [
      'huge negative activity points',
      'demo_request: 40',
      'demo_request: -1e9',
      'qualification.engagement.activities.demo_request: expected a finite number between -10000 and 10000, got -1000000000',
    ],
    [
      'a huge tier minimum',
      'A: 85,',
      'A: 1e20,',
      'qualification.tiers.A: expected a finite number between -10000 and 10000, got 100000000000000000000',
    ],
    [
      'a huge engagement cap',
      'max_points: 60',
      'max_points: 1e6',
      'qualification.engagement.max_points: expected a finite number between 0 and 10000, got 1000000',
    ],
    [
      'a half-life of a century',
      'half_life_days: 14',
      'half_life_days: 36500',
      'qualification.engagement.half_life_days: expected a finite number greater than 0 and at most 3650, got 36500',
    ],
    [
      'an enormous weight',
      'weight: 2, max_open: 40, timezone: Europe/London',
      'weight: 1e300, max_open: 40, timezone: Europe/London',
      'routing.pools.emea-enterprise.members[0].weight: expected a finite number greater than 0 and at most 1000, got 1e+300',
    ],
    [
      'a fractional max_open',
      'max_open: 40, timezone: Europe/London',
      'max_open: 4.5, timezone: Europe/London',
      'routing.pools.emea-enterprise.members[0].max_open: expected a whole number between 1 and 100000, got 4.5',
    ],
    [
      'an enormous max_open',
      'max_open: 40, timezone: Europe/London',
      'max_open: 99999999999, timezone: Europe/London',
      'routing.pools.emea-enterprise.members[0].max_open: expected a whole number between 1 and 100000, got 99999999999',
    ],
    [
      'a recycle period of centuries',
      'recycle_after_days: 90',
      'recycle_after_days: 99999',
      'feedback.recycle_after_days: expected a whole number between 0 and 3650, got 99999',
    ],
    [
      'a reason recycle period of centuries',
      'recycle_after_days: 120 }',
      'recycle_after_days: 1e5 }',
      'feedback.reasons["No budget"].recycle_after_days: expected a whole number between 0 and 3650, got 100000',
    ],
    [
      'endless reassignments',
      'max_reassignments: 1 }',
      'max_reassignments: 1000 }',
      'sla.on_breach.max_reassignments: expected a whole number between 0 and 100, got 1000',
    ],
    [
      'an allowance of millennia',
      'C: 1d }',
      'C: 99999999999999d }',
      'sla.first_touch.C: must be at most 365d, got "99999999999999d"',
    ],
    [
      'an allowance with more digits than a number holds',
      'C: 1d }',
      `C: ${'9'.repeat(400)}h }`,
      'sla.first_touch.C: must be at most 365d',
    ],
    [
      'an allowance of more than a year of business hours',
      'C: 1d }',
      'C: 8000h }',
      'sla.first_touch.C: must be at most 365 business days, got "8000h" (1000 business days of 09:00–17:00)',
    ],
    [
      'a poll interval of a year',
      'poll_interval: 60s',
      'poll_interval: 365d',
      'sync.poll_interval: must be between 1s and 24h, got "365d"',
    ],
    [
      'a poll interval beyond a year',
      'poll_interval: 60s',
      'poll_interval: 400d',
      'sync.poll_interval: must be at most 365d, got "400d"',
    ],
    [
      'a poll interval of zero',
      'poll_interval: 60s',
      'poll_interval: 0s',
      'sync.poll_interval: expected a duration such as 90m, 4h, 1d or 2d4h, got "0s"',
    ],
  ])('refuses %s', async (_label, from, to, expected) => {
    const found = await exampleProblems(from, to);
    expect(found).toContainEqual(expect.stringContaining(expected));
    expect(found).toHaveLength(1);
  });

  it('keeps "expected number" for text where a number belongs', () => {
    expect(problems((file) => void (file.qualification.threshold = 'high' as never))).toEqual([
      'qualification.threshold: expected number, got "high"',
    ]);
  });

  it('accepts the bounds themselves', () => {
    expect(
      problems((file) => {
        file.qualification.threshold = 0;
        file.qualification.tiers = { A: 10_000, B: 0, C: -10_000 };
        file.qualification.fit = [{ id: 'x', field: 'title', exists: true, points: -10_000 }];
        file.qualification.engagement = { half_life_days: 3_650, max_points: 10_000 };
        file.sla.first_touch = { A: '365d', B: '2920h', C: '1m' };
        file.feedback = { recycle_after_days: 3_650 };
        file.sync = { poll_interval: '24h' };
      }),
    ).toEqual([]);
    expect(problems((file) => void (file.sync = { poll_interval: '1s' }))).toEqual([]);
  });

  it('shortens long text in messages', () => {
    expect(describeInput('x'.repeat(1_000))).toBe(`"${'x'.repeat(60)}"… (1000 characters)`);
    expect(describeInput(Number.NaN)).toBe('NaN');
    expect(describeInput(Symbol('s'))).toBe('symbol');
  });
});

describe('patterns must run in linear time', () => {
  it('names the key path of a backreference, as validate prints it', async () => {
    const found = await exampleProblems(
      'not_matches: "(?i)@(gmail|googlemail',
      'not_matches: "(?i)(a)\\\\1@(gmail|googlemail',
    );
    expect(found).toEqual([
      'qualification.gates[1].not_matches: unsupported in definition patterns: backreference \\1 (definitions run in linear time)',
    ]);
  });

  it.each<[string, string]>([
    ['^(?=.*@).+$', 'lookahead (?='],
    ['(?<!x)y', 'lookbehind (?<!'],
    ['a{1,5000}', 'repetition {1,5000}'],
    ['x'.repeat(1_001), 'a pattern of 1001 characters'],
  ])('refuses %j in a routing condition', (pattern, detail) => {
    const found = problems(
      (file) =>
        void (file.routing.rules = [
          { id: 'x', when: { title: { matches: pattern } }, pool: 'inbound' },
        ]),
    );
    expect(found).toEqual([
      `routing.rules[0].when.title.matches: unsupported in definition patterns: ${detail}${found[0]?.split(detail)[1] ?? ''}`,
    ]);
    expect(found[0]).toMatch(/\(definitions run in linear time\)$/);
  });

  it('refuses ^(a+)+$ nowhere: it is linear here, so it validates', () => {
    expect(
      problems(
        (file) =>
          void (file.qualification.gates = [{ id: 'a', field: 'title', matches: '^(a+)+$' }]),
      ),
    ).toEqual([]);
  });
});

describe('YAML resource limits', () => {
  const bomb = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
    'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
    'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
  ].join('\n');

  it('refuses a billion-laughs alias bomb with a sentence', () => {
    const result = parseDefinition(bomb);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      `(file): too many alias expansions (more than ${MAX_ALIAS_COUNT}): aliases (*name) nested to multiply the data are refused`,
    ]);
  });

  it('still accepts a few plain aliases', () => {
    const file = stringify(baseDefinitionFile())
      .replace('timezone: Europe/London', 'timezone: &zone Europe/London')
      .replace('timezone: owner', 'timezone: *zone');
    const result = parseDefinition(file);
    expect(result.ok && result.value.sla.timezone).toBe('Europe/London');
  });

  it('reports nesting too deep for the parser as a syntax problem', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const result = parseDefinition(deep);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      expect.stringMatching(/^\(file\): syntax: /),
    ]);
  });
});

describe('parseYamlWith never throws', () => {
  it('reports a schema that throws as a problem of the file', () => {
    const throwing = z.unknown().superRefine(() => {
      throw new Error('boom');
    });
    const result = parseYamlWith('a: 1', throwing);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      '(file): could not be checked: boom',
    ]);
  });
});

describe('file size limit', () => {
  async function tempFile(name: string, text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'handoff-limits-'));
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  }

  it(`refuses a file over ${MAX_FILE_BYTES} bytes before parsing it`, async () => {
    const file = await tempFile('huge.yaml', `# ${'x'.repeat(MAX_FILE_BYTES)}\n`);
    const result = await loadDefinitionFile(file);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      `(file): cannot read ${file}: ${MAX_FILE_BYTES + 3} bytes is over the 1 MiB (1048576 bytes) limit for configuration and input files`,
    ]);
  });

  it('reads a file of exactly the limit', async () => {
    const file = await tempFile('edge.yaml', 'x'.repeat(MAX_FILE_BYTES));
    const result = await readTextFile(file);
    expect(result.ok && result.value.length).toBe(MAX_FILE_BYTES);
  });

  it.skipIf(!existsSync('/dev/zero'))('stops reading a device that never ends', async () => {
    const result = await readTextFile('/dev/zero');
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      '(file): cannot read /dev/zero: over the 1 MiB (1048576 bytes) limit for configuration and input files',
    ]);
  });

  it('reports a directory as unreadable', async () => {
    const result = await readTextFile(tmpdir());
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      `(file): cannot read ${tmpdir()}: EISDIR`,
    ]);
  });
});

describe('mapping names', () => {
  it.each<[string, string | null]>([
    ['Industry', null],
    ['NumberOfEmployees', null],
    ['Campaign__c', null],
    ['Lead_Score_2__c', null],
    ['pi__campaign__c', null],
    [`${'A'.repeat(40)}__c`, null],
    [`${'A'.repeat(41)}__c`, 'at most 40 characters before __c'],
    ['A'.repeat(41), 'at most 40 characters'],
    ['Campaign Name', 'only letters, digits and underscores'],
    ['Account.Name', 'only letters, digits and underscores'],
    ['1st_Touch__c', 'must start with a letter'],
    ['_Score__c', 'must start with a letter'],
    ['Owner__r', 'a relationship (__r) is not a field'],
    ['My__Field', 'no double underscore except before the custom suffix __c'],
    ['My__Field__c__c', 'no double underscore except before the custom suffix __c'],
    ['Score___c', 'must not end with an underscore'],
    ['Score_', 'must not end with an underscore'],
    ['', 'only letters, digits and underscores'],
  ])('Salesforce %j → %s', (name, problem) => {
    expect(salesforceFieldProblem(name)).toBe(problem);
  });

  it.each<[string, boolean]>([
    ['jobtitle', true],
    ['hs_analytics_source', true],
    ['segment_2', true],
    ['JobTitle', false],
    ['2nd_touch', false],
    ['_hidden', false],
    ['job title', false],
    ['job-title', false],
  ])('HubSpot %j → %s', (name, valid) => {
    expect(isHubSpotPropertyName(name)).toBe(valid);
  });

  it('names the key of every invalid name', () => {
    expect(
      problems(
        (file) =>
          void (file.mapping = {
            salesforce: { title: 'Job Title', segment: 'Segment__c' },
            hubspot: { title: 'JobTitle', segment: 'segment' },
            salesforce_fields: { score: 'Score__r' },
            hubspot_properties: { score: 'handoff-score' },
          }),
      ),
    ).toEqual([
      'mapping.salesforce.title: "Job Title" is not a Salesforce field API name: only letters, digits and underscores (e.g. Industry, Segment__c or pi__campaign__c)',
      'mapping.salesforce_fields.score: "Score__r" is not a Salesforce field API name: a relationship (__r) is not a field (e.g. Industry, Segment__c or pi__campaign__c)',
      'mapping.hubspot.title: "JobTitle" is not a HubSpot property name: lowercase letters, digits and underscores, starting with a letter (e.g. jobtitle)',
      'mapping.hubspot_properties.score: "handoff-score" is not a HubSpot property name: lowercase letters, digits and underscores, starting with a letter (e.g. jobtitle)',
    ]);
  });

  it('accepts the default names and the example mapping', async () => {
    expect(await exampleProblems('version:', 'version:')).toEqual([]);
    expect(
      problems(
        (file) =>
          void (file.mapping = {
            salesforce_fields: { due: 'SLA_Due__c' },
            hubspot_properties: { due: 'sla_due' },
          }),
      ),
    ).toEqual([]);
  });
});
