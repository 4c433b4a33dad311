import type { Definition } from '../definition.js';
import type { Lead } from '../model.js';
import { computeSlaDueAt, type SlaDue } from '../sla/compute-sla-due-at.js';
import { resolveOwnerTimezone } from '../sla/resolve-owner-timezone.js';
import {
  routeLead,
  type Directory,
  type RotationState,
  type RoutingDecision,
} from './route-lead.js';

export interface AssignOwnerInput {
  readonly lead: Lead;
  /** The qualified lead's tier: it sets the first-touch deadline. */
  readonly tier: string;
  readonly definition: Definition;
  readonly directory: Directory;
  readonly rotation: RotationState;
  /** When the SLA clock starts. */
  readonly routedAt: Date;
  /** Owners not eligible this time (the rep who let the deadline lapse). */
  readonly exclude?: ReadonlySet<string> | undefined;
}

export interface Assignment {
  readonly routing: RoutingDecision;
  readonly sla: SlaDue;
  readonly nextRotation: RotationState;
}

/**
 * The one way a lead gets an owner, whether it is routed for the first time or reassigned after
 * a missed SLA: route under the rotation with the excluded owners out, then the first-touch
 * deadline in the chosen owner's zone.
 */
export function assignOwner(input: AssignOwnerInput): Assignment {
  const { definition, exclude } = input;
  const directory =
    exclude === undefined || exclude.size === 0
      ? input.directory
      : new Map(
          [...input.directory].map(([id, user]) => [
            id,
            exclude.has(id) ? { ...user, active: false } : user,
          ]),
        );
  const { decision, nextRotation } = routeLead({
    lead: input.lead,
    definition,
    directory,
    rotation: input.rotation,
    at: input.routedAt,
  });
  return {
    routing: decision,
    sla: dueForOwner({
      owner: decision.owner,
      tier: input.tier,
      definition,
      directory,
      routedAt: input.routedAt,
    }),
    nextRotation,
  };
}

/** The first-touch deadline of a lead kept by (or given to) `owner`, in that owner's zone. */
export function dueForOwner(input: {
  readonly owner: string;
  readonly tier: string;
  readonly definition: Definition;
  readonly directory: Directory;
  readonly routedAt: Date;
}): SlaDue {
  const { owner, tier, definition, directory, routedAt } = input;
  return computeSlaDueAt({
    routedAt,
    tier,
    sla: definition.sla,
    timezone: resolveOwnerTimezone({ definition, owner, directory }),
  });
}
