import { createHash } from 'node:crypto';
import type { Definition } from '../../domain/definition.js';
import type { Activity } from '../../domain/model.js';
import { engagementRule, type QualificationResult } from '../../domain/qualification/qualify.js';
import type { RoutingDecision } from '../../domain/routing/route-lead.js';
import type { SlaDue } from '../../domain/sla/compute-sla-due-at.js';

/** Long text fields hold 32,768 characters; the reason stays well inside. */
const REASON_MAX_CHARS = 4_000;

/**
 * The decision id: the same contact, definition version and qualifying event always give the
 * same id, so re-processing (retries, overlapping windows, a second cycle) finds the decision
 * already written. The qualifying event is the latest activity that scored, else the fit alone;
 * Handoff's own writes (which move `lastmodifieddate`) therefore never make a new decision.
 */
export function decisionId(
  contactId: string,
  definition: Definition,
  qualification: QualificationResult,
  activities: readonly Activity[],
): string {
  const scored = new Set(
    qualification.reasons
      .filter((reason) => reason.kind === 'engagement')
      .map((reason) => reason.rule),
  );
  let latest = 0;
  for (const activity of activities) {
    const at = activity.at.getTime();
    if (scored.has(engagementRule(activity)) && at > latest && !Number.isNaN(at)) latest = at;
  }
  const event = latest > 0 ? `activity:${latest}` : 'fit';
  return `d-${createHash('sha256').update(`${contactId}|${definition.version}|${event}`).digest('hex').slice(0, 24)}`;
}

/**
 * The decision id of a Salesforce-born Lead: `s-` marks the origin (the report counts these
 * apart, and a HubSpot contact that later appears for the Lead leaves the decision standing).
 * One decision per Lead and definition version, so repeating a pass never routes twice.
 */
export function bornDecisionId(leadId: string, definition: Definition): string {
  return `s-${createHash('sha256').update(`${leadId}|${definition.version}`).digest('hex').slice(0, 24)}`;
}

/** Whether a decision id was made for a Lead born in Salesforce. */
export function isBornDecision(decisionId: string | null | undefined): boolean {
  return decisionId?.startsWith('s-') === true;
}

/**
 * The decision id of a lead qualifying again after its recycle date: derived from the decision
 * and the recycle instant, so every cycle computes the same new id and routes it once.
 */
export function recycledDecisionId(id: string, recycleAt: Date): string {
  return `d-${createHash('sha256').update(`${id}|recycled|${recycleAt.getTime()}`).digest('hex').slice(0, 24)}`;
}

/** The one-paragraph "why this lead, why this owner" a rep reads on the Lead and the Task. */
export function describeDecision(
  qualification: QualificationResult,
  routing: RoutingDecision | null,
  sla: SlaDue | null,
  ownerKept: boolean,
): string {
  const points = qualification.reasons
    .filter((reason) => reason.points !== 0)
    .map(
      (reason) =>
        `${reason.rule} ${reason.points > 0 ? '+' : ''}${Math.round(reason.points * 10) / 10}`,
    )
    .join(', ');
  const parts = [
    `Qualified as tier ${qualification.tier ?? '-'} with score ${qualification.score} (definition ${qualification.definitionVersion}): ${points || 'no scoring rules'}.`,
  ];
  if (ownerKept) parts.push('Kept the rep who already owns the lead.');
  else if (routing !== null) {
    const why = routing.reasons
      .filter((reason) => reason.kind !== 'rule_skipped')
      .map((reason) => `${reason.rule}: ${reason.detail}`);
    parts.push(
      `Routed ${routing.kind === 'fallback' ? 'to the fallback owner' : `by rule ${routing.rule ?? '-'}`}${routing.pool === null ? '' : ` (pool ${routing.pool})`}: ${why.join('; ')}.`,
    );
  }
  if (sla !== null)
    parts.push(
      `First touch due ${sla.due.toISOString()} (${sla.allowance} of business time, ${sla.timezone}).`,
    );
  return parts.join(' ').slice(0, REASON_MAX_CHARS);
}
