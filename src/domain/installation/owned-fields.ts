import type { HubSpotOwnedProperty, SalesforceOwnedField } from '../definition.js';
import { HANDOFF_STAGES } from '../lifecycle/lead-lifecycle.js';

/**
 * What Handoff needs in each system, in one catalogue: `handoff doctor` checks an installation
 * against it (and `handoff setup` will create from it). Names are the defaults; a definition may
 * rename each (`mapping.salesforce_fields`, `mapping.hubspot_properties`).
 */

/** Field kinds as an admin creates them in Setup → Object Manager. */
export type SalesforceFieldKind =
  'number' | 'text' | 'long_text' | 'datetime' | 'checkbox' | 'picklist';

export interface SalesforceFieldSpec {
  readonly key: SalesforceOwnedField;
  readonly object: 'Lead' | 'Task';
  readonly kind: SalesforceFieldKind;
  readonly label: string;
  /** Text length (text, long text). */
  readonly length?: number;
  /** An external id, unique: the key Handoff upserts on. */
  readonly externalId?: boolean;
  /** The values a picklist must offer when they are Handoff's own (not from the definition). */
  readonly values?: readonly string[];
  /** What the field holds, for the field reference. */
  readonly purpose: string;
}

export const SALESFORCE_FIELD_CATALOGUE: readonly SalesforceFieldSpec[] = [
  {
    key: 'score',
    object: 'Lead',
    kind: 'number',
    label: 'Handoff Score',
    purpose: 'the qualification score at handoff',
  },
  {
    key: 'tier',
    object: 'Lead',
    kind: 'text',
    length: 20,
    label: 'Handoff Tier',
    purpose: 'the tier (A, B, C…) at handoff',
  },
  {
    key: 'due',
    object: 'Lead',
    kind: 'datetime',
    label: 'Handoff Due',
    purpose: 'the first-touch deadline',
  },
  {
    key: 'routed_at',
    object: 'Lead',
    kind: 'datetime',
    label: 'Handoff Routed At',
    purpose: 'when the current owner got the lead (the SLA clock starts)',
  },
  {
    key: 'reason',
    object: 'Lead',
    kind: 'long_text',
    length: 32_768,
    label: 'Handoff Reason',
    purpose: 'why qualified and why this owner, for the rep',
  },
  {
    key: 'decision_id',
    object: 'Lead',
    kind: 'text',
    length: 80,
    label: 'Handoff Decision Id',
    purpose: 'the decision written last, after its Task',
  },
  {
    key: 'hubspot_contact_id',
    object: 'Lead',
    kind: 'text',
    length: 40,
    externalId: true,
    label: 'HubSpot Contact Id',
    purpose: 'the HubSpot contact (external id, unique)',
  },
  {
    key: 'rejection_reason',
    object: 'Lead',
    kind: 'picklist',
    label: 'Rejection Reason',
    purpose: 'the rep’s reason for returning the lead (values: feedback.reasons)',
  },
  {
    key: 'rejection_comment',
    object: 'Lead',
    kind: 'long_text',
    length: 1_000,
    label: 'Rejection Comment',
    purpose: 'the rep’s comment on a rejection',
  },
  {
    key: 'sla_breached',
    object: 'Lead',
    kind: 'checkbox',
    label: 'Handoff SLA Breached',
    purpose: 'the first touch came after the deadline',
  },
  {
    key: 'stage',
    object: 'Lead',
    kind: 'picklist',
    values: HANDOFF_STAGES,
    label: 'Handoff Stage',
    purpose:
      'where the lead stands: routed, accepted, working, breached, escalated, rejected (returned with no HubSpot contact to tell) or returned (marketing has the reason)',
  },
  {
    key: 'reassignments',
    object: 'Lead',
    kind: 'number',
    label: 'Handoff Reassignments',
    purpose: 'how many times a missed deadline moved the lead to another owner',
  },
  {
    key: 'definition_version',
    object: 'Lead',
    kind: 'text',
    length: 40,
    label: 'Handoff Definition Version',
    purpose: 'the version of the definition that qualified the lead',
  },
  {
    key: 'breached_owners',
    object: 'Lead',
    kind: 'text',
    length: 255,
    label: 'Handoff Breached Owners',
    purpose:
      'the owners who missed the first-touch deadline, first to last (User ids separated by `;`)',
  },
  {
    key: 'breached_at',
    object: 'Lead',
    kind: 'datetime',
    label: 'Handoff Breached At',
    purpose: 'the first-touch deadline most recently missed',
  },
  {
    key: 'task_decision_id',
    object: 'Task',
    kind: 'text',
    length: 80,
    externalId: true,
    label: 'Handoff Decision Id',
    purpose: 'the decision a follow-up Task belongs to (external id, unique)',
  },
];

/** Each kind as Salesforce's field wizard names it. */
export const SALESFORCE_KIND_LABELS: Readonly<Record<SalesforceFieldKind, string>> = {
  number: 'Number(18, 0)',
  text: 'Text',
  long_text: 'Long Text Area',
  datetime: 'Date/Time',
  checkbox: 'Checkbox',
  picklist: 'Picklist',
};

/** `Text(40), External ID, Unique`: the field as an admin creates it. */
export function salesforceTypeLabel(spec: SalesforceFieldSpec): string {
  const length =
    spec.length !== undefined && (spec.kind === 'text' || spec.kind === 'long_text')
      ? `(${spec.length})`
      : '';
  return `${SALESFORCE_KIND_LABELS[spec.kind]}${length}${spec.externalId === true ? ', External ID, Unique' : ''}`;
}

/** What a marketer sees in `handoff_status`. */
export const HANDOFF_STATUSES = [
  'mql',
  'routed',
  'accepted',
  'working',
  'rejected',
  'recycled',
  'breached',
] as const;

export interface HubSpotPropertySpec {
  readonly key: HubSpotOwnedProperty;
  readonly type: 'string' | 'number' | 'datetime' | 'enumeration';
  readonly label: string;
  /** The options an enumeration must offer. */
  readonly options?: readonly string[];
}

/** Contact properties, in the property group `handoff`. */
export const HUBSPOT_PROPERTY_CATALOGUE: readonly HubSpotPropertySpec[] = [
  { key: 'status', type: 'enumeration', label: 'Handoff status', options: HANDOFF_STATUSES },
  { key: 'score', type: 'number', label: 'Handoff score' },
  { key: 'tier', type: 'string', label: 'Handoff tier' },
  { key: 'owner', type: 'string', label: 'Handoff owner' },
  { key: 'due', type: 'datetime', label: 'Handoff due' },
  { key: 'definition_version', type: 'string', label: 'Handoff definition version' },
  { key: 'rejection_reason', type: 'string', label: 'Handoff rejection reason' },
  { key: 'rejection_comment', type: 'string', label: 'Handoff rejection comment' },
  { key: 'rejected_at', type: 'datetime', label: 'Handoff rejected at' },
  { key: 'rejected_by', type: 'string', label: 'Handoff rejected by' },
  { key: 'first_touch_at', type: 'datetime', label: 'Handoff first touch at' },
  { key: 'minutes_to_first_touch', type: 'number', label: 'Handoff minutes to first touch' },
];
