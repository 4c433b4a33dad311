import type { Definition } from '../definition.js';
import type { Directory } from '../routing/route-lead.js';
import { personalZone } from '../time/zoned-time.js';

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
  const configured = Object.values(routing.pools)
    .flatMap((pool) => pool.members)
    .find((member) => member.owner === owner && member.timezone !== undefined)?.timezone;
  return personalZone(configured, directory.get(owner)?.timezone, sla.default_timezone);
}
