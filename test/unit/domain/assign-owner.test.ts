import { describe, expect, it } from 'vitest';
import { assignOwner, dueForOwner } from '../../../src/domain/routing/assign-owner.js';
import {
  makeDefinition,
  makeDirectory,
  makeLead,
  USER_A,
  USER_B,
  USER_C,
} from '../../support/factories.js';

const NOW = new Date('2026-11-16T15:00:00Z');
const definition = makeDefinition();
const directory = makeDirectory({
  [USER_A]: {},
  [USER_B]: { timezone: 'America/Los_Angeles' },
  [USER_C]: {},
});

describe('assignOwner', () => {
  it('routes under the rotation and dates the deadline in the chosen owner zone', () => {
    const assignment = assignOwner({
      lead: makeLead(),
      tier: 'A',
      definition,
      directory,
      rotation: {},
      routedAt: NOW,
    });
    expect(assignment.routing).toMatchObject({ owner: USER_B, rule: 'inbound' });
    expect(assignment.sla).toEqual({
      due: new Date('2026-11-16T18:00:00Z'),
      timezone: 'America/Los_Angeles',
      allowance: '1h',
    });
  });

  it('never gives the lead to an excluded owner, and dates it in the new owner zone', () => {
    const assignment = assignOwner({
      lead: makeLead(),
      tier: 'A',
      definition,
      directory,
      rotation: {},
      routedAt: NOW,
      exclude: new Set([USER_B]),
    });
    expect(assignment.routing.owner).toBe(USER_C);
    expect(assignment.sla.timezone).toBe(definition.sla.default_timezone);
    // Whatever the rotation says, the excluded owner stays out.
    for (const rotation of [{}, { inbound: { [USER_C]: 5 } }, { inbound: { [USER_B]: -9 } }])
      expect(
        assignOwner({
          lead: makeLead(),
          tier: 'A',
          definition,
          directory,
          rotation,
          routedAt: NOW,
          exclude: new Set([USER_B]),
        }).routing.owner,
      ).not.toBe(USER_B);
  });

  it('a kept owner gets the same deadline routing would give them', () => {
    const kept = dueForOwner({ owner: USER_B, tier: 'A', definition, directory, routedAt: NOW });
    const routed = assignOwner({
      lead: makeLead(),
      tier: 'A',
      definition,
      directory,
      rotation: {},
      routedAt: NOW,
    });
    expect(kept).toEqual(routed.sla);
  });
});
