import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadDefinitionFile, parseDefinition } from '../../../src/config/load-definition.js';
import { formatIssue, formatPath } from '../../../src/config/parse-yaml.js';
import type { DefinitionFile } from '../../../src/config/definition.schema.js';
import { baseDefinitionFile } from '../../support/factories.js';

const EXAMPLE = new URL('../../../config/handoff.example.yaml', import.meta.url);

/** Problems of a definition written from `edit`ed base, formatted as the CLI prints them. */
function problems(edit: (file: DefinitionFile & Record<string, unknown>) => void): string[] {
  const file = baseDefinitionFile();
  edit(file);
  const result = parseDefinition(stringify(file));
  return result.ok ? [] : result.issues.map(formatIssue);
}

describe('parseDefinition', () => {
  it('accepts the example definition with every section', async () => {
    const result = parseDefinition(await readFile(EXAMPLE, 'utf8'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { value } = result;
    expect(value.version).toBe('2026-11-01');
    expect(value.qualification.fit.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(value.qualification.tiers)).toHaveLength(3);
    expect(Object.keys(value.routing.pools).length).toBeGreaterThanOrEqual(2);
    expect(value.sla.holidays.length).toBeGreaterThan(0);
    expect(Object.keys(value.feedback.reasons).length).toBeGreaterThanOrEqual(5);
  });

  it('accepts the example definition of the design verbatim', () => {
    const design = `
version: "2026-11-01"
qualification:
  threshold: 60
  gates:
    - { id: has-email, field: email, exists: true }
    - { id: business-email, field: email, not_matches: "@(gmail|yahoo|hotmail|outlook)\\\\." }
  fit:
    - { id: senior-title, field: title, matches: "(?i)\\\\b(vp|director|head|chief)\\\\b", points: 20 }
    - { id: mid-market, field: employees, gte: 200, points: 15 }
    - { id: core-country, field: country, in: [US, CA, GB, DE], points: 10 }
  engagement:
    half_life_days: 14
    max_points: 60
    activities: { form_submission: 15, demo_request: 40, meeting: 30, email_click: 3, page_view: 1 }
  tiers: { A: 85, B: 70, C: 60 }
routing:
  rules:
    - { id: existing-account, account_owner: true }
    - { id: emea-enterprise, when: { country: { in: [GB, DE, FR] }, employees: { gte: 1000 } }, pool: emea-enterprise }
    - { id: inbound, pool: inbound }
  pools:
    emea-enterprise: { members: [ { owner: "0055e000001AAAAAA1", weight: 2, max_open: 40 }, { owner: "0055e000001AAAAAA2" } ] }
    inbound: { members: [ { owner: "0055e000001AAAAAA3" }, { owner: "0055e000001AAAAAA4" } ] }
  fallback_owner: "00G5e000000QUEUE1"
  create_missing_leads: true
sync:
  poll_interval: 60s
sla:
  timezone: owner
  default_timezone: America/New_York
  business_hours: { days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00" }
  holidays: ["2026-12-25", "2027-01-01"]
  first_touch: { A: 1h, B: 4h, C: 1d }
  on_breach: { action: reassign, max_reassignments: 1 }
feedback:
  rejected_statuses: [Unqualified, Rejected]
  default_reason: Unspecified
  nurture_owner: "00G5e000000NURTURE"
  reasons:
    "No budget": { nurture_list: "101", recycle_after_days: 90 }
    "Bad timing": { nurture_list: "102" }
    "Competitor": {}
mapping:
  hubspot: { title: jobtitle, employees: numberofemployees }
  salesforce: { title: Title, employees: NumberOfEmployees }
`;
    const result = parseDefinition(design);
    expect(result.ok ? 'ok' : result.issues.map(formatIssue)).toBe('ok');
  });

  it('fills defaults for every key the minimal file leaves out', () => {
    const result = parseDefinition(`
version: v1
qualification: { threshold: 10, tiers: { A: 10 } }
routing: { rules: [{ id: all, owner: "0055e000001AAAAAA1" }], fallback_owner: "00G5e000000QUEUE1" }
sla: { first_touch: { A: 2h } }
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      qualification: {
        gates: [],
        fit: [],
        engagement: { half_life_days: 14, max_points: 60, activities: {} },
      },
      routing: { pools: {}, create_missing_leads: true },
      sync: { poll_interval: '60s' },
      sla: {
        timezone: 'owner',
        default_timezone: 'UTC',
        business_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
        holidays: [],
        on_breach: { action: 'notify', max_reassignments: 1 },
      },
      feedback: {
        rejected_statuses: ['Unqualified'],
        default_reason: 'Unspecified',
        recycle_after_days: 90,
        reasons: {},
      },
      mapping: { hubspot: {}, salesforce: {}, salesforce_fields: {}, hubspot_properties: {} },
    });
  });

  it('names the key path and line of a wrong type, as in the issue', () => {
    const text = `version: "1"
qualification:
  threshold: 60
  fit:
    - { id: a, field: title, exists: true, points: 1 }
    - { id: b, field: title, exists: true, points: 2 }
    - id: c
      field: title
      exists: true
      points: ten
  tiers: { A: 60 }
routing: { rules: [{ id: all, owner: "0055e000001AAAAAA1" }], fallback_owner: "00G5e000000QUEUE1" }
sla: { first_touch: { A: 1h } }
`;
    const result = parseDefinition(text);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      'qualification.fit[2].points: expected number, got "ten" (line 10)',
    ]);
  });

  it('reports every problem at once, each with its path and line', () => {
    const text = `version: "1"
qualification:
  threshold: 60
  gates:
    - { id: g1, field: email, matches: "(" }
    - { id: g1, field: email, exists: true }
  tiers: { A: 70 }
routing:
  rules:
    - { id: r1, pool: nowhere }
    - { id: r1, pool: inbound }
  pools:
    inbound: { members: [ { owner: "0055e000001AAAAAA1", weight: 0 } ] }
    empty: { members: [] }
  fallback_owner: "00G5e000000QUEUE1"
sync: { poll_interval: soon }
sla:
  default_timezone: America/Chicgo
  first_touch: { A: 4x }
  holidays: ["2026-02-30"]
mapping: { hubspot: {}, salesforce: {}, colour: blue }
`;
    const result = parseDefinition(text);
    expect(result.ok).toBe(false);
    const lines = result.ok ? [] : result.issues.map(formatIssue);
    expect(lines).toEqual(
      expect.arrayContaining([
        'qualification.gates[0].matches: invalid regular expression: missing ")" for the group at position 1 (line 5)',
        'qualification.gates[1].id: duplicate rule id "g1" (line 6)',
        'qualification.tiers: no tier covers the threshold 60: the lowest tier minimum must be <= the threshold, or qualified leads would have no tier (line 7)',
        'routing.rules[0].pool: unknown pool "nowhere" (defined: inbound, empty) (line 10)',
        'routing.rules[1].id: duplicate rule id "r1" (line 11)',
        'routing.pools.inbound.members[0].weight: expected a finite number greater than 0 and at most 1000, got 0 (line 13)',
        'routing.pools.empty.members: a pool needs at least one member (line 14)',
        'sync.poll_interval: expected a duration such as 90m, 4h, 1d or 2d4h, got "soon" (line 16)',
        'sla.default_timezone: unknown IANA time zone "America/Chicgo" (e.g. America/New_York, Europe/Berlin) (line 18)',
        'sla.first_touch.A: expected a duration such as 90m, 4h, 1d or 2d4h, got "4x" (line 19)',
        'sla.holidays[0]: expected a date YYYY-MM-DD, got "2026-02-30" (line 20)',
        'mapping.colour: unknown key (check the spelling) (line 21)',
      ]),
    );
    expect(lines).toHaveLength(12);
  });

  it.each<[string, (file: DefinitionFile & Record<string, unknown>) => void, string]>([
    [
      'an unknown top-level key',
      (f) => void (f['qualificaton'] = {}),
      'qualificaton: unknown key (check the spelling)',
    ],
    [
      'a typo in a rule key',
      (f) =>
        void (f.qualification.fit = [{ id: 'x', field: 'title', exist: true, points: 1 } as never]),
      'qualification.fit[0].exist: unknown key',
    ],
    [
      'a rule without an operator',
      (f) => void (f.qualification.gates = [{ id: 'x', field: 'title' }]),
      'qualification.gates[0]: needs at least one operator',
    ],
    [
      'a missing required key',
      (f) => void delete (f as Partial<DefinitionFile>).version,
      'version: required',
    ],
    [
      'an unknown condition field',
      (f) =>
        void (f.qualification.fit = [{ id: 'x', field: 'job_title', exists: true, points: 1 }]),
      'qualification.fit[0].field: unknown attribute "job_title"',
    ],
    [
      'an unknown field in a routing condition',
      (f) => void (f.routing.rules = [{ id: 'x', when: { region: { eq: 'EU' } }, pool: 'emea' }]),
      'routing.rules[0].when.region: unknown attribute "region"',
    ],
    [
      'a rule with two targets',
      (f) => void (f.routing.rules = [{ id: 'x', pool: 'emea', owner: '0055e000001AAAAAA1' }]),
      'routing.rules[0]: needs exactly one target',
    ],
    [
      'a rule without a target',
      (f) => void (f.routing.rules = [{ id: 'x', account_owner: false }]),
      'routing.rules[0]: needs exactly one target',
    ],
    [
      'a pool member that is a queue',
      (f) =>
        void (f.routing.pools = {
          emea: { members: [{ owner: '00G5e000000QUEUE1' }] },
          inbound: { members: [{ owner: '0055e000001AAAAAA1' }] },
        }),
      'routing.pools.emea.members[0].owner: pool members must be Salesforce users',
    ],
    [
      'a member listed twice',
      (f) =>
        void (f.routing.pools = {
          emea: { members: [{ owner: '0055e000001AAAAAA1' }, { owner: '0055e000001AAAAAA1' }] },
          inbound: { members: [{ owner: '0055e000001AAAAAA2' }] },
        }),
      'is listed twice in pool emea',
    ],
    [
      'a malformed Salesforce id',
      (f) => void (f.routing.fallback_owner = 'queue-1'),
      'routing.fallback_owner: must be a Salesforce id',
    ],
    [
      'a fallback owner that is an account',
      (f) => void (f.routing.fallback_owner = '0015e000001AAAAAA1'),
      'routing.fallback_owner: must be a user (005…) or a queue (00G…) id',
    ],
    [
      'a nurture owner that is not a user or queue',
      (f) => void (f.feedback = { nurture_owner: '0015e000001AAAAAA1' }),
      'feedback.nurture_owner: must be a user',
    ],
    [
      'a negative weight',
      (f) =>
        void (f.routing.pools = {
          emea: { members: [{ owner: '0055e000001AAAAAA1', weight: -1 }] },
          inbound: { members: [{ owner: '0055e000001AAAAAA2' }] },
        }),
      'routing.pools.emea.members[0].weight: expected a finite number greater than 0 and at most 1000, got -1',
    ],
    [
      'an invalid member zone',
      (f) =>
        void (f.routing.pools = {
          emea: { members: [{ owner: '0055e000001AAAAAA1', timezone: 'CET+1' }] },
          inbound: { members: [{ owner: '0055e000001AAAAAA2' }] },
        }),
      'routing.pools.emea.members[0].timezone: unknown IANA time zone "CET+1"',
    ],
    [
      'an invalid fixed sla zone',
      (f) => void (f.sla.timezone = 'Europe/Berln'),
      'sla.timezone: unknown IANA time zone',
    ],
    [
      'a tier without an allowance',
      (f) => void (f.sla.first_touch = { A: '1h', B: '4h' }),
      'sla.first_touch: missing the allowance for tier "C"',
    ],
    [
      'an allowance for an unknown tier',
      (f) => void (f.sla.first_touch = { A: '1h', B: '4h', C: '1d', D: '2d' }),
      'sla.first_touch.D: unknown tier "D"',
    ],
    [
      'business hours ending before they start',
      (f) => void (f.sla.business_hours = { start: '17:00', end: '09:00' }),
      'sla.business_hours.end: must be after start 17:00',
    ],
    [
      'a malformed opening time',
      (f) => void (f.sla.business_hours = { start: '9am' }),
      'sla.business_hours.start: expected a time HH:MM',
    ],
    [
      'a malformed closing time',
      (f) => void (f.sla.business_hours = { end: '5pm' }),
      'sla.business_hours.end: expected a time HH:MM',
    ],
    [
      'an unknown weekday',
      (f) => void (f.sla.business_hours = { days: ['monday' as never] }),
      'sla.business_hours.days[0]: expected one of "sun", "mon"',
    ],
    [
      'an unknown breach action',
      (f) => void (f.sla.on_breach = { action: 'escalate' as never }),
      'sla.on_breach.action: expected one of "reassign", "notify", "none", got "escalate"',
    ],
    [
      'an unknown owned field',
      (f) => void (f.mapping = { salesforce_fields: { score: 'Score__c', colour: 'X' } as never }),
      'mapping.salesforce_fields.colour',
    ],
    [
      'a bad rule id',
      (f) => void (f.qualification.gates = [{ id: 'has email', field: 'email', exists: true }]),
      'qualification.gates[0].id: must be letters, digits',
    ],
    [
      'no tiers',
      (f) => void (f.qualification.tiers = {}),
      'qualification.tiers: needs at least one tier',
    ],
    [
      'a half-life of zero',
      (f) => void (f.qualification.engagement = { half_life_days: 0 }),
      'qualification.engagement.half_life_days: expected a finite number greater than 0 and at most 3650, got 0',
    ],
    [
      'an empty in-list',
      (f) => void (f.qualification.gates = [{ id: 'x', field: 'country', in: [] }]),
      'qualification.gates[0].in:',
    ],
    [
      'a rejection reason with a bad recycle period',
      (f) => void (f.feedback = { reasons: { 'No budget': { recycle_after_days: -1 } } }),
      'feedback.reasons["No budget"].recycle_after_days: expected a whole number between 0 and 3650, got -1',
    ],
    [
      'an attribute value of the wrong type in eq',
      (f) => void (f.qualification.gates = [{ id: 'x', field: 'country', eq: ['US'] as never }]),
      'qualification.gates[0].eq: unexpected value a list',
    ],
  ])('rejects %s', (_label, edit, expected) => {
    expect(problems(edit).join('\n')).toContain(expected);
  });

  it('accepts custom attributes named in the mapping', () => {
    expect(
      problems((f) => {
        f.mapping = { hubspot: { segment: 'hs_segment' } };
        f.qualification.fit = [{ id: 'smb', field: 'segment', eq: 'SMB', points: 5 }];
      }),
    ).toEqual([]);
  });

  it('accepts numeric versions and list ids, and a reason with no settings', () => {
    const result = parseDefinition(
      stringify({
        ...baseDefinitionFile(),
        version: 7,
        feedback: { reasons: { 'No budget': { nurture_list: 101 }, Competitor: null } },
      }),
    );
    expect(result.ok && result.value.version).toBe('7');
    expect(result.ok && result.value.feedback.reasons).toEqual({
      'No budget': { nurture_list: '101' },
      Competitor: {},
    });
  });

  it.each(['90m', '4h', '1d', '2d4h'])('accepts the allowance %s', (allowance) => {
    expect(
      problems((f) => void (f.sla.first_touch = { A: allowance, B: allowance, C: allowance })),
    ).toEqual([]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    const broken = parseDefinition(
      'version: "1"\nqualification:\n  threshold: 60\n  threshold: 70\n',
    );
    expect(broken.ok ? [] : broken.issues.map(formatIssue)).toEqual([
      expect.stringMatching(/^\(file\): syntax: Map keys must be unique.* \(line 4\)$/),
    ]);
    const unclosed = parseDefinition('version: "1\nqualification: {');
    expect(unclosed.ok).toBe(false);
  });

  it('reports an empty file as a whole', () => {
    const result = parseDefinition('');
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual(['(file): the file is empty']);
  });
});

describe('loadDefinitionFile', () => {
  it('reads a file from disk', async () => {
    const result = await loadDefinitionFile(EXAMPLE.pathname);
    expect(result.ok).toBe(true);
  });

  it('turns a missing file into one issue with a hint', async () => {
    const result = await loadDefinitionFile('/nonexistent/handoff.yaml');
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      '(file): cannot read /nonexistent/handoff.yaml: ENOENT (copy config/handoff.example.yaml to start)',
    ]);
  });
});

describe('formatPath', () => {
  it('writes dotted keys, indexes and quoted odd keys', () => {
    expect(formatPath(['qualification', 'fit', 2, 'points'])).toBe('qualification.fit[2].points');
    expect(formatPath(['feedback', 'reasons', 'No budget'])).toBe('feedback.reasons["No budget"]');
    expect(formatPath([])).toBe('');
  });
});
