import type { MarketingContact } from '../../ports/contact-source.port.js';
import type { AssignmentRequest } from '../assignment/assign-leads.js';
import { emailDomain } from './match-lead.js';
import type { CycleContext, SyncCycleDeps } from './sync-cycle.types.js';

/**
 * What routing needs of one lead: its attributes, and the account its email's domain belongs to
 * (looked up by lookUpAccounts) for the account-owner rules.
 */
export function routingRequest(
  attributes: MarketingContact['attributes'],
  email: unknown,
  tier: string,
  context: CycleContext,
): AssignmentRequest {
  const domain = emailDomain(email);
  const account = domain === null ? null : (context.accounts.get(domain) ?? null);
  return {
    lead: {
      attributes,
      account: account === null ? null : { id: account.accountId, owner: account.ownerId },
    },
    tier,
  };
}

/**
 * Account owners for the qualified contacts' company domains, for the account-owner rules. Many
 * contacts share a company: each domain is looked up once per cycle.
 */
export async function lookUpAccounts(
  deps: SyncCycleDeps,
  emails: readonly string[],
  context: CycleContext,
): Promise<void> {
  const unknown = [
    ...new Set(emails.map(emailDomain).filter((domain): domain is string => domain !== null)),
  ].filter((domain) => !context.accounts.has(domain));
  if (unknown.length === 0) return;
  const found = await deps.leads.accountOwnersByDomain(unknown);
  for (const domain of unknown) context.accounts.set(domain, found.get(domain) ?? null);
}
