import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExplanationJson } from '../../../src/cli/format-explanation.js';
import { runCliInProcess } from '../../support/run-cli-in-process.js';

const EXAMPLE_CONFIG = new URL('../../../config/handoff.example.yaml', import.meta.url).pathname;
const EXAMPLE_LEAD = new URL('../../../config/examples/lead.json', import.meta.url).pathname;
let dir: string;

async function leadFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

async function explainJson(lead: unknown, extra: string[] = []): Promise<ExplanationJson> {
  const input = await leadFile(`lead-${Math.random().toString(36).slice(2)}.json`, lead);
  const run = await runCliInProcess([
    'explain',
    '--config',
    EXAMPLE_CONFIG,
    '--input',
    input,
    '--json',
    ...extra,
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ExplanationJson;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handoff-explain-'));
});

describe('handoff explain', () => {
  it('prints exactly one JSON object with the documented fields', async () => {
    const run = await runCliInProcess([
      'explain',
      '--config',
      EXAMPLE_CONFIG,
      '--input',
      EXAMPLE_LEAD,
      '--now',
      '2026-11-27T16:30:00Z',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as ExplanationJson;
    expect(result).toMatchObject({
      version: '2026-11-01',
      qualification: { qualified: true, tier: 'A' },
      routing: { rule: 'emea-enterprise', pool: 'emea-enterprise', owner: '0055e000001AAAAAA1' },
      // Friday after Thanksgiving is a holiday in the example; London opens Monday 09:00 GMT.
      sla: { due: '2026-11-30T10:00:00.000Z', timezone: 'Europe/London', allowance: '1h' },
    });
    expect(Number.isInteger(result.qualification.score)).toBe(true);
    expect(result.qualification.score).toBe(
      Math.round(result.qualification.fit + result.qualification.engagement),
    );
    for (const reason of result.qualification.reasons) {
      expect(Object.keys(reason)).toEqual(expect.arrayContaining(['rule', 'kind', 'points']));
    }
    expect(result.routing?.reasons.length).toBeGreaterThan(0);
  });

  it('returns null routing and SLA for a lead that fails a gate', async () => {
    const result = await explainJson(
      { email: 'kim@gmail.com', company: 'Kim Co', title: 'CEO', employees: 5000, country: 'US' },
      ['--now', '2026-11-16T15:00:00Z'],
    );
    expect(result.qualification).toMatchObject({ qualified: false, tier: null });
    expect(result.qualification.reasons).toContainEqual(
      expect.objectContaining({ rule: 'business-email', kind: 'gate_failed' }),
    );
    expect(result.routing).toBeNull();
    expect(result.sla).toBeNull();
  });

  it('routes to the account owner, in the default zone, starting the clock at routed_at', async () => {
    const result = await explainJson(
      {
        email: 'lee@globex.com',
        company: 'Globex',
        title: 'Director of Analytics',
        employees: 600,
        country: 'US',
        account: { id: '0015e00000GLOBEX1', owner: '0055e000001OWNER01' },
        routed_at: '2026-11-20T21:59:00Z',
        activities: [{ type: 'demo_request', at: '2026-11-20T21:00:00Z' }],
      },
      ['--now', '2026-11-20T22:00:00Z'],
    );
    expect(result.routing).toMatchObject({
      rule: 'existing-account',
      owner: '0055e000001OWNER01',
      pool: null,
    });
    // Friday 16:59 in New York, tier A (1h): 1 minute Friday, 59 minutes Monday.
    expect(result.sla).toMatchObject({
      due: '2026-11-23T14:59:00.000Z',
      timezone: 'America/New_York',
      routed_at: '2026-11-20T21:59:00.000Z',
    });
  });

  it('uses the current time when --now is absent, and lists ignored activities and keys', async () => {
    const input = await leadFile('ignored.json', {
      email: 'ana@initech.com',
      company: 'Initech',
      title: 'VP Operations',
      employees: 1200,
      country: 'CA',
      favourite_colour: 'teal',
      activities: [
        { type: 'demo_request', at: '2026-11-16T14:00:00Z' },
        { type: 'carrier_pigeon', at: '2026-11-16T14:00:00Z' },
        { type: 'meeting', at: '2026-12-01T00:00:00Z' },
      ],
    });
    const run = await runCliInProcess(
      ['explain', '--config', EXAMPLE_CONFIG, '--input', input, '--json'],
      { now: '2026-11-16T15:00:00Z' },
    );
    const result = JSON.parse(run.stdout) as ExplanationJson;
    expect(result.now).toBe('2026-11-16T15:00:00.000Z');
    expect(result.ignored_attributes).toEqual(['favourite_colour']);
    const ignored = result.qualification.reasons.filter(
      (reason) => reason.kind === 'activity_ignored',
    );
    expect(ignored.map((reason) => reason.rule)).toEqual([
      'engagement.carrier_pigeon',
      'engagement.meeting',
    ]);
  });

  it('takes the config from HANDOFF_CONFIG', async () => {
    const run = await runCliInProcess(['explain', '--input', EXAMPLE_LEAD, '--json'], {
      env: { HANDOFF_CONFIG: EXAMPLE_CONFIG },
    });
    expect(run.code).toBe(0);
  });

  it('prints a readable explanation without --json', async () => {
    const run = await runCliInProcess([
      'explain',
      '--config',
      EXAMPLE_CONFIG,
      '--input',
      EXAMPLE_LEAD,
      '--now',
      '2026-11-27T16:30:00Z',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('QUALIFIED, tier A');
    expect(run.stdout).toContain(
      'ROUTED to 0055e000001AAAAAA1 (rule emea-enterprise via pool emea-enterprise)',
    );
    expect(run.stdout).toContain('FIRST TOUCH DUE 2026-11-30T10:00:00.000Z');
    expect(run.stdout).toMatch(/\+25\s+enterprise/);
  });

  it('explains a disqualified lead in text, naming the failed gates', async () => {
    const input = await leadFile('student.json', { email: 'max@uni.edu', title: 'PhD candidate' });
    const run = await runCliInProcess(['explain', '--config', EXAMPLE_CONFIG, '--input', input]);
    expect(run.stdout).toContain('NOT QUALIFIED');
    expect(run.stdout).toContain('failed gates: not-a-student, not-a-student-title, has-company');
    expect(run.stdout).not.toContain('ROUTED');
  });

  it.each([
    ['a lead file that is not JSON', '{ "email": ', /syntax/],
    [
      'an activity without a valid time',
      { email: 'a@b.com', activities: [{ type: 'meeting', at: 'yesterday' }] },
      /activities\[0\]\.at: expected an ISO-8601 date-time .*\(line 6\)/,
    ],
    [
      'an attribute that is an object',
      { email: 'a@b.com', title: { text: 'VP' } },
      /title: expected a text, number, boolean or null attribute value, got a mapping/,
    ],
    [
      'an account without owner',
      { email: 'a@b.com', account: { id: '001' } },
      /account\.owner: required/,
    ],
    [
      'a routed_at that is not a date-time',
      { email: 'a@b.com', routed_at: 'Monday' },
      /routed_at: expected an ISO-8601 date-time/,
    ],
  ])('exits 2 naming the problem for %s', async (_label, content, expected) => {
    const input = await leadFile('bad.json', content);
    const run = await runCliInProcess([
      'explain',
      '--config',
      EXAMPLE_CONFIG,
      '--input',
      input,
      '--json',
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(expected);
  });

  it.each([
    [['explain', '--config', EXAMPLE_CONFIG], /--input is required/],
    [
      ['explain', '--config', EXAMPLE_CONFIG, '--input', '/nonexistent/lead.json'],
      /cannot read \/nonexistent\/lead.json: ENOENT/,
    ],
    [
      ['explain', '--config', EXAMPLE_CONFIG, '--input', EXAMPLE_LEAD, '--now', 'tomorrow'],
      /--now: expected an ISO-8601 date-time/,
    ],
    [
      [
        'explain',
        '--config',
        EXAMPLE_CONFIG,
        '--input',
        EXAMPLE_LEAD,
        '--now',
        '2026-11-31T00:00:00Z',
      ],
      /--now: expected an ISO-8601 date-time/,
    ],
    [
      ['explain', '--config', '/nonexistent/handoff.yaml', '--input', EXAMPLE_LEAD],
      /cannot read \/nonexistent\/handoff.yaml/,
    ],
    [
      ['explain', '--config', EXAMPLE_CONFIG, '--input', EXAMPLE_LEAD, '--colour'],
      /Unknown option '--colour'/,
    ],
  ])('exits 2 for %j', async (argv, expected) => {
    const run = await runCliInProcess(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(expected);
  });
});
