/**
 * The shared qualification definition: what marketing and sales signed, as the admin writes it in
 * `config/handoff.yaml` (snake_case keys are the file's contract). `src/config/definition.schema.ts`
 * parses the file into this type and is checked against it, so the two cannot drift; defaults are
 * already applied here. Changing the definition means bumping `version`, which every decision carries.
 */

import type { SalesforceActivityType } from './model.js';

/**
 * `record[key]` for a key the definition (or a lead) names, own properties only: a pool, tier,
 * activity, reason or attribute called `constructor` or `toString` must not find
 * `Object.prototype`'s function.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Operators of one condition on one lead attribute. All given operators must hold. */
export interface ConditionOperators {
  /** `true`: the attribute has a value; `false`: it has none. */
  readonly exists?: boolean | undefined;
  /** Equal: strings case-insensitively, numbers numerically. */
  readonly eq?: string | number | boolean | undefined;
  readonly in?: readonly (string | number)[] | undefined;
  /** Holds when the attribute is missing. */
  readonly not_in?: readonly (string | number)[] | undefined;
  /**
   * Regular expression in JavaScript syntax, the linear-time subset `conditions/linear-regex.ts`
   * runs (no backreferences or lookaround); a leading `(?i)` makes it case-insensitive. Searched
   * anywhere in the first 10,000 characters of the value.
   */
  readonly matches?: string | undefined;
  /** Holds when the attribute is missing. */
  readonly not_matches?: string | undefined;
  readonly gte?: number | undefined;
  readonly lte?: number | undefined;
}

export interface FieldCondition extends ConditionOperators {
  readonly id: string;
  /** A canonical lead attribute or a custom key named in `mapping`. */
  readonly field: string;
}

export interface FitRule extends FieldCondition {
  readonly points: number;
}

export interface EngagementDefinition {
  readonly half_life_days: number;
  readonly max_points: number;
  /** HubSpot activity type → points of one activity of that type at age zero. */
  readonly activities: Readonly<Record<string, number>>;
  /**
   * Salesforce activity type → points of one activity of that type at age zero. Decayed with
   * the same half-life and capped with HubSpot's under the same `max_points`: one engagement.
   */
  readonly salesforce_activities: Readonly<Partial<Record<SalesforceActivityType, number>>>;
}

export interface QualificationDefinition {
  readonly threshold: number;
  readonly gates: readonly FieldCondition[];
  readonly fit: readonly FitRule[];
  readonly engagement: EngagementDefinition;
  /** Tier name → minimum score. */
  readonly tiers: Readonly<Record<string, number>>;
}

export interface RoutingRule {
  readonly id: string;
  /** Attribute → operators; every attribute's operators must hold. Absent: always matches. */
  readonly when?: Readonly<Record<string, ConditionOperators>> | undefined;
  /** Matches when the lead's account is owned by an active user; assigns to that user. */
  readonly account_owner?: boolean | undefined;
  readonly pool?: string | undefined;
  /** A fixed owner (user or queue id), for named accounts or special programmes. */
  readonly owner?: string | undefined;
}

export interface PoolMember {
  /** Salesforce User id. */
  readonly owner: string;
  readonly weight: number;
  /** Open leads at or above which the member receives no more. Absent: no cap. */
  readonly max_open?: number | undefined;
  /** IANA zone that overrides the user's Salesforce time zone for SLA clocks. */
  readonly timezone?: string | undefined;
  /** The member's own hours when the pool routes within working hours (else `sla.business_hours`). */
  readonly working_hours?: BusinessHours | undefined;
}

export interface Pool {
  readonly members: readonly PoolMember[];
  /**
   * Route only to members inside their working hours (in their own zone); when nobody is, to the
   * member whose hours start soonest.
   */
  readonly within_working_hours?: boolean | undefined;
}

export interface RoutingDefinition {
  readonly rules: readonly RoutingRule[];
  readonly pools: Readonly<Record<string, Pool>>;
  /** Owner (usually a queue) when no rule matches or a pool has nobody eligible. */
  readonly fallback_owner: string;
  readonly create_missing_leads: boolean;
}

export type Weekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';

export interface BusinessHours {
  readonly days: readonly Weekday[];
  /** `HH:MM`, local to the owner's zone. */
  readonly start: string;
  /** `HH:MM` after `start`; `24:00` is the end of the day. */
  readonly end: string;
}

export type BreachAction = 'reassign' | 'notify' | 'none';

export interface SlaDefinition {
  /** `owner` (the owner's own zone) or an IANA zone for everybody. */
  readonly timezone: string;
  readonly default_timezone: string;
  readonly business_hours: BusinessHours;
  /** `YYYY-MM-DD` local dates with no business hours. */
  readonly holidays: readonly string[];
  /** Tier → business-time allowance (`90m`, `4h`, `1d`, `2d4h`). */
  readonly first_touch: Readonly<Record<string, string>>;
  readonly on_breach: { readonly action: BreachAction; readonly max_reassignments: number };
}

export interface RejectionReasonDefinition {
  /** HubSpot list id the contact joins. */
  readonly nurture_list?: string | undefined;
  /** Overrides `feedback.recycle_after_days`. */
  readonly recycle_after_days?: number | undefined;
  /** Overrides `feedback.recycle_lifecycle_stage`. */
  readonly lifecycle_stage?: string | undefined;
}

export interface FeedbackDefinition {
  readonly rejected_statuses: readonly string[];
  readonly default_reason: string;
  readonly nurture_owner?: string | undefined;
  /** Days after a rejection before the lead may be routed again. */
  readonly recycle_after_days: number;
  /** HubSpot lifecycle stage a rejected contact is recycled to. */
  readonly recycle_lifecycle_stage: string;
  /** A HubSpot contact for each routed Lead born in Salesforce (upserted by email). */
  readonly create_hubspot_contacts: boolean;
  readonly reasons: Readonly<Record<string, RejectionReasonDefinition>>;
}

export interface SyncDefinition {
  readonly poll_interval: string;
  /** The full SLA watch and rejection scan (and the recycle search) run this often. */
  readonly reconcile_interval: string;
}

/**
 * How much of each system's daily API allowance Handoff may use, in percent of the maximum the
 * system reports: past it, that system's work pauses until calls free up.
 */
export interface BudgetDefinition {
  readonly salesforce_daily_percent: number;
  readonly hubspot_daily_percent: number;
}

/**
 * Overrides of where attributes and Handoff's own fields live; anything not named keeps the
 * default (`DEFAULT_*_MAPPING`, `SALESFORCE_OWNED_FIELDS`, `HUBSPOT_OWNED_PROPERTIES`).
 */
export interface MappingDefinition {
  /** Canonical attribute (or custom key) → HubSpot contact property. */
  readonly hubspot: Readonly<Record<string, string>>;
  /** Canonical attribute (or custom key) → Salesforce Lead field. */
  readonly salesforce: Readonly<Record<string, string>>;
  /** Handoff-owned Lead fields, renamable (e.g. to an org's existing `SLA_Due__c`). */
  readonly salesforce_fields: Readonly<Partial<Record<SalesforceOwnedField, string>>>;
  /** Handoff-owned contact properties, renamable. */
  readonly hubspot_properties: Readonly<Partial<Record<HubSpotOwnedProperty, string>>>;
}

export const SALESFORCE_OWNED_FIELDS = {
  score: 'Handoff_Score__c',
  tier: 'Handoff_Tier__c',
  due: 'Handoff_Due__c',
  reason: 'Handoff_Reason__c',
  decision_id: 'Handoff_Decision_Id__c',
  hubspot_contact_id: 'HubSpot_Contact_Id__c',
  rejection_reason: 'Rejection_Reason__c',
  rejection_comment: 'Rejection_Comment__c',
  sla_breached: 'Handoff_SLA_Breached__c',
  /** When the current owner got the lead: the SLA clock's start and time to first touch. */
  routed_at: 'Handoff_Routed_At__c',
  /** Where the lead stands (routed, accepted, working, breached, escalated, rejected, returned). */
  stage: 'Handoff_Stage__c',
  /** How many times a missed deadline moved the lead to another owner. */
  reassignments: 'Handoff_Reassignments__c',
  /** The definition version that qualified the lead. */
  definition_version: 'Handoff_Definition_Version__c',
  /** Owners who missed the first-touch deadline, first to last, as User ids separated by `;`. */
  breached_owners: 'Handoff_Breached_Owners__c',
  /** The deadline most recently missed. */
  breached_at: 'Handoff_Breached_At__c',
  /** On Task: the decision a follow-up Task belongs to (external id, so one Task per decision). */
  task_decision_id: 'Handoff_Decision_Id__c',
} as const;
export type SalesforceOwnedField = keyof typeof SALESFORCE_OWNED_FIELDS;

export const HUBSPOT_OWNED_PROPERTIES = {
  status: 'handoff_status',
  score: 'handoff_score',
  tier: 'handoff_tier',
  owner: 'handoff_owner',
  due: 'handoff_due',
  definition_version: 'handoff_definition_version',
  rejection_reason: 'handoff_rejection_reason',
  rejection_comment: 'handoff_rejection_comment',
  rejected_at: 'handoff_rejected_at',
  rejected_by: 'handoff_rejected_by',
  first_touch_at: 'handoff_first_touch_at',
  /** Wall-clock minutes from routing to the first touch. */
  minutes_to_first_touch: 'handoff_minutes_to_first_touch',
} as const;
export type HubSpotOwnedProperty = keyof typeof HUBSPOT_OWNED_PROPERTIES;

export interface Definition {
  readonly version: string;
  readonly qualification: QualificationDefinition;
  readonly routing: RoutingDefinition;
  readonly sync: SyncDefinition;
  readonly sla: SlaDefinition;
  readonly feedback: FeedbackDefinition;
  readonly mapping: MappingDefinition;
  readonly budget: BudgetDefinition;
}

/** Attributes every lead may carry, whatever the mapping adds. */
export const CANONICAL_ATTRIBUTES = [
  'email',
  'first_name',
  'last_name',
  'company',
  'title',
  'country',
  'state',
  'employees',
  'industry',
  'annual_revenue',
  'lead_source',
  'website',
  'phone',
] as const;

export type CanonicalAttribute = (typeof CANONICAL_ATTRIBUTES)[number];

/** Where each canonical attribute lives when `mapping` does not say otherwise. */
export const DEFAULT_HUBSPOT_MAPPING: Readonly<Record<CanonicalAttribute, string>> = {
  email: 'email',
  first_name: 'firstname',
  last_name: 'lastname',
  company: 'company',
  title: 'jobtitle',
  country: 'country',
  state: 'state',
  employees: 'numberofemployees',
  industry: 'industry',
  annual_revenue: 'annualrevenue',
  lead_source: 'hs_analytics_source',
  website: 'website',
  phone: 'phone',
};

export const DEFAULT_SALESFORCE_MAPPING: Readonly<Record<CanonicalAttribute, string>> = {
  email: 'Email',
  first_name: 'FirstName',
  last_name: 'LastName',
  company: 'Company',
  title: 'Title',
  country: 'Country',
  state: 'State',
  employees: 'NumberOfEmployees',
  industry: 'Industry',
  annual_revenue: 'AnnualRevenue',
  lead_source: 'LeadSource',
  website: 'Website',
  phone: 'Phone',
};
