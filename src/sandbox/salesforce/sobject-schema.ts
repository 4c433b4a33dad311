/**
 * The Salesforce objects the sandbox serves, with the fields Handoff reads and writes and the
 * properties `describe` reports. Lead `Status` and Task `Status`/`Priority` are
 * restricted picklists, as in most orgs, so bad values fail like they would in production.
 */

import { HANDOFF_STAGES } from '../../domain/lifecycle/lead-lifecycle.js';

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'combobox'
  | 'reference'
  | 'boolean'
  | 'double'
  | 'int'
  | 'currency'
  | 'date'
  | 'datetime';

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly length?: number;
  readonly picklist?: readonly string[];
  /** Values a picklist no longer offers: described with `active: false`, refused when restricted. */
  readonly inactivePicklist?: readonly string[];
  readonly restricted?: boolean;
  readonly referenceTo?: readonly string[];
  readonly relationshipName?: string;
  /** Must be given on create (nillable false and no default). */
  readonly required?: boolean;
  readonly createable?: boolean;
  readonly updateable?: boolean;
  readonly externalId?: boolean;
  readonly unique?: boolean;
  readonly defaultValue?: string | boolean | null;
  readonly custom?: boolean;
  /** False for the few fields SOQL refuses in WHERE (OutOfOffice.IsEnabled). */
  readonly filterable?: boolean;
}

/**
 * A parent-to-child relationship, named as describe's `childRelationships` entries name it:
 * records of `childSObject` whose reference `field` points at the parent, queried from the
 * parent as a subquery `(SELECT … FROM <relationshipName>)`.
 */
export interface ChildRelationship {
  readonly relationshipName: string;
  readonly childSObject: string;
  readonly field: string;
}

export interface SObjectSpec {
  readonly name: string;
  readonly label: string;
  readonly keyPrefix: string;
  readonly fields: readonly FieldSpec[];
  /** The relationships SOQL subqueries may name on this object (a subset of Salesforce's). */
  readonly childRelationships?: readonly ChildRelationship[];
}

const SYSTEM = { createable: false, updateable: false } as const;

const audit: readonly FieldSpec[] = [
  { name: 'IsDeleted', type: 'boolean', ...SYSTEM, defaultValue: false },
  { name: 'CreatedDate', type: 'datetime', ...SYSTEM },
  {
    name: 'CreatedById',
    type: 'reference',
    referenceTo: ['User'],
    relationshipName: 'CreatedBy',
    ...SYSTEM,
  },
  { name: 'LastModifiedDate', type: 'datetime', ...SYSTEM },
  {
    name: 'LastModifiedById',
    type: 'reference',
    referenceTo: ['User'],
    relationshipName: 'LastModifiedBy',
    ...SYSTEM,
  },
  { name: 'SystemModstamp', type: 'datetime', ...SYSTEM },
];

const LEAD_SOURCES = [
  'Web',
  'Phone Inquiry',
  'Partner Referral',
  'Purchased List',
  'Webinar',
  'Trade Show',
  'Other',
];
const INDUSTRIES = [
  'Software',
  'Financial Services',
  'Retail',
  'Healthcare',
  'Education',
  'Manufacturing',
  'Other',
];

export const LEAD_STATUSES = [
  'Open - Not Contacted',
  'Working - Contacted',
  'Closed - Converted',
  'Closed - Not Converted',
  'Unqualified',
  'Rejected',
  'Nurture',
] as const;

export const REJECTION_REASONS = [
  'No budget',
  'Bad timing',
  'Not decision maker',
  'Too small',
  'Using competitor',
  'Competitor',
  'Bad contact data',
  'Existing customer',
  'Unspecified',
] as const;

/** Handoff's own Lead fields, present when the tenant is set up for Handoff. */
export const HANDOFF_LEAD_FIELDS: readonly FieldSpec[] = [
  { name: 'Handoff_Score__c', type: 'double', custom: true },
  { name: 'Handoff_Tier__c', type: 'string', length: 20, custom: true },
  { name: 'Handoff_Due__c', type: 'datetime', custom: true },
  { name: 'Handoff_Routed_At__c', type: 'datetime', custom: true },
  { name: 'Handoff_Reason__c', type: 'textarea', length: 32_768, custom: true },
  { name: 'Handoff_Decision_Id__c', type: 'string', length: 80, custom: true },
  {
    name: 'HubSpot_Contact_Id__c',
    type: 'string',
    length: 40,
    custom: true,
    externalId: true,
    unique: true,
  },
  {
    name: 'Rejection_Reason__c',
    type: 'picklist',
    picklist: REJECTION_REASONS,
    restricted: true,
    custom: true,
  },
  { name: 'Rejection_Comment__c', type: 'textarea', length: 1_000, custom: true },
  { name: 'Handoff_SLA_Breached__c', type: 'boolean', defaultValue: false, custom: true },
  {
    name: 'Handoff_Stage__c',
    type: 'picklist',
    picklist: HANDOFF_STAGES,
    restricted: true,
    custom: true,
  },
  { name: 'Handoff_Reassignments__c', type: 'double', custom: true },
  { name: 'Handoff_Definition_Version__c', type: 'string', length: 40, custom: true },
  { name: 'Handoff_Breached_Owners__c', type: 'string', length: 255, custom: true },
  { name: 'Handoff_Breached_At__c', type: 'datetime', custom: true },
];

const LEAD: SObjectSpec = {
  name: 'Lead',
  label: 'Lead',
  keyPrefix: '00Q',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    ...audit,
    { name: 'FirstName', type: 'string', length: 40 },
    { name: 'LastName', type: 'string', length: 80, required: true },
    { name: 'Name', type: 'string', length: 121, ...SYSTEM },
    { name: 'Title', type: 'string', length: 128 },
    { name: 'Company', type: 'string', length: 255, required: true },
    { name: 'City', type: 'string', length: 40 },
    { name: 'State', type: 'string', length: 80 },
    { name: 'Country', type: 'string', length: 80 },
    { name: 'Email', type: 'email', length: 80 },
    { name: 'Phone', type: 'phone', length: 40 },
    { name: 'Website', type: 'url', length: 255 },
    { name: 'Description', type: 'textarea', length: 32_000 },
    {
      name: 'LeadSource',
      type: 'picklist',
      picklist: LEAD_SOURCES,
    },
    {
      name: 'Status',
      type: 'picklist',
      picklist: LEAD_STATUSES,
      restricted: true,
      defaultValue: 'Open - Not Contacted',
    },
    {
      name: 'Industry',
      type: 'picklist',
      picklist: INDUSTRIES,
    },
    { name: 'Rating', type: 'picklist', picklist: ['Hot', 'Warm', 'Cold'] },
    { name: 'AnnualRevenue', type: 'currency' },
    { name: 'NumberOfEmployees', type: 'int' },
    {
      name: 'OwnerId',
      type: 'reference',
      referenceTo: ['Group', 'User'],
      relationshipName: 'Owner',
    },
    { name: 'IsConverted', type: 'boolean', defaultValue: false, ...SYSTEM },
    { name: 'ConvertedDate', type: 'date', ...SYSTEM },
    {
      name: 'ConvertedAccountId',
      type: 'reference',
      referenceTo: ['Account'],
      relationshipName: 'ConvertedAccount',
      ...SYSTEM,
    },
    {
      name: 'ConvertedContactId',
      type: 'reference',
      referenceTo: ['Contact'],
      relationshipName: 'ConvertedContact',
      ...SYSTEM,
    },
    {
      name: 'ConvertedOpportunityId',
      type: 'reference',
      referenceTo: ['Opportunity'],
      relationshipName: 'ConvertedOpportunity',
      ...SYSTEM,
    },
    { name: 'IsUnreadByOwner', type: 'boolean', defaultValue: true },
    { name: 'LastActivityDate', type: 'date', ...SYSTEM },
  ],
  childRelationships: [
    { relationshipName: 'Tasks', childSObject: 'Task', field: 'WhoId' },
    { relationshipName: 'Events', childSObject: 'Event', field: 'WhoId' },
  ],
};

const CONTACT: SObjectSpec = {
  name: 'Contact',
  label: 'Contact',
  keyPrefix: '003',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    ...audit,
    { name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' },
    { name: 'FirstName', type: 'string', length: 40 },
    { name: 'LastName', type: 'string', length: 80, required: true },
    { name: 'Name', type: 'string', length: 121, ...SYSTEM },
    { name: 'Title', type: 'string', length: 128 },
    { name: 'Email', type: 'email', length: 80 },
    { name: 'Phone', type: 'phone', length: 40 },
    {
      name: 'LeadSource',
      type: 'picklist',
      picklist: LEAD_SOURCES,
    },
    { name: 'OwnerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner' },
    {
      name: 'HubSpot_Contact_Id__c',
      type: 'string',
      length: 40,
      custom: true,
      externalId: true,
      unique: true,
    },
  ],
};

const ACCOUNT: SObjectSpec = {
  name: 'Account',
  label: 'Account',
  keyPrefix: '001',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    ...audit,
    { name: 'Name', type: 'string', length: 255, required: true },
    { name: 'Website', type: 'url', length: 255 },
    {
      name: 'Industry',
      type: 'picklist',
      picklist: INDUSTRIES,
    },
    { name: 'NumberOfEmployees', type: 'int' },
    { name: 'BillingCountry', type: 'string', length: 80 },
    { name: 'OwnerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner' },
  ],
};

const USER: SObjectSpec = {
  name: 'User',
  label: 'User',
  keyPrefix: '005',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    { name: 'CreatedDate', type: 'datetime', ...SYSTEM },
    { name: 'LastModifiedDate', type: 'datetime', ...SYSTEM },
    { name: 'SystemModstamp', type: 'datetime', ...SYSTEM },
    { name: 'Username', type: 'string', length: 80, required: true },
    { name: 'FirstName', type: 'string', length: 40 },
    { name: 'LastName', type: 'string', length: 80, required: true },
    { name: 'Name', type: 'string', length: 121, ...SYSTEM },
    { name: 'Email', type: 'email', length: 128, required: true },
    { name: 'IsActive', type: 'boolean', defaultValue: true },
    { name: 'TimeZoneSidKey', type: 'picklist', picklist: [], defaultValue: 'America/New_York' },
    { name: 'ManagerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Manager' },
    {
      name: 'UserType',
      type: 'picklist',
      picklist: ['Standard'],
      defaultValue: 'Standard',
      ...SYSTEM,
    },
    { name: 'Title', type: 'string', length: 80 },
  ],
};

const GROUP: SObjectSpec = {
  name: 'Group',
  label: 'Group',
  keyPrefix: '00G',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    { name: 'CreatedDate', type: 'datetime', ...SYSTEM },
    { name: 'LastModifiedDate', type: 'datetime', ...SYSTEM },
    { name: 'SystemModstamp', type: 'datetime', ...SYSTEM },
    { name: 'Name', type: 'string', length: 40, required: true },
    { name: 'DeveloperName', type: 'string', length: 80 },
    {
      name: 'Type',
      type: 'picklist',
      picklist: ['Queue', 'Regular'],
      restricted: true,
      required: true,
    },
    { name: 'Email', type: 'email', length: 255 },
  ],
};

/**
 * Which objects a queue may own (Setup → Queues → Supported Objects), one row per queue and object
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_queuesobject.htm):
 * create, delete and query, no update. The key prefix `03g` is unverified.
 */
const QUEUE_SOBJECT: SObjectSpec = {
  name: 'QueueSobject',
  label: 'Queue Sobject',
  keyPrefix: '03g',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    {
      name: 'CreatedById',
      type: 'reference',
      referenceTo: ['User'],
      relationshipName: 'CreatedBy',
      ...SYSTEM,
    },
    { name: 'SystemModstamp', type: 'datetime', ...SYSTEM },
    {
      name: 'QueueId',
      type: 'reference',
      referenceTo: ['Group'],
      relationshipName: 'Queue',
      required: true,
      updateable: false,
    },
    {
      name: 'SobjectType',
      type: 'picklist',
      // The standard objects the Metadata API's Queue lists (custom objects aside).
      picklist: ['Case', 'Lead', 'ServiceContract'],
      restricted: true,
      required: true,
      updateable: false,
    },
  ],
};

const activityFields: readonly FieldSpec[] = [
  { name: 'Id', type: 'id', ...SYSTEM },
  ...audit,
  { name: 'WhoId', type: 'reference', referenceTo: ['Contact', 'Lead'], relationshipName: 'Who' },
  { name: 'WhatId', type: 'reference', referenceTo: ['Account'], relationshipName: 'What' },
  { name: 'OwnerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner' },
  { name: 'Subject', type: 'combobox', length: 255 },
  { name: 'Description', type: 'textarea', length: 32_000 },
];

const TASK: SObjectSpec = {
  name: 'Task',
  label: 'Task',
  keyPrefix: '00T',
  fields: [
    ...activityFields,
    { name: 'ActivityDate', type: 'date' },
    {
      name: 'Status',
      type: 'picklist',
      picklist: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
      restricted: true,
      defaultValue: 'Not Started',
    },
    {
      name: 'Priority',
      type: 'picklist',
      picklist: ['High', 'Normal', 'Low'],
      restricted: true,
      defaultValue: 'Normal',
    },
    { name: 'IsClosed', type: 'boolean', ...SYSTEM, defaultValue: false },
    { name: 'IsHighPriority', type: 'boolean', ...SYSTEM, defaultValue: false },
    {
      name: 'TaskSubtype',
      type: 'picklist',
      picklist: ['Task', 'Email', 'Call'],
      defaultValue: 'Task',
    },
    { name: 'CallType', type: 'picklist', picklist: ['Internal', 'Inbound', 'Outbound'] },
    { name: 'ReminderDateTime', type: 'datetime' },
    { name: 'IsReminderSet', type: 'boolean', defaultValue: false },
    { name: 'CompletedDateTime', type: 'datetime', ...SYSTEM },
  ],
};

/** Handoff's own Task field, present when the tenant is set up for Handoff. */
export const HANDOFF_TASK_FIELDS: readonly FieldSpec[] = [
  // Handoff's idempotency key: one Task per decision, upserted on this external id.
  {
    name: 'Handoff_Decision_Id__c',
    type: 'string',
    length: 80,
    custom: true,
    externalId: true,
    unique: true,
  },
];

const EVENT: SObjectSpec = {
  name: 'Event',
  label: 'Event',
  keyPrefix: '00U',
  fields: [
    ...activityFields,
    { name: 'StartDateTime', type: 'datetime' },
    { name: 'EndDateTime', type: 'datetime' },
    { name: 'ActivityDateTime', type: 'datetime' },
    { name: 'DurationInMinutes', type: 'int' },
  ],
};

/**
 * Campaign (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_campaign.htm):
 * the standard fields a marketing org fills. `Type` and `Status` carry the default values of a new
 * org's picklists; roll-ups (NumberOfLeads, NumberOfResponses, …) and the hierarchy are left out.
 */
export const CAMPAIGN_TYPES = [
  'Conference',
  'Webinar',
  'Trade Show',
  'Public Relations',
  'Partners',
  'Referral Program',
  'Advertisement',
  'Banner Ads',
  'Direct Mail',
  'Email',
  'Telemarketing',
  'Other',
] as const;

const CAMPAIGN: SObjectSpec = {
  name: 'Campaign',
  label: 'Campaign',
  keyPrefix: '701',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    ...audit,
    { name: 'Name', type: 'string', length: 80, required: true },
    { name: 'Type', type: 'picklist', picklist: CAMPAIGN_TYPES },
    {
      name: 'Status',
      type: 'picklist',
      picklist: ['Planned', 'In Progress', 'Completed', 'Aborted'],
    },
    { name: 'IsActive', type: 'boolean', defaultValue: false },
    { name: 'StartDate', type: 'date' },
    { name: 'EndDate', type: 'date' },
    { name: 'Description', type: 'textarea', length: 32_000 },
    { name: 'OwnerId', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner' },
  ],
};

/**
 * The member statuses the sandbox counts as a response. In Salesforce each campaign lists its own
 * statuses (CampaignMemberStatus, each with a HasResponded flag; new campaigns start with `Sent`
 * and `Responded`); the sandbox uses one fixed rule for every campaign instead: `Responded` and
 * `Attended` are responses, any other status (`Sent`, `Registered`, `Planned`, …) is not.
 */
export const RESPONDED_CAMPAIGN_MEMBER_STATUSES: readonly string[] = ['Responded', 'Attended'];

/**
 * CampaignMember's derived fields for a member whose Status is `status` at `at` (epoch ms):
 * HasResponded follows the status; FirstRespondedDate is the (UTC) date of the first response
 * and, once set, stays (a later non-responded status clears HasResponded only).
 */
export function campaignMemberResponse(
  status: unknown,
  firstRespondedDate: string | null,
  at: number,
): { HasResponded: boolean; FirstRespondedDate: string | null } {
  const responded =
    typeof status === 'string' && RESPONDED_CAMPAIGN_MEMBER_STATUSES.includes(status);
  return {
    HasResponded: responded,
    FirstRespondedDate:
      firstRespondedDate ?? (responded ? new Date(at).toISOString().slice(0, 10) : null),
  };
}

/**
 * CampaignMember (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_campaignmember.htm):
 * a Lead or Contact on a Campaign. CampaignId is required and, like LeadId and ContactId, fixed
 * at create. HasResponded and FirstRespondedDate are read-only, derived from Status (see
 * {@link campaignMemberResponse}). Status is a picklist whose values are, in Salesforce, the
 * campaign's own CampaignMemberStatus labels; the sandbox lists the usual ones and does not
 * restrict it.
 */
const CAMPAIGN_MEMBER: SObjectSpec = {
  name: 'CampaignMember',
  label: 'Campaign Member',
  keyPrefix: '00v',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    ...audit,
    {
      name: 'CampaignId',
      type: 'reference',
      referenceTo: ['Campaign'],
      relationshipName: 'Campaign',
      required: true,
      updateable: false,
    },
    {
      name: 'LeadId',
      type: 'reference',
      referenceTo: ['Lead'],
      relationshipName: 'Lead',
      updateable: false,
    },
    {
      name: 'ContactId',
      type: 'reference',
      referenceTo: ['Contact'],
      relationshipName: 'Contact',
      updateable: false,
    },
    {
      name: 'Status',
      type: 'picklist',
      picklist: ['Planned', 'Sent', 'Received', 'Registered', 'Responded', 'Attended'],
      defaultValue: 'Sent',
    },
    { name: 'HasResponded', type: 'boolean', ...SYSTEM, defaultValue: false },
    { name: 'FirstRespondedDate', type: 'date', ...SYSTEM },
  ],
};

/**
 * Opportunity (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm):
 * what a converted Lead may become. IsClosed and IsWon follow the stage in Salesforce (read-only
 * there); the sandbox stores them as given, for tests that seed outcomes.
 */
const OPPORTUNITY: SObjectSpec = {
  name: 'Opportunity',
  label: 'Opportunity',
  keyPrefix: '006',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    ...audit,
    { name: 'Name', type: 'string', length: 120, required: true },
    {
      name: 'StageName',
      type: 'picklist',
      picklist: ['Prospecting', 'Qualification', 'Proposal', 'Closed Won', 'Closed Lost'],
      required: true,
    },
    { name: 'CloseDate', type: 'date', required: true },
    { name: 'IsClosed', type: 'boolean', defaultValue: false, ...SYSTEM },
    { name: 'IsWon', type: 'boolean', defaultValue: false, ...SYSTEM },
    { name: 'Amount', type: 'currency' },
    { name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' },
  ],
};

/**
 * OutOfOffice (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_outofoffice.htm,
 * API 41.0+): a user's out-of-office period, which Chatter shows. StartDate and EndDate are
 * filterable date-times; IsEnabled is create-and-default only and, unusually, not filterable, so
 * a query must read it and filter itself.
 */
const OUT_OF_OFFICE: SObjectSpec = {
  name: 'OutOfOffice',
  label: 'Out of Office',
  keyPrefix: '0Ou',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    ...audit,
    {
      name: 'UserId',
      type: 'reference',
      referenceTo: ['User'],
      relationshipName: 'User',
      required: true,
      updateable: false,
    },
    { name: 'StartDate', type: 'datetime', required: true },
    { name: 'EndDate', type: 'datetime', required: true },
    {
      name: 'IsEnabled',
      type: 'boolean',
      defaultValue: true,
      updateable: false,
      filterable: false,
    },
    { name: 'Message', type: 'string', length: 40 },
  ],
};

/**
 * The permission objects (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm,
 * …_permissionset.htm, …_objectpermissions.htm, …_permissionsetassignment.htm). `Field` and
 * `SobjectType` are restricted picklists whose values are the org's objects and permissionable
 * fields; the store checks them against the live catalog rather than a fixed list.
 */
const PERMISSION_SET: SObjectSpec = {
  name: 'PermissionSet',
  label: 'Permission Set',
  keyPrefix: '0PS',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    ...audit,
    { name: 'Name', type: 'string', length: 80, required: true },
    { name: 'Label', type: 'string', length: 80, required: true },
    { name: 'Description', type: 'textarea', length: 255 },
    { name: 'IsOwnedByProfile', type: 'boolean', defaultValue: false, ...SYSTEM },
    { name: 'IsCustom', type: 'boolean', defaultValue: true, ...SYSTEM },
    { name: 'NamespacePrefix', type: 'string', length: 15, ...SYSTEM },
  ],
};

const FIELD_PERMISSIONS: SObjectSpec = {
  name: 'FieldPermissions',
  label: 'Field Permissions',
  keyPrefix: '01k',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    ...audit,
    {
      name: 'ParentId',
      type: 'reference',
      referenceTo: ['PermissionSet'],
      relationshipName: 'Parent',
      required: true,
      updateable: false,
    },
    { name: 'SobjectType', type: 'picklist', required: true, updateable: false },
    { name: 'Field', type: 'picklist', required: true, updateable: false },
    { name: 'PermissionsRead', type: 'boolean', defaultValue: false },
    { name: 'PermissionsEdit', type: 'boolean', defaultValue: false },
  ],
};

const OBJECT_PERMISSIONS: SObjectSpec = {
  name: 'ObjectPermissions',
  label: 'Object Permissions',
  keyPrefix: '110',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    ...audit,
    {
      name: 'ParentId',
      type: 'reference',
      referenceTo: ['PermissionSet'],
      relationshipName: 'Parent',
      required: true,
      updateable: false,
    },
    { name: 'SobjectType', type: 'picklist', required: true, updateable: false },
    { name: 'PermissionsRead', type: 'boolean', defaultValue: false },
    { name: 'PermissionsCreate', type: 'boolean', defaultValue: false },
    { name: 'PermissionsEdit', type: 'boolean', defaultValue: false },
    { name: 'PermissionsDelete', type: 'boolean', defaultValue: false },
    { name: 'PermissionsViewAllRecords', type: 'boolean', defaultValue: false },
    { name: 'PermissionsModifyAllRecords', type: 'boolean', defaultValue: false },
  ],
};

const PERMISSION_SET_ASSIGNMENT: SObjectSpec = {
  name: 'PermissionSetAssignment',
  label: 'Permission Set Assignment',
  keyPrefix: '0Pa',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    { name: 'IsDeleted', type: 'boolean', ...SYSTEM, defaultValue: false },
    { name: 'SystemModstamp', type: 'datetime', ...SYSTEM },
    {
      name: 'AssigneeId',
      type: 'reference',
      referenceTo: ['User'],
      relationshipName: 'Assignee',
      required: true,
      updateable: false,
    },
    {
      name: 'PermissionSetId',
      type: 'reference',
      referenceTo: ['PermissionSet'],
      relationshipName: 'PermissionSet',
      required: true,
      updateable: false,
    },
  ],
};

export const PERMISSION_OBJECTS = [
  'PermissionSet',
  'FieldPermissions',
  'ObjectPermissions',
  'PermissionSetAssignment',
] as const;

export const SOBJECTS: readonly SObjectSpec[] = [
  LEAD,
  CONTACT,
  ACCOUNT,
  USER,
  GROUP,
  QUEUE_SOBJECT,
  TASK,
  EVENT,
  CAMPAIGN,
  CAMPAIGN_MEMBER,
  OPPORTUNITY,
  OUT_OF_OFFICE,
  PERMISSION_SET,
  FIELD_PERMISSIONS,
  OBJECT_PERMISSIONS,
  PERMISSION_SET_ASSIGNMENT,
];

/**
 * Whether field-level security can be granted on a field (a FieldPermissions row may name it):
 * not the id, not a system audit field, not a required field.
 */
export function isPermissionable(field: FieldSpec): boolean {
  if (field.type === 'id' || field.required === true) return false;
  return field.custom === true || field.createable !== false || field.updateable !== false;
}

/** Field lookups are case-insensitive in SOQL and REST; this index maps lower case to the spec. */
export class SObjectCatalog {
  private readonly objects = new Map<
    string,
    { spec: SObjectSpec; fields: Map<string, FieldSpec> }
  >();

  constructor(options: { handoffFields: boolean; objects?: readonly SObjectSpec[] }) {
    for (const spec of options.objects ?? SOBJECTS) {
      const own =
        spec.name === 'Lead'
          ? HANDOFF_LEAD_FIELDS
          : spec.name === 'Task'
            ? HANDOFF_TASK_FIELDS
            : [];
      const extended =
        options.handoffFields && own.length > 0
          ? { ...spec, fields: [...spec.fields, ...own] }
          : spec;
      this.set(extended);
    }
  }

  private set(spec: SObjectSpec): void {
    this.objects.set(spec.name.toLowerCase(), {
      spec,
      fields: new Map(spec.fields.map((field) => [field.name.toLowerCase(), field])),
    });
  }

  /** Adds a field to an object, or replaces the field of the same name (Tooling API writes). */
  putField(object: string, field: FieldSpec): void {
    const entry = this.objects.get(object.toLowerCase());
    if (entry === undefined) throw new Error(`unknown sObject ${object}`);
    const wanted = field.name.toLowerCase();
    const exists = entry.spec.fields.some((candidate) => candidate.name.toLowerCase() === wanted);
    this.set({
      ...entry.spec,
      fields: exists
        ? entry.spec.fields.map((candidate) =>
            candidate.name.toLowerCase() === wanted ? field : candidate,
          )
        : [...entry.spec.fields, field],
    });
  }

  object(name: string): SObjectSpec | undefined {
    return this.objects.get(name.toLowerCase())?.spec;
  }

  field(object: string, name: string): FieldSpec | undefined {
    return this.objects.get(object.toLowerCase())?.fields.get(name.toLowerCase());
  }

  /** The field behind a relationship name (`Owner` → `OwnerId`). */
  relationship(object: string, relationshipName: string): FieldSpec | undefined {
    const entry = this.objects.get(object.toLowerCase());
    if (entry === undefined) return undefined;
    const wanted = relationshipName.toLowerCase();
    return entry.spec.fields.find((field) => field.relationshipName?.toLowerCase() === wanted);
  }

  /** The child relationship a subquery names (`Tasks`), matched case-insensitively. */
  childRelationship(object: string, relationshipName: string): ChildRelationship | undefined {
    const wanted = relationshipName.toLowerCase();
    return this.object(object)?.childRelationships?.find(
      (relationship) => relationship.relationshipName.toLowerCase() === wanted,
    );
  }

  /** The object an id belongs to, by key prefix. */
  objectForId(id: string): SObjectSpec | undefined {
    const prefix = id.slice(0, 3);
    return [...this.objects.values()].find((entry) => entry.spec.keyPrefix === prefix)?.spec;
  }

  all(): readonly SObjectSpec[] {
    return [...this.objects.values()].map((entry) => entry.spec);
  }
}
