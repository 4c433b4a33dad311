import { describe, expect, it } from 'vitest';
import { openTasksOf } from '../../../src/adapters/salesforce/salesforce-records.js';

const DECISION = 'Handoff_Decision_Id__c';
const row = (id: unknown, decision: unknown) => ({
  attributes: { type: 'Task', url: `/services/data/v62.0/sobjects/Task/${String(id)}` },
  Id: id,
  [DECISION]: decision,
});

describe('openTasksOf (a Lead’s Tasks subquery)', () => {
  it('reads null as no open Task, and a nested result as its rows', () => {
    expect(openTasksOf(null, DECISION)).toEqual([]);
    expect(
      openTasksOf({ totalSize: 1, done: true, records: [row('00T1', 'd-1')] }, DECISION),
    ).toEqual([{ taskId: '00T1', decisionId: 'd-1' }]);
  });

  it('leaves the Tasks unknown when the result was cut short, missing or unreadable', () => {
    expect(
      openTasksOf({ totalSize: 3, done: false, records: [row('00T1', 'd-1')] }, DECISION),
    ).toBeNull();
    // The query had no subquery (another SELECT list): nothing is known.
    expect(openTasksOf(undefined, DECISION)).toBeNull();
    // A row without the decision id the subquery asked for (a field spelled otherwise).
    expect(
      openTasksOf(
        { totalSize: 2, done: true, records: [row('00T1', 'd-1'), row('00T2', null)] },
        DECISION,
      ),
    ).toBeNull();
  });
});
