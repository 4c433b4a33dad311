import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Definition } from '../../../src/domain/definition.js';
import {
  routeLead,
  type Directory,
  type RotationState,
} from '../../../src/domain/routing/route-lead.js';
import {
  ACCOUNT_OWNER,
  makeDefinition,
  makeDirectory,
  makeLead,
  QUEUE,
  USER_A,
  USER_B,
  USER_C,
} from '../../support/factories.js';

/** Routing instant for these tests (a Monday, 10:00 UTC); working hours are tested apart. */
const ROUTED_AT = new Date('2026-03-02T10:00:00Z');

const everyoneAvailable = makeDirectory({
  [USER_A]: {},
  [USER_B]: {},
  [USER_C]: {},
  [ACCOUNT_OWNER]: {},
});

/** Routes `count` leads in sequence, threading the rotation, and returns the owners picked. */
function routeMany(
  definition: Definition,
  directory: Directory,
  count: number,
  country = 'US',
): string[] {
  let rotation: RotationState = {};
  const owners: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const result = routeLead({
      at: ROUTED_AT,
      lead: makeLead({ country }),
      definition,
      directory,
      rotation,
    });
    owners.push(result.decision.owner);
    rotation = result.nextRotation;
  }
  return owners;
}

function poolDefinition(weights: number[]): { definition: Definition; owners: string[] } {
  const owners = weights.map((_, index) => `005000000000000${String(index).padStart(3, '0')}`);
  const definition = makeDefinition((file) => {
    file.routing.rules = [{ id: 'all', pool: 'p' }];
    file.routing.pools = {
      p: { members: owners.map((owner, index) => ({ owner, weight: weights[index] })) },
    };
  });
  return { definition, owners };
}

describe('routeLead: rules', () => {
  const definition = makeDefinition();

  it('gives the lead to the active owner of its account first', () => {
    const lead = makeLead({ country: 'GB' }, { id: '0015e00000ACCOUNT1', owner: ACCOUNT_OWNER });
    const { decision, nextRotation } = routeLead({
      at: ROUTED_AT,
      lead,
      definition,
      directory: everyoneAvailable,
      rotation: {},
    });
    expect(decision).toMatchObject({
      kind: 'assigned',
      rule: 'existing-account',
      pool: null,
      owner: ACCOUNT_OWNER,
    });
    expect(decision.definitionVersion).toBe('test-1');
    expect(nextRotation).toEqual({});
  });

  it.each([
    ['inactive', { active: false }],
    ['out of office', { outOfOffice: true }],
  ])('skips the account rule when the account owner is %s', (why, user) => {
    const directory = makeDirectory({ [USER_A]: {}, [ACCOUNT_OWNER]: user });
    const lead = makeLead({ country: 'GB' }, { id: 'acc', owner: ACCOUNT_OWNER });
    const { decision } = routeLead({ at: ROUTED_AT, lead, definition, directory, rotation: {} });
    expect(decision.rule).toBe('emea');
    expect(decision.reasons[0]).toEqual({
      rule: 'existing-account',
      kind: 'rule_skipped',
      owner: ACCOUNT_OWNER,
      detail: `account owner is ${why}`,
    });
  });

  it('skips the account rule when the account owner is not a known user', () => {
    const lead = makeLead({ country: 'GB' }, { id: 'acc', owner: '005UNKNOWNUSER0001' });
    const { decision } = routeLead({
      at: ROUTED_AT,
      lead,
      definition,
      directory: everyoneAvailable,
      rotation: {},
    });
    expect(decision.owner).toBe(USER_A);
    expect(decision.reasons[0]?.detail).toBe('account owner is not a known user');
  });

  it('takes the first rule whose conditions hold', () => {
    const gb = routeLead({
      at: ROUTED_AT,
      lead: makeLead({ country: 'gb' }),
      definition,
      directory: everyoneAvailable,
      rotation: {},
    });
    expect(gb.decision).toMatchObject({ rule: 'emea', pool: 'emea', owner: USER_A });
    const us = routeLead({
      at: ROUTED_AT,
      lead: makeLead({ country: 'US' }),
      definition,
      directory: everyoneAvailable,
      rotation: {},
    });
    expect(us.decision).toMatchObject({ rule: 'inbound', pool: 'inbound', owner: USER_B });
    expect(us.decision.reasons.map((reason) => [reason.rule, reason.kind])).toEqual([
      ['existing-account', 'rule_skipped'],
      ['emea', 'rule_skipped'],
      ['inbound', 'rule_matched'],
      ['pool.inbound', 'member_picked'],
    ]);
  });

  it('treats a missing attribute in `when` as not matching', () => {
    const { decision } = routeLead({
      at: ROUTED_AT,
      lead: makeLead({ country: undefined }),
      definition,
      directory: everyoneAvailable,
      rotation: {},
    });
    expect(decision.rule).toBe('inbound');
  });

  it('assigns a fixed owner rule directly', () => {
    const fixed = makeDefinition((file) => {
      file.routing.rules = [
        { id: 'named', when: { company: { eq: 'Acme' } }, owner: USER_C },
        { id: 'inbound', pool: 'inbound' },
      ];
    });
    const { decision } = routeLead({
      at: ROUTED_AT,
      lead: makeLead({ company: 'ACME' }),
      definition: fixed,
      directory: everyoneAvailable,
      rotation: {},
    });
    expect(decision).toMatchObject({ kind: 'assigned', rule: 'named', pool: null, owner: USER_C });
  });

  it('falls back when no rule matches', () => {
    const narrow = makeDefinition((file) => {
      file.routing.rules = [{ id: 'emea', when: { country: { in: ['GB'] } }, pool: 'emea' }];
    });
    const { decision } = routeLead({
      at: ROUTED_AT,
      lead: makeLead(),
      definition: narrow,
      directory: everyoneAvailable,
      rotation: {},
    });
    expect(decision).toMatchObject({ kind: 'fallback', rule: null, pool: null, owner: QUEUE });
    expect(decision.reasons.at(-1)).toEqual({
      rule: 'routing',
      kind: 'fallback',
      owner: QUEUE,
      detail: 'no routing rule matched',
    });
  });

  it('falls back when the matched pool has nobody eligible, naming why each member was skipped', () => {
    const directory = makeDirectory({
      [USER_B]: { openLeads: 3 },
      [USER_C]: { outOfOffice: true },
    });
    const rotation = { inbound: { [USER_B]: 1 } };
    const { decision, nextRotation } = routeLead({
      at: ROUTED_AT,
      lead: makeLead(),
      definition,
      directory,
      rotation,
    });
    expect(decision).toMatchObject({
      kind: 'fallback',
      rule: 'inbound',
      pool: 'inbound',
      owner: QUEUE,
    });
    expect(decision.reasons.filter((reason) => reason.kind === 'member_skipped')).toEqual([
      {
        rule: 'pool.inbound',
        kind: 'member_skipped',
        owner: USER_B,
        detail: 'at capacity (3/3 open)',
      },
      { rule: 'pool.inbound', kind: 'member_skipped', owner: USER_C, detail: 'out of office' },
    ]);
    expect(nextRotation).toBe(rotation);
  });

  it('falls back when a hand-built definition names a pool that does not exist', () => {
    const broken = {
      ...definition,
      routing: { ...definition.routing, rules: [{ id: 'ghost', pool: 'ghost' }] },
    };
    const { decision } = routeLead({
      at: ROUTED_AT,
      lead: makeLead(),
      definition: broken,
      directory: everyoneAvailable,
      rotation: {},
    });
    expect(decision).toMatchObject({
      kind: 'fallback',
      rule: 'ghost',
      pool: 'ghost',
      owner: QUEUE,
    });
  });

  it('skips a hand-built rule without any target', () => {
    const broken = {
      ...definition,
      routing: {
        ...definition.routing,
        rules: [{ id: 'nothing' }, { id: 'inbound', pool: 'inbound' }],
      },
    };
    const { decision } = routeLead({
      at: ROUTED_AT,
      lead: makeLead(),
      definition: broken,
      directory: everyoneAvailable,
      rotation: {},
    });
    expect(decision.rule).toBe('inbound');
    expect(decision.reasons[0]).toEqual({
      rule: 'nothing',
      kind: 'rule_skipped',
      detail: 'no pool or owner to route to',
    });
  });
});

describe('routeLead: smooth weighted round robin', () => {
  it('follows the smooth sequence for weights 5, 1, 1 (a a b a c a a)', () => {
    const { definition, owners } = poolDefinition([5, 1, 1]);
    const directory = makeDirectory(Object.fromEntries(owners.map((owner) => [owner, {}])));
    const [a, b, c] = owners;
    expect(routeMany(definition, directory, 14)).toEqual([
      a,
      a,
      b,
      a,
      c,
      a,
      a,
      a,
      a,
      b,
      a,
      c,
      a,
      a,
    ]);
  });

  it('picks the highest weight first from a fresh state, the first listed on ties', () => {
    const { definition, owners } = poolDefinition([1, 3, 3]);
    const directory = makeDirectory(Object.fromEntries(owners.map((owner) => [owner, {}])));
    expect(routeMany(definition, directory, 1)).toEqual([owners[1]]);
    const even = poolDefinition([2, 2]);
    const evenDirectory = makeDirectory(
      Object.fromEntries(even.owners.map((owner) => [owner, {}])),
    );
    expect(routeMany(even.definition, evenDirectory, 4)).toEqual([
      even.owners[0],
      even.owners[1],
      even.owners[0],
      even.owners[1],
    ]);
  });

  it('skips ineligible members without touching their counters', () => {
    const { definition, owners } = poolDefinition([1, 1, 1]);
    const [a, b, c] = owners as [string, string, string];
    const directory = makeDirectory({ [a]: {}, [b]: { active: false }, [c]: {} });
    const first = routeLead({
      at: ROUTED_AT,
      lead: makeLead(),
      definition,
      directory,
      rotation: { p: { [b]: 7 } },
    });
    expect(first.decision.owner).toBe(a);
    expect(first.nextRotation['p']).toEqual({ [a]: -1, [b]: 7, [c]: 1 });
    expect(routeMany(definition, directory, 4)).toEqual([a, c, a, c]);
  });

  it('leaves other pools in the rotation untouched', () => {
    const definition = makeDefinition();
    const rotation = { emea: { [USER_A]: 0 } };
    const { nextRotation } = routeLead({
      at: ROUTED_AT,
      lead: makeLead(),
      definition,
      directory: everyoneAvailable,
      rotation,
    });
    expect(nextRotation['emea']).toBe(rotation.emea);
    expect(rotation).toEqual({ emea: { [USER_A]: 0 } });
  });

  it('picks every member exactly `weight` times in each full cycle', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }),
        (weights) => {
          const { definition, owners } = poolDefinition(weights);
          const directory = makeDirectory(Object.fromEntries(owners.map((owner) => [owner, {}])));
          const total = weights.reduce((sum, weight) => sum + weight, 0);
          const picks = routeMany(definition, directory, 3 * total);
          for (let cycle = 0; cycle < 3; cycle += 1) {
            const window = picks.slice(cycle * total, (cycle + 1) * total);
            owners.forEach((owner, index) => {
              expect(window.filter((picked) => picked === owner)).toHaveLength(weights[index] ?? 0);
            });
          }
        },
      ),
    );
  });

  it('never gives a member more open leads than max_open', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            weight: fc.integer({ min: 1, max: 5 }),
            maxOpen: fc.integer({ min: 1, max: 8 }),
            open: fc.nat(4),
          }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        fc.integer({ min: 1, max: 60 }),
        (members, leads) => {
          const owners = members.map(
            (_, index) => `005000000000001${String(index).padStart(3, '0')}`,
          );
          const definition = makeDefinition((file) => {
            file.routing.rules = [{ id: 'all', pool: 'p' }];
            file.routing.pools = {
              p: {
                members: members.map((member, index) => ({
                  owner: owners[index] ?? '',
                  weight: member.weight,
                  max_open: member.maxOpen,
                })),
              },
            };
          });
          const open = new Map(
            owners.map((owner, index) => [
              owner,
              Math.min(members[index]?.open ?? 0, members[index]?.maxOpen ?? 0),
            ]),
          );
          let rotation: RotationState = {};
          for (let lead = 0; lead < leads; lead += 1) {
            const directory = makeDirectory(
              Object.fromEntries(
                owners.map((owner) => [owner, { openLeads: open.get(owner) ?? 0 }]),
              ),
            );
            const result = routeLead({
              at: ROUTED_AT,
              lead: makeLead(),
              definition,
              directory,
              rotation,
            });
            rotation = result.nextRotation;
            if (result.decision.kind === 'assigned')
              open.set(result.decision.owner, (open.get(result.decision.owner) ?? 0) + 1);
            else expect(result.decision.owner).toBe(QUEUE);
          }
          owners.forEach((owner, index) => {
            expect(open.get(owner)).toBeLessThanOrEqual(members[index]?.maxOpen ?? 0);
          });
        },
      ),
    );
  });
});
