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

/** The system an activity was recorded in. */
export type ActivitySource = 'hubspot' | 'salesforce';

/**
 * Activity types Handoff reads from Salesforce, and the only keys
 * `qualification.engagement.salesforce_activities` accepts.
 */
export const SALESFORCE_ACTIVITY_TYPES = [
  'campaign_response',
  'call',
  'meeting',
  'email',
  'task',
] as const;

export type SalesforceActivityType = (typeof SALESFORCE_ACTIVITY_TYPES)[number];

const SALESFORCE_ACTIVITY_TYPE_SET: ReadonlySet<string> = new Set(SALESFORCE_ACTIVITY_TYPES);

export function isSalesforceActivityType(type: string): type is SalesforceActivityType {
  return SALESFORCE_ACTIVITY_TYPE_SET.has(type);
}

/** One engagement signal (form submission, meeting, …) at an instant. */
export interface Activity {
  readonly type: string;
  readonly at: Date;
  /**
   * Where it was recorded; absent means HubSpot. A HubSpot activity is weighted by
   * `engagement.activities`, a Salesforce one by `engagement.salesforce_activities`.
   */
  readonly source?: ActivitySource | undefined;
}

/** The system of `activity`: its `source`, HubSpot when absent. */
export function activitySource(activity: Pick<Activity, 'source'>): ActivitySource {
  return activity.source ?? 'hubspot';
}

/** One line of "why": a rule that contributed, failed or was ignored. */
export interface Reason {
  /**
   * Rule id; for engagement `engagement.<activity type>` (HubSpot),
   * `engagement.salesforce.<activity type>` (Salesforce) or `engagement.max_points` (the cap).
   */
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
