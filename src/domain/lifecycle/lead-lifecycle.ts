/**
 * Where a routed Lead stands, as Handoff's own Lead fields hold it. This module is the only one
 * that reads or decides that state: use cases ask it what a Lead's state means and what to write
 * next, and adapters only move the fields.
 *
 * `Handoff_Reason__c` is the history people read; nothing is parsed back out of it, except
 * from Leads written by an earlier version of Handoff, which kept this state as suffixes on the
 * decision id (`d-3f…~r1~n`) and in the reason's sentences (see `readLegacy`).
 */

/**
 * `Handoff_Stage__c`, a restricted picklist:
 * - `routed`: an owner has the lead and the first-touch clock runs (also after a reassignment);
 * - `accepted`: the owner touched it (a call, a completed Task, an Event, a status change);
 * - `working`: touched, and the rep moved its status to a `Working…` value;
 * - `breached`: the deadline passed untouched and was recorded (`on_breach: none`);
 * - `escalated`: the deadline passed untouched and the owner's manager was told;
 * - `rejected`: the rep returned it and it went to nurture, with no HubSpot contact to tell;
 * - `returned`: the rep returned it, marketing has the reason, and it went to nurture.
 */
export const HANDOFF_STAGES = [
  'routed',
  'accepted',
  'working',
  'breached',
  'escalated',
  'rejected',
  'returned',
] as const;
export type HandoffStage = (typeof HANDOFF_STAGES)[number];

/** The owners `Handoff_Breached_Owners__c` can list: 13 18-character ids fit its 255 characters. */
const BREACHED_OWNERS_MAX_CHARS = 255;
const OWNER_SEPARATOR = ';';

/** The lifecycle fields of a Lead as Salesforce returns them. */
export interface StoredLifecycle {
  readonly decisionId: string | null;
  readonly stage: string | null;
  readonly reassignments: number | null;
  readonly definitionVersion: string | null;
  readonly breachedOwners: string | null;
  readonly breachedAt: Date | null;
  /** Read only for Leads an earlier version wrote (no stage). */
  readonly reason: string | null;
}

export interface LeadLifecycle {
  /**
   * The current assignment: the routing decision, then `~r<n>` after the n-th reassignment. It
   * is also the external id of the assignment's follow-up Task.
   */
  readonly assignmentId: string;
  /** The routing decision itself, whatever happened since. */
  readonly decisionId: string;
  readonly stage: HandoffStage;
  readonly reassignments: number;
  /** The definition version that qualified the lead; null when unknown. */
  readonly definitionVersion: string | null;
  /** Owners who missed the first-touch deadline, first to last. */
  readonly breachedOwners: readonly string[];
  /** The deadline most recently missed. */
  readonly breachedAt: Date | null;
}

/** The lifecycle fields to set; absent keys are left alone. */
export interface LifecycleWrite {
  readonly stage?: HandoffStage;
  readonly reassignments?: number;
  readonly definitionVersion?: string;
  /** Written as ids separated by `;`; an empty list clears the field. */
  readonly breachedOwners?: readonly string[];
  readonly breachedAt?: Date | null;
}

function isStage(value: string): value is HandoffStage {
  return (HANDOFF_STAGES as readonly string[]).includes(value);
}

/** `d-3f…~r2` → `{ decisionId: 'd-3f…', reassignments: 2 }`. */
function splitAssignment(id: string): { decisionId: string; reassignments: number } {
  const match = /~r(\d+)$/.exec(id);
  return match === null
    ? { decisionId: id, reassignments: 0 }
    : { decisionId: id.slice(0, match.index), reassignments: Number(match[1]) };
}

/** The id of the n-th assignment of a decision (0 is the decision itself). */
export function assignmentIdOf(decisionId: string, reassignments: number): string {
  return reassignments === 0 ? decisionId : `${decisionId}~r${reassignments}`;
}

/** The external id of the Task that tells the late owner's manager. */
export function managerTaskId(lifecycle: LeadLifecycle): string {
  return `${lifecycle.assignmentId}~n`;
}

/**
 * A Lead's lifecycle, or null when Handoff never routed it (no decision id). A stage that is not
 * one of Handoff's (an admin's edit) reads as `routed`, so the SLA watch still looks at the lead.
 */
export function readLifecycle(stored: StoredLifecycle): LeadLifecycle | null {
  if (stored.decisionId === null || stored.decisionId === '') return null;
  if (stored.stage === null || stored.stage === '') return readLegacy(stored, stored.decisionId);
  const { decisionId, reassignments } = splitAssignment(stored.decisionId);
  return {
    assignmentId: stored.decisionId,
    decisionId,
    stage: isStage(stored.stage) ? stored.stage : 'routed',
    reassignments: stored.reassignments ?? reassignments,
    definitionVersion: stored.definitionVersion,
    breachedOwners: (stored.breachedOwners ?? '')
      .split(OWNER_SEPARATOR)
      .map((id) => id.trim())
      .filter((id) => id !== ''),
    breachedAt: stored.breachedAt,
  };
}

/**
 * A Lead written before the lifecycle fields existed: marks on its decision id (`~r<n>` the n-th
 * reassignment, `~n` manager notified, `~x` breach recorded, `~j` returned to nurture), the
 * definition version in its reason (`(definition 2026-11-01)`), and breach owners in its history
 * lines (`SLA missed by Ana Ruiz (005…)`). The next write moves it to the fields.
 */
function readLegacy(stored: StoredLifecycle, id: string): LeadLifecycle {
  const marks: string[] = [];
  let rest = id;
  for (let match = /~(r\d+|n|x|j)$/.exec(rest); match !== null;) {
    marks.unshift(match[1] ?? '');
    rest = rest.slice(0, match.index);
    match = /~(r\d+|n|x|j)$/.exec(rest);
  }
  const lastReassignment = marks.findLastIndex((mark) => mark.startsWith('r'));
  const reassignments = lastReassignment < 0 ? 0 : Number(marks[lastReassignment]?.slice(1) ?? '0');
  const afterReassignment = marks.slice(lastReassignment + 1);
  const stage: HandoffStage = marks.includes('j')
    ? 'returned'
    : afterReassignment.includes('n')
      ? 'escalated'
      : afterReassignment.includes('x')
        ? 'breached'
        : 'routed';
  const reason = stored.reason ?? '';
  return {
    assignmentId: assignmentIdOf(rest, reassignments),
    decisionId: rest,
    stage,
    reassignments,
    definitionVersion: /\(definition ([^)]+)\)/.exec(reason)?.[1] ?? null,
    breachedOwners: [...reason.matchAll(/SLA missed by .*?\(([A-Za-z0-9]{15,18})\)/g)].map(
      (match) => match[1] ?? '',
    ),
    breachedAt: null,
  };
}

/** The rep returned the lead (whether or not marketing could be told). */
export function isReturned(lifecycle: LeadLifecycle | null): boolean {
  return lifecycle?.stage === 'returned' || lifecycle?.stage === 'rejected';
}

/** The current owner's missed deadline is already handled: nothing more to do for it. */
export function isBreachHandled(lifecycle: LeadLifecycle): boolean {
  return lifecycle.stage === 'breached' || lifecycle.stage === 'escalated';
}

/** The fields of a new routing decision: a fresh clock and no breach yet. */
export function routedWrite(definitionVersion: string): LifecycleWrite {
  return {
    stage: 'routed',
    reassignments: 0,
    definitionVersion,
    breachedOwners: [],
    breachedAt: null,
  };
}

/** A touched lead's stage: `working` once the rep moved its status to a `Working…` value. */
export function touchedStage(status: string): 'accepted' | 'working' {
  return status.toLowerCase().startsWith('working') ? 'working' : 'accepted';
}

/** The write for a touched lead; null when its stage already says so. */
export function touchedWrite(lifecycle: LeadLifecycle, status: string): LifecycleWrite | null {
  const stage = touchedStage(status);
  return lifecycle.stage === stage ? null : { ...migrated(lifecycle), stage };
}

/** `owner` missed the deadline `due`; what happens next decides the stage. */
export function breachWrite(
  lifecycle: LeadLifecycle,
  owner: string,
  due: Date,
  next: 'reassigned' | 'escalated' | 'breached' | 'touched_late',
): LifecycleWrite {
  const owners = withOwner(lifecycle.breachedOwners, owner);
  const base = { ...migrated(lifecycle), breachedOwners: owners, breachedAt: due };
  if (next === 'reassigned')
    return { ...base, stage: 'routed', reassignments: lifecycle.reassignments + 1 };
  if (next === 'touched_late') return base;
  return { ...base, stage: next };
}

/** The rep's rejection went to nurture; `returned` once marketing has it. */
export function rejectedWrite(lifecycle: LeadLifecycle, toldMarketing: boolean): LifecycleWrite {
  return { ...migrated(lifecycle), stage: toldMarketing ? 'returned' : 'rejected' };
}

/**
 * A Lead an earlier version wrote gets all its fields with its next write, so that from then on
 * no sentence is read.
 */
function migrated(lifecycle: LeadLifecycle): LifecycleWrite {
  return {
    reassignments: lifecycle.reassignments,
    ...(lifecycle.definitionVersion === null
      ? {}
      : { definitionVersion: lifecycle.definitionVersion }),
    breachedOwners: lifecycle.breachedOwners,
    breachedAt: lifecycle.breachedAt,
  };
}

/** Appends an owner, dropping the oldest when the field would overflow. */
function withOwner(owners: readonly string[], owner: string): string[] {
  const next = [...owners, owner];
  while (next.length > 1 && (formatBreachedOwners(next) ?? '').length > BREACHED_OWNERS_MAX_CHARS)
    next.shift();
  return next;
}

/** `Handoff_Breached_Owners__c` as written; null when nobody missed a deadline. */
export function formatBreachedOwners(owners: readonly string[]): string | null {
  return owners.length === 0 ? null : owners.join(OWNER_SEPARATOR);
}
