import { HUBSPOT_OWNED_PROPERTIES } from '../../domain/definition.js';
import { HUBSPOT_PROPERTY_CATALOGUE } from '../../domain/installation/owned-fields.js';
import { seededRandom, type SeededRandom } from '../core/seeded-random.js';
import type { HubSpotObjectType, HubSpotStore } from '../hubspot/hubspot-store.js';
import type { SalesforceStore, SfRecord } from '../salesforce/salesforce-store.js';
import { campaignMemberResponse } from '../salesforce/sobject-schema.js';

/** The example definition's reps (config/handoff.example.yaml) exist in every seeded org. */
export const SEEDED_USERS = [
  {
    id: '0055e000001AAAAAA1',
    first: 'Amelia',
    last: 'Hughes',
    zone: 'Europe/London',
    active: true,
  },
  { id: '0055e000001AAAAAA2', first: 'Jonas', last: 'Becker', zone: 'Europe/Berlin', active: true },
  {
    id: '0055e000001AAAAAA3',
    first: 'Maya',
    last: 'Patel',
    zone: 'America/New_York',
    active: true,
  },
  {
    id: '0055e000001AAAAAA4',
    first: 'Diego',
    last: 'Ramírez',
    zone: 'America/Los_Angeles',
    active: true,
  },
  { id: '0055e000001AAAAAA5', first: 'Grace', last: 'Kim', zone: 'America/New_York', active: true },
  { id: '0055e000001AAAAAA6', first: 'Owen', last: 'Walsh', zone: 'America/Chicago', active: true },
  {
    id: '0055e000001AAAAAA7',
    first: 'Lena',
    last: 'Schröder',
    zone: 'Europe/Berlin',
    active: true,
  },
  {
    id: '0055e000001AAAAAA8',
    first: 'Sanne',
    last: 'de Vries',
    zone: 'Europe/Amsterdam',
    active: true,
  },
  {
    id: '0055e000001AAAAAA9',
    first: 'Tom',
    last: 'Fischer',
    zone: 'America/Denver',
    active: false,
  },
  { id: '0055e000001BBBBBB1', first: 'Priya', last: 'Nair', zone: 'Asia/Kolkata', active: true },
  { id: '0055e000001BBBBBB2', first: 'Chloé', last: 'Martin', zone: 'Europe/Paris', active: false },
  {
    id: '0055e000001MANAGER',
    first: 'Rosa',
    last: 'Delgado',
    zone: 'America/New_York',
    active: true,
  },
] as const;

export const INTEGRATION_USER_ID = '0055e000000INTEG0';
export const LEAD_QUEUE_ID = '00G5e000000QUEUE01';
export const NURTURE_QUEUE_ID = '00G5e000000NURTURE';
/** The QueueSobject rows that let both queues own Leads (Supported Objects: Lead). */
export const LEAD_QUEUE_SOBJECT_IDS = {
  [LEAD_QUEUE_ID]: '03g5e000000QSLEAD1',
  [NURTURE_QUEUE_ID]: '03g5e000000QSLEAD2',
} as const;
/** Nurture lists of the example definition (feedback.reasons.*.nurture_list). */
export const NURTURE_LIST_IDS = ['100', '101', '102', '103', '104', '105', '106'] as const;

/**
 * Leads born in Salesforce (web-to-lead, a list import, a webinar sync): no HubSpot contact has
 * their email or points at them, none carries `HubSpot_Contact_Id__c` or a Handoff field, all are
 * open (`Open - Not Contacted`) and unconverted. Every seeded org has them, whatever the seed and
 * contact count, with these fixed ids (off the record counter, so other seeded ids stay what they
 * were). `fitPoints` is the fit score under config/handoff.example.yaml's rules, worked out by
 * hand below each lead in `seedSalesforceBornLeads`:
 * - `fit`: qualifies on fit alone (88, tier A), no activity;
 * - `activity`: fit 45, plus a completed call Task (`taskId`) two days and a meeting Event
 *   (`eventId`) about a day before `now`, both owned by a rep (`call: 8` + `meeting: 30`, decayed,
 *   clear 60);
 * - `campaign`: fit 55, plus an `Attended` (responded) member of the Webinar campaign
 *   (`respondedMemberId`, responded 36 hours before `now`) and a `Sent` (not responded) member of
 *   the Email campaign (`campaign_response` counts the first only: 15 or 30, decayed, clears 60);
 * - `freemail`: fit 73 but a gmail.com address: fails the `business-email` gate.
 */
export const SALESFORCE_BORN_LEADS = {
  fit: { id: '00Q5e000000SFBORN1', email: 'dana.whitaker@larkspurcloud.com', fitPoints: 88 },
  activity: {
    id: '00Q5e000000SFBORN2',
    email: 'marc-andre.tremblay@borealoutdoor.ca',
    fitPoints: 45,
    taskId: '00T5e000000SFBTSK1',
    eventId: '00U5e000000SFBEVT1',
  },
  campaign: {
    id: '00Q5e000000SFBORN3',
    email: 'katrin.vogel@feldmann-medizintechnik.de',
    fitPoints: 55,
    respondedMemberId: '00v5e0000000CMBR01',
    sentMemberId: '00v5e0000000CMBR02',
  },
  freemail: { id: '00Q5e000000SFBORN4', email: 'marcus.whitfield.wcp@gmail.com', fitPoints: 73 },
} as const;

/**
 * The seeded Campaigns: the Webinar the `campaign` Lead attended, and an Email campaign whose
 * members (that Lead and the first unconverted ordinary Lead, `ordinaryMemberId`) were sent it and
 * did not respond.
 */
export const SEEDED_CAMPAIGNS = {
  webinar: {
    id: '7015e0000000WEBNR1',
    name: 'Modern Finance Analytics – Live Webinar',
    type: 'Webinar',
  },
  newsletter: {
    id: '7015e0000000EMAIL1',
    name: 'November Product Newsletter',
    type: 'Email',
    ordinaryMemberId: '00v5e0000000CMBR03',
  },
} as const;

export interface SeedOptions {
  readonly seed: number;
  /** HubSpot contacts; Salesforce gets about half as many Leads. */
  readonly contacts: number;
  /** Instant the tenant's history ends at (records are dated before it). */
  readonly now: number;
  /** Create Handoff's fields, properties and lists, as `handoff setup --apply` would (default true). */
  readonly handoffSetup?: boolean;
}

export interface SeedSummary {
  readonly users: number;
  readonly queues: number;
  readonly accounts: number;
  readonly contacts: number;
  readonly engagements: number;
  /** Every seeded Lead: one per other contact, plus the `salesforceBornLeads`. */
  readonly leads: number;
  readonly convertedLeads: number;
  readonly matchedLeads: number;
  /** Leads no HubSpot contact knows ({@link SALESFORCE_BORN_LEADS}), counted in `leads` too. */
  readonly salesforceBornLeads: number;
  /** Every seeded Task (the `Working - Contacted` Leads' calls and the `activity` Lead's). */
  readonly tasks: number;
  readonly events: number;
  readonly campaigns: number;
  readonly campaignMembers: number;
}

const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Zoë',
  'José',
  'Jürgen',
  'Søren',
  'Łukasz',
  'Aiko',
  'Nguyễn',
  'Fatima',
  'Chen',
  'Björk',
  'Ana',
  'Mateo',
  'Ingrid',
  'Ravi',
  'Chloé',
  'Omar',
  'Hannah',
  'Yuki',
  'Siobhán',
  'Kwame',
];
const LAST_NAMES = [
  'Smith',
  'Müller',
  'García',
  'Rossi',
  'Dubois',
  'Nowak',
  'Johansson',
  'Tanaka',
  'O’Brien',
  'Kowalski',
  'Silva',
  'Novák',
  'Andersen',
  'Van Dijk',
  'Ivanova',
  'Zhang',
  'Okafor',
  'Papadopoulos',
  'Hernández',
  'Yılmaz',
  'Lee',
  'Brown',
  'Wilson',
  'Taylor',
];
const COMPANY_ROOTS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Wonka',
  'Cyberdyne',
  'Soylent',
  'Tyrell',
  'Massive',
  'Aperture',
  'Black Mesa',
  'Oscorp',
  'Gringotts',
  'Monarch',
  'Pied Piper',
  'Prestige',
];
const COMPANY_SUFFIXES = [
  'Analytics',
  'Systems',
  'Labs',
  'Group',
  'Software',
  'Health',
  'Retail',
  'Capital',
  'Logistics',
  'Media',
];
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com'];
const TITLES = [
  'CEO',
  'CTO',
  'VP Data & Analytics',
  'VP Marketing',
  'Director of BI',
  'Head of Revenue Operations',
  'Marketing Manager',
  'Data Analyst',
  'Software Engineer',
  'Intern',
  'Student',
  'Operations Manager',
  'Chief Data Officer',
];
const COUNTRIES = ['US', 'US', 'US', 'CA', 'GB', 'DE', 'FR', 'NL', 'IN', 'BR', 'AU', 'IE'];
const INDUSTRIES = [
  'Software',
  'Financial Services',
  'Retail',
  'Healthcare',
  'Education',
  'Manufacturing',
];
const SOURCES = [
  'ORGANIC_SEARCH',
  'PAID_SEARCH',
  'SOCIAL_MEDIA',
  'EMAIL_MARKETING',
  'REFERRALS',
  'DIRECT_TRAFFIC',
  'OFFLINE',
];
const CONVERSIONS = [
  'Demo request',
  'Pricing page',
  'Webinar attended',
  'Content download',
  'Form submission',
  'Newsletter signup',
];
const DAY_MS = 86_400_000;

interface Company {
  readonly name: string;
  readonly domain: string;
  readonly accountId: string | null;
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-');
}

function companies(random: SeededRandom, count: number): { name: string; domain: string }[] {
  return Array.from({ length: count }, (_, index) => {
    const root = COMPANY_ROOTS[index % COMPANY_ROOTS.length] ?? 'Acme';
    const suffix =
      COMPANY_SUFFIXES[Math.floor(index / COMPANY_ROOTS.length) % COMPANY_SUFFIXES.length] ??
      'Group';
    const generation = Math.floor(index / (COMPANY_ROOTS.length * COMPANY_SUFFIXES.length));
    const name = `${root} ${suffix}${generation > 0 ? ` ${generation + 1}` : ''}`;
    const tld = random.pick(['com', 'com', 'io', 'co.uk', 'de']);
    return { name, domain: `${slug(name).replace(/-/g, '')}.${tld}` };
  });
}

function seedUsersAndQueues(salesforce: SalesforceStore, hubspot: HubSpotStore, at: number): void {
  salesforce.insertRaw(
    'User',
    {
      Username: 'integration@handoff.sandbox',
      FirstName: 'Handoff',
      LastName: 'Integration',
      Email: 'integration@handoff.sandbox',
      IsActive: true,
      TimeZoneSidKey: 'UTC',
      CreatedDate: at,
    },
    INTEGRATION_USER_ID,
  );
  for (const user of SEEDED_USERS) {
    const email = `${slug(user.first)}.${slug(user.last)}@sandbox-sales.example`;
    salesforce.insertRaw(
      'User',
      {
        Username: email,
        FirstName: user.first,
        LastName: user.last,
        Email: email,
        IsActive: user.active,
        TimeZoneSidKey: user.zone,
        ManagerId: user.id === '0055e000001MANAGER' ? null : '0055e000001MANAGER',
        Title: user.id === '0055e000001MANAGER' ? 'Sales Director' : 'Account Executive',
        CreatedDate: at,
      },
      user.id,
    );
    hubspot.addOwner({
      id: String(70_000_000 + hubspot.owners.length + 1),
      email,
      firstName: user.first,
      lastName: user.last,
      userId: 9_000_000 + hubspot.owners.length + 1,
      archived: !user.active,
    });
  }
  salesforce.insertRaw(
    'Group',
    {
      Name: 'Inbound Lead Queue',
      DeveloperName: 'Inbound_Lead_Queue',
      Type: 'Queue',
      CreatedDate: at,
    },
    LEAD_QUEUE_ID,
  );
  salesforce.insertRaw(
    'Group',
    {
      Name: 'Marketing Nurture',
      DeveloperName: 'Marketing_Nurture',
      Type: 'Queue',
      CreatedDate: at,
    },
    NURTURE_QUEUE_ID,
  );
  // Fixed ids, off the record counter, so every other seeded id stays what it was.
  for (const [queueId, id] of Object.entries(LEAD_QUEUE_SOBJECT_IDS))
    salesforce.insertRaw(
      'QueueSobject',
      { QueueId: queueId, SobjectType: 'Lead', CreatedDate: at },
      id,
    );
}

function seedHandoffSetup(hubspot: HubSpotStore): void {
  hubspot.groups.contacts.set('handoff', {
    name: 'handoff',
    label: 'Lead handoff',
    displayOrder: -1,
    archived: false,
  });
  const property = (
    name: string,
    type: 'string' | 'number' | 'datetime' | 'enumeration',
    options: readonly string[] = [],
  ): void => {
    hubspot.addProperty('contacts', {
      name,
      label: name.replace(/_/g, ' '),
      type,
      fieldType:
        type === 'enumeration'
          ? 'select'
          : type === 'number'
            ? 'number'
            : type === 'datetime'
              ? 'date'
              : 'text',
      groupName: 'handoff',
      description: 'Maintained by Handoff',
      options: options.map((value, index) => ({
        label: value,
        value,
        displayOrder: index,
        hidden: false,
      })),
      hasUniqueValue: false,
    });
  };
  // What `handoff doctor` checks a portal against, so the ready-made one passes.
  for (const spec of HUBSPOT_PROPERTY_CATALOGUE)
    property(HUBSPOT_OWNED_PROPERTIES[spec.key], spec.type, spec.options ?? []);
  const reasons = [
    'Unspecified',
    'No budget',
    'Bad timing',
    'Not decision maker',
    'Too small',
    'Using competitor',
    'Bad contact data',
  ];
  NURTURE_LIST_IDS.forEach((listId, index) => {
    hubspot.createList(`Nurture – ${reasons[index] ?? listId}`, '0-1', 'MANUAL', listId);
  });
}

const ENGAGEMENT_TYPES: readonly Exclude<HubSpotObjectType, 'contacts'>[] = [
  'calls',
  'emails',
  'meetings',
  'notes',
];

function engagementProperties(
  type: Exclude<HubSpotObjectType, 'contacts'>,
  random: SeededRandom,
  at: number,
  ownerId: string,
): Record<string, string> {
  const base = { hubspot_owner_id: ownerId };
  switch (type) {
    case 'calls':
      return {
        ...base,
        hs_call_title: 'Discovery call',
        hs_call_direction: random.pick(['INBOUND', 'OUTBOUND']),
        hs_call_status: 'COMPLETED',
        hs_call_duration: String(random.int(60, 1800) * 1000),
      };
    case 'emails':
      return {
        ...base,
        hs_email_subject: random.pick(['Re: pricing', 'Demo follow-up', 'Webinar recording']),
        hs_email_direction: random.pick(['EMAIL', 'INCOMING_EMAIL']),
        hs_email_status: 'SENT',
      };
    case 'meetings':
      return {
        ...base,
        hs_meeting_title: 'Product demo',
        hs_meeting_start_time: new Date(at).toISOString(),
        hs_meeting_end_time: new Date(at + 1_800_000).toISOString(),
        hs_meeting_outcome: random.pick(['COMPLETED', 'SCHEDULED', 'NO_SHOW']),
      };
    default:
      return {
        ...base,
        hs_note_body: random.pick([
          'Asked about SSO',
          'Visited pricing twice',
          'Budget planned for Q2',
        ]),
      };
  }
}

const HOUR_MS = 3_600_000;

function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The {@link SALESFORCE_BORN_LEADS}, their Task and Event, and the {@link SEEDED_CAMPAIGNS} with
 * their members; `ordinaryLeadId` (an unconverted contact Lead, if any) also gets the Email
 * campaign. Uses no randomness, so the rest of the seed is what it was. Fit points are those of
 * config/handoff.example.yaml (its `qualification.fit` rules; every gate but the freemail
 * Lead's `business-email` holds).
 */
function seedSalesforceBornLeads(
  salesforce: SalesforceStore,
  now: number,
  ordinaryLeadId: string | null,
): { leads: number; tasks: number; events: number; campaigns: number; campaignMembers: number } {
  const rep = '0055e000001AAAAAA3'; // Maya Patel, an active na-inbound rep
  const lead = (id: string, createdAt: number, fields: SfRecord): void => {
    salesforce.insertRaw(
      'Lead',
      {
        Status: 'Open - Not Contacted',
        CreatedDate: createdAt,
        LastModifiedDate: createdAt,
        SystemModstamp: createdAt,
        ...fields,
      },
      id,
    );
  };
  const { fit, activity, campaign, freemail } = SALESFORCE_BORN_LEADS;

  // Web-to-lead, three hours ago; the assignment rule gave it to the queue. Fit: executive-title
  // (Chief) 25 + data-function (Data) 10 + enterprise (5,000) 25 + core-country (US) 10 +
  // target-industry (Software) 10 + revenue-over-50m 5 + has-phone 3 = 88 (tier A).
  lead(fit.id, now - 3 * HOUR_MS, {
    FirstName: 'Dana',
    LastName: 'Whitaker',
    Title: 'Chief Data Officer',
    Company: 'Larkspur Cloud, Inc.',
    Email: fit.email,
    Phone: '+1 512 555 0143',
    Website: 'https://www.larkspurcloud.com',
    City: 'Austin',
    State: 'TX',
    Country: 'US',
    Industry: 'Software',
    NumberOfEmployees: 5_000,
    AnnualRevenue: 420_000_000,
    LeadSource: 'Web',
    OwnerId: LEAD_QUEUE_ID,
  });

  // A trade-show list imported by the integration user three days ago (no assignment rule on
  // imports: the importer owns it). Fit: senior-title (Director) 20 + mid-market (300) 15 +
  // core-country (CA) 10 = 45; Manufacturing, no phone, no revenue. A rep then called (two days
  // ago) and met them (yesterday): call 8 + meeting 30, decayed, lift it past 60.
  const callAt = now - 2 * 24 * HOUR_MS;
  const meetingAt = now - 26 * HOUR_MS;
  lead(activity.id, now - 3 * 24 * HOUR_MS, {
    FirstName: 'Marc-André',
    LastName: 'Tremblay',
    Title: 'Director of Finance',
    Company: 'Boréal Outdoor Supply Co.',
    Email: activity.email,
    City: 'Montréal',
    State: 'QC',
    Country: 'CA',
    Industry: 'Manufacturing',
    NumberOfEmployees: 300,
    LeadSource: 'Trade Show',
    OwnerId: INTEGRATION_USER_ID,
    LastActivityDate: dateOf(meetingAt),
  });
  const byRep = { OwnerId: rep, CreatedById: rep, LastModifiedById: rep };
  salesforce.insertRaw(
    'Task',
    {
      ...byRep,
      WhoId: activity.id,
      Subject: 'Call',
      Description: 'Intro call after the trade show; booked a demo for the finance team.',
      Status: 'Completed',
      Priority: 'Normal',
      TaskSubtype: 'Call',
      CallType: 'Outbound',
      ActivityDate: dateOf(callAt),
      CompletedDateTime: callAt,
      CreatedDate: callAt,
    },
    activity.taskId,
  );
  salesforce.insertRaw(
    'Event',
    {
      ...byRep,
      WhoId: activity.id,
      Subject: 'Meeting',
      Description: 'Demo for the finance team',
      StartDateTime: meetingAt,
      EndDateTime: meetingAt + HOUR_MS / 2,
      ActivityDateTime: meetingAt,
      DurationInMinutes: 30,
      CreatedDate: callAt + 10 * 60_000,
    },
    activity.eventId,
  );

  // Registered for the webinar four days ago (the webinar platform's sync created the Lead, the
  // assignment rule queued it) and attended it 36 hours ago. Fit: senior-title (VP) 20 +
  // mid-market (450) 15 + core-country (DE) 10 + target-industry (Healthcare) 10 = 55; no
  // phone, no revenue. The response (campaign_response 15 or 30, decayed) lifts it past 60.
  const registeredAt = now - 4 * 24 * HOUR_MS;
  const webinarAt = now - 36 * HOUR_MS;
  lead(campaign.id, registeredAt, {
    FirstName: 'Katrin',
    LastName: 'Vogel',
    Title: 'VP Marketing',
    Company: 'Feldmann Medizintechnik GmbH',
    Email: campaign.email,
    City: 'Hamburg',
    Country: 'DE',
    Industry: 'Healthcare',
    NumberOfEmployees: 450,
    LeadSource: 'Webinar',
    OwnerId: LEAD_QUEUE_ID,
  });

  // Web-to-lead from a personal address, five hours ago. Fit: executive-title (CTO) 25 +
  // enterprise (2,500) 25 + core-country (US) 10 + target-industry (Financial Services) 10 +
  // has-phone 3 = 73, but the business-email gate fails on gmail.com.
  lead(freemail.id, now - 5 * HOUR_MS, {
    FirstName: 'Marcus',
    LastName: 'Whitfield',
    Title: 'CTO',
    Company: 'Whitfield Capital Partners',
    Email: freemail.email,
    Phone: '+1 212 555 0178',
    City: 'New York',
    State: 'NY',
    Country: 'US',
    Industry: 'Financial Services',
    NumberOfEmployees: 2_500,
    LeadSource: 'Web',
    OwnerId: LEAD_QUEUE_ID,
  });

  const { webinar, newsletter } = SEEDED_CAMPAIGNS;
  salesforce.insertRaw(
    'Campaign',
    {
      Name: webinar.name,
      Type: webinar.type,
      Status: 'Completed',
      IsActive: true,
      StartDate: dateOf(webinarAt),
      EndDate: dateOf(webinarAt),
      OwnerId: INTEGRATION_USER_ID,
      CreatedDate: now - 30 * 24 * HOUR_MS,
    },
    webinar.id,
  );
  const sentAt = now - 3 * 24 * HOUR_MS;
  salesforce.insertRaw(
    'Campaign',
    {
      Name: newsletter.name,
      Type: newsletter.type,
      Status: 'Completed',
      IsActive: true,
      StartDate: dateOf(sentAt),
      EndDate: dateOf(sentAt),
      OwnerId: INTEGRATION_USER_ID,
      CreatedDate: now - 7 * 24 * HOUR_MS,
    },
    newsletter.id,
  );
  const member = (
    id: string,
    campaignId: string,
    leadId: string,
    createdAt: number,
    status: string,
    changedAt: number,
  ): void => {
    salesforce.insertRaw(
      'CampaignMember',
      {
        CampaignId: campaignId,
        LeadId: leadId,
        Status: status,
        ...campaignMemberResponse(status, null, changedAt),
        CreatedDate: createdAt,
        LastModifiedDate: changedAt,
        SystemModstamp: changedAt,
      },
      id,
    );
  };
  // Registered with the Lead; marked Attended (a response) when the webinar ran.
  member(campaign.respondedMemberId, webinar.id, campaign.id, registeredAt, 'Attended', webinarAt);
  member(campaign.sentMemberId, newsletter.id, campaign.id, sentAt, 'Sent', sentAt);
  let campaignMembers = 2;
  if (ordinaryLeadId !== null) {
    const created = Number(salesforce.get(ordinaryLeadId)?.record['CreatedDate'] ?? sentAt);
    const addedAt = Math.min(now - 60_000, Math.max(sentAt, created + 60_000));
    member(newsletter.ordinaryMemberId, newsletter.id, ordinaryLeadId, addedAt, 'Sent', addedAt);
    campaignMembers += 1;
  }
  return { leads: 4, tasks: 1, events: 1, campaigns: 2, campaignMembers };
}

/**
 * Fills a HubSpot portal and a Salesforce org consistently and deterministically from `seed`:
 * reps with time zones (two inactive), a lead queue and a nurture queue, accounts with website
 * domains, contacts with engagement histories and conversion properties, and about half as many
 * Leads — some matched to contacts (`salesforceleadid` / `HubSpot_Contact_Id__c`), some converted
 * to Contacts, some with free-mail addresses, duplicate emails, unicode names or missing fields.
 * An active Lead assignment rule sends Leads to the queue unless a write says
 * `Sforce-Auto-Assign: FALSE`.
 */
export function seedTenants(
  hubspot: HubSpotStore,
  salesforce: SalesforceStore,
  options: SeedOptions,
): SeedSummary {
  const random = seededRandom(options.seed);
  const { now } = options;
  const setupAt = now - 400 * DAY_MS;
  salesforce.integrationUserId = INTEGRATION_USER_ID;
  seedUsersAndQueues(salesforce, hubspot, setupAt);
  if (options.handoffSetup !== false) seedHandoffSetup(hubspot);
  salesforce.assignmentRule = { active: true, ownerId: LEAD_QUEUE_ID };

  const activeReps = SEEDED_USERS.filter(
    (user) => user.active && user.id !== '0055e000001MANAGER',
  ).map((user) => user.id);
  const inactiveReps = SEEDED_USERS.filter((user) => !user.active).map((user) => user.id);
  const owners = hubspot.owners.filter((owner) => !owner.archived).map((owner) => owner.id);

  const companyList = companies(random, Math.max(20, Math.ceil(options.contacts / 25)));
  const withAccounts: Company[] = companyList.map((company, index) => {
    if (index % 3 === 2) return { ...company, accountId: null };
    const owner =
      random.chance(0.08) && inactiveReps.length > 0
        ? random.pick(inactiveReps)
        : random.pick(activeReps);
    const account = salesforce.insertRaw('Account', {
      Name: company.name,
      Website: `https://www.${company.domain}`,
      Industry: random.pick(INDUSTRIES),
      NumberOfEmployees: random.int(20, 20_000),
      OwnerId: owner,
      CreatedDate: setupAt,
    });
    return { ...company, accountId: account['Id'] as string };
  });

  let engagements = 0;
  const contactIds: string[] = [];
  const contactEmails: (string | null)[] = [];
  for (let index = 0; index < options.contacts; index += 1) {
    const company = random.pick(withAccounts);
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const local = `${slug(first)}.${slug(last)}${index}`;
    const roll = random.next();
    const email =
      roll < 0.04
        ? null
        : roll < 0.16
          ? `${local}@${random.pick(FREE_MAIL)}`
          : roll < 0.19
            ? `${local}@state.edu`
            : `${local}@${company.domain}`;
    const createdAt = now - random.int(1, 365) * DAY_MS - random.int(0, DAY_MS - 1);
    // Modification times cluster on whole minutes so that many contacts share a timestamp, which
    // is what makes cursor boundaries in incremental sync interesting.
    const modifiedAt = Math.min(
      now - 60_000,
      createdAt + Math.floor((random.next() * (now - createdAt)) / 60_000) * 60_000,
    );
    const converted = random.chance(0.6);
    const optional = (p: number, value: () => string | number): [boolean, string | number] =>
      random.chance(p) ? [false, ''] : [true, value()];
    const values: Record<string, string> = {};
    const set = (name: string, [present, value]: [boolean, string | number]): void => {
      if (present) values[name] = String(value);
    };
    if (email !== null) values['email'] = email;
    values['firstname'] = first;
    set(
      'lastname',
      optional(0.03, () => last),
    );
    set(
      'company',
      optional(0.05, () => company.name),
    );
    set(
      'jobtitle',
      optional(0.1, () => random.pick(TITLES)),
    );
    set(
      'country',
      optional(0.07, () => random.pick(COUNTRIES)),
    );
    set(
      'numberofemployees',
      optional(0.15, () => random.int(1, 25_000)),
    );
    set(
      'industry',
      optional(0.2, () => random.pick(INDUSTRIES)),
    );
    set(
      'annualrevenue',
      optional(0.3, () => random.int(100_000, 900_000_000)),
    );
    values['hs_analytics_source'] = random.pick(SOURCES);
    values['lifecyclestage'] = random.pick([
      'subscriber',
      'lead',
      'lead',
      'marketingqualifiedlead',
    ]);
    set(
      'hubspot_owner_id',
      optional(0.7, () => random.pick(owners)),
    );
    values['hs_analytics_num_page_views'] = String(random.int(0, 80));
    const datetimes: Record<string, number> = {};
    if (converted) {
      // Read-only roll-ups are HubSpot's to write; the seed sets them directly.
      values['recent_conversion_event_name'] = random.pick(CONVERSIONS);
      values['num_conversion_events'] = String(random.int(1, 6));
      datetimes['recent_conversion_date'] =
        now - random.int(0, 60) * DAY_MS - random.int(0, DAY_MS - 1);
    }
    const record = hubspot.insertSeed('contacts', values, datetimes, createdAt, modifiedAt);
    contactIds.push(record.id);
    contactEmails.push(email);

    const activityCount = random.chance(0.35) ? 0 : random.int(1, 5);
    for (let activity = 0; activity < activityCount; activity += 1) {
      const type = random.pick(ENGAGEMENT_TYPES);
      const at = now - random.int(0, 90) * DAY_MS - random.int(0, DAY_MS - 1);
      const engagement = hubspot.insertSeed(
        type,
        engagementProperties(type, random, at, random.pick(owners)),
        { hs_timestamp: at },
        at,
      );
      hubspot.associate('contacts', record.id, type, engagement.id);
      engagements += 1;
    }
  }

  let leads = 0;
  let convertedLeads = 0;
  let matchedLeads = 0;
  let tasks = 0;
  let ordinaryLeadId: string | null = null;
  const leadCount = Math.max(1, Math.floor(options.contacts / 2));
  const leadStatuses = [
    'Open - Not Contacted',
    'Open - Not Contacted',
    'Open - Not Contacted',
    'Working - Contacted',
    'Unqualified',
    'Closed - Not Converted',
  ];
  for (let index = 0; index < leadCount; index += 1) {
    // Every other contact, in order, gets a Lead; a few Leads duplicate an earlier email.
    const contactIndex = index * 2;
    const contactId = contactIds[contactIndex] ?? null;
    const contact = contactId === null ? undefined : hubspot.objects.contacts.get(contactId);
    const duplicateOf =
      index > 10 && random.chance(0.03)
        ? contactEmails[(index - random.int(1, 10)) * 2]
        : undefined;
    const email = duplicateOf ?? contactEmails[contactIndex] ?? null;
    const roll = random.next();
    const owner =
      roll < 0.4
        ? LEAD_QUEUE_ID
        : roll < 0.9
          ? random.pick(activeReps)
          : roll < 0.95
            ? random.pick(inactiveReps)
            : INTEGRATION_USER_ID;
    const createdAt =
      (contact?.createdAt ?? now - random.int(1, 365) * DAY_MS) + random.int(0, DAY_MS);
    const modifiedAt = Math.min(
      now - 60_000,
      createdAt + Math.floor(random.next() * (now - createdAt)),
    );
    const status = random.pick(leadStatuses);
    const fields: SfRecord = {
      FirstName: contact?.properties['firstname'] ?? random.pick(FIRST_NAMES),
      LastName: contact?.properties['lastname'] ?? random.pick(LAST_NAMES),
      Company: contact?.properties['company'] ?? random.pick(withAccounts).name,
      Email: email,
      Title: contact?.properties['jobtitle'] ?? null,
      Country: contact?.properties['country'] ?? null,
      NumberOfEmployees:
        contact?.properties['numberofemployees'] === undefined
          ? null
          : Number(contact.properties['numberofemployees']),
      LeadSource: random.pick(['Web', 'Webinar', 'Trade Show', 'Purchased List', 'Other']),
      Status: status,
      OwnerId: owner,
      CreatedDate: createdAt,
      LastModifiedDate: modifiedAt,
      SystemModstamp: modifiedAt,
    };
    if (
      status === 'Unqualified' &&
      salesforce.catalog.field('Lead', 'Rejection_Reason__c') !== undefined
    )
      fields['Rejection_Reason__c'] = random.chance(0.8)
        ? random.pick(['No budget', 'Bad timing', 'Too small'])
        : null;
    const matched = contact !== undefined && random.chance(0.4);
    if (matched && salesforce.catalog.field('Lead', 'HubSpot_Contact_Id__c') !== undefined)
      fields['HubSpot_Contact_Id__c'] = contact.id;
    const isConverted = random.chance(0.08);
    if (isConverted) {
      const company = withAccounts.find(
        (candidate) => candidate.name === fields['Company'] && candidate.accountId !== null,
      );
      const converted = salesforce.insertRaw('Contact', {
        FirstName: fields['FirstName'] ?? null,
        LastName: fields['LastName'] ?? null,
        Email: email,
        AccountId: company?.accountId ?? null,
        OwnerId: activeReps[index % activeReps.length] ?? INTEGRATION_USER_ID,
        CreatedDate: modifiedAt,
      });
      fields['IsConverted'] = true;
      fields['Status'] = 'Closed - Converted';
      fields['ConvertedDate'] = new Date(modifiedAt).toISOString().slice(0, 10);
      fields['ConvertedContactId'] = converted['Id'] as string;
      fields['ConvertedAccountId'] = company?.accountId ?? null;
      if (contact !== undefined && matched)
        contact.properties['salesforcecontactid'] = converted['Id'] as string;
      convertedLeads += 1;
    }
    const lead = salesforce.insertRaw('Lead', fields);
    leads += 1;
    if (!isConverted) ordinaryLeadId ??= lead['Id'] as string;
    if (matched) {
      contact.properties['salesforceleadid'] = lead['Id'] as string;
      matchedLeads += 1;
    }
    if (status === 'Working - Contacted' && typeof owner === 'string' && owner.startsWith('005')) {
      const touchedAt = modifiedAt - random.int(1, 48) * 3_600_000;
      salesforce.insertRaw('Task', {
        WhoId: lead['Id'] as string,
        OwnerId: owner,
        Subject: 'Call',
        Status: 'Completed',
        Priority: 'Normal',
        TaskSubtype: 'Call',
        ActivityDate: new Date(touchedAt).toISOString().slice(0, 10),
        IsClosed: true,
        CompletedDateTime: touchedAt,
        CreatedDate: touchedAt,
      });
      tasks += 1;
    }
  }
  const born = seedSalesforceBornLeads(salesforce, now, ordinaryLeadId);
  hubspot.version += 1;
  hubspot.prepareIndexes();
  return {
    users: SEEDED_USERS.length + 1,
    queues: 2,
    accounts: withAccounts.filter((company) => company.accountId !== null).length,
    contacts: contactIds.length,
    engagements,
    leads: leads + born.leads,
    convertedLeads,
    matchedLeads,
    salesforceBornLeads: born.leads,
    tasks: tasks + born.tasks,
    events: born.events,
    campaigns: born.campaigns,
    campaignMembers: born.campaignMembers,
  };
}
