/** One decision a shadow run recorded instead of writing it. */
export interface ShadowDecision {
  readonly decisionId: string;
  /** The HubSpot contact decided; null for a Lead born in Salesforce. */
  readonly contactId: string | null;
  /** The Lead it would have written; null when Handoff would have created one. */
  readonly leadId: string | null;
  readonly ownerId: string;
  /** The first-touch deadline Handoff would have set. */
  readonly due: Date | null;
  readonly decidedAt: Date;
}

/** What really happened to a Lead, read from Salesforce. */
export interface ActualLead {
  readonly id: string;
  readonly ownerId: string;
  readonly createdAt: Date;
  /** The first completed Task, logged call or Event on it after the decision; null: none yet. */
  readonly firstTouch: Date | null;
}

/** One compared Lead: what Handoff would have done beside what happened. */
export interface ShadowLeadComparison {
  readonly leadId: string;
  readonly decisionId: string;
  readonly handoffOwner: string;
  readonly actualOwner: string;
  readonly due: Date | null;
  readonly firstTouch: Date | null;
  /** First touched after Handoff's deadline, or not at all by now. */
  readonly breached: boolean;
}

export interface ShadowComparison {
  readonly decisions: number;
  /** Decisions about an existing Lead that Salesforce still has: the ones compared below. */
  readonly compared: number;
  /** Handoff's owner is the Lead's owner today. */
  readonly sameOwner: number;
  readonly sameOwnerShare: number | null;
  /** Decisions that would have created a Lead (the contact had none). */
  readonly wouldCreate: number;
  /** Compared Leads first touched after Handoff's deadline, or not at all by now. */
  readonly breaches: number;
  /** Of those, the ones Handoff's escalation would have raised (every one unless breaches do nothing). */
  readonly caught: number;
  /** Untouched Leads whose Handoff deadline is still ahead. */
  readonly pending: number;
  /** Leads created in the period that Handoff would not have routed: no shadow decision names them. */
  readonly notRouted: readonly { readonly id: string; readonly ownerId: string }[];
  /** Every compared Lead, in decision order. */
  readonly leads: readonly ShadowLeadComparison[];
}

/**
 * Handoff's shadow decisions beside what happened in Salesforce. A breach is judged against
 * Handoff's own deadline (the agreement it would have enforced), at `now`; `escalates` is false
 * when the definition does nothing on a breach (`sla.on_breach.action: none`).
 */
export function compareShadow(input: {
  readonly decisions: readonly ShadowDecision[];
  readonly actual: ReadonlyMap<string, ActualLead>;
  /** Leads created in the period, whoever routed them. */
  readonly createdInPeriod: readonly ActualLead[];
  readonly escalates: boolean;
  readonly now: Date;
}): ShadowComparison {
  const { decisions, actual, now } = input;
  let compared = 0;
  let sameOwner = 0;
  let wouldCreate = 0;
  let breaches = 0;
  let pending = 0;
  const decidedLeads = new Set<string>();
  const leads: ShadowLeadComparison[] = [];
  for (const decision of decisions) {
    if (decision.leadId === null) {
      wouldCreate += 1;
      continue;
    }
    decidedLeads.add(decision.leadId);
    const lead = actual.get(decision.leadId);
    if (lead === undefined) continue;
    compared += 1;
    if (lead.ownerId === decision.ownerId) sameOwner += 1;
    const { due } = decision;
    const breached =
      due !== null && (lead.firstTouch === null ? now >= due : lead.firstTouch > due);
    if (breached) breaches += 1;
    else if (due !== null && lead.firstTouch === null) pending += 1;
    leads.push({
      leadId: lead.id,
      decisionId: decision.decisionId,
      handoffOwner: decision.ownerId,
      actualOwner: lead.ownerId,
      due,
      firstTouch: lead.firstTouch,
      breached,
    });
  }
  return {
    decisions: decisions.length,
    compared,
    sameOwner,
    sameOwnerShare: compared === 0 ? null : sameOwner / compared,
    wouldCreate,
    breaches,
    caught: input.escalates ? breaches : 0,
    pending,
    notRouted: input.createdInPeriod
      .filter((lead) => !decidedLeads.has(lead.id))
      .map((lead) => ({ id: lead.id, ownerId: lead.ownerId })),
    leads,
  };
}
