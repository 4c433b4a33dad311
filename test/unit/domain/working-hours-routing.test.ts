import { describe, expect, it } from 'vitest';
import { routeLead } from '../../../src/domain/routing/route-lead.js';
import {
  makeDefinition,
  makeDirectory,
  makeLead,
  USER_A,
  USER_B,
} from '../../support/factories.js';

/** A London rep and a Tokyo rep in one pool that routes within working hours. */
function followTheSun(edit: (members: Record<string, unknown>[]) => void = () => undefined) {
  const members: Record<string, unknown>[] = [
    { owner: USER_A, timezone: 'Europe/London' },
    { owner: USER_B, timezone: 'Asia/Tokyo' },
  ];
  edit(members);
  return makeDefinition((file) => {
    file.routing.rules = [{ id: 'everyone', pool: 'global' }];
    file.routing.pools = {
      global: { within_working_hours: true, members } as never,
    };
  });
}

const directory = makeDirectory({ [USER_A]: {}, [USER_B]: {} });

function route(definition: ReturnType<typeof makeDefinition>, at: string) {
  return routeLead({ lead: makeLead(), definition, directory, rotation: {}, at: new Date(at) })
    .decision;
}

describe('routeLead: pools routed within working hours', () => {
  it('sends a 2 a.m. London lead to the rep whose morning it is', () => {
    // Tuesday 02:00 in London is 11:00 in Tokyo.
    const decision = route(followTheSun(), '2026-03-03T02:00:00Z');
    expect(decision.owner).toBe(USER_B);
    expect(decision.reasons).toContainEqual({
      rule: 'pool.global',
      kind: 'member_skipped',
      owner: USER_A,
      detail: 'outside working hours (Tue 02:00 Europe/London)',
    });
  });

  it('sends a mid-morning London lead to London while Tokyo has gone home', () => {
    // Tuesday 10:00 in London is 19:00 in Tokyo.
    expect(route(followTheSun(), '2026-03-03T10:00:00Z').owner).toBe(USER_A);
  });

  it('on a weekend gives the lead to the member whose week starts first', () => {
    // Saturday noon UTC: Tokyo opens Monday 09:00 JST (Monday 00:00 UTC), London at 09:00 UTC.
    const decision = route(followTheSun(), '2026-03-07T12:00:00Z');
    expect(decision.kind).toBe('assigned');
    expect(decision.owner).toBe(USER_B);
    expect(decision.reasons.at(-1)?.detail).toBe(
      'nobody in working hours; working hours start soonest (Mon 09:00 Asia/Tokyo)',
    );
  });

  it("follows a member's own hours and daylight-saving time", () => {
    const definition = followTheSun((members) => {
      members[0] = {
        ...members[0],
        working_hours: { days: ['tue'], start: '06:00', end: '12:00' },
      };
    });
    // 06:30 BST on 31 March (after the clocks went forward) is 05:30 UTC: London's early shift.
    expect(route(definition, '2026-03-31T05:30:00Z').owner).toBe(USER_A);
    // 05:30 UTC is 14:30 in Tokyo: inside Tokyo's day too, so both are candidates; at 05:30 UTC a
    // week earlier (GMT) London is still at 05:30, before its shift.
    const earlier = route(definition, '2026-03-24T05:30:00Z');
    expect(earlier.owner).toBe(USER_B);
    expect(earlier.reasons).toContainEqual(
      expect.objectContaining({
        owner: USER_A,
        detail: 'outside working hours (Tue 05:30 Europe/London)',
      }),
    );
  });

  it("uses the rep's Salesforce time zone when the member sets none", () => {
    const definition = followTheSun((members) => {
      members[1] = { owner: USER_B };
    });
    const tokyoDirectory = makeDirectory({ [USER_A]: {}, [USER_B]: { timezone: 'Asia/Tokyo' } });
    const decision = routeLead({
      lead: makeLead(),
      definition,
      directory: tokyoDirectory,
      rotation: {},
      at: new Date('2026-03-03T02:00:00Z'),
    }).decision;
    expect(decision.owner).toBe(USER_B);
  });

  it("falls back to the definition's default zone when the rep's Salesforce zone is unknown", () => {
    const definition = followTheSun((members) => {
      members[1] = { owner: USER_B };
    });
    // Not an IANA zone: the member is judged in sla.default_timezone (New York), where it is the
    // evening before.
    const badZone = makeDirectory({ [USER_A]: {}, [USER_B]: { timezone: 'Mars/Olympus' } });
    const decision = routeLead({
      lead: makeLead(),
      definition,
      directory: badZone,
      rotation: {},
      at: new Date('2026-03-03T02:00:00Z'),
    }).decision;
    expect(decision.reasons).toContainEqual(
      expect.objectContaining({
        owner: USER_B,
        detail: 'outside working hours (Mon 21:00 America/New_York)',
      }),
    );
  });

  it('keeps rotating among the members who are at work', () => {
    const definition = followTheSun((members) => {
      members.push({ owner: '0055e000001AAAAAA3', timezone: 'Asia/Tokyo' });
    });
    const everyone = makeDirectory({ [USER_A]: {}, [USER_B]: {}, '0055e000001AAAAAA3': {} });
    let rotation = {};
    const owners: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const result = routeLead({
        lead: makeLead(),
        definition,
        directory: everyone,
        rotation,
        at: new Date('2026-03-03T02:00:00Z'),
      });
      owners.push(result.decision.owner);
      rotation = result.nextRotation;
    }
    expect(owners).toEqual([USER_B, '0055e000001AAAAAA3', USER_B, '0055e000001AAAAAA3']);
  });

  it('ignores working hours in pools that do not ask for them', () => {
    const definition = makeDefinition((file) => {
      file.routing.rules = [{ id: 'everyone', pool: 'global' }];
      file.routing.pools = { global: { members: [{ owner: USER_A, timezone: 'Europe/London' }] } };
    });
    expect(route(definition, '2026-03-03T02:00:00Z').owner).toBe(USER_A);
  });

  it('says until when an out-of-office member is away', () => {
    const away = makeDirectory({
      [USER_A]: { outOfOffice: true, backAt: new Date('2026-03-09T08:00:00Z') },
      [USER_B]: {},
    });
    const decision = routeLead({
      lead: makeLead(),
      definition: followTheSun(),
      directory: away,
      rotation: {},
      at: new Date('2026-03-03T10:00:00Z'),
    }).decision;
    expect(decision.owner).toBe(USER_B);
    expect(decision.reasons).toContainEqual(
      expect.objectContaining({
        owner: USER_A,
        detail: 'out of office until 2026-03-09 08:00 UTC',
      }),
    );
  });
});
