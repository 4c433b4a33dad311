import type { LeadLifecycleStore } from '../../ports/lead-lifecycle.port.js';
import type { SalesDirectory } from '../../ports/sales-directory.port.js';
import { loadPeople } from '../lifecycle/load-people.js';
import { toDecisionView, type DecisionView } from './decision-view.js';

/** A Salesforce Lead id: key prefix `00Q`, 15 or 18 characters. */
const LEAD_ID = /^00Q[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/;
/** Loose on purpose: Salesforce decides what matches; this only tells an address from an id. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** Salesforce's Email field holds 80 characters. */
const EMAIL_MAX_CHARS = 80;

export type DecisionQuery =
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'lead_id'; readonly leadId: string };

/** What the admin typed, as a query; null when it is neither an e-mail nor a Lead id. */
export function parseDecisionQuery(text: string): DecisionQuery | null {
  const query = text.trim();
  if (LEAD_ID.test(query)) return { kind: 'lead_id', leadId: query };
  if (query.length <= EMAIL_MAX_CHARS && EMAIL.test(query)) return { kind: 'email', email: query };
  return null;
}

/**
 * The routing decisions on the Leads the admin searched for, read from Salesforce for this one
 * search (a Lead of any period, not only those on the page).
 */
export async function findDecisions(
  deps: { readonly lifecycle: LeadLifecycleStore; readonly directory: SalesDirectory },
  query: DecisionQuery,
): Promise<DecisionView[]> {
  const [leads, { names }] = await Promise.all([
    query.kind === 'email'
      ? deps.lifecycle.routedLeadsByEmail(query.email)
      : deps.lifecycle.routedLeadsByIds([query.leadId]),
    loadPeople(deps.directory),
  ]);
  return leads.map((lead) => toDecisionView(lead, names));
}
