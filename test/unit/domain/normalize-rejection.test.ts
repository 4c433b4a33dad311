import { describe, expect, it } from 'vitest';
import {
  normalizeRejection,
  type StatusChange,
} from '../../../src/domain/rejection/normalize-rejection.js';
import { makeDefinition } from '../../support/factories.js';

const definition = makeDefinition((file) => {
  file.feedback = {
    rejected_statuses: ['Unqualified', 'Rejected'],
    default_reason: 'Unspecified',
    recycle_after_days: 30,
    reasons: {
      'No budget': { nurture_list: '101', recycle_after_days: 90 },
      'Bad timing': { nurture_list: '102' },
      'Bad data': { lifecycle_stage: 'other' },
      Unspecified: { nurture_list: '100' },
    },
  };
});
const changedAt = new Date('2026-11-20T10:00:00Z');
const change = (overrides: Partial<StatusChange>): StatusChange => ({
  previousStatus: 'Open - Not Contacted',
  status: 'Rejected',
  reason: 'No budget',
  comment: null,
  changedAt,
  ...overrides,
});

describe('normalizeRejection', () => {
  it('returns the reason, nurture list, lifecycle stage and recycle date', () => {
    expect(normalizeRejection(change({ comment: '  Q3 budget frozen ' }), definition)).toEqual({
      kind: 'rejection',
      reason: 'No budget',
      flag: null,
      givenReason: 'No budget',
      comment: 'Q3 budget frozen',
      nurtureList: '101',
      lifecycleStage: 'lead',
      recycleAt: new Date('2027-02-18T10:00:00Z'),
      definitionVersion: 'test-1',
    });
  });

  it('matches reasons and statuses ignoring case and surrounding space, in the definition spelling', () => {
    const result = normalizeRejection(
      change({ status: 'unqualified', reason: ' bad TIMING ' }),
      definition,
    );
    expect(result).toMatchObject({
      kind: 'rejection',
      reason: 'Bad timing',
      flag: null,
      nurtureList: '102',
      recycleAt: new Date('2026-12-20T10:00:00Z'),
    });
  });

  it.each([
    ['missing', null],
    ['missing', '   '],
    ['missing', undefined],
  ])('flags a %s reason (%j) and uses default_reason', (flag, reason) => {
    expect(normalizeRejection(change({ reason }), definition)).toMatchObject({
      reason: 'Unspecified',
      flag,
      givenReason: null,
      nurtureList: '100',
    });
  });

  it('flags an unknown reason, keeping what the rep wrote', () => {
    expect(normalizeRejection(change({ reason: 'Hates us' }), definition)).toMatchObject({
      reason: 'Unspecified',
      flag: 'unknown',
      givenReason: 'Hates us',
    });
  });

  it('does not flag the default reason chosen explicitly', () => {
    expect(normalizeRejection(change({ reason: 'unspecified' }), definition)).toMatchObject({
      reason: 'Unspecified',
      flag: null,
    });
  });

  it('uses the reason lifecycle stage and tolerates a default reason without settings', () => {
    expect(normalizeRejection(change({ reason: 'Bad data' }), definition)).toMatchObject({
      lifecycleStage: 'other',
      nurtureList: null,
    });
    const bare = makeDefinition((file) => {
      file.feedback = { default_reason: 'Other' };
    });
    const result = normalizeRejection(change({ status: 'Unqualified', reason: null }), bare);
    expect(result).toMatchObject({
      reason: 'Other',
      flag: 'missing',
      nurtureList: null,
      lifecycleStage: 'lead',
      recycleAt: new Date('2027-02-18T10:00:00Z'),
    });
  });

  it.each([
    ['a status that is not a rejection', { status: 'Working - Contacted' }],
    ['a move between two rejected statuses', { previousStatus: 'Unqualified', status: 'Rejected' }],
  ])('is not a rejection: %s', (_label, overrides) => {
    expect(normalizeRejection(change(overrides), definition)).toEqual({
      kind: 'not_a_rejection',
      definitionVersion: 'test-1',
    });
  });

  it('treats an unknown previous status as entering the rejected status', () => {
    expect(normalizeRejection(change({ previousStatus: null }), definition).kind).toBe('rejection');
  });
});
