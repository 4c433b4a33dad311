/** What the decision core knows about a lead, whichever system it came from. */

export type AttributeValue = string | number | boolean | null;

export interface Lead {
  /** Canonical attributes (`email`, `employees`, …) plus custom keys named in `mapping`. */
  readonly attributes: Readonly<Record<string, AttributeValue | undefined>>;
  /** The lead's matched account, if any. */
  readonly account?: LeadAccount | null | undefined;
}

export interface LeadAccount {
  readonly id: string;
  /** Salesforce User id of the account owner. */
  readonly owner: string;
}

/** One engagement signal (form submission, meeting, …) at an instant. */
export interface Activity {
  readonly type: string;
  readonly at: Date;
}

/** One line of "why": a rule that contributed, failed or was ignored. */
export interface Reason {
  /** Rule id, or `engagement.<activity type>` for engagement. */
  readonly rule: string;
  readonly kind: ReasonKind;
  /** Points this line added to the score (0 for gates, misses and ignored lines). */
  readonly points: number;
  /** One human sentence, safe to show a rep (no personal data). */
  readonly detail: string;
}

export type ReasonKind =
  | 'gate_passed'
  | 'gate_failed'
  | 'fit_matched'
  | 'fit_missed'
  | 'engagement'
  | 'engagement_capped'
  | 'activity_ignored';
