import { isBornDecision } from '../sync/describe-decision.js';
import type { HandoffLead } from '../../ports/lead-lifecycle.port.js';

/** How many of the period's decisions the dashboard lists, newest first. */
export const RECENT_DECISIONS_LIMIT = 25;

/**
 * One routing decision as the admin reads it. `explanation` is what the decision wrote on the
 * Lead (`Handoff_Reason__c`: the score reasons, the routing rule and the due date, the text
 * `describeDecision` composes, then the history lines added since), not a recomputation: the
 * definition, the directory and the rotation have moved on since, and the admin asks why this
 * lead went where it went.
 */
export interface DecisionView {
  readonly lead_id: string;
  readonly name: string | null;
  /** Shown only on the admin's pages. */
  readonly email: string | null;
  readonly origin: 'hubspot' | 'salesforce';
  readonly decision_id: string;
  readonly definition_version: string | null;
  readonly owner_id: string;
  readonly owner: string;
  readonly status: string;
  readonly stage: string;
  readonly score: number | null;
  readonly tier: string | null;
  readonly routed_at: string | null;
  readonly due: string | null;
  readonly sla_breached: boolean;
  readonly breached_owners: readonly string[];
  readonly rejection_reason: string | null;
  readonly rejection_comment: string | null;
  readonly explanation: string | null;
}

export function toDecisionView(
  lead: HandoffLead,
  names: ReadonlyMap<string, string>,
): DecisionView {
  const { lifecycle } = lead;
  return {
    lead_id: lead.id,
    name: lead.name,
    email: lead.email,
    origin: isBornDecision(lifecycle.decisionId) ? 'salesforce' : 'hubspot',
    decision_id: lifecycle.decisionId,
    definition_version: lifecycle.definitionVersion,
    owner_id: lead.ownerId,
    owner: names.get(lead.ownerId) ?? lead.ownerId,
    status: lead.status,
    stage: lifecycle.stage,
    score: lead.score,
    tier: lead.tier,
    routed_at: lead.routedAt?.toISOString() ?? null,
    due: lead.due?.toISOString() ?? null,
    sla_breached: lead.slaBreached,
    breached_owners: lifecycle.breachedOwners.map((owner) => names.get(owner) ?? owner),
    rejection_reason: lead.rejectionReason,
    rejection_comment: lead.rejectionComment,
    explanation: lead.reason,
  };
}

/** The newest decisions of the period (by routing instant, else due instant), newest first. */
export function recentDecisions(
  leads: readonly HandoffLead[],
  names: ReadonlyMap<string, string>,
  limit = RECENT_DECISIONS_LIMIT,
): DecisionView[] {
  const at = (lead: HandoffLead): number => (lead.routedAt ?? lead.due)?.getTime() ?? 0;
  return [...leads]
    .sort((a, b) => at(b) - at(a) || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((lead) => toDecisionView(lead, names));
}
