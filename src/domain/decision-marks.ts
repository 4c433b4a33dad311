/**
 * A decision id records what happened to its decision after routing, as suffixes Handoff adds
 * to the id on the Lead (`d-3f…~r1~n`): the state lives in Salesforce, so losing Redis loses
 * nothing, and an earlier installation's Leads are read the same way.
 *
 * - `~r<n>`: the n-th reassignment after a missed SLA (a new owner, due date and Task).
 * - `~n`: the current owner missed the SLA and their manager was notified.
 * - `~x`: the current owner missed the SLA and it was only recorded (`on_breach: none`).
 * - `~j`: the rep rejected the lead and the rejection went back to marketing.
 */
export interface DecisionMarks {
  /** The decision as routing made it, without marks. */
  readonly base: string;
  readonly reassignments: number;
  /** The current assignment's breach is handled (notified or recorded): nothing more to do. */
  readonly breachHandled: boolean;
  readonly rejected: boolean;
}

const MARK = /~(r\d+|n|x|j)$/;

export function readDecisionMarks(id: string): DecisionMarks {
  const marks: string[] = [];
  let base = id;
  for (let match = MARK.exec(base); match !== null; match = MARK.exec(base)) {
    marks.unshift(match[1] ?? '');
    base = base.slice(0, match.index);
  }
  const lastReassignment = marks.findLastIndex((mark) => mark.startsWith('r'));
  return {
    base,
    reassignments: lastReassignment < 0 ? 0 : Number(marks[lastReassignment]?.slice(1)),
    breachHandled: marks.slice(lastReassignment + 1).some((mark) => mark === 'n' || mark === 'x'),
    rejected: marks.includes('j'),
  };
}

/** The id of the n-th reassignment of a decision. */
export function reassignedDecisionId(id: string, reassignments: number): string {
  return `${readDecisionMarks(id).base}~r${reassignments}`;
}

/** `id` with a mark added (`~n`, `~x`, `~j`). */
export function markDecision(id: string, mark: 'n' | 'x' | 'j'): string {
  return id.endsWith(`~${mark}`) ? id : `${id}~${mark}`;
}

/** Whether the id on a Lead is this decision, whatever happened to it since. */
export function isSameDecision(stored: string | null, id: string): boolean {
  return stored !== null && readDecisionMarks(stored).base === id;
}
