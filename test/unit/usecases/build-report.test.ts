import { describe, expect, it } from 'vitest';
import type { TouchActivity } from '../../../src/domain/sla/assess-first-touch.js';
import type { HandoffLead, LeadLifecycleStore } from '../../../src/ports/lead-lifecycle.port.js';
import type { SalesDirectory } from '../../../src/ports/sales-directory.port.js';
import { buildReport } from '../../../src/usecases/report/build-report.js';
import { makeDefinition } from '../../support/factories.js';

const REP = '0055e000001AAAAAA3';
const OTHER = '0055e000001AAAAAA4';
const ROUTED = new Date('2026-11-24T14:00:00Z');
const DUE = new Date('2026-11-24T15:00:00Z');
const NOW = new Date('2026-11-30T12:00:00Z');
const minutes = (count: number): Date => new Date(ROUTED.getTime() + count * 60_000);

function lead(
  id: string,
  overrides: Partial<HandoffLead> = {},
  lifecycle: Partial<HandoffLead['lifecycle']> = {},
): HandoffLead {
  return {
    id,
    name: `Lead ${id}`,
    email: `${id}@example.com`,
    ownerId: REP,
    status: 'Open - Not Contacted',
    isConverted: false,
    hubspotContactId: `c-${id}`,
    leadSource: 'Web',
    modifiedAt: ROUTED,
    lifecycle: {
      assignmentId: `d-${id}`,
      decisionId: `d-${id}`,
      stage: 'routed',
      reassignments: 0,
      definitionVersion: '2026-11-01',
      breachedOwners: [],
      breachedAt: null,
      ...lifecycle,
    },
    score: 70,
    tier: 'B',
    due: DUE,
    routedAt: ROUTED,
    reason: 'Qualified.',
    slaBreached: false,
    rejectionReason: null,
    rejectionComment: null,
    attributes: { campaign: 'Spring webinar' },
    ...overrides,
  };
}

/** In-memory ports: the report reads only what these hold. */
function store(leads: HandoffLead[], touches: Record<string, TouchActivity[]>): LeadLifecycleStore {
  return {
    routedSince: (since) =>
      Promise.resolve(leads.filter((each) => (each.routedAt ?? each.due ?? NOW) >= since)),
    touches: () => Promise.resolve(new Map(Object.entries(touches))),
    watchedLeads: () => Promise.resolve([]),
    routedLeadsByIds: () => Promise.resolve([]),
    routedLeadsByEmail: () => Promise.resolve([]),
    leadsWithActivitySince: () => Promise.resolve([]),
    rejectedLeads: () => Promise.resolve([]),
  };
}

const directory: SalesDirectory = {
  users: () =>
    Promise.resolve([
      { id: REP, name: 'Ana Ruiz', active: true, timezone: null, managerId: null },
      { id: OTHER, name: 'Bo Li', active: true, timezone: null, managerId: null },
    ]),
  queues: () => Promise.resolve([]),
  openLeadCounts: () => Promise.resolve(new Map()),
  awayPeriods: () => Promise.resolve(null),
};

const call = (at: Date, ownerId = REP): TouchActivity => ({
  kind: 'call',
  ownerId,
  at,
  completed: true,
});

describe('buildReport', () => {
  it('counts the funnel, SLA compliance, time to first touch and rejections by reason, source and campaign', async () => {
    const definition = makeDefinition((file) => {
      file.mapping = { salesforce: { campaign: 'Campaign__c' } };
    });
    const leads = [
      lead('a'),
      lead('b'),
      lead('c'),
      lead(
        'late',
        // The history is for people: only the fields count.
        { slaBreached: true, reason: 'Qualified.\n[…] SLA missed by somebody else.' },
        { stage: 'accepted', breachedOwners: [REP], breachedAt: DUE },
      ),
      lead(
        'gone',
        {
          status: 'Unqualified',
          ownerId: '00G5e000000NURTURE',
          rejectionReason: 'No budget',
          leadSource: 'Trade Show',
        },
        { stage: 'returned' },
      ),
      lead('blank', { status: 'Rejected', rejectionReason: null, attributes: {} }),
      lead('waiting', {
        due: new Date('2026-12-01T15:00:00Z'),
        routedAt: new Date('2026-11-30T11:00:00Z'),
      }),
      lead('lapsed', { ownerId: OTHER }),
      lead('old', { routedAt: new Date('2026-10-01T00:00:00Z') }),
    ];
    const report = await buildReport(
      {
        definition,
        lifecycle: store(leads, {
          a: [call(minutes(10))],
          b: [call(minutes(30)), call(minutes(20))],
          c: [call(minutes(50)), call(minutes(5), OTHER)],
          late: [call(minutes(65))],
        }),
        directory,
      },
      new Date('2026-11-01T00:00:00Z'),
      NOW,
    );
    expect(report).toMatchObject({
      routed: 8,
      accepted: 4,
      rejected: 2,
      open: 2,
      rejections_by_reason: { 'No budget': 1, Unspecified: 1 },
      rejections_by_source: { 'Trade Show': 1, Web: 1 },
      rejections_by_campaign: { 'Spring webinar': 1, '(none)': 1 },
      // Met: a, b, c, and both rejections (no breach recorded); breached: late (recorded), lapsed.
      sla: { due: 7, met: 5, breached: 2, compliance: 0.714 },
      time_to_first_touch_minutes: { median: 20, p90: 65, count: 4 },
      breaches_by_owner: { 'Ana Ruiz': 1, 'Bo Li': 1 },
      rejection_reasons_by_source: { 'Trade Show': { 'No budget': 1 }, Web: { Unspecified: 1 } },
      rejection_reasons_by_campaign: {
        'Spring webinar': { 'No budget': 1 },
        '(none)': { Unspecified: 1 },
      },
    });
    // 10, 20, 50 and 65 minutes.
    expect(report.time_to_first_touch_buckets.map((bucket) => bucket.count)).toEqual([
      1, 2, 1, 0, 0, 0, 0,
    ]);
    expect(report.time_to_first_touch_buckets[6]).toEqual({
      label: '> 3 d',
      up_to_minutes: null,
      count: 0,
    });
    // A 29-day period, by day: the leads routed on the 24th, and the one routed on the 30th.
    const { bucket, points } = report.sla_over_time;
    expect(bucket).toBe('day');
    expect(points).toHaveLength(30);
    expect(points[0]?.start).toBe('2026-11-01T00:00:00.000Z');
    expect(points.find((point) => point.start.startsWith('2026-11-24'))).toEqual({
      start: '2026-11-24T00:00:00.000Z',
      met: 5,
      breached: 2,
      compliance: 0.714,
    });
    const total = points.reduce((sum, point) => sum + point.met + point.breached, 0);
    expect(total).toBe(report.sla.due);
  });

  it('counts SLA outcomes by ISO week over a long period, weeks starting on Monday', async () => {
    const report = await buildReport(
      {
        definition: makeDefinition(),
        lifecycle: store([lead('a'), lead('lapsed')], { a: [call(minutes(10))] }),
        directory,
      },
      new Date('2026-09-01T00:00:00Z'),
      NOW,
    );
    const { bucket, points } = report.sla_over_time;
    expect(bucket).toBe('week');
    // 2026-08-31 is the Monday of the week holding 1 September; 2026-11-30 is the last Monday.
    expect(points[0]?.start).toBe('2026-08-31T00:00:00.000Z');
    expect(points.at(-1)?.start).toBe('2026-11-30T00:00:00.000Z');
    expect(points.find((point) => point.start === '2026-11-23T00:00:00.000Z')).toMatchObject({
      met: 1,
      breached: 1,
      compliance: 0.5,
    });
  });

  it('reports nothing routed without dividing by zero, and no campaign table when none is mapped', async () => {
    const report = await buildReport(
      { definition: makeDefinition(), lifecycle: store([], {}), directory },
      new Date('2026-11-01T00:00:00Z'),
      NOW,
    );
    expect(report.sla).toEqual({ due: 0, met: 0, breached: 0, compliance: null });
    expect(report.time_to_first_touch_minutes).toEqual({ median: null, p90: null, count: 0 });
    expect(report).not.toHaveProperty('rejections_by_campaign');
    expect(report).not.toHaveProperty('rejection_reasons_by_campaign');
    expect(report.sla_over_time.points.every((point) => point.compliance === null)).toBe(true);
  });
});
