import type { Definition } from '../../domain/definition.js';
import { compareShadow, type ActualLead } from '../../domain/shadow/compare-shadow.js';
import type { LeadHistory, LeadOwnership } from '../../ports/lead-history.port.js';
import type { LeadLifecycleStore } from '../../ports/lead-lifecycle.port.js';
import type { ShadowJournal } from '../../ports/shadow-journal.port.js';
import type { TouchActivity } from '../../domain/sla/assess-first-touch.js';

export interface ShadowReportDeps {
  readonly definition: Definition;
  readonly journal: ShadowJournal;
  readonly history: LeadHistory;
  readonly lifecycle: Pick<LeadLifecycleStore, 'touches'>;
}

export interface ShadowReport {
  readonly since: string;
  readonly until: string;
  readonly decisions: number;
  readonly compared: number;
  readonly same_owner: number;
  /** Share of compared Leads Handoff would have given to the owner they have; null: none compared. */
  readonly same_owner_share: number | null;
  readonly would_create: number;
  /** Leads first touched after Handoff's deadline, or not at all by now. */
  readonly breaches: number;
  /** Breaches Handoff would have escalated at its deadline. */
  readonly caught: number;
  readonly pending: number;
  /** Leads created in the period that Handoff would not have routed. */
  readonly not_routed: readonly { readonly id: string; readonly owner_id: string }[];
  /** Each compared Lead: Handoff's owner and deadline beside the owner and first touch it got. */
  readonly leads: readonly {
    readonly lead_id: string;
    readonly decision_id: string;
    readonly handoff_owner: string;
    readonly actual_owner: string;
    readonly due: string | null;
    readonly first_touch: string | null;
    readonly breached: boolean;
  }[];
}

/** The first completed touch on or after the decision instant, by anyone. */
function firstTouchAfter(
  activities: readonly { readonly at: Date; readonly completed: boolean }[] | undefined,
  after: Date,
): Date | null {
  let first: Date | null = null;
  for (const activity of activities ?? []) {
    if (!activity.completed || activity.at < after) continue;
    if (first === null || activity.at < first) first = activity.at;
  }
  return first;
}

/**
 * `handoff report --shadow`: the shadow decisions since `since` beside what Salesforce shows
 * happened. Reads the journal, then the decided Leads and the Leads created in the period, then
 * their Tasks and Events; writes nothing.
 */
export async function buildShadowReport(
  deps: ShadowReportDeps,
  since: Date,
  now: Date,
): Promise<ShadowReport> {
  const decisions = await deps.journal.since(since);
  const decidedIds = decisions.flatMap((decision) =>
    decision.leadId === null ? [] : [decision.leadId],
  );
  const [owned, created] = await Promise.all([
    deps.history.byIds(decidedIds),
    deps.history.createdSince(since),
  ]);
  const touches: ReadonlyMap<string, readonly TouchActivity[]> =
    owned.length === 0 ? new Map() : await deps.lifecycle.touches(owned.map((lead) => lead.id));
  const decidedAt = new Map(decisions.map((decision) => [decision.leadId, decision.decidedAt]));
  const actualOf = (lead: LeadOwnership): ActualLead => ({
    ...lead,
    firstTouch: firstTouchAfter(touches.get(lead.id), decidedAt.get(lead.id) ?? lead.createdAt),
  });
  const comparison = compareShadow({
    decisions,
    actual: new Map(owned.map((lead) => [lead.id, actualOf(lead)])),
    createdInPeriod: created.map((lead) => ({ ...lead, firstTouch: null })),
    escalates: deps.definition.sla.on_breach.action !== 'none',
    now,
  });
  return {
    since: since.toISOString(),
    until: now.toISOString(),
    decisions: comparison.decisions,
    compared: comparison.compared,
    same_owner: comparison.sameOwner,
    same_owner_share: comparison.sameOwnerShare,
    would_create: comparison.wouldCreate,
    breaches: comparison.breaches,
    caught: comparison.caught,
    pending: comparison.pending,
    not_routed: comparison.notRouted.map((lead) => ({ id: lead.id, owner_id: lead.ownerId })),
    leads: comparison.leads.map((lead) => ({
      lead_id: lead.leadId,
      decision_id: lead.decisionId,
      handoff_owner: lead.handoffOwner,
      actual_owner: lead.actualOwner,
      due: lead.due?.toISOString() ?? null,
      first_touch: lead.firstTouch?.toISOString() ?? null,
      breached: lead.breached,
    })),
  };
}
