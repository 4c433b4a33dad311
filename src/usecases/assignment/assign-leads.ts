import type { Definition } from '../../domain/definition.js';
import type { Lead } from '../../domain/model.js';
import { assignOwner, type Assignment } from '../../domain/routing/assign-owner.js';
import type { DirectoryUser } from '../../domain/routing/route-lead.js';
import type { SyncState } from '../../ports/sync-state.port.js';

export interface AssignmentRequest {
  readonly lead: Lead;
  readonly tier: string;
  /** Owners not eligible this time (the rep who let the deadline lapse). */
  readonly exclude?: ReadonlySet<string>;
}

/**
 * Owners and deadlines for leads, under the rotation and open-lead counts shared in Redis, in
 * one transaction for the whole batch: each assignment counts toward the next (capacity, round
 * robin), across pages and workers. Routing new MQLs and reassigning breached leads both come
 * through here, so they share one rotation and one view of everyone's load.
 */
export function assignLeads(input: {
  readonly state: SyncState;
  readonly definition: Definition;
  /** The pool members and fallback owners as Salesforce has them this cycle. */
  readonly users: ReadonlyMap<string, DirectoryUser>;
  readonly requests: readonly AssignmentRequest[];
  readonly routedAt: Date;
  /** Fences the write: a Redis wiped since the cycle began does not get half its state back. */
  readonly epoch?: string | undefined;
}): Promise<Assignment[]> {
  const { state, definition, users, requests, routedAt } = input;
  if (requests.length === 0) return Promise.resolve([]);
  return state.withRouting(({ rotation, openLeads }) => {
    let nextRotation = rotation;
    const open: Record<string, number> = { ...openLeads };
    const directory = new Map<string, DirectoryUser>();
    for (const [id, user] of users)
      directory.set(id, { ...user, openLeads: open[id] ?? user.openLeads });
    const assignments: Assignment[] = [];
    for (const request of requests) {
      const assignment = assignOwner({
        lead: request.lead,
        tier: request.tier,
        definition,
        directory,
        rotation: nextRotation,
        routedAt,
        exclude: request.exclude,
      });
      nextRotation = assignment.nextRotation;
      const owner = assignment.routing.owner;
      const count = (directory.get(owner)?.openLeads ?? open[owner] ?? 0) + 1;
      open[owner] = count;
      const user = directory.get(owner);
      if (user !== undefined) directory.set(owner, { ...user, openLeads: count });
      assignments.push(assignment);
    }
    return { result: assignments, next: { rotation: nextRotation, openLeads: open } };
  }, input.epoch);
}
