import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ExplanationJson } from '../../../src/cli/format-explanation.js';
import { loadDefinitionFile } from '../../../src/config/load-definition.js';
import type { Definition } from '../../../src/domain/definition.js';
import { runCliInProcess } from '../../support/run-cli-in-process.js';

const EXAMPLE_CONFIG = new URL('../../../config/handoff.example.yaml', import.meta.url).pathname;
const NOW = '2026-11-16T15:00:00Z';
const DAY_MS = 86_400_000;
const daysBefore = (days: number): string =>
  new Date(Date.parse(NOW) - days * DAY_MS).toISOString();

let dir: string;
let definition: Definition;

async function inputFile(content: unknown): Promise<string> {
  const path = join(dir, `lead-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, JSON.stringify(content, null, 2));
  return path;
}

async function explain(
  lead: unknown,
  options: { source?: string; config?: string; json?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const input = await inputFile(lead);
  return runCliInProcess([
    'explain',
    '--config',
    options.config ?? EXAMPLE_CONFIG,
    '--input',
    input,
    '--now',
    NOW,
    ...(options.source === undefined ? [] : ['--source', options.source]),
    ...(options.json === false ? [] : ['--json']),
  ]);
}

async function explainJson(
  lead: unknown,
  options: { source?: string; config?: string } = {},
): Promise<ExplanationJson> {
  const run = await explain(lead, options);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ExplanationJson;
}

/** Points of the example's fit rules, by id: expectations follow the definition, not the output. */
function fitPoints(...ids: string[]): number {
  return ids.reduce((sum, id) => {
    const rule = definition.qualification.fit.find((candidate) => candidate.id === id);
    if (rule === undefined) throw new Error(`no fit rule ${id} in the example`);
    return sum + rule.points;
  }, 0);
}

function salesforceWeight(type: string): number {
  const weight =
    definition.qualification.engagement.salesforce_activities[
      type as keyof typeof definition.qualification.engagement.salesforce_activities
    ];
  if (weight === undefined) throw new Error(`the example does not weight Salesforce ${type}`);
  return weight;
}

function tierFor(score: number): string | null {
  const eligible = Object.entries(definition.qualification.tiers).filter(([, min]) => min <= score);
  eligible.sort(([, a], [, b]) => b - a);
  return eligible[0]?.[0] ?? null;
}

const matchedFit = (result: ExplanationJson): string[] =>
  result.qualification.reasons
    .filter((reason) => reason.kind === 'fit_matched')
    .map((reason) => reason.rule);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handoff-explain-sf-'));
  const loaded = await loadDefinitionFile(EXAMPLE_CONFIG);
  if (!loaded.ok) throw new Error('the example definition does not load');
  definition = loaded.value;
});

describe('handoff explain --source salesforce', () => {
  const enterpriseLead = {
    attributes: { type: 'Lead', url: '/services/data/v62.0/sobjects/Lead/00Q5e00000DANA001' },
    Id: '00Q5e00000DANA001',
    Status: 'Open - Not Contacted',
    Email: 'dana.ruiz@northwind-analytics.co.uk',
    FirstName: 'Dana',
    LastName: 'Ruiz',
    Company: 'Northwind Analytics',
    Title: 'VP Data & Analytics',
    Country: 'GB',
    NumberOfEmployees: 1400,
    Industry: 'Financial Services',
    AnnualRevenue: 180_000_000,
    Phone: '+44 20 7946 0018',
    // Attribute names are not Lead fields: case-sensitive, like Salesforce API names.
    email: 'someone@else.com',
    employees: 5,
  };

  it('qualifies a Lead by fit alone, its fields translated through the mapping', async () => {
    const result = await explainJson(enterpriseLead, { source: 'salesforce' });
    const fit = fitPoints(
      'senior-title',
      'data-function',
      'enterprise',
      'core-country',
      'target-industry',
      'revenue-over-50m',
      'has-phone',
    );
    expect(result.source).toBe('salesforce');
    expect(matchedFit(result).sort()).toEqual(
      [
        'senior-title',
        'data-function',
        'enterprise',
        'core-country',
        'target-industry',
        'revenue-over-50m',
        'has-phone',
      ].sort(),
    );
    expect(result.qualification).toMatchObject({
      qualified: true,
      fit,
      engagement: 0,
      score: fit,
      tier: tierFor(fit),
    });
    expect(result.qualification.reasons.filter((reason) => reason.kind === 'gate_failed')).toEqual(
      [],
    );
    // GB with 1,000+ employees: the EMEA enterprise rule.
    expect(result.routing).toMatchObject({ rule: 'emea-enterprise', pool: 'emea-enterprise' });
    expect(result.ignored_attributes).toEqual(['attributes', 'Id', 'Status', 'email', 'employees']);
  });

  it('qualifies a Lead only thanks to a campaign response, weighted by salesforce_activities', async () => {
    const lead = {
      Email: 'lee@globex.com',
      Company: 'Globex',
      Title: 'Director of Analytics',
      NumberOfEmployees: 600,
      Country: 'US',
    };
    const fit = fitPoints('senior-title', 'data-function', 'mid-market', 'core-country');
    expect(fit).toBeLessThan(definition.qualification.threshold);

    const without = await explainJson(lead, { source: 'salesforce' });
    expect(without.qualification).toMatchObject({ qualified: false, fit, score: fit, tier: null });

    const ageDays = 3;
    const engagement =
      salesforceWeight('campaign_response') *
      Math.pow(0.5, ageDays / definition.qualification.engagement.half_life_days);
    const score = Math.round(fit + engagement);
    expect(score).toBeGreaterThanOrEqual(definition.qualification.threshold);
    const activities = [{ type: 'campaign_response', at: daysBefore(ageDays) }];
    const result = await explainJson({ ...lead, activities }, { source: 'salesforce' });
    expect(result.qualification.qualified).toBe(true);
    expect(result.qualification.fit).toBe(fit);
    expect(result.qualification.engagement).toBeCloseTo(engagement, 10);
    expect(result.qualification.score).toBe(score);
    expect(result.qualification.tier).toBe(tierFor(score));
    expect(
      result.qualification.reasons.filter((reason) => reason.rule.startsWith('engagement.')),
    ).toEqual([
      {
        rule: 'engagement.salesforce.campaign_response',
        kind: 'engagement',
        points: engagement,
        detail: `1 × campaign_response in Salesforce, halved every ${definition.qualification.engagement.half_life_days} days`,
      },
    ]);
    expect(result.routing).not.toBeNull();
    expect(result.sla).not.toBeNull();

    // The same lead and activity from HubSpot: the HubSpot map has no campaign_response.
    expect(definition.qualification.engagement.activities['campaign_response']).toBeUndefined();
    const fromHubSpot = await explainJson({
      email: lead.Email,
      company: lead.Company,
      title: lead.Title,
      employees: lead.NumberOfEmployees,
      country: lead.Country,
      activities,
    });
    expect(fromHubSpot.source).toBe('hubspot');
    expect(fromHubSpot.qualification).toMatchObject({ qualified: false, score: fit });
    expect(fromHubSpot.qualification.reasons).toContainEqual(
      expect.objectContaining({ rule: 'engagement.campaign_response', kind: 'activity_ignored' }),
    );
  });

  it('says in text that the input is a Salesforce Lead and which system the points came from', async () => {
    const run = await explain(
      {
        Email: 'lee@globex.com',
        Company: 'Globex',
        Title: 'Director of Analytics',
        NumberOfEmployees: 600,
        Country: 'US',
        Status: 'Open',
        activities: [
          { type: 'campaign_response', at: daysBefore(0) },
          { type: 'task', at: daysBefore(1) },
        ],
      },
      { source: 'salesforce', json: false },
    );
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[1]).toBe('source: Salesforce Lead');
    expect(run.stdout).toMatch(
      new RegExp(
        `\\+${salesforceWeight('campaign_response')}\\s+engagement\\.salesforce\\.campaign_response\\s+1 × campaign_response in Salesforce`,
      ),
    );
    // `task` is left out of the example's salesforce_activities.
    expect(definition.qualification.engagement.salesforce_activities.task).toBeUndefined();
    expect(run.stdout).toMatch(
      /skip\s+engagement\.salesforce\.task\s+1 ignored in Salesforce: activity type not in the definition/,
    );
    expect(run.stdout).toContain(
      'Ignored input keys (not Lead fields this definition maps): Status',
    );
  });

  it('fails the free-mail gate for a Lead with a free email address', async () => {
    const gate = definition.qualification.gates.find(
      (candidate) => candidate.id === 'business-email',
    );
    expect(gate?.field).toBe('email');
    const result = await explainJson(
      { ...enterpriseLead, Email: 'dana.ruiz@gmail.com' },
      { source: 'salesforce' },
    );
    expect(result.qualification).toMatchObject({ qualified: false, tier: null });
    expect(result.qualification.reasons.filter((reason) => reason.kind === 'gate_failed')).toEqual([
      expect.objectContaining({ rule: 'business-email' }),
    ]);
    expect(result.routing).toBeNull();
    expect(result.sla).toBeNull();
  });

  it('reads custom and renamed fields through mapping.salesforce', async () => {
    const file = parse(await readFile(EXAMPLE_CONFIG, 'utf8')) as {
      qualification: { fit: unknown[] };
      mapping: { salesforce: Record<string, string> };
    };
    file.mapping.salesforce['segment'] = 'Segment__c';
    file.mapping.salesforce['title'] = 'Job_Title__c';
    file.qualification.fit.push({ id: 'strategic', field: 'segment', eq: 'Strategic', points: 7 });
    const config = join(dir, 'mapped.yaml');
    await writeFile(config, stringify(file));
    const result = await explainJson(
      { ...enterpriseLead, Segment__c: 'Strategic', Title: 'Intern', Job_Title__c: 'CEO' },
      { source: 'salesforce', config },
    );
    expect(matchedFit(result)).toEqual(expect.arrayContaining(['strategic', 'executive-title']));
    expect(matchedFit(result)).not.toContain('senior-title');
    expect(result.qualification.reasons).toContainEqual(
      expect.objectContaining({ rule: 'not-a-student-title', kind: 'gate_passed' }),
    );
    expect(result.ignored_attributes).toContain('Title');
    expect(result.ignored_attributes).not.toContain('Segment__c');
  });

  it('exits 2 naming the index and the allowed types for an activity of another type', async () => {
    const run = await explain(
      {
        Email: 'lee@globex.com',
        activities: [
          { type: 'call', at: daysBefore(1) },
          { type: 'webinar_attended', at: daysBefore(1) },
        ],
      },
      { source: 'salesforce' },
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /activities\[1\]\.type: expected one of "campaign_response", "call", "meeting", "email", "task", got "webinar_attended"/,
    );
  });

  it('exits 2 for a field value that is not a scalar, naming the field', async () => {
    const run = await explain(
      { Email: 'a@b.com', Title: { text: 'VP' } },
      { source: 'salesforce' },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Title: expected a text, number, boolean or null attribute value/);
  });
});

describe('handoff explain --source', () => {
  const hubspotLead = {
    email: 'ana@initech.com',
    company: 'Initech',
    title: 'VP Operations',
    employees: 1200,
    country: 'CA',
    activities: [{ type: 'demo_request', at: daysBefore(1) }],
  };

  it('reads the HubSpot shape by default and with --source hubspot, alike', async () => {
    const byDefault = await explainJson(hubspotLead);
    const explicit = await explainJson(hubspotLead, { source: 'hubspot' });
    expect(explicit).toEqual(byDefault);
    expect(byDefault.source).toBe('hubspot');
    expect(byDefault.qualification.reasons).toContainEqual(
      expect.objectContaining({ rule: 'engagement.demo_request', kind: 'engagement' }),
    );
    const text = await explain(hubspotLead, { json: false });
    expect(text.stdout.split('\n')[1]).toBe('source: HubSpot contact');
  });

  it.each(['sf', 'Salesforce', ''])(
    'exits 2 for --source %j, naming the allowed values',
    async (value) => {
      const run = await explain(hubspotLead, { source: value });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `--source: expected one of hubspot, salesforce, got ${JSON.stringify(value)}`,
      );
      expect(run.stderr).toContain('--source hubspot|salesforce');
    },
  );
});
