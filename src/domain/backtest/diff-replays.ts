import type { Definition } from '../definition.js';
import type { QualificationResult } from '../qualification/qualify.js';
import type { RoutingDecision } from '../routing/route-lead.js';
import type { ReplayedLead } from './replay-definition.js';

export type DifferenceKind = 'newly_qualified' | 'newly_dropped' | 'tier_moved' | 'owner_changed';

/** One lead the candidate decides differently from the baseline, and the rule that did it. */
export interface LeadDifference {
  readonly kind: DifferenceKind;
  readonly contactId: string;
  readonly leadId: string | null;
  /** Baseline → candidate: qualified tier (or null), or owner for `owner_changed`. */
  readonly from: string | null;
  readonly to: string | null;
  /** Rule id: a gate, a fit or engagement rule, `threshold`, `tiers`, or a routing rule. */
  readonly rule: string;
  /** One sentence, safe to show (no personal data). */
  readonly detail: string;
}

function points(qualification: QualificationResult): Map<string, number> {
  const byRule = new Map<string, number>();
  for (const reason of qualification.reasons)
    byRule.set(reason.rule, (byRule.get(reason.rule) ?? 0) + reason.points);
  return byRule;
}

function failedGates(qualification: QualificationResult): Set<string> {
  return new Set(
    qualification.reasons.filter((r) => r.kind === 'gate_failed').map((reason) => reason.rule),
  );
}

/**
 * The rule behind a qualification difference: a gate failing on one side only, else the scoring
 * rule whose points differ most, else the threshold or tiers that moved while the score stayed.
 */
function qualificationRule(
  baseline: QualificationResult,
  candidate: QualificationResult,
  fallback: 'threshold' | 'tiers',
): { rule: string; detail: string } {
  const baseFailed = failedGates(baseline);
  const candidateFailed = failedGates(candidate);
  for (const gate of candidateFailed)
    if (!baseFailed.has(gate)) return { rule: gate, detail: `gate ${gate} fails in the candidate` };
  for (const gate of baseFailed)
    if (!candidateFailed.has(gate))
      return { rule: gate, detail: `gate ${gate} fails in the baseline only` };
  const before = points(baseline);
  const after = points(candidate);
  let best: { rule: string; delta: number } | null = null;
  for (const rule of new Set([...before.keys(), ...after.keys()])) {
    const delta = (after.get(rule) ?? 0) - (before.get(rule) ?? 0);
    if (Math.abs(delta) > 1e-9 && (best === null || Math.abs(delta) > Math.abs(best.delta)))
      best = { rule, delta };
  }
  if (best !== null)
    return {
      rule: best.rule,
      detail: `${best.rule} ${best.delta > 0 ? '+' : ''}${Math.round(best.delta * 10) / 10} points (score ${baseline.score} → ${candidate.score})`,
    };
  return { rule: fallback, detail: `same score ${candidate.score}; the ${fallback} moved` };
}

function routingRule(routing: RoutingDecision): string {
  return routing.rule ?? 'fallback_owner';
}

/**
 * Lead-by-lead differences between a baseline and a candidate replay of the same leads: newly
 * qualified, newly dropped, tier moved, owner changed, each with the rule that made it. Leads
 * present in one replay only are ignored (both replays read the same history).
 */
export function diffReplays(input: {
  readonly baseline: readonly ReplayedLead[];
  readonly candidate: readonly ReplayedLead[];
  readonly baselineDefinition: Definition;
  readonly candidateDefinition: Definition;
}): readonly LeadDifference[] {
  const baseline = new Map(input.baseline.map((lead) => [lead.contactId, lead]));
  const differences: LeadDifference[] = [];
  for (const after of input.candidate) {
    const before = baseline.get(after.contactId);
    if (before === undefined) continue;
    const base = { contactId: after.contactId, leadId: after.leadId };
    const was = before.qualification;
    const now = after.qualification;
    if (was.qualified !== now.qualified) {
      const thresholdMoved =
        input.baselineDefinition.qualification.threshold !==
        input.candidateDefinition.qualification.threshold;
      differences.push({
        ...base,
        kind: now.qualified ? 'newly_qualified' : 'newly_dropped',
        from: was.tier,
        to: now.tier,
        ...qualificationRule(was, now, thresholdMoved ? 'threshold' : 'tiers'),
      });
      continue;
    }
    if (was.tier !== now.tier) {
      differences.push({
        ...base,
        kind: 'tier_moved',
        from: was.tier,
        to: now.tier,
        ...qualificationRule(was, now, 'tiers'),
      });
    }
    if (before.routing !== null && after.routing !== null) {
      if (before.routing.owner !== after.routing.owner) {
        const rule = routingRule(after.routing);
        differences.push({
          ...base,
          kind: 'owner_changed',
          from: before.routing.owner,
          to: after.routing.owner,
          rule,
          detail:
            rule === routingRule(before.routing)
              ? `${rule} picked another member (rotation, availability or capacity at the instant)`
              : `${rule} matched (the baseline's ${routingRule(before.routing)})`,
        });
      }
    }
  }
  return differences;
}
