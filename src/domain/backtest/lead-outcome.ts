import type { FeedbackDefinition } from '../definition.js';
import type { TouchActivity } from '../sla/assess-first-touch.js';
import type { LeadOutcome } from './historic-lead.js';

/** A Salesforce Lead's state as the backtest reads it. */
export interface OutcomeRecord {
  readonly status: string;
  readonly isConverted: boolean;
  /** `ConvertedDate` (a date): its first instant, UTC. */
  readonly convertedOn: Date | null;
  readonly createdAt: Date;
  /** The latest a status change can have happened (Salesforce keeps no status time without field history). */
  readonly modifiedAt: Date;
  readonly rejectionReason: string | null;
  /**
   * Whether the Opportunity it was converted to is won (true), lost or open (false); null when it
   * became none, or the integration user cannot read Opportunities.
   */
  readonly won: boolean | null;
}

function earliest(...instants: (Date | null)[]): Date | null {
  let first: Date | null = null;
  for (const instant of instants)
    if (instant !== null && (first === null || instant < first)) first = instant;
  return first;
}

/**
 * What sales did with a lead: converted, rejected (with its reason, else the definition's
 * default), accepted (touched, or moved off `openStatus`) or untouched. The label's instant is
 * the earliest sign of it — the first touch, else the conversion day's start (never before the Lead
 * existed), else the last modification for a status change — because from then on the outcome
 * is known, and a decision replayed later would have seen it. No Lead: untouched, never labelled.
 */
export function leadOutcome(input: {
  readonly lead: OutcomeRecord | null;
  readonly touches: readonly TouchActivity[];
  readonly feedback: FeedbackDefinition;
  /** The status of a Lead nobody has worked yet. */
  readonly openStatus: string;
}): LeadOutcome {
  const { lead, feedback } = input;
  if (lead === null)
    return {
      kind: 'untouched',
      labelledAt: null,
      closedAt: null,
      rejectionReason: null,
      won: null,
    };
  const firstTouch = earliest(
    ...input.touches.filter((touch) => touch.completed).map((touch) => touch.at),
  );
  if (lead.isConverted) {
    const on = lead.convertedOn ?? lead.modifiedAt;
    const converted = on < lead.createdAt ? lead.createdAt : on;
    return {
      kind: 'converted',
      labelledAt: earliest(firstTouch, converted),
      closedAt: converted,
      rejectionReason: null,
      won: lead.won,
    };
  }
  if (feedback.rejected_statuses.includes(lead.status))
    return {
      kind: 'rejected',
      labelledAt: earliest(firstTouch, lead.modifiedAt),
      closedAt: lead.modifiedAt,
      rejectionReason: lead.rejectionReason ?? feedback.default_reason,
      won: null,
    };
  if (firstTouch !== null || lead.status !== input.openStatus)
    return {
      kind: 'accepted',
      labelledAt: earliest(firstTouch, lead.status !== input.openStatus ? lead.modifiedAt : null),
      closedAt: null,
      rejectionReason: null,
      won: null,
    };
  return { kind: 'untouched', labelledAt: null, closedAt: null, rejectionReason: null, won: null };
}
