import type { Definition } from '../definition.js';
import type { QualificationResult } from '../qualification/qualify.js';
import { assignOwner } from '../routing/assign-owner.js';
import { awayAt, type AwayPeriod } from '../routing/availability.js';
import type {
  Directory,
  DirectoryUser,
  RotationState,
  RoutingDecision,
} from '../routing/route-lead.js';
import type { SlaDue } from '../sla/compute-sla-due-at.js';
import { findDecisionInstant } from './find-decision-instant.js';
import { attributesAt, type HistoricLead, type LeadOutcome } from './historic-lead.js';

/** A Salesforce user as the replay routes to them; away periods come separately. */
export interface ReplayUser {
  readonly active: boolean;
  readonly timezone: string | null;
}

export interface ReplayInput {
  readonly leads: readonly HistoricLead[];
  readonly definition: Definition;
  readonly users: ReadonlyMap<string, ReplayUser>;
  /** Out-of-office periods over the window (empty when the org has Out of Office off). */
  readonly away: readonly AwayPeriod[];
  readonly windowEnd: Date;
}

/** One lead as the definition would have handled it. */
export interface ReplayedLead {
  readonly contactId: string;
  readonly leadId: string | null;
  readonly email: string | null;
  readonly outcome: LeadOutcome;
  readonly decidedAt: Date | null;
  readonly qualification: QualificationResult;
  /** Null when not qualified. */
  readonly routing: RoutingDecision | null;
  /** Null when not qualified. */
  readonly sla: SlaDue | null;
}

/** Open leads per owner: each routed lead counts from its decision until it closed. */
class OpenLeads {
  private readonly spans = new Map<string, { from: number; until: number }[]>();

  add(owner: string, from: Date, closedAt: Date | null): void {
    const spans = this.spans.get(owner) ?? [];
    spans.push({
      from: from.getTime(),
      until: closedAt === null ? Number.POSITIVE_INFINITY : closedAt.getTime(),
    });
    this.spans.set(owner, spans);
  }

  countAt(owner: string, at: number): number {
    let count = 0;
    for (const span of this.spans.get(owner) ?? [])
      if (span.from <= at && at < span.until) count += 1;
    return count;
  }
}

function directoryAt(
  users: ReadonlyMap<string, ReplayUser>,
  away: readonly AwayPeriod[],
  open: OpenLeads,
  at: Date,
): Directory {
  const backAt = awayAt(away, at);
  const directory = new Map<string, DirectoryUser>();
  for (const [id, user] of users) {
    const back = backAt.get(id);
    directory.set(id, {
      active: user.active,
      outOfOffice: back !== undefined,
      openLeads: open.countAt(id, at.getTime()),
      timezone: user.timezone,
      ...(back === undefined ? {} : { backAt: back }),
    });
  }
  return directory;
}

/**
 * Replays `definition` over past leads: each lead is decided at its own decision instant
 * (`findDecisionInstant`), and the qualified ones are routed in the order of those instants with
 * the rotation threaded from one to the next, the members away at that instant skipped and
 * `max_open` counted against the leads the replay itself gave each member that were still open.
 * Results keep the input's order.
 */
export function replayDefinition(input: ReplayInput): readonly ReplayedLead[] {
  const { definition, users, away, windowEnd } = input;
  const decided = input.leads.map((lead) => ({
    lead,
    instant: findDecisionInstant(lead, definition, windowEnd),
  }));
  const order = decided
    .filter((entry) => entry.instant.decidedAt !== null)
    .sort(
      (a, b) =>
        (a.instant.decidedAt?.getTime() ?? 0) - (b.instant.decidedAt?.getTime() ?? 0) ||
        a.lead.contactId.localeCompare(b.lead.contactId),
    );
  const routed = new Map<HistoricLead, { routing: RoutingDecision; sla: SlaDue }>();
  const open = new OpenLeads();
  let rotation: RotationState = {};
  for (const { lead, instant } of order) {
    const at = instant.decidedAt;
    const tier = instant.qualification.tier;
    if (at === null || tier === null) continue;
    const assignment = assignOwner({
      lead: { attributes: attributesAt(lead, at), account: lead.account ?? null },
      tier,
      definition,
      directory: directoryAt(users, away, open, at),
      rotation,
      routedAt: at,
    });
    rotation = assignment.nextRotation;
    open.add(assignment.routing.owner, at, lead.outcome.closedAt);
    routed.set(lead, { routing: assignment.routing, sla: assignment.sla });
  }
  return decided.map(({ lead, instant }) => ({
    contactId: lead.contactId,
    leadId: lead.leadId,
    email: lead.email,
    outcome: lead.outcome,
    decidedAt: instant.decidedAt,
    qualification: instant.qualification,
    routing: routed.get(lead)?.routing ?? null,
    sla: routed.get(lead)?.sla ?? null,
  }));
}
