/** A Salesforce Task or Event on a Lead, as the SLA watch sees it. */
export interface TouchActivity {
  readonly kind: 'task' | 'call' | 'event';
  readonly ownerId: string;
  /** When it happened: a Task's completion, a call's logging, an Event's creation. */
  readonly at: Date;
  /** Tasks count only once completed; calls and Events count as logged. */
  readonly completed: boolean;
}

export interface RoutedLeadState {
  readonly ownerId: string;
  readonly status: string;
  /** When the current owner got the lead; null for Leads routed before Handoff recorded it. */
  readonly routedAt: Date | null;
  readonly due: Date;
  /** When the Lead was last changed: the latest a status change can have happened. */
  readonly modifiedAt: Date;
}

export type FirstTouch =
  | {
      readonly kind: 'touched';
      readonly at: Date;
      readonly by: 'activity' | 'status';
      /** Touched no later than the due instant. */
      readonly inTime: boolean;
      /** Wall-clock minutes from routing, when the routing instant is known. */
      readonly minutes: number | null;
    }
  | { readonly kind: 'waiting' }
  | { readonly kind: 'overdue'; readonly lateMinutes: number };

const MINUTE_MS = 60_000;

/**
 * A first touch: a completed Task, a logged call or an Event on the Lead by its
 * current owner after routing, or the Lead leaving its routed status. The earliest one counts;
 * a status change is dated by the Lead's last modification (Salesforce keeps no status time
 * without field history), so an activity beats it when both exist.
 */
export function assessFirstTouch(input: {
  readonly lead: RoutedLeadState;
  readonly activities: readonly TouchActivity[];
  readonly routedStatus: string;
  readonly now: Date;
}): FirstTouch {
  const { lead, now } = input;
  const since = lead.routedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  let earliest: { at: Date; by: 'activity' | 'status' } | null = null;
  for (const activity of input.activities) {
    if (activity.ownerId !== lead.ownerId || !activity.completed) continue;
    const at = activity.at.getTime();
    if (at < since || at > now.getTime()) continue;
    if (earliest === null || at < earliest.at.getTime())
      earliest = { at: activity.at, by: 'activity' };
  }
  if (earliest === null && lead.status !== input.routedStatus)
    earliest = { at: new Date(Math.max(lead.modifiedAt.getTime(), since)), by: 'status' };
  if (earliest !== null) {
    return {
      kind: 'touched',
      at: earliest.at,
      by: earliest.by,
      inTime: earliest.at.getTime() <= lead.due.getTime(),
      minutes:
        lead.routedAt === null
          ? null
          : Math.round((earliest.at.getTime() - lead.routedAt.getTime()) / MINUTE_MS),
    };
  }
  if (now.getTime() > lead.due.getTime())
    return {
      kind: 'overdue',
      lateMinutes: Math.floor((now.getTime() - lead.due.getTime()) / MINUTE_MS),
    };
  return { kind: 'waiting' };
}
