import { describe, expect, it } from 'vitest';
import {
  assignmentIdOf,
  breachWrite,
  formatBreachedOwners,
  isBreachHandled,
  isReturned,
  managerTaskId,
  readLifecycle,
  rejectedWrite,
  routedWrite,
  touchedWrite,
  type LeadLifecycle,
  type StoredLifecycle,
} from '../../../src/domain/lifecycle/lead-lifecycle.js';

const ANA = '0055e000001AAAAAA3';
const BO = '0055e000001AAAAAA4';
const DUE = new Date('2026-11-24T15:00:00Z');

function stored(overrides: Partial<StoredLifecycle>): StoredLifecycle {
  return {
    decisionId: 'd-abc',
    stage: null,
    reassignments: null,
    definitionVersion: null,
    breachedOwners: null,
    breachedAt: null,
    reason: null,
    ...overrides,
  };
}

function read(overrides: Partial<StoredLifecycle>): LeadLifecycle {
  const lifecycle = readLifecycle(stored(overrides));
  if (lifecycle === null) throw new Error('expected a lifecycle');
  return lifecycle;
}

describe('readLifecycle from the lifecycle fields', () => {
  it('reads every field, whatever the history says', () => {
    expect(
      read({
        decisionId: 'd-abc~r2',
        stage: 'escalated',
        reassignments: 2,
        definitionVersion: '2026-12-01',
        breachedOwners: `${ANA};${BO}`,
        breachedAt: DUE,
        // Sentences are for people: a reworded or misleading history changes nothing.
        reason: 'Qualified (definition 1999-01-01). SLA missed by Zed (0055e000001ZZZZZZZ).',
      }),
    ).toEqual({
      assignmentId: 'd-abc~r2',
      decisionId: 'd-abc',
      stage: 'escalated',
      reassignments: 2,
      definitionVersion: '2026-12-01',
      breachedOwners: [ANA, BO],
      breachedAt: DUE,
    });
  });

  it('is null for a Lead Handoff never routed, and reads an unknown stage as routed', () => {
    expect(readLifecycle(stored({ decisionId: null }))).toBeNull();
    expect(readLifecycle(stored({ decisionId: '' }))).toBeNull();
    expect(read({ stage: 'Qualified by hand' }).stage).toBe('routed');
  });
});

describe('readLifecycle from Leads an earlier version wrote (marks on the decision id)', () => {
  it.each([
    ['d-abc', 'routed', 0, 'd-abc'],
    ['d-abc~r1', 'routed', 1, 'd-abc~r1'],
    ['d-abc~r1~n', 'escalated', 1, 'd-abc~r1'],
    ['d-abc~x', 'breached', 0, 'd-abc'],
    ['d-abc~n~j', 'returned', 0, 'd-abc'],
    ['d-abc~r2~j', 'returned', 2, 'd-abc~r2'],
    // A notification before a reassignment belongs to the previous owner.
    ['d-abc~n~r1', 'routed', 1, 'd-abc~r1'],
  ] as const)('%s → %s', (id, stage, reassignments, assignmentId) => {
    expect(read({ decisionId: id })).toMatchObject({
      decisionId: 'd-abc',
      assignmentId,
      stage,
      reassignments,
    });
  });

  it('takes the definition version and breach owners from the old sentences', () => {
    const reason = [
      'Qualified as tier A with score 80 (definition 2026-11-01): fit.',
      `[2026-11-24 15:04 UTC] SLA missed by Ana Ruiz (${ANA}): 61 min late; reassigned to Bo (${BO}).`,
      `[2026-11-25 15:04 UTC] SLA missed by Bo (${BO}): 30 min late; Mia (0055e000001MANAGER) notified.`,
    ].join('\n');
    expect(read({ decisionId: 'd-abc~r1~n', reason })).toMatchObject({
      definitionVersion: '2026-11-01',
      breachedOwners: [ANA, BO],
    });
    expect(read({ decisionId: 'd-abc' }).definitionVersion).toBeNull();
  });
});

describe('lifecycle writes', () => {
  const routed = read({ stage: 'routed', reassignments: 0, definitionVersion: 'v1' });

  it('starts a decision with a fresh clock and no breach', () => {
    expect(routedWrite('v2')).toEqual({
      stage: 'routed',
      reassignments: 0,
      definitionVersion: 'v2',
      breachedOwners: [],
      breachedAt: null,
    });
  });

  it('moves a touched lead to accepted or working, once', () => {
    expect(touchedWrite(routed, 'Open - Not Contacted')?.stage).toBe('accepted');
    expect(touchedWrite(routed, 'Working - Contacted')?.stage).toBe('working');
    expect(touchedWrite({ ...routed, stage: 'working' }, 'Working - Contacted')).toBeNull();
  });

  it('records each missed deadline with its owner, and what happened next', () => {
    const reassigned = breachWrite(routed, ANA, DUE, 'reassigned');
    expect(reassigned).toMatchObject({
      stage: 'routed',
      reassignments: 1,
      breachedOwners: [ANA],
      breachedAt: DUE,
    });
    const again = read({
      decisionId: assignmentIdOf('d-abc', 1),
      stage: 'routed',
      reassignments: 1,
      breachedOwners: formatBreachedOwners(reassigned.breachedOwners ?? []),
    });
    expect(breachWrite(again, BO, DUE, 'escalated')).toMatchObject({
      stage: 'escalated',
      breachedOwners: [ANA, BO],
    });
    expect(breachWrite(routed, ANA, DUE, 'breached').stage).toBe('breached');
    expect(breachWrite(routed, ANA, DUE, 'touched_late').stage).toBeUndefined();
    expect(isBreachHandled({ ...routed, stage: 'escalated' })).toBe(true);
    expect(isBreachHandled({ ...routed, stage: 'routed' })).toBe(false);
  });

  it('keeps the newest owners when the list would overflow its 255 characters', () => {
    let lifecycle = routed;
    for (let index = 0; index < 20; index += 1) {
      const owner = `0055e0000010000${String(index).padStart(3, '0')}`;
      const write = breachWrite(lifecycle, owner, DUE, 'reassigned');
      lifecycle = { ...lifecycle, breachedOwners: write.breachedOwners ?? [] };
    }
    const text = formatBreachedOwners(lifecycle.breachedOwners) ?? '';
    expect(text.length).toBeLessThanOrEqual(255);
    expect(lifecycle.breachedOwners.at(-1)).toBe('0055e0000010000019');
    expect(lifecycle.breachedOwners).toHaveLength(13);
  });

  it('returns a rejection, telling apart whether marketing heard of it', () => {
    expect(rejectedWrite(routed, true).stage).toBe('returned');
    expect(rejectedWrite(routed, false).stage).toBe('rejected');
    expect(isReturned({ ...routed, stage: 'rejected' })).toBe(true);
    expect(isReturned(null)).toBe(false);
  });

  it('moves an older Lead onto the fields with its next write', () => {
    const legacy = read({
      decisionId: 'd-abc~r1~n',
      reason: `Qualified (definition 2026-11-01).\n[…] SLA missed by Ana (${ANA}): late.`,
    });
    expect(rejectedWrite(legacy, true)).toEqual({
      stage: 'returned',
      reassignments: 1,
      definitionVersion: '2026-11-01',
      breachedOwners: [ANA],
      breachedAt: null,
    });
    expect(managerTaskId(legacy)).toBe('d-abc~r1~n');
  });
});
