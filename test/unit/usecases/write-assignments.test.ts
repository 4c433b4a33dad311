import { describe, expect, it } from 'vitest';
import type {
  FollowUpTask,
  LeadStore,
  LeadUpdate,
  OpenTask,
  WriteOutcome,
} from '../../../src/ports/lead-store.port.js';
import {
  writeAssignments,
  type AssignmentWrite,
} from '../../../src/usecases/assignment/write-assignments.js';

const REP = '0055e000001AAAAAA1';
const QUEUE = '00G5e000000QUEUE01';
const DUE = new Date('2026-12-07T10:00:00Z');

/** A Lead store that records what it was asked, in order; Tasks of `failing` decisions fail. */
function recordingStore(failing: ReadonlySet<string> = new Set()) {
  const calls: string[] = [];
  const completed: OpenTask[] = [];
  const closedByDecision: string[] = [];
  const updated: LeadUpdate[] = [];
  const ok = (key: string, id: string): WriteOutcome => ({ ok: true, key, id, created: true });
  const store: LeadStore = {
    emailProblem: () => null,
    findLeads: () => Promise.resolve([]),
    accountOwnersByDomain: () => Promise.resolve(new Map()),
    contactOwners: () => Promise.resolve(new Map()),
    createLeads: () => Promise.resolve([]),
    upsertTasks: (tasks: readonly FollowUpTask[]) => {
      calls.push('tasks');
      return Promise.resolve(
        tasks.map((task): WriteOutcome =>
          failing.has(task.decisionId)
            ? {
                ok: false,
                key: task.decisionId,
                kind: 'permanent',
                code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                message: 'refused',
              }
            : ok(task.decisionId, `00T-${task.decisionId}`),
        ),
      );
    },
    completeTasks: (tasks) => {
      calls.push('complete');
      completed.push(...tasks);
      return Promise.resolve(tasks.map((task) => ok(task.decisionId, task.taskId)));
    },
    closeTasks: (ids) => {
      calls.push('close');
      closedByDecision.push(...ids);
      return Promise.resolve([]);
    },
    updateLeads: (updates) => {
      calls.push('leads');
      updated.push(...updates);
      return Promise.resolve(updates.map((update) => ok(update.leadId, update.leadId)));
    },
  };
  return { store, calls, completed, closedByDecision, updated };
}

function write(
  key: string,
  ownerId: string,
  openTasks: readonly OpenTask[] | null,
): AssignmentWrite {
  const decisionId = `d-${key}`;
  return {
    key,
    leadId: `00Q-${key}`,
    decisionId,
    ownerId,
    due: DUE,
    task:
      ownerId === REP
        ? {
            decisionId,
            leadId: `00Q-${key}`,
            ownerId,
            subject: 'Follow up',
            dueDate: '2026-12-07',
            reminderAt: DUE,
            description: '',
            priority: 'Normal',
          }
        : null,
    update: { leadId: `00Q-${key}`, ownerId, decisionId },
    openTasks,
  };
}

describe('writeAssignments', () => {
  it('writes Tasks, then closes what an interrupted attempt left, then the Leads, then timers', async () => {
    const { store, calls, completed, closedByDecision, updated } = recordingStore();
    const scheduled: string[] = [];
    const counts = { tasks_created: 0, written: { salesforce: 0 } };
    const result = await writeAssignments(
      {
        leads: store,
        timers: {
          schedule: (entries) => {
            calls.push('timers');
            scheduled.push(...entries.map((entry) => entry.leadId));
            return Promise.resolve();
          },
        },
      },
      [
        write('rep', REP, []),
        // Read with its Tasks: the attempt's own is closed by id; another decision's stays.
        write('known', QUEUE, [
          { taskId: '00T-left', decisionId: 'd-known' },
          { taskId: '00T-other', decisionId: 'd-earlier' },
        ]),
        // Not read with its Tasks: asked for by decision id.
        write('unknown', QUEUE, null),
      ],
      counts,
    );
    expect(calls).toEqual(['tasks', 'complete', 'close', 'leads', 'timers']);
    expect(completed).toEqual([{ taskId: '00T-left', decisionId: 'd-known' }]);
    expect(closedByDecision).toEqual(['d-unknown']);
    expect(updated.map((update) => update.leadId)).toEqual(['00Q-rep', '00Q-known', '00Q-unknown']);
    expect(scheduled).toEqual(['00Q-rep', '00Q-known', '00Q-unknown']);
    expect(result.routed.map((each) => each.key)).toEqual(['rep', 'known', 'unknown']);
    expect(counts).toEqual({ tasks_created: 1, written: { salesforce: 4 } });
  });

  it('leaves a Lead whose Task failed without its decision, and asks nothing when no queue is involved', async () => {
    const { store, calls, updated } = recordingStore(new Set(['d-refused']));
    const counts = { tasks_created: 0, written: { salesforce: 0 } };
    const result = await writeAssignments(
      { leads: store, timers: { schedule: () => Promise.resolve() } },
      [write('refused', REP, []), write('fine', REP, [])],
      counts,
    );
    expect(calls).toEqual(['tasks', 'leads']);
    expect(updated.map((update) => update.leadId)).toEqual(['00Q-fine']);
    expect([...result.failures.keys()]).toEqual(['refused']);
    expect(result.routed.map((each) => each.key)).toEqual(['fine']);
  });
});
