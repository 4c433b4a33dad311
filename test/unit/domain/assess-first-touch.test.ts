import { describe, expect, it } from 'vitest';
import {
  assessFirstTouch,
  type RoutedLeadState,
  type TouchActivity,
} from '../../../src/domain/sla/assess-first-touch.js';

const OWNER = '0055e000001AAAAAA3';
const ROUTED = 'Open - Not Contacted';
const lead: RoutedLeadState = {
  ownerId: OWNER,
  status: ROUTED,
  routedAt: new Date('2026-11-24T14:00:00Z'),
  due: new Date('2026-11-24T15:00:00Z'),
  modifiedAt: new Date('2026-11-24T14:00:00Z'),
};
const at = (iso: string): Date => new Date(iso);
const call = (iso: string, overrides: Partial<TouchActivity> = {}): TouchActivity => ({
  kind: 'call',
  ownerId: OWNER,
  at: at(iso),
  completed: true,
  ...overrides,
});

describe('assessFirstTouch', () => {
  it('counts a call one minute before the due instant as in time, with minutes from routing', () => {
    expect(
      assessFirstTouch({
        lead,
        activities: [call('2026-11-24T14:59:00Z')],
        routedStatus: ROUTED,
        now: at('2026-11-24T16:00:00Z'),
      }),
    ).toEqual({
      kind: 'touched',
      at: at('2026-11-24T14:59:00Z'),
      by: 'activity',
      inTime: true,
      minutes: 59,
    });
  });

  it('counts a call one minute after the due instant as late', () => {
    const touch = assessFirstTouch({
      lead,
      activities: [call('2026-11-24T15:01:00Z')],
      routedStatus: ROUTED,
      now: at('2026-11-24T16:00:00Z'),
    });
    expect(touch).toMatchObject({ kind: 'touched', inTime: false, minutes: 61 });
  });

  it('ignores activities by others, before routing, open Tasks and the future', () => {
    const activities = [
      call('2026-11-24T14:10:00Z', { ownerId: '0055e000001OTHER01' }),
      call('2026-11-24T13:00:00Z'),
      call('2026-11-24T14:20:00Z', { kind: 'task', completed: false }),
      call('2026-11-24T18:00:00Z'),
    ];
    expect(
      assessFirstTouch({ lead, activities, routedStatus: ROUTED, now: at('2026-11-24T14:30:00Z') }),
    ).toEqual({ kind: 'waiting' });
    expect(
      assessFirstTouch({ lead, activities, routedStatus: ROUTED, now: at('2026-11-24T15:30:00Z') }),
    ).toEqual({ kind: 'overdue', lateMinutes: 30 });
  });

  it('takes the earliest touch, and an activity over a status change', () => {
    const touch = assessFirstTouch({
      lead: { ...lead, status: 'Working - Contacted', modifiedAt: at('2026-11-24T14:05:00Z') },
      activities: [call('2026-11-24T14:40:00Z'), call('2026-11-24T14:30:00Z', { kind: 'event' })],
      routedStatus: ROUTED,
      now: at('2026-11-24T16:00:00Z'),
    });
    expect(touch).toMatchObject({ by: 'activity', at: at('2026-11-24T14:30:00Z') });
  });

  it('dates a status change by the last modification, never before routing', () => {
    const touch = assessFirstTouch({
      lead: {
        ...lead,
        routedAt: null,
        status: 'Working - Contacted',
        modifiedAt: at('2026-11-24T15:30:00Z'),
      },
      activities: [],
      routedStatus: ROUTED,
      now: at('2026-11-24T16:00:00Z'),
    });
    expect(touch).toEqual({
      kind: 'touched',
      at: at('2026-11-24T15:30:00Z'),
      by: 'status',
      inTime: false,
      minutes: null,
    });
    expect(
      assessFirstTouch({
        lead: { ...lead, status: 'Working - Contacted', modifiedAt: at('2026-11-24T10:00:00Z') },
        activities: [],
        routedStatus: ROUTED,
        now: at('2026-11-24T16:00:00Z'),
      }),
    ).toMatchObject({ at: lead.routedAt, minutes: 0, inTime: true });
  });
});
