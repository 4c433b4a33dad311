import { decideLead, type Decision } from '../domain/decide-lead.js';
import type { Definition } from '../domain/definition.js';
import type { Activity, Lead } from '../domain/model.js';
import type { Directory, DirectoryUser } from '../domain/routing/route-lead.js';

export interface ExplainLeadInput {
  readonly lead: Lead;
  readonly activities: readonly Activity[];
  readonly definition: Definition;
  readonly now: Date;
  readonly routedAt: Date;
}

const AVAILABLE: DirectoryUser = { active: true, outOfOffice: false, openLeads: 0 };

/**
 * The directory `explain` assumes offline: every pool member and the lead's account owner is an
 * active, in-office user with no open leads, in the zone the definition gives them.
 */
export function optimisticDirectory(definition: Definition, lead: Lead): Directory {
  const users = new Map<string, DirectoryUser>();
  for (const pool of Object.values(definition.routing.pools)) {
    for (const member of pool.members) users.set(member.owner, AVAILABLE);
  }
  if (lead.account) users.set(lead.account.owner, AVAILABLE);
  return users;
}

/** Decides one lead offline, from a fresh rotation, as `handoff explain` shows it. */
export function explainLead(input: ExplainLeadInput): Decision {
  return decideLead({
    ...input,
    directory: optimisticDirectory(input.definition, input.lead),
    rotation: {},
  });
}
