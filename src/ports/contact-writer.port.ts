import type { HubSpotOwnedProperty } from '../domain/definition.js';
import type { WriteOutcome } from './lead-store.port.js';

/** Handoff's properties to set on one contact; absent keys are left alone, "" clears. */
export interface ContactUpdate {
  readonly contactId: string;
  readonly properties: Readonly<Partial<Record<HubSpotOwnedProperty, string>>>;
}

/**
 * Writes Handoff's properties to HubSpot contacts in batches of 100. A contact that is missing
 * (deleted or merged) or refused comes back as a failed outcome; the rest of the batch is written.
 * Whole-call failures throw IntegrationError.
 */
/**
 * A HubSpot contact for a Lead born in Salesforce: its attributes (canonical and mapped, as
 * Salesforce holds them) and Handoff's properties; created, or updated when the email exists.
 */
export interface ContactCreation {
  readonly key: string;
  readonly email: string;
  readonly attributes: Readonly<Record<string, string | number | boolean | null>>;
  readonly properties: Readonly<Partial<Record<HubSpotOwnedProperty, string>>>;
}

export interface ContactWriter {
  updateContacts(updates: readonly ContactUpdate[]): Promise<readonly WriteOutcome[]>;
  /** Upserts contacts on `email` (batches of 100); outcomes keyed by each creation's key. */
  upsertContacts(creations: readonly ContactCreation[]): Promise<readonly WriteOutcome[]>;
}
