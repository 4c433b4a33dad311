/**
 * A lead of the past as a backtest replays it: what was known about it over time and what sales
 * did with it afterwards. Built from both systems by the backtest's history reading; the replay
 * only ever looks at the part of it that existed at the instant it decides.
 */

import type { Activity, AttributeValue, LeadAccount } from '../model.js';

/** One value an attribute took, from `at` until its next change. */
export interface AttributeChange {
  readonly value: AttributeValue;
  readonly at: Date;
}

/** What sales did with the lead, as Salesforce holds it. */
export type OutcomeKind = 'converted' | 'rejected' | 'accepted' | 'untouched';

export interface LeadOutcome {
  readonly kind: OutcomeKind;
  /**
   * The earliest instant the outcome shows (the first touch, the rejection or the conversion,
   * whichever came first); null when sales never acted. Nothing from this instant on may inform
   * the replayed decision: that is the label.
   */
  readonly labelledAt: Date | null;
  /** When the lead stopped being open (converted or rejected); null while it is open. */
  readonly closedAt: Date | null;
  /** The rejection reason, for rejected leads (the org's picklist value, or the default). */
  readonly rejectionReason: string | null;
  /** Converted into an Opportunity that was won; null where that cannot be read. */
  readonly won: boolean | null;
}

export interface HistoricLead {
  /** HubSpot contact id: the lead's identity across definitions. */
  readonly contactId: string;
  /** The matched Salesforce Lead, if any. */
  readonly leadId: string | null;
  /** For naming missed conversions to the admin; never logged. */
  readonly email: string | null;
  readonly createdAt: Date;
  /**
   * Each attribute's values over time, oldest first. An attribute read without its history is one
   * change at the epoch: its current value stands for all time.
   */
  readonly attributes: Readonly<Record<string, readonly AttributeChange[]>>;
  readonly activities: readonly Activity[];
  readonly outcome: LeadOutcome;
  /** The account of its e-mail domain, with today's owner (account ownership keeps no history). */
  readonly account?: LeadAccount | null | undefined;
}

/**
 * The lead's attributes as they stood at `at`: each attribute's latest value set at or before
 * it; an attribute first set later is absent.
 */
export function attributesAt(
  lead: Pick<HistoricLead, 'attributes'>,
  at: Date,
): Record<string, AttributeValue> {
  const instant = at.getTime();
  const values: Record<string, AttributeValue> = {};
  for (const [name, changes] of Object.entries(lead.attributes)) {
    let latest: AttributeChange | undefined;
    for (const change of changes) {
      if (change.at.getTime() > instant) continue;
      if (latest === undefined || change.at >= latest.at) latest = change;
    }
    if (latest !== undefined) values[name] = latest.value;
  }
  return values;
}
