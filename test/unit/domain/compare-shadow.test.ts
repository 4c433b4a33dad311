import { describe, expect, it } from 'vitest';
import {
  compareShadow,
  type ActualLead,
  type ShadowDecision,
} from '../../../src/domain/shadow/compare-shadow.js';

const at = (iso: string): Date => new Date(iso);
const NOW = at('2026-03-10T12:00:00Z');

function decision(leadId: string | null, ownerId: string, due: string | null): ShadowDecision {
  return {
    decisionId: `d-${leadId ?? 'new'}`,
    contactId: `c-${leadId ?? 'new'}`,
    leadId,
    ownerId,
    due: due === null ? null : at(due),
    decidedAt: at('2026-03-02T09:00:00Z'),
  };
}

function lead(id: string, ownerId: string, firstTouch: string | null): ActualLead {
  return {
    id,
    ownerId,
    createdAt: at('2026-03-02T08:00:00Z'),
    firstTouch: firstTouch === null ? null : at(firstTouch),
  };
}

describe('compareShadow', () => {
  // Five decisions, ten Leads: the agreement rate and the breaches are known by construction.
  const decisions = [
    decision('L1', 'ann', '2026-03-02T13:00:00Z'), // same owner, touched in time
    decision('L2', 'ann', '2026-03-02T13:00:00Z'), // other owner, touched late: breach
    decision('L3', 'bob', '2026-03-03T13:00:00Z'), // same owner, never touched: breach
    decision('L4', 'bob', '2026-03-12T13:00:00Z'), // same owner, untouched, still due: pending
    decision(null, 'cat', '2026-03-02T13:00:00Z'), // would have created a Lead
  ];
  const actual = new Map(
    [
      lead('L1', 'ann', '2026-03-02T10:00:00Z'),
      lead('L2', 'dan', '2026-03-04T10:00:00Z'),
      lead('L3', 'bob', null),
      lead('L4', 'bob', null),
    ].map((each) => [each.id, each]),
  );
  const createdInPeriod = [
    ...actual.values(),
    lead('L5', 'dan', null),
    lead('L6', 'eve', '2026-03-05T10:00:00Z'),
  ];

  it('counts owner agreement, breaches by Handoff deadline, and the Leads it would not have routed', () => {
    const result = compareShadow({ decisions, actual, createdInPeriod, escalates: true, now: NOW });
    expect(
      result.leads.map((row) => [row.leadId, row.handoffOwner, row.actualOwner, row.breached]),
    ).toEqual([
      ['L1', 'ann', 'ann', false],
      ['L2', 'ann', 'dan', true],
      ['L3', 'bob', 'bob', true],
      ['L4', 'bob', 'bob', false],
    ]);
    expect(result).toMatchObject({
      decisions: 5,
      compared: 4,
      sameOwner: 3,
      sameOwnerShare: 0.75,
      wouldCreate: 1,
      breaches: 2,
      caught: 2,
      pending: 1,
      notRouted: [
        { id: 'L5', ownerId: 'dan' },
        { id: 'L6', ownerId: 'eve' },
      ],
    });
  });

  it('compares the owner of a decision without a deadline, and judges no breach on it', () => {
    const result = compareShadow({
      decisions: [decision('L1', 'ann', null)],
      actual: new Map([['L1', lead('L1', 'ann', null)]]),
      createdInPeriod: [],
      escalates: true,
      now: NOW,
    });
    expect(result).toMatchObject({ compared: 1, sameOwner: 1, breaches: 0, pending: 0 });
  });

  it('catches nothing when breaches do nothing', () => {
    expect(
      compareShadow({ decisions, actual, createdInPeriod, escalates: false, now: NOW }).caught,
    ).toBe(0);
  });

  it('has no agreement share when nothing could be compared', () => {
    expect(
      compareShadow({
        decisions: [],
        actual: new Map(),
        createdInPeriod: [],
        escalates: true,
        now: NOW,
      }).sameOwnerShare,
    ).toBeNull();
  });
});
