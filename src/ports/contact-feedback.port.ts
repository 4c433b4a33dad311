import type { HubSpotOwnedProperty } from '../domain/definition.js';
import type { WriteOutcome } from './lead-store.port.js';

/** One rejection as marketing gets it: properties, a note, a nurture list, a lifecycle stage. */
export interface RejectionFeedback {
  /** The rejection event (Lead + decision): one note and one list add per event. */
  readonly eventId: string;
  readonly contactId: string;
  readonly properties: Readonly<Partial<Record<HubSpotOwnedProperty, string>>>;
  readonly note: string;
  /** ISO instant of the rejection: the note's place on the timeline. */
  readonly at: string;
  readonly nurtureListId: string | null;
  readonly lifecycleStage: string;
}

/** One timeline note on one contact; `key` identifies the rejection event it reports. */
export interface FeedbackNote {
  readonly key: string;
  readonly contactId: string;
  /** Plain text with line breaks; HubSpot shows it on the contact's timeline. */
  readonly body: string;
  readonly at: Date;
}

/**
 * What the rejection loop writes to HubSpot besides Handoff's properties: lifecycle stages,
 * nurture-list memberships and timeline notes. Batched (100 per call); throws IntegrationError
 * for whole-call failures.
 */
export interface ContactFeedbackWriter {
  /** Current lifecycle stage per existing contact (null when unset); deleted or merged ones are absent. */
  lifecycleStages(contactIds: readonly string[]): Promise<ReadonlyMap<string, string | null>>;
  /**
   * Sets lifecycle stages, backwards too: HubSpot ignores a move to an earlier stage unless the
   * property is cleared first, so the stage is cleared, then set.
   */
  setLifecycleStages(
    updates: readonly { readonly contactId: string; readonly stage: string }[],
  ): Promise<readonly WriteOutcome[]>;
  /** Adds contacts to a MANUAL list; members already in it are left as they are. */
  addToList(listId: string, contactIds: readonly string[]): Promise<void>;
  /** Creates notes associated with their contacts; outcomes keyed by note key. */
  createNotes(notes: readonly FeedbackNote[]): Promise<readonly WriteOutcome[]>;
}
