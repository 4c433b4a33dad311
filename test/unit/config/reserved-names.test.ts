import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { DefinitionFile } from '../../../src/config/definition.schema.js';
import { parseDefinition } from '../../../src/config/load-definition.js';
import { formatIssue } from '../../../src/config/parse-yaml.js';
import type { Definition } from '../../../src/domain/definition.js';
import { resolveMapping } from '../../../src/domain/mapping.js';
import { qualify } from '../../../src/domain/qualification/qualify.js';
import { normalizeRejection } from '../../../src/domain/rejection/normalize-rejection.js';
import { routeLead, type RotationState } from '../../../src/domain/routing/route-lead.js';
import { computeSlaDueAt } from '../../../src/domain/sla/compute-sla-due-at.js';
import {
  baseDefinitionFile,
  makeActivity,
  makeDirectory,
  makeLead,
  USER_A,
  USER_B,
  USER_C,
} from '../../support/factories.js';

/** Routing instant for these tests (a Monday, 10:00 UTC); working hours are tested apart. */
const ROUTED_AT = new Date('2026-03-02T10:00:00Z');

/**
 * Names that are also members of every JavaScript object. A definition may use them for pools,
 * tiers, activities, reasons and mapped attributes, and they must work like any other name;
 * `__proto__` cannot be held as data at all and is refused by validate.
 */
const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;
const PROTO = '__proto__';
const PLACEHOLDER = 'reserved-name-placeholder';

const NOW = new Date('2026-11-16T15:00:00Z');
const directory = makeDirectory({ [USER_A]: {}, [USER_B]: {}, [USER_C]: {} });

function parsed(edit: (file: DefinitionFile) => void): Definition {
  const file = baseDefinitionFile();
  edit(file);
  const result = parseDefinition(stringify(file));
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.value;
}

/** The problems of a definition where `PLACEHOLDER` is replaced by `__proto__` in the YAML. */
function protoProblems(edit: (file: DefinitionFile) => void): string[] {
  const file = baseDefinitionFile();
  edit(file);
  const result = parseDefinition(stringify(file).replaceAll(PLACEHOLDER, PROTO));
  return result.ok ? [] : result.issues.map(formatIssue);
}

/** The definition as parsed (records without a prototype) and as plain objects, as tests build them. */
function bothShapes(definition: Definition): Definition[] {
  return [definition, structuredClone(definition)];
}

describe.each(NAMES)('the name %s', (name) => {
  it('works as a pool name', () => {
    const definition = parsed((file) => {
      file.routing.rules = [{ id: 'inbound', pool: name }];
      file.routing.pools = {
        [name]: { members: [{ owner: USER_B, weight: 2 }, { owner: USER_C }] },
      };
    });
    expect(Object.keys(definition.routing.pools)).toEqual([name]);
    for (const shape of bothShapes(definition)) {
      let rotation: RotationState = {};
      const owners: string[] = [];
      for (let lead = 0; lead < 3; lead += 1) {
        const { decision, nextRotation } = routeLead({
          at: ROUTED_AT,
          lead: makeLead(),
          definition: shape,
          directory,
          rotation,
        });
        expect(decision).toMatchObject({ kind: 'assigned', pool: name });
        owners.push(decision.owner);
        rotation = nextRotation;
      }
      expect(owners.sort()).toEqual([USER_B, USER_B, USER_C]);
    }
  });

  it('is an unknown pool when no pool has that name', () => {
    const result = parseDefinition(
      stringify({
        ...baseDefinitionFile(),
        routing: { ...baseDefinitionFile().routing, rules: [{ id: 'x', pool: name }] },
      }),
    );
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      expect.stringMatching(new RegExp(`^routing\\.rules\\[0\\]\\.pool: unknown pool "${name}"`)),
    ]);
  });

  it('works as a tier name, with its SLA allowance', () => {
    const definition = parsed((file) => {
      file.qualification.tiers = { A: 85, [name]: 60 };
      file.sla.first_touch = { A: '1h', [name]: '2h' };
    });
    for (const shape of bothShapes(definition)) {
      const result = qualify({
        lead: makeLead({ title: 'VP Sales', employees: 500, country: 'US' }),
        activities: [],
        definition: shape,
        now: NOW,
      });
      expect(result).toMatchObject({ qualified: true, tier: name, score: 60 });
      const due = computeSlaDueAt({
        routedAt: NOW,
        tier: name,
        sla: shape.sla,
        timezone: 'America/New_York',
      });
      expect(due.allowance).toBe('2h');
    }
  });

  it('is not an allowance when the tiers do not define it', () => {
    const definition = parsed(() => undefined);
    for (const shape of bothShapes(definition)) {
      expect(() =>
        computeSlaDueAt({ routedAt: NOW, tier: name, sla: shape.sla, timezone: 'UTC' }),
      ).toThrow(`no valid first_touch allowance for tier ${name}`);
    }
  });

  it('must have an allowance when it is a tier, and be a tier when it has one', () => {
    const missing = parseDefinition(
      stringify({
        ...baseDefinitionFile(),
        qualification: { ...baseDefinitionFile().qualification, tiers: { A: 85, [name]: 60 } },
      }),
    );
    expect(missing.ok ? [] : missing.issues.map(formatIssue)).toContainEqual(
      expect.stringContaining(`sla.first_touch: missing the allowance for tier "${name}"`),
    );
    const file = baseDefinitionFile();
    file.sla.first_touch = { ...file.sla.first_touch, [name]: '1h' };
    const unknown = parseDefinition(stringify(file));
    expect(unknown.ok ? [] : unknown.issues.map(formatIssue)).toEqual([
      expect.stringContaining(`sla.first_touch.${name}: unknown tier "${name}"`),
    ]);
  });

  it('works as an activity type, and counts nothing when not defined', () => {
    const definition = parsed((file) => {
      file.qualification.engagement = { activities: { [name]: 10 } };
    });
    for (const shape of bothShapes(definition)) {
      const scored = qualify({
        lead: makeLead(),
        activities: [makeActivity(name, NOW.toISOString())],
        definition: shape,
        now: NOW,
      });
      expect(scored.engagement).toBe(10);
      const other = NAMES.find((candidate) => candidate !== name) ?? 'x';
      const ignored = qualify({
        lead: makeLead(),
        activities: [makeActivity(other, NOW.toISOString())],
        definition: shape,
        now: NOW,
      });
      expect(ignored.engagement).toBe(0);
      expect(Number.isFinite(ignored.score)).toBe(true);
      expect(ignored.reasons).toContainEqual(
        expect.objectContaining({ rule: `engagement.${other}`, kind: 'activity_ignored' }),
      );
    }
  });

  it('works as a rejection reason, and is unknown when not defined', () => {
    const definition = parsed((file) => {
      file.feedback = { reasons: { [name]: { nurture_list: '9', recycle_after_days: 7 } } };
    });
    const change = {
      previousStatus: 'Working',
      status: 'Unqualified',
      changedAt: NOW,
    };
    for (const shape of bothShapes(definition)) {
      expect(normalizeRejection({ ...change, reason: name }, shape)).toMatchObject({
        kind: 'rejection',
        reason: name,
        flag: null,
        nurtureList: '9',
        recycleAt: new Date(NOW.getTime() + 7 * 86_400_000),
      });
      const other = NAMES.find((candidate) => candidate !== name) ?? 'x';
      expect(normalizeRejection({ ...change, reason: other }, shape)).toMatchObject({
        kind: 'rejection',
        reason: 'Unspecified',
        flag: 'unknown',
        nurtureList: null,
        lifecycleStage: 'lead',
        recycleAt: new Date(NOW.getTime() + 90 * 86_400_000),
      });
    }
  });

  it('works as a mapped attribute; unmapped, it is neither an attribute nor a field', () => {
    const definition = parsed((file) => {
      file.mapping = { hubspot: { [name]: 'hs_custom_flag' } };
      file.qualification.fit = [{ id: 'flagged', field: name, eq: 'yes', points: 60 }];
    });
    // Indexed as adapters index them: the resolved mapping has no prototype to fall back on.
    const attribute: string = name;
    expect(resolveMapping(definition.mapping).hubspot[attribute]).toBe('hs_custom_flag');
    expect(resolveMapping(definition.mapping).salesforce[attribute]).toBeUndefined();
    for (const shape of bothShapes(definition)) {
      const flagged = qualify({
        lead: makeLead({ [name]: 'yes' }),
        activities: [],
        definition: shape,
        now: NOW,
      });
      expect(flagged).toMatchObject({ fit: 60, qualified: true });
      const unflagged = qualify({ lead: makeLead(), activities: [], definition: shape, now: NOW });
      expect(unflagged).toMatchObject({ fit: 0, qualified: false });
    }
    const unmapped = baseDefinitionFile();
    unmapped.qualification.fit = [{ id: 'x', field: name, exists: true, points: 1 }];
    const result = parseDefinition(stringify(unmapped));
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      expect.stringContaining(`qualification.fit[0].field: unknown attribute "${name}"`),
    ]);
  });

  it('works as a routing condition field', () => {
    const definition = parsed((file) => {
      file.mapping = { salesforce: { [name]: 'Custom_Flag__c' } };
      file.routing.rules = [
        { id: 'flagged', when: { [name]: { exists: true } }, owner: USER_A },
        { id: 'inbound', pool: 'inbound' },
      ];
    });
    for (const shape of bothShapes(definition)) {
      const route = (lead: ReturnType<typeof makeLead>): string =>
        routeLead({ at: ROUTED_AT, lead, definition: shape, directory, rotation: {} }).decision
          .rule ?? '';
      expect(route(makeLead({ [name]: 'yes' }))).toBe('flagged');
      expect(route(makeLead())).toBe('inbound');
    }
  });
});

describe('the name __proto__', () => {
  const message = `"${PROTO}" cannot be a key or a name (JavaScript reserves it); rename it`;

  it.each<[string, (file: DefinitionFile) => void, string]>([
    [
      'a pool',
      (file) => {
        file.routing.rules = [{ id: 'inbound', pool: PLACEHOLDER }];
        file.routing.pools = { [PLACEHOLDER]: { members: [{ owner: USER_B }] } };
      },
      'routing.pools.__proto__',
    ],
    [
      'a tier',
      (file) => {
        file.qualification.tiers = { A: 85, [PLACEHOLDER]: 60 };
        file.sla.first_touch = { A: '1h', [PLACEHOLDER]: '2h' };
      },
      'qualification.tiers.__proto__',
    ],
    [
      'an activity',
      (file) => void (file.qualification.engagement = { activities: { [PLACEHOLDER]: 1 } }),
      'qualification.engagement.activities.__proto__',
    ],
    [
      'a reason',
      (file) => void (file.feedback = { reasons: { [PLACEHOLDER]: { nurture_list: '1' } } }),
      'feedback.reasons.__proto__',
    ],
    [
      'a mapped attribute',
      (file) => void (file.mapping = { hubspot: { [PLACEHOLDER]: 'hs_x' } }),
      'mapping.hubspot.__proto__',
    ],
    [
      'a condition field',
      (file) =>
        void (file.routing.rules = [
          { id: 'x', when: { [PLACEHOLDER]: { exists: true } }, pool: 'inbound' },
        ]),
      'routing.rules[0].when.__proto__',
    ],
    [
      'a key of a fixed section',
      (file) => void Object.assign(file.sla, { [PLACEHOLDER]: {} }),
      'sla.__proto__',
    ],
  ])('is refused as %s, naming the key', (_kind, edit, path) => {
    const problems = protoProblems(edit);
    expect(problems).toContainEqual(expect.stringMatching(`^${path.replace(/[.[\]]/g, '\\$&')}: `));
    expect(problems.find((problem) => problem.startsWith(`${path}:`))).toContain(message);
    expect(problems.filter((problem) => problem.startsWith(`${path}:`))).toHaveLength(1);
  });

  it('is an unknown pool when only a rule names it', () => {
    expect(
      protoProblems((file) => void (file.routing.rules = [{ id: 'x', pool: PLACEHOLDER }])),
    ).toEqual([expect.stringContaining('routing.rules[0].pool: unknown pool "__proto__"')]);
  });
});
