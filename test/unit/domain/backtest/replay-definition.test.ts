import { describe, expect, it } from 'vitest';
import { findDecisionInstant } from '../../../../src/domain/backtest/find-decision-instant.js';
import type { HistoricLead, LeadOutcome } from '../../../../src/domain/backtest/historic-lead.js';
import {
  replayDefinition,
  type ReplayUser,
} from '../../../../src/domain/backtest/replay-definition.js';
import type { Activity, AttributeValue } from '../../../../src/domain/model.js';
import { makeDefinition, QUEUE, USER_A, USER_B, USER_C } from '../../../support/factories.js';

const EPOCH = new Date(0);
const WINDOW_END = new Date('2026-10-31T00:00:00Z');
const at = (iso: string): Date => new Date(iso);

const OPEN: LeadOutcome = {
  kind: 'untouched',
  labelledAt: null,
  closedAt: null,
  rejectionReason: null,
  won: null,
};

function historic(
  id: string,
  createdAt: string,
  attributes: Record<string, AttributeValue>,
  activities: Activity[] = [],
  outcome: LeadOutcome = OPEN,
  changes: Record<string, { value: AttributeValue; at: Date }[]> = {},
): HistoricLead {
  const history: Record<string, { value: AttributeValue; at: Date }[]> = {};
  for (const [name, value] of Object.entries(attributes)) history[name] = [{ value, at: EPOCH }];
  return {
    contactId: id,
    leadId: `00Q${id}`,
    email: `${id}@example.com`,
    createdAt: at(createdAt),
    attributes: { ...history, ...changes },
    activities,
    outcome,
  };
}

/** senior-title 30 + mid-market 20 = 50 fit points: 10 short of the threshold of 60. */
const FIT_50 = { email: 'x@acme.com', title: 'VP Sales', employees: 250, country: 'FR' };

describe('findDecisionInstant', () => {
  const definition = makeDefinition();

  it('decides at the first instant the lead qualifies, with only what existed then', () => {
    const lead = historic('1', '2026-10-05T10:00:00Z', FIT_50, [
      { type: 'page_view', at: at('2026-10-06T10:00:00Z') },
      { type: 'form_submission', at: at('2026-10-07T10:00:00Z') },
      { type: 'demo_request', at: at('2026-10-09T10:00:00Z') },
    ]);
    const result = findDecisionInstant(lead, definition, WINDOW_END);
    expect(result.decidedAt).toEqual(at('2026-10-07T10:00:00Z'));
    // 50 fit + 15 (form now) + 1 × 0.5^(1/14) (page view a day old) = 65.95… → 66.
    expect(result.qualification.score).toBe(Math.round(50 + 15 + Math.pow(0.5, 1 / 14)));
    expect(result.qualification.tier).toBe('C');
    expect(result.qualification.reasons.some((r) => r.rule === 'engagement.demo_request')).toBe(
      false,
    );
  });

  it('never lets an activity after the cutoff count: the converted lead is not an MQL', () => {
    const converted: LeadOutcome = {
      kind: 'converted',
      labelledAt: at('2026-10-08T12:00:00Z'),
      closedAt: at('2026-10-08T12:00:00Z'),
      rejectionReason: null,
      won: true,
    };
    const demoAfterTheLabel = [{ type: 'demo_request', at: at('2026-10-08T13:00:00Z') }];
    const lead = historic('2', '2026-10-05T10:00:00Z', FIT_50, demoAfterTheLabel, converted);
    const result = findDecisionInstant(lead, definition, WINDOW_END);
    expect(result.decidedAt).toBeNull();
    expect(result.qualification.score).toBe(50);
    expect(result.cutoff).toEqual(converted.labelledAt);
    // The same demo request before the label would have qualified it: the cutoff is what excludes it.
    const unlabelled = findDecisionInstant({ ...lead, outcome: OPEN }, definition, WINDOW_END);
    expect(unlabelled.decidedAt).toEqual(at('2026-10-08T13:00:00Z'));
  });

  it('ignores activities after the window end', () => {
    const lead = historic('3', '2026-10-05T10:00:00Z', FIT_50, [
      { type: 'demo_request', at: at('2026-11-02T10:00:00Z') },
    ]);
    expect(findDecisionInstant(lead, definition, WINDOW_END).decidedAt).toBeNull();
  });

  it('takes attributes as of the instant: a title changed later qualifies it then', () => {
    const lead = historic(
      '4',
      '2026-10-05T10:00:00Z',
      { email: 'y@acme.com', employees: 250, country: 'US' },
      [],
      OPEN,
      {
        title: [
          { value: 'Analyst', at: at('2026-10-05T10:00:00Z') },
          { value: 'Director of Data', at: at('2026-10-12T09:30:00Z') },
        ],
      },
    );
    const result = findDecisionInstant(lead, definition, WINDOW_END);
    // 20 (mid-market) + 10 (US) = 30 with Analyst; 60 once a director.
    expect(result.decidedAt).toEqual(at('2026-10-12T09:30:00Z'));
    expect(result.qualification.score).toBe(60);
  });

  it('keeps the closest evaluation of a lead that never qualifies', () => {
    const lead = historic('5', '2026-10-05T10:00:00Z', FIT_50, [
      { type: 'page_view', at: at('2026-10-06T10:00:00Z') },
    ]);
    const result = findDecisionInstant(lead, definition, WINDOW_END);
    expect(result.decidedAt).toBeNull();
    expect(result.qualification.score).toBe(51);
  });
});

describe('replayDefinition', () => {
  const definition = makeDefinition();
  const users = new Map<string, ReplayUser>([
    [USER_A, { active: true, timezone: 'Europe/London' }],
    [USER_B, { active: true, timezone: 'America/New_York' }],
    [USER_C, { active: true, timezone: 'America/New_York' }],
  ]);
  const qualifiedAt = (id: string, iso: string): HistoricLead =>
    historic(id, iso, { ...FIT_50, country: 'US' });

  it("gives a lead of a known account to the account's owner, as the account rule says", () => {
    const lead = {
      ...qualifiedAt('acct', '2026-10-05T15:00:00Z'),
      account: { id: '0015e00000ACCOUNT1', owner: USER_A },
    };
    const [replayed] = replayDefinition({
      leads: [lead],
      definition,
      users,
      away: [],
      windowEnd: WINDOW_END,
    });
    expect(replayed?.routing).toMatchObject({ rule: 'existing-account', owner: USER_A });
  });

  it('routes in decision-time order, threading the rotation, whatever the input order', () => {
    const leads = [
      qualifiedAt('c', '2026-10-07T15:00:00Z'),
      qualifiedAt('a', '2026-10-05T15:00:00Z'),
      qualifiedAt('b', '2026-10-06T15:00:00Z'),
    ];
    const replayed = replayDefinition({
      leads,
      definition,
      users,
      away: [],
      windowEnd: WINDOW_END,
    });
    expect(replayed.map((lead) => lead.contactId)).toEqual(['c', 'a', 'b']);
    // Smooth weighted round robin, B weight 2 and C weight 1: B, C, B in decision order.
    const owners = new Map(replayed.map((lead) => [lead.contactId, lead.routing?.owner]));
    expect([owners.get('a'), owners.get('b'), owners.get('c')]).toEqual([USER_B, USER_C, USER_B]);
    // Tier C (60) has a one business day allowance, in New York time.
    const first = replayed.find((lead) => lead.contactId === 'a');
    expect(first?.sla?.due).toEqual(at('2026-10-06T15:00:00Z'));
  });

  it('skips a member away at the instant and routes to them again once back', () => {
    const away = [
      { userId: USER_B, start: at('2026-10-05T00:00:00Z'), end: at('2026-10-06T00:00:00Z') },
    ];
    const leads = [
      qualifiedAt('a', '2026-10-05T15:00:00Z'),
      qualifiedAt('b', '2026-10-06T15:00:00Z'),
    ];
    const replayed = replayDefinition({ leads, definition, users, away, windowEnd: WINDOW_END });
    expect(replayed.map((lead) => lead.routing?.owner)).toEqual([USER_C, USER_B]);
    expect(
      replayed[0]?.routing?.reasons.some((reason) => reason.detail.startsWith('out of office')),
    ).toBe(true);
  });

  it('counts max_open against the leads it routed that are still open', () => {
    // USER_B takes at most 3 open leads; none ever closes, C weight 1 gets the rest.
    const leads = Array.from({ length: 6 }, (_, index) =>
      qualifiedAt(`l${index}`, `2026-10-0${5 + (index % 3)}T1${index}:00:00Z`),
    );
    const replayed = replayDefinition({
      leads,
      definition,
      users,
      away: [],
      windowEnd: WINDOW_END,
    });
    const toB = replayed.filter((lead) => lead.routing?.owner === USER_B).length;
    expect(toB).toBe(3);
    expect(replayed.filter((lead) => lead.routing?.owner === USER_C)).toHaveLength(3);
  });

  it('sends a lead to the fallback owner when nobody in the pool is active', () => {
    const nobody = new Map<string, ReplayUser>();
    const replayed = replayDefinition({
      leads: [qualifiedAt('a', '2026-10-05T15:00:00Z')],
      definition,
      users: nobody,
      away: [],
      windowEnd: WINDOW_END,
    });
    expect(replayed[0]?.routing?.owner).toBe(QUEUE);
    expect(replayed[0]?.routing?.kind).toBe('fallback');
  });
});
