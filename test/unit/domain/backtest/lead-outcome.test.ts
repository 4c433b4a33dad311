import { describe, expect, it } from 'vitest';
import { leadOutcome, type OutcomeRecord } from '../../../../src/domain/backtest/lead-outcome.js';
import { makeDefinition } from '../../../support/factories.js';

const feedback = makeDefinition().feedback;
const OPEN = 'Open - Not Contacted';
const at = (iso: string): Date => new Date(iso);
const record = (values: Partial<OutcomeRecord> = {}): OutcomeRecord => ({
  status: OPEN,
  isConverted: false,
  convertedOn: null,
  createdAt: at('2026-10-05T14:00:00Z'),
  modifiedAt: at('2026-10-08T10:00:00Z'),
  rejectionReason: null,
  won: null,
  ...values,
});
const call = {
  kind: 'call' as const,
  ownerId: '005x',
  at: at('2026-10-06T09:00:00Z'),
  completed: true,
};

describe('leadOutcome', () => {
  it("carries whether a converted lead's Opportunity was won", () => {
    const converted = (won: boolean | null) =>
      leadOutcome({
        lead: record({ isConverted: true, convertedOn: at('2026-10-07T00:00:00Z'), won }),
        touches: [],
        feedback,
        openStatus: OPEN,
      }).won;
    expect([converted(true), converted(false), converted(null)]).toEqual([true, false, null]);
  });

  it('labels a converted lead at its first touch when that came before the conversion day', () => {
    const outcome = leadOutcome({
      lead: record({ isConverted: true, convertedOn: at('2026-10-07T00:00:00Z') }),
      touches: [call, { ...call, at: at('2026-10-05T15:00:00Z'), completed: false }],
      feedback,
      openStatus: OPEN,
    });
    expect(outcome).toEqual({
      kind: 'converted',
      labelledAt: call.at,
      closedAt: at('2026-10-07T00:00:00Z'),
      rejectionReason: null,
      won: null,
    });
  });

  it('never dates a conversion before the Lead existed', () => {
    const outcome = leadOutcome({
      lead: record({ isConverted: true, convertedOn: at('2026-10-05T00:00:00Z') }),
      touches: [],
      feedback,
      openStatus: OPEN,
    });
    expect(outcome.labelledAt).toEqual(at('2026-10-05T14:00:00Z'));
  });

  it('gives a rejection its reason, else the default, dated by the last change', () => {
    const rejected = leadOutcome({
      lead: record({ status: 'Rejected' }),
      touches: [],
      feedback,
      openStatus: OPEN,
    });
    expect(rejected).toMatchObject({
      kind: 'rejected',
      labelledAt: at('2026-10-08T10:00:00Z'),
      rejectionReason: 'Unspecified',
    });
  });

  it('tells accepted (touched or worked) from untouched', () => {
    const touched = leadOutcome({ lead: record(), touches: [call], feedback, openStatus: OPEN });
    expect(touched).toMatchObject({ kind: 'accepted', labelledAt: call.at, closedAt: null });
    const worked = leadOutcome({
      lead: record({ status: 'Working - Contacted' }),
      touches: [],
      feedback,
      openStatus: OPEN,
    });
    expect(worked).toMatchObject({ kind: 'accepted', labelledAt: at('2026-10-08T10:00:00Z') });
    expect(leadOutcome({ lead: record(), touches: [], feedback, openStatus: OPEN }).kind).toBe(
      'untouched',
    );
    expect(leadOutcome({ lead: null, touches: [], feedback, openStatus: OPEN }).labelledAt).toBe(
      null,
    );
  });
});
