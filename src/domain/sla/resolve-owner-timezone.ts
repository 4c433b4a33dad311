import type { Definition } from '../definition.js';
import type { Directory } from '../routing/route-lead.js';
import { isValidTimeZone } from '../time/zoned-time.js';

export interface ResolveOwnerTimezoneInput {
  readonly definition: Definition;
  readonly owner: string;
  readonly directory: Directory;
}

/**
 * The zone an owner's SLA clock runs in. A fixed `sla.timezone` applies to everybody. With
 * `owner`: the pool member's configured `timezone` (the admin's explicit word wins), else the
 * user's own zone from Salesforce when it is a valid IANA zone, else `sla.default_timezone`
 * (queues have no zone).
 */
export function resolveOwnerTimezone(input: ResolveOwnerTimezoneInput): string {
  const { definition, owner, directory } = input;
  const { sla, routing } = definition;
  if (sla.timezone !== 'owner') return sla.timezone;
  for (const pool of Object.values(routing.pools)) {
    const member = pool.members.find((candidate) => candidate.owner === owner);
    if (member?.timezone !== undefined) return member.timezone;
  }
  const userZone = directory.get(owner)?.timezone;
  if (typeof userZone === 'string' && isValidTimeZone(userZone)) return userZone;
  return sla.default_timezone;
}
