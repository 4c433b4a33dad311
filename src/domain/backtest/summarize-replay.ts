import type { Definition } from '../definition.js';
import type { QualificationResult } from '../qualification/qualify.js';
import { formatLocalDate, MS_PER_DAY, toWallTime } from '../time/zoned-time.js';
import type { ReplayedLead } from './replay-definition.js';

/** A converted lead the definition would not have qualified, named for the admin. */
export interface MissedConversion {
  readonly contactId: string;
  readonly leadId: string | null;
  readonly email: string | null;
  /** Its best score before its cutoff. */
  readonly score: number;
  /** What held it back: the first failing gate, else `threshold`. */
  readonly heldBackBy: string;
}

export interface MemberLoad {
  readonly owner: string;
  /** Leads the replay routed to the member through this pool. */
  readonly assigned: number;
  /** Most leads open at once with the member (all pools), counted at each routing instant. */
  readonly peakOpen: number;
  readonly maxOpen: number | null;
}

export interface ReplaySummary {
  readonly definitionVersion: string;
  readonly leads: number;
  readonly mqls: number;
  readonly mqlsByTier: Readonly<Record<string, number>>;
  /** Every week of the window (Monday, UTC), empty ones too. */
  readonly weeks: readonly {
    readonly week: string;
    readonly mqls: number;
    readonly byTier: Readonly<Record<string, number>>;
  }[];
  readonly rejected: {
    readonly count: number;
    /** Of the MQLs; null without MQLs. */
    readonly share: number | null;
    readonly byReason: Readonly<Record<string, number>>;
  };
  readonly converted: {
    readonly count: number;
    readonly share: number | null;
    /** Converted MQLs whose Opportunity was won, among those where it could be read. */
    readonly won: number;
    readonly wonReadable: number;
  };
  readonly missedConversions: readonly MissedConversion[];
  readonly load: readonly { readonly pool: string; readonly members: readonly MemberLoad[] }[];
  /** MQLs that went to `fallback_owner`. */
  readonly fallback: number;
  /** First-touch deadlines per day, in the owner's zone. */
  readonly slaLoad: readonly { readonly day: string; readonly due: number }[];
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (Object.hasOwn(counts, key) ? (counts[key] ?? 0) : 0) + 1;
}

/** Monday 00:00 UTC of the week holding `at`. */
export function weekStart(at: Date): Date {
  const day = Math.floor(at.getTime() / MS_PER_DAY);
  // 1970-01-01 was a Thursday: day 0 is weekday 4 (Monday-based 3).
  return new Date((day - ((day + 3) % 7)) * MS_PER_DAY);
}

/** What kept a lead from qualifying: the first failing gate, else the threshold. */
export function heldBackBy(qualification: QualificationResult): string {
  return qualification.reasons.find((reason) => reason.kind === 'gate_failed')?.rule ?? 'threshold';
}

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function peakOpen(leads: readonly ReplayedLead[]): Map<string, number> {
  const spans = new Map<string, { from: number; until: number }[]>();
  for (const lead of leads) {
    if (lead.routing === null || lead.decidedAt === null) continue;
    const list = spans.get(lead.routing.owner) ?? [];
    list.push({
      from: lead.decidedAt.getTime(),
      until: lead.outcome.closedAt?.getTime() ?? Number.POSITIVE_INFINITY,
    });
    spans.set(lead.routing.owner, list);
  }
  const peaks = new Map<string, number>();
  for (const [owner, list] of spans) {
    let peak = 0;
    for (const { from } of list) {
      const open = list.filter((span) => span.from <= from && from < span.until).length;
      peak = Math.max(peak, open);
    }
    peaks.set(owner, peak);
  }
  return peaks;
}

/**
 * The numbers a backtest shows for one definition: MQLs per week and tier, what became of them
 * (rejected by reason, converted, won), the converted leads it would have missed, each pool
 * member's load against `max_open`, and the first-touch deadlines per day.
 */
export function summarizeReplay(input: {
  readonly replayed: readonly ReplayedLead[];
  readonly definition: Definition;
  readonly window: { readonly from: Date; readonly to: Date };
}): ReplaySummary {
  const { replayed, definition, window } = input;
  const mqls = replayed.filter((lead) => lead.qualification.qualified);
  const mqlsByTier: Record<string, number> = {};
  const weeks = new Map<number, { mqls: number; byTier: Record<string, number> }>();
  for (
    let week = weekStart(window.from).getTime();
    week < window.to.getTime();
    week += 7 * MS_PER_DAY
  )
    weeks.set(week, { mqls: 0, byTier: {} });
  const byReason: Record<string, number> = {};
  let rejected = 0;
  let converted = 0;
  let won = 0;
  let wonReadable = 0;
  const dueByDay: Record<string, number> = {};
  for (const lead of mqls) {
    const tier = lead.qualification.tier ?? '';
    bump(mqlsByTier, tier);
    if (lead.decidedAt !== null) {
      const week = weekStart(lead.decidedAt).getTime();
      const entry = weeks.get(week) ?? { mqls: 0, byTier: {} };
      entry.mqls += 1;
      bump(entry.byTier, tier);
      weeks.set(week, entry);
    }
    if (lead.outcome.kind === 'rejected') {
      rejected += 1;
      bump(byReason, lead.outcome.rejectionReason ?? definition.feedback.default_reason);
    }
    if (lead.outcome.kind === 'converted') {
      converted += 1;
      if (lead.outcome.won !== null) {
        wonReadable += 1;
        if (lead.outcome.won) won += 1;
      }
    }
    if (lead.sla !== null)
      bump(dueByDay, formatLocalDate(toWallTime(lead.sla.timezone, lead.sla.due.getTime())));
  }
  const peaks = peakOpen(mqls);
  const load = Object.entries(definition.routing.pools).map(([pool, { members }]) => ({
    pool,
    members: members.map((member) => ({
      owner: member.owner,
      assigned: mqls.filter(
        (lead) => lead.routing?.pool === pool && lead.routing.owner === member.owner,
      ).length,
      peakOpen: peaks.get(member.owner) ?? 0,
      maxOpen: member.max_open ?? null,
    })),
  }));
  return {
    definitionVersion: definition.version,
    leads: replayed.length,
    mqls: mqls.length,
    mqlsByTier,
    weeks: [...weeks.entries()]
      .sort(([a], [b]) => a - b)
      .map(([week, entry]) => ({
        week: new Date(week).toISOString().slice(0, 10),
        ...entry,
      })),
    rejected: { count: rejected, share: share(rejected, mqls.length), byReason },
    converted: { count: converted, share: share(converted, mqls.length), won, wonReadable },
    missedConversions: replayed
      .filter((lead) => !lead.qualification.qualified && lead.outcome.kind === 'converted')
      .map((lead) => ({
        contactId: lead.contactId,
        leadId: lead.leadId,
        email: lead.email,
        score: lead.qualification.score,
        heldBackBy: heldBackBy(lead.qualification),
      })),
    load,
    fallback: mqls.filter((lead) => lead.routing?.kind === 'fallback').length,
    slaLoad: Object.entries(dueByDay)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, due]) => ({ day, due })),
  };
}
