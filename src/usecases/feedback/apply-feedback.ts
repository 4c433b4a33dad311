import type { Logger } from 'pino';
import type {
  ContactFeedbackWriter,
  RejectionFeedback,
} from '../../ports/contact-feedback.port.js';
import type { ContactWriter } from '../../ports/contact-writer.port.js';
import type { SyncState } from '../../ports/sync-state.port.js';
import { quarantineContact } from '../sync/write-contact-updates.js';

export interface ApplyFeedbackDeps {
  readonly feedback: ContactFeedbackWriter;
  readonly contactWriter: ContactWriter;
  readonly state: SyncState;
  readonly log: Logger;
  readonly now: () => Date;
}

export interface ApplyFeedbackResult {
  readonly applied: number;
  readonly notes: number;
  readonly quarantined: number;
  /**
   * Events HubSpot is done with — applied, or parked because HubSpot refused them for good —
   * whose Leads may now be returned to nurture.
   */
  readonly delivered: readonly string[];
}

/** The ledger of notes written, by rejection event: a note has no external id to upsert on. */
export const NOTES_LEDGER = 'rejection-notes';

/**
 * The rejection loop's HubSpot side, for up to 100 events: Handoff's properties, the lifecycle
 * stage recycled (cleared first, so it can move back), the reason's nurture list, and one
 * timeline note per event. Every step is safe to repeat: properties and stages are set, list
 * adds ignore members, and notes are written once per event (ledger in Redis). A contact
 * deleted or merged in HubSpot is parked with the reason, not retried. Whole-call failures throw
 * IntegrationError: the queue retries, and the Leads wait for it.
 */
export async function applyFeedback(
  deps: ApplyFeedbackDeps,
  events: readonly RejectionFeedback[],
): Promise<ApplyFeedbackResult> {
  const stages = await deps.feedback.lifecycleStages(events.map((event) => event.contactId));
  const present: RejectionFeedback[] = [];
  let quarantined = 0;
  for (const event of events) {
    if (stages.has(event.contactId)) {
      present.push(event);
      continue;
    }
    quarantined += 1;
    await quarantineContact(
      deps,
      event.contactId,
      'OBJECT_NOT_FOUND',
      `not_found: rejection ${event.eventId} not returned, the contact was deleted or merged in HubSpot`,
      false,
    );
  }
  const delivered = events.map((event) => event.eventId);
  if (present.length === 0) return { applied: 0, notes: 0, quarantined, delivered };

  for (const outcome of await deps.contactWriter.updateContacts(
    present.map((event) => ({ contactId: event.contactId, properties: event.properties })),
  )) {
    if (outcome.ok) continue;
    quarantined += 1;
    // Refused for good (an invalid value): parked for the admin, not re-sent every run.
    await quarantineContact(
      deps,
      outcome.key,
      outcome.code,
      `${outcome.kind}: rejection feedback refused (${outcome.message})`,
      false,
    );
  }
  await deps.feedback.setLifecycleStages(
    present
      .filter((event) => stages.get(event.contactId) !== event.lifecycleStage)
      .map((event) => ({ contactId: event.contactId, stage: event.lifecycleStage })),
  );
  const byList = new Map<string, string[]>();
  for (const event of present) {
    if (event.nurtureListId === null) continue;
    byList.set(event.nurtureListId, [...(byList.get(event.nurtureListId) ?? []), event.contactId]);
  }
  for (const [listId, contactIds] of byList) await deps.feedback.addToList(listId, contactIds);

  const written = await deps.state.done(
    NOTES_LEDGER,
    present.map((event) => event.eventId),
  );
  const notes = present.filter((event) => !written.has(event.eventId));
  const outcomes = await deps.feedback.createNotes(
    notes.map((event) => ({
      key: event.eventId,
      contactId: event.contactId,
      body: event.note,
      at: new Date(event.at),
    })),
  );
  const created = outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.key);
  await deps.state.markDone(NOTES_LEDGER, created);
  for (const outcome of outcomes)
    if (!outcome.ok)
      deps.log.warn({ eventId: outcome.key, code: outcome.code }, 'rejection note not written');
  deps.log.info(
    { events: present.length, notes: created.length },
    'rejections returned to HubSpot',
  );
  return { applied: present.length, notes: created.length, quarantined, delivered };
}
