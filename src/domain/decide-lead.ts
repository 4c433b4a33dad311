import type { Definition } from './definition.js';
import type { Activity, Lead } from './model.js';
import { qualify, type QualificationResult } from './qualification/qualify.js';
import { assignOwner } from './routing/assign-owner.js';
import type { Directory, RotationState, RoutingDecision } from './routing/route-lead.js';
import type { SlaDue } from './sla/compute-sla-due-at.js';

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
  const { routing, sla, nextRotation } = assignOwner({
    lead,
    tier: qualification.tier,
    definition,
    directory,
    rotation,
    routedAt,
  });
  return {
    definitionVersion: definition.version,
    qualification,
    routing,
    sla,
    nextRotation,
  };
}
