import { describe, expect, it } from 'vitest';
import { decideLead } from '../../../src/domain/decide-lead.js';
import { resolveOwnerTimezone } from '../../../src/domain/sla/resolve-owner-timezone.js';
import {
  makeActivity,
  makeDefinition,
  makeDirectory,
  makeLead,
  QUEUE,
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

describe('decideLead', () => {
  it('qualifies, routes and sets the deadline in the owner zone', () => {
    const activities = [makeActivity('demo_request', NOW.toISOString())];
    const decision = decideLead({
      lead: makeLead(),
      activities,
      definition,
      directory,
      rotation: {},
      now: NOW,
      routedAt: NOW,
    });
    expect(decision.qualification).toMatchObject({ qualified: true, tier: 'A', score: 100 });
    expect(decision.routing).toMatchObject({ owner: USER_B, rule: 'inbound' });
    // 07:00 in Los Angeles: the clock starts at 09:00 PST (17:00Z); tier A has 1h.
    expect(decision.sla).toEqual({
      due: new Date('2026-11-16T18:00:00Z'),
      timezone: 'America/Los_Angeles',
      allowance: '1h',
    });
    expect(decision.nextRotation).toEqual({ inbound: { [USER_B]: -1, [USER_C]: 1 } });
    expect(decision.definitionVersion).toBe('test-1');
  });

  it('neither routes nor sets a deadline for an unqualified lead, and keeps the rotation', () => {
    const rotation = { inbound: { [USER_B]: 1 } };
    const decision = decideLead({
      lead: makeLead({ title: 'Intern', employees: 3 }),
      activities: [],
      definition,
      directory,
      rotation,
      now: NOW,
      routedAt: NOW,
    });
    expect(decision).toMatchObject({ routing: null, sla: null });
    expect(decision.nextRotation).toBe(rotation);
  });
});

describe('resolveOwnerTimezone', () => {
  it.each([
    ['the member timezone from the definition wins', USER_A, 'Europe/London'],
    ['else the user zone from Salesforce', USER_B, 'America/Los_Angeles'],
    ['else default_timezone', USER_C, 'America/New_York'],
    ['queues use default_timezone', QUEUE, 'America/New_York'],
  ])('%s', (_label, owner, expected) => {
    const users = makeDirectory({
      [USER_A]: { timezone: 'Asia/Tokyo' },
      [USER_B]: { timezone: 'America/Los_Angeles' },
      [USER_C]: { timezone: 'Not/AZone' },
    });
    expect(resolveOwnerTimezone({ definition, owner, directory: users })).toBe(expected);
  });

  it('uses a fixed sla.timezone for everybody', () => {
    const fixed = makeDefinition((file) => {
      file.sla.timezone = 'Asia/Kolkata';
    });
    expect(resolveOwnerTimezone({ definition: fixed, owner: USER_A, directory })).toBe(
      'Asia/Kolkata',
    );
  });
});
