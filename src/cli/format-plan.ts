import type { PlannedChange } from '../usecases/sync/sync-cycle.types.js';

/**
 * `Mon 10:00 Europe/London`: the due instant as the rep's business calendar reads it (the date
 * is added when it is not within the coming week, so a Monday is never ambiguous).
 */
export function formatDue(due: string, timezone: string | undefined, now: Date): string {
  const zone = timezone ?? 'UTC';
  const at = new Date(due);
  const withinWeek = Math.abs(at.getTime() - now.getTime()) < 6 * 86_400_000;
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    ...(withinWeek ? {} : { day: 'numeric', month: 'short' }),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(at)
    .replace(',', '');
  return `${text} ${zone}`;
}

const ACTIONS: Readonly<Record<PlannedChange['action'], string>> = {
  route: 'route',
  keep_owner: 'keep the owner',
  create_lead: 'create a Lead',
  update_hubspot: 'update the HubSpot contact',
  create_hubspot: 'create its HubSpot contact',
};

/** `Chloé Müller (contact 1234)`: the name when the mapping reads one, the id always. */
function who(change: PlannedChange): string {
  const id =
    change.contactId === null
      ? `Salesforce-born Lead ${change.leadId ?? '?'}`
      : `contact ${change.contactId}`;
  return change.name === undefined ? id : `${change.name} (${id})`;
}

/**
 * One line of a dry run's plan, for the admin (stdout only: names are personal data and never
 * logged): `Chloé Müller (contact 1234) → Grace Kim (005…), due Mon 10:00 Europe/London; route
 * Lead 00Q… [decision id]`.
 */
export function planLine(change: PlannedChange, now: Date): string {
  const owner =
    change.ownerId === null
      ? ''
      : ` → ${change.ownerName === undefined ? change.ownerId : `${change.ownerName} (${change.ownerId})`}`;
  const due = change.due === null ? '' : `, due ${formatDue(change.due, change.timezone, now)}`;
  // A Salesforce-born Lead's id is already its name's companion.
  const lead = change.leadId === null || change.contactId === null ? '' : `, Lead ${change.leadId}`;
  const decision = change.decisionId === null ? '' : ` [${change.decisionId}]`;
  return `${who(change)}${owner}${due}; ${ACTIONS[change.action]}${lead}${decision}`;
}
