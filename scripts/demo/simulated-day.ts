import type { RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import type { SeededRandom as Random } from '../../src/sandbox/core/seeded-random.js';

/**
 * What happens in the sandboxes during one simulated quarter hour: new people fill in HubSpot
 * forms, and reps work the Leads Handoff routed to them in Salesforce — they call, accept or
 * reject with a reason, or let the lead sit until its SLA is missed. Only the tenants change:
 * the two workers notice it the way they would in a real portal and org.
 */
export const STEP_MS = 15 * 60_000;

/** The reps' business day, as the example definition's default time zone reads it. */
const REPS_ZONE = 'America/New_York';
const ACT_CHANCE = 0.15;
const REASONS = [
  ['No budget', 'Frozen until next quarter'],
  ['Bad timing', 'Call back after their reorg'],
  ['Not decision maker', 'Intern filling the form for the team'],
  ['Too small', 'Three people, no sales team'],
  ['Using competitor', 'Signed a two-year contract elsewhere'],
] as const;
const FIRST = [
  'Chloé',
  'Grace',
  'Mateo',
  'Aiko',
  'Noah',
  'Fatima',
  'Lars',
  'Priya',
  'Jonas',
  'Amara',
];
const LAST = ['Müller', 'Kim', 'García', 'Tanaka', 'Okafor', 'Nilsson', 'Rossi', 'Dubois', 'Khan'];
const COMPANIES = ['Northwind Analytics', 'Fabrikam Robotics', 'Contoso Health', 'Tailspin Air'];
const TITLES = ['VP Marketing', 'Head of Sales', 'CTO', 'Director of Operations'];

export interface DayCounts {
  arrived: number;
  called: number;
  accepted: number;
  rejected: number;
  /**
   * `<Lead id>:<owner id>` of every assignment a rep has acted on: Handoff sees the change only
   * at its next poll, and a rep acts once on a lead they own.
   */
  readonly acted: Set<string>;
}

export const emptyCounts = (): DayCounts => ({
  arrived: 0,
  called: 0,
  accepted: 0,
  rejected: 0,
  acted: new Set(),
});

function localHour(at: Date, zone: string): { hour: number; weekday: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hour: 'numeric',
    hourCycle: 'h23',
    weekday: 'short',
  }).formatToParts(at);
  return {
    hour: Number(parts.find((part) => part.type === 'hour')?.value ?? 0),
    weekday: parts.find((part) => part.type === 'weekday')?.value ?? '',
  };
}

function isWorkingTime(at: Date): boolean {
  const { hour, weekday } = localHour(at, REPS_ZONE);
  return weekday !== 'Sat' && weekday !== 'Sun' && hour >= 9 && hour < 17;
}

/** Forms come in from early morning to late evening; most of them qualify. */
function arrive(sandboxes: RunningSandboxes, at: Date, random: Random, counts: DayCounts): void {
  const { hour } = localHour(at, REPS_ZONE);
  if (hour < 7 || hour >= 21) return;
  const arrivals = random.next() < 0.55 ? 1 : random.next() < 0.25 ? 2 : 0;
  for (let index = 0; index < arrivals; index += 1) {
    counts.arrived += 1;
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    const company = random.pick(COMPANIES);
    const qualifies = random.next() < 0.75;
    const domain = `${company.toLowerCase().replace(/[^a-z]+/g, '-')}.example`;
    sandboxes.hubspot.store.create(
      'contacts',
      {
        email: `${first}.${last}.${counts.arrived}@${qualifies ? domain : 'freemail.example'}`
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, '')
          .toLowerCase(),
        firstname: first,
        lastname: last,
        company,
        jobtitle: qualifies ? random.pick(TITLES) : 'Student',
        numberofemployees: qualifies ? String(200 + Math.floor(random.next() * 4_800)) : '2',
        country: random.pick(['US', 'GB', 'DE', 'US']),
        recent_conversion_event_name: qualifies ? 'Demo Request' : 'Newsletter Signup',
        recent_conversion_date: String(at.getTime()),
      },
      at.getTime(),
    );
  }
}

/** Reps work the Leads Handoff routed to them and nobody has touched yet. */
function work(sandboxes: RunningSandboxes, at: Date, random: Random, counts: DayCounts): void {
  if (!isWorkingTime(at)) return;
  const store = sandboxes.salesforce.store;
  const waiting = [...store.table('Lead').values()].filter(
    (lead) =>
      lead['Handoff_Stage__c'] === 'routed' &&
      typeof lead['Handoff_Decision_Id__c'] === 'string' &&
      String(lead['OwnerId']).startsWith('005') &&
      Number(lead['Handoff_Routed_At__c'] ?? Infinity) <= at.getTime(),
  );
  for (const lead of waiting) {
    const id = String(lead['Id']);
    const owner = String(lead['OwnerId']);
    if (counts.acted.has(`${id}:${owner}`) || random.next() >= ACT_CHANCE) continue;
    counts.acted.add(`${id}:${owner}`);
    const roll = random.next();
    if (roll < 0.4) {
      store.create(
        'Task',
        { WhoId: id, OwnerId: owner, Subject: 'Call', Status: 'Completed', TaskSubtype: 'Call' },
        false,
      );
      counts.called += 1;
    } else if (roll < 0.7) {
      store.update('Lead', id, { Status: 'Working - Contacted' }, false, owner);
      counts.accepted += 1;
    } else {
      const [reason, comment] = random.pick(REASONS);
      store.update(
        'Lead',
        id,
        { Status: 'Unqualified', Rejection_Reason__c: reason, Rejection_Comment__c: comment },
        false,
        owner,
      );
      counts.rejected += 1;
    }
  }
}

/** One simulated quarter hour starting at `at`. */
export function simulateStep(
  sandboxes: RunningSandboxes,
  at: Date,
  random: Random,
  counts: DayCounts,
): void {
  arrive(sandboxes, at, random, counts);
  work(sandboxes, at, random, counts);
}

/** Where the routed Leads stand: in Salesforce as the reps see them, in HubSpot as marketing does. */
export interface Standing {
  readonly routed: number;
  readonly returned: number;
  readonly slaMissed: number;
}

export function standing(sandboxes: RunningSandboxes): Standing {
  let routed = 0;
  let slaMissed = 0;
  for (const lead of sandboxes.salesforce.store.table('Lead').values()) {
    if (typeof lead['Handoff_Decision_Id__c'] !== 'string') continue;
    routed += 1;
    const breached = lead['Handoff_Breached_At__c'];
    if (breached !== null && breached !== undefined) slaMissed += 1;
  }
  let returned = 0;
  for (const contact of sandboxes.hubspot.store.objects.contacts.values())
    if (contact.properties['handoff_status'] === 'rejected') returned += 1;
  return { routed, returned, slaMissed };
}

/** `Mon 10:15 America/New_York · 14 new leads · …`: one line, redrawn as the day goes. */
export function tickerLine(at: Date, counts: DayCounts, now: Standing): string {
  const clock = new Intl.DateTimeFormat('en-GB', {
    timeZone: REPS_ZONE,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(at)
    .replace(',', '');
  return [
    `${clock} ${REPS_ZONE}`,
    `${counts.arrived} new leads`,
    `${now.routed} routed`,
    `${counts.called} calls, ${counts.accepted} accepted, ${counts.rejected} rejected by reps`,
    `${now.returned} returned to marketing`,
    `${now.slaMissed} SLA missed`,
  ].join(' · ');
}
