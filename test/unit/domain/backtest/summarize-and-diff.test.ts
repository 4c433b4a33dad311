import { describe, expect, it } from 'vitest';
import { diffReplays } from '../../../../src/domain/backtest/diff-replays.js';
import type { LeadOutcome } from '../../../../src/domain/backtest/historic-lead.js';
import {
  replayDefinition,
  type ReplayUser,
} from '../../../../src/domain/backtest/replay-definition.js';
import { summarizeReplay, weekStart } from '../../../../src/domain/backtest/summarize-replay.js';
import type { Activity, AttributeValue } from '../../../../src/domain/model.js';
import { makeDefinition, USER_B, USER_C } from '../../../support/factories.js';

const EPOCH = new Date(0);
const WINDOW = { from: new Date('2026-10-05T00:00:00Z'), to: new Date('2026-10-19T00:00:00Z') };
const users = new Map<string, ReplayUser>([
  [USER_B, { active: true, timezone: 'America/New_York' }],
  [USER_C, { active: true, timezone: 'America/New_York' }],
]);

function outcome(
  kind: LeadOutcome['kind'],
  iso: string | null = null,
  extra: Partial<LeadOutcome> = {},
): LeadOutcome {
  const when = iso === null ? null : new Date(iso);
  return {
    kind,
    labelledAt: when,
    closedAt: kind === 'converted' || kind === 'rejected' ? when : null,
    rejectionReason: null,
    won: null,
    ...extra,
  };
}

function lead(
  id: string,
  createdAt: string,
  attributes: Record<string, AttributeValue>,
  result: LeadOutcome,
  activities: Activity[] = [],
) {
  return {
    contactId: id,
    leadId: `00Q${id}`,
    email: `${id}@acme.com`,
    createdAt: new Date(createdAt),
    attributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, [{ value, at: EPOCH }]]),
    ),
    activities,
    outcome: result,
  };
}

const base = { email: 'p@acme.com', country: 'US' };
/** 30 + 20 + 10 = 60: tier C. */
const C_FIT = { ...base, title: 'VP', employees: 250 };
/** 30 + 20 + 10 + 40 (demo, same instant) = 100 → tier A. */
const leads = [
  lead(
    'w1-a',
    '2026-10-05T14:00:00Z',
    C_FIT,
    outcome('rejected', '2026-10-06T14:00:00Z', {
      rejectionReason: 'No budget',
    }),
  ),
  lead(
    'w1-b',
    '2026-10-06T14:00:00Z',
    C_FIT,
    outcome('converted', '2026-10-09T14:00:00Z', {
      won: true,
    }),
    [{ type: 'demo_request', at: new Date('2026-10-06T14:00:00Z') }],
  ),
  lead(
    'w2-a',
    '2026-10-13T14:00:00Z',
    C_FIT,
    outcome('rejected', '2026-10-14T14:00:00Z', {
      rejectionReason: 'No budget',
    }),
  ),
  // Arrives while w2-a is still open with the same owner.
  lead('w2-b', '2026-10-14T13:00:00Z', C_FIT, outcome('accepted', '2026-10-14T15:00:00Z')),
  // 20 + 10 = 30 without a senior title: never an MQL, yet it converted.
  lead(
    'missed',
    '2026-10-07T14:00:00Z',
    { ...base, title: 'Analyst', employees: 250 },
    outcome('converted', '2026-10-12T14:00:00Z', { won: false }),
  ),
  // A personal address fails the business-email gate.
  lead('gmail', '2026-10-08T14:00:00Z', { ...C_FIT, email: 'p@gmail.com' }, outcome('untouched')),
];

describe('summarizeReplay', () => {
  const definition = makeDefinition();
  const replayed = replayDefinition({
    leads,
    definition,
    users,
    away: [],
    windowEnd: WINDOW.to,
  });
  const summary = summarizeReplay({ replayed, definition, window: WINDOW });

  it('counts MQLs per week and per tier', () => {
    expect(summary.mqls).toBe(4);
    expect(summary.mqlsByTier).toEqual({ C: 3, A: 1 });
    expect(summary.weeks).toEqual([
      { week: '2026-10-05', mqls: 2, byTier: { C: 1, A: 1 } },
      { week: '2026-10-12', mqls: 2, byTier: { C: 2 } },
    ]);
  });

  it('gives the shares rejected by reason and converted, won where readable', () => {
    expect(summary.rejected).toEqual({ count: 2, share: 0.5, byReason: { 'No budget': 2 } });
    expect(summary.converted).toEqual({ count: 1, share: 0.25, won: 1, wonReadable: 1 });
  });

  it('names the converted lead the definition missed, with what held it back', () => {
    expect(summary.missedConversions).toEqual([
      {
        contactId: 'missed',
        leadId: '00Qmissed',
        email: 'missed@acme.com',
        score: 30,
        heldBackBy: 'threshold',
      },
    ]);
  });

  it('loads pool members against max_open and counts deadlines per day', () => {
    const inbound = summary.load.find((pool) => pool.pool === 'inbound');
    // B, C, B, B (B weight 2): w1-a closed on the 6th; w2-a (13th) was still open when w2-b came.
    expect(inbound?.members).toEqual([
      { owner: USER_B, assigned: 3, peakOpen: 2, maxOpen: 3 },
      { owner: USER_C, assigned: 1, peakOpen: 1, maxOpen: null },
    ]);
    // New York time. Tier C has one business day: 10:00 on the 5th → 10:00 on the 6th, 10:00 on
    // the 13th → 10:00 on the 14th, 09:00 on the 14th → 17:00 that day; tier A (w1-b) one hour.
    expect(summary.slaLoad).toEqual([
      { day: '2026-10-06', due: 2 },
      { day: '2026-10-14', due: 2 },
    ]);
  });

  it('starts weeks on Monday, UTC', () => {
    expect(weekStart(new Date('2026-10-11T23:59:00Z')).toISOString()).toBe(
      '2026-10-05T00:00:00.000Z',
    );
    expect(weekStart(new Date('2026-10-12T00:00:00Z')).toISOString()).toBe(
      '2026-10-12T00:00:00.000Z',
    );
  });
});

describe('diffReplays', () => {
  const baselineDefinition = makeDefinition();
  const replay = (definition: typeof baselineDefinition) =>
    replayDefinition({ leads, definition, users, away: [], windowEnd: WINDOW.to });

  it('names the fit rule that qualifies the missed lead in the candidate', () => {
    const candidateDefinition = makeDefinition((file) => {
      const rule = file.qualification.fit?.find((fit) => fit.id === 'senior-title');
      if (rule !== undefined) rule.matches = '(?i)\\b(vp|director|analyst)\\b';
    });
    const differences = diffReplays({
      baseline: replay(baselineDefinition),
      candidate: replay(candidateDefinition),
      baselineDefinition,
      candidateDefinition,
    });
    expect(differences.filter((d) => d.kind === 'newly_qualified')).toEqual([
      expect.objectContaining({ contactId: 'missed', rule: 'senior-title', from: null, to: 'C' }),
    ]);
  });

  it('names the threshold that drops leads, and the tier boundary that moves one', () => {
    const candidateDefinition = makeDefinition((file) => {
      file.qualification.threshold = 70;
      file.qualification.tiers = { A: 101, B: 70, C: 60 };
    });
    const differences = diffReplays({
      baseline: replay(baselineDefinition),
      candidate: replay(candidateDefinition),
      baselineDefinition,
      candidateDefinition,
    });
    // Score 60 falls below 70; w1-b's 100 drops from A to B and, with the dropped leads no
    // longer taking turns, is the pool's first lead: B instead of C.
    expect(differences.map((d) => [d.kind, d.contactId, d.rule, d.from, d.to])).toEqual([
      ['newly_dropped', 'w1-a', 'threshold', 'C', null],
      ['tier_moved', 'w1-b', 'tiers', 'A', 'B'],
      ['owner_changed', 'w1-b', 'inbound', USER_C, USER_B],
      ['newly_dropped', 'w2-a', 'threshold', 'C', null],
      ['newly_dropped', 'w2-b', 'threshold', 'C', null],
    ]);
  });

  it('names the gate that fails in the candidate', () => {
    const candidateDefinition = makeDefinition((file) => {
      file.qualification.gates?.push({ id: 'us-only', field: 'country', eq: 'CA' });
    });
    const differences = diffReplays({
      baseline: replay(baselineDefinition),
      candidate: replay(candidateDefinition),
      baselineDefinition,
      candidateDefinition,
    });
    expect(new Set(differences.map((d) => d.rule))).toEqual(new Set(['us-only']));
    expect(differences).toHaveLength(4);
  });

  it('names the gate the candidate drops, for the leads it lets through', () => {
    const gated = makeDefinition((file) => {
      file.qualification.gates?.push({ id: 'us-only', field: 'country', eq: 'CA' });
    });
    const differences = diffReplays({
      baseline: replay(gated),
      candidate: replay(baselineDefinition),
      baselineDefinition: gated,
      candidateDefinition: baselineDefinition,
    });
    expect(differences.filter((d) => d.kind === 'newly_qualified')).toHaveLength(4);
    expect(new Set(differences.map((d) => d.rule))).toEqual(new Set(['us-only']));
  });
});
