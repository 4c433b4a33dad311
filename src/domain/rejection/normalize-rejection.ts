import { ownValue, type Definition } from '../definition.js';
import { MS_PER_DAY } from '../time/zoned-time.js';

/** A Lead's status change as Salesforce recorded it. */
export interface StatusChange {
  /** Status before the change; null when unknown (first time Handoff sees the lead). */
  readonly previousStatus: string | null;
  readonly status: string;
  /** `Rejection_Reason__c` as the rep left it. */
  readonly reason?: string | null | undefined;
  /** `Rejection_Comment__c`. */
  readonly comment?: string | null | undefined;
  readonly changedAt: Date;
}

/** Why the reason on a rejection was replaced by `default_reason`. */
export type ReasonFlag = 'missing' | 'unknown';

export type FeedbackResult =
  | { readonly kind: 'not_a_rejection'; readonly definitionVersion: string }
  | {
      readonly kind: 'rejection';
      /** A reason named in `feedback.reasons`, or `default_reason`. */
      readonly reason: string;
      /** Set when the rep's reason was empty or not in the definition; the admin should look. */
      readonly flag: ReasonFlag | null;
      /** The reason as the rep gave it, for the admin to see what was replaced. */
      readonly givenReason: string | null;
      readonly comment: string | null;
      readonly nurtureList: string | null;
      readonly lifecycleStage: string;
      /** Not routed again before this instant, however well it scores. */
      readonly recycleAt: Date;
      readonly definitionVersion: string;
    };

function sameText(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function blankToNull(text: string | null | undefined): string | null {
  return text === undefined || text === null || text.trim() === '' ? null : text.trim();
}

/** Whether a Lead status is one of `feedback.rejected_statuses` (case and spaces ignored). */
export function isRejectedStatus(status: string | null, definition: Definition): boolean {
  return (
    status !== null &&
    definition.feedback.rejected_statuses.some((rejected) => sameText(rejected, status))
  );
}

/**
 * The agreed reason for what a rep gave: matched to `feedback.reasons` ignoring case and
 * surrounding space, in the definition's spelling; `known: false` when it was empty or unknown
 * and `default_reason` stands in.
 */
export function agreedReason(
  reasonGiven: string | null | undefined,
  definition: Definition,
): { readonly reason: string; readonly known: boolean } {
  const { feedback } = definition;
  const given = blankToNull(reasonGiven);
  const known =
    given === null
      ? undefined
      : [...Object.keys(feedback.reasons), feedback.default_reason].find((name) =>
          sameText(name, given),
        );
  return { reason: known ?? feedback.default_reason, known: known !== undefined };
}

/**
 * Turns a status change into rejection feedback. Only *entering* a `rejected_statuses` status is
 * a rejection (statuses compare case-insensitively); moving between two rejected statuses is not
 * a second one. The reason is matched to `feedback.reasons` ignoring case and surrounding space and
 * returned in the definition's spelling; an empty or unknown reason becomes `default_reason` and
 * is flagged.
 */
export function normalizeRejection(change: StatusChange, definition: Definition): FeedbackResult {
  const { feedback } = definition;
  if (
    !isRejectedStatus(change.status, definition) ||
    isRejectedStatus(change.previousStatus, definition)
  ) {
    return { kind: 'not_a_rejection', definitionVersion: definition.version };
  }
  const givenReason = blankToNull(change.reason);
  const { reason, known } = agreedReason(change.reason, definition);
  const settings = ownValue(feedback.reasons, reason) ?? {};
  const recycleDays = settings.recycle_after_days ?? feedback.recycle_after_days;
  return {
    kind: 'rejection',
    reason,
    flag: known ? null : givenReason === null ? 'missing' : 'unknown',
    givenReason,
    comment: blankToNull(change.comment),
    nurtureList: settings.nurture_list ?? null,
    lifecycleStage: settings.lifecycle_stage ?? feedback.recycle_lifecycle_stage,
    recycleAt: new Date(change.changedAt.getTime() + recycleDays * MS_PER_DAY),
    definitionVersion: definition.version,
  };
}
