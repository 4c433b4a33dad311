import type { Definition } from '../definition.js';
import { qualify, type QualificationResult } from '../qualification/qualify.js';
import { attributesAt, type HistoricLead } from './historic-lead.js';

export interface DecisionInstant {
  /** When the definition would first have qualified the lead; null: never before its cutoff. */
  readonly decidedAt: Date | null;
  /**
   * The qualification at `decidedAt`; for a lead never qualified, the evaluation that came
   * closest (highest score, earliest on ties), so a difference can name the rule that held it back.
   */
  readonly qualification: QualificationResult;
  /** The last instant the replay looked at: the label's instant or the window's end. */
  readonly cutoff: Date;
}

/**
 * When `definition` would have decided `lead`: the first instant of its history (creation, each
 * activity, each attribute change) up to its cutoff at which it qualifies. The cutoff is the
 * earlier of the outcome's first sign (`labelledAt`) and `windowEnd`.
 *
 * Only what existed at an instant is given to `qualify` there: activities and attribute values
 * dated after it are filtered out before the call, so a later activity can never raise the score
 * of an earlier decision (the classic backtest leak). Between two events the score only decays,
 * so checking at the events alone finds the first qualifying instant.
 */
export function findDecisionInstant(
  lead: HistoricLead,
  definition: Definition,
  windowEnd: Date,
): DecisionInstant {
  const labelled = lead.outcome.labelledAt;
  const cutoff = labelled !== null && labelled < windowEnd ? labelled : windowEnd;
  const start = lead.createdAt.getTime();
  const end = cutoff.getTime();
  const stamps = new Set<number>([start]);
  for (const activity of lead.activities) stamps.add(activity.at.getTime());
  for (const changes of Object.values(lead.attributes))
    for (const change of changes) stamps.add(change.at.getTime());
  // At the label's own instant sales has already acted (the first touch is often a logged call,
  // itself a Salesforce activity): only the creation instant may coincide with it.
  const labelledFirst = cutoff !== windowEnd;
  const instants = [...stamps]
    .filter(
      (ms) =>
        !Number.isNaN(ms) &&
        ms >= start &&
        (ms < end || (ms === end && (!labelledFirst || ms === start))),
    )
    .sort((a, b) => a - b);

  let closest: QualificationResult | null = null;
  for (const ms of instants) {
    const now = new Date(ms);
    const qualification = qualify({
      lead: { attributes: attributesAt(lead, now) },
      activities: lead.activities.filter((activity) => activity.at.getTime() <= ms),
      definition,
      now,
    });
    if (qualification.qualified) return { decidedAt: now, qualification, cutoff };
    if (closest === null || qualification.score > closest.score) closest = qualification;
  }
  return {
    decidedAt: null,
    // A lead created after its cutoff (labelled before HubSpot knew it) is judged at creation.
    qualification:
      closest ??
      qualify({
        lead: { attributes: attributesAt(lead, lead.createdAt) },
        activities: [],
        definition,
        now: lead.createdAt,
      }),
    cutoff,
  };
}
