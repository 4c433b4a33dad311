import { isReturned, type LeadLifecycle } from '../lifecycle/lead-lifecycle.js';

/**
 * What happens to one qualified contact in a cycle, decided from facts alone (no I/O): the sync
 * reads the facts, asks here, then does what the outcome says. Every outcome is handled by an
 * exhaustive switch, so a new one cannot be forgotten.
 */
export type ContactOutcome<L extends LeadFacts = LeadFacts> =
  /** Another contact decides for this Lead (the one the Lead names, else the first to match). */
  | { readonly kind: 'shared_lead'; readonly lead: L }
  /** Sales has the person as a Contact: followed there, never routed again. */
  | { readonly kind: 'converted'; readonly salesforceContactId: string | null }
  /** No Lead, and Handoff does not create them: marketing sees an MQL (unless it already does). */
  | { readonly kind: 'no_lead'; readonly markMql: boolean }
  /** Returned by its rep and still inside the reason's recycle window. */
  | { readonly kind: 'recycling' }
  /**
   * This decision is already on the Lead; `repairHubSpot` when HubSpot may still lack its
   * properties (a run that stopped before the write-back), false once it went back to marketing.
   */
  | { readonly kind: 'already_routed'; readonly lead: L; readonly repairHubSpot: boolean }
  /** Routed before and now owned by a rep: Handoff never fights a human's ownership. */
  | { readonly kind: 'owned_by_rep'; readonly lead: L; readonly previous: string }
  /** A rep owns a Lead Handoff never routed: they keep it, with a due date and a Task. */
  | { readonly kind: 'keep_owner'; readonly lead: L }
  /** An owner must be chosen. */
  | { readonly kind: 'route' };

/** What the classification needs of a Lead; the caller's own Lead type comes back in outcomes. */
export interface LeadFacts {
  readonly ownerId: string;
  readonly isConverted: boolean;
  readonly lifecycle: LeadLifecycle | null;
}

export interface ContactFacts<L extends LeadFacts> {
  readonly contactId: string;
  /** `handoff_status` on the contact now. */
  readonly contactStatus: string | null;
  /** The Lead the contact matched, if any. */
  readonly lead: L | null;
  /** Which contact decides for that Lead (see the sync's claims). */
  readonly leadClaimedBy: string | null;
  /** The Salesforce Contact the person became, if any. */
  readonly convertedContactId: string | null;
  /** This cycle's decision id (a new one once past a rejection's recycle date). */
  readonly decisionId: string;
  /** When a rejected lead may be routed again; null when it never was rejected. */
  readonly recycleAt: Date | null;
  /**
   * The Lead's standing decision was made for it as a Lead born in Salesforce: a contact that
   * appears for it later links to it and the decision stands (no second Task, no re-route).
   */
  readonly leadDecidedInSalesforce: boolean;
  /** The Lead's owner is an active rep (not a queue, not Handoff's own user). */
  readonly ownerIsActiveRep: boolean;
  readonly createMissingLeads: boolean;
  readonly now: Date;
}

export function classifyContact<L extends LeadFacts>(facts: ContactFacts<L>): ContactOutcome<L> {
  const { lead } = facts;
  if (lead !== null && facts.leadClaimedBy !== facts.contactId)
    return { kind: 'shared_lead', lead };
  if (facts.convertedContactId !== null || lead?.isConverted === true)
    return { kind: 'converted', salesforceContactId: facts.convertedContactId };
  if (lead === null && !facts.createMissingLeads)
    return {
      kind: 'no_lead',
      markMql: facts.contactStatus === null || facts.contactStatus === 'recycled',
    };
  const lifecycle = lead?.lifecycle ?? null;
  const returned = isReturned(lifecycle);
  if (returned && (facts.recycleAt === null || facts.now < facts.recycleAt))
    return { kind: 'recycling' };
  if (
    lead !== null &&
    (lifecycle?.decisionId === facts.decisionId || (facts.leadDecidedInSalesforce && !returned))
  )
    return { kind: 'already_routed', lead, repairHubSpot: !returned };
  // A recycled lead is routed again like a new MQL, whoever holds it for nurture.
  if (lead !== null && !returned && facts.ownerIsActiveRep)
    return lifecycle === null
      ? { kind: 'keep_owner', lead }
      : { kind: 'owned_by_rep', lead, previous: lifecycle.assignmentId };
  return { kind: 'route' };
}
