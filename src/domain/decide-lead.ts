import type { Definition } from './definition.js';
import type { Activity, Lead } from './model.js';
import { qualify, type QualificationResult } from './qualification/qualify.js';
import {
  routeLead,
  type Directory,
  type RotationState,
  type RoutingDecision,
} from './routing/route-lead.js';
import { computeSlaDueAt, type SlaDue } from './sla/compute-sla-due-at.js';
import { resolveOwnerTimezone } from './sla/resolve-owner-timezone.js';

export interface DecideLeadInput {
  readonly lead: Lead;
  readonly activities: readonly Activity[];
  readonly definition: Definition;
  readonly directory: Directory;
  readonly rotation: RotationState;
  /** Scoring instant (engagement decay). */
  readonly now: Date;
  /** When the SLA clock starts; usually `now`. */
  readonly routedAt: Date;
}

export interface Decision {
  readonly definitionVersion: string;
  readonly qualification: QualificationResult;
  /** Null when the lead did not qualify. */
  readonly routing: RoutingDecision | null;
  /** Null when the lead did not qualify. */
  readonly sla: SlaDue | null;
  readonly nextRotation: RotationState;
}

/**
 * The whole decision for one lead: qualify; if qualified, route, then compute the first-touch
 * deadline in the chosen owner's zone. Unqualified leads are neither routed nor given a deadline,
 * and leave the rotation untouched.
 */
export function decideLead(input: DecideLeadInput): Decision {
  const { lead, activities, definition, directory, rotation, now, routedAt } = input;
  const qualification = qualify({ lead, activities, definition, now });
  if (!qualification.qualified) {
    return {
      definitionVersion: definition.version,
      qualification,
      routing: null,
      sla: null,
      nextRotation: rotation,
    };
  }
  const { decision, nextRotation } = routeLead({ lead, definition, directory, rotation });
  const timezone = resolveOwnerTimezone({ definition, owner: decision.owner, directory });
  const sla = computeSlaDueAt({
    routedAt,
    tier: qualification.tier,
    sla: definition.sla,
    timezone,
  });
  return {
    definitionVersion: definition.version,
    qualification,
    routing: decision,
    sla,
    nextRotation,
  };
}
