import type { HubSpotOwnedProperty } from '../domain/definition.js';
import type { RejectionFeedback } from './contact-feedback.port.js';
import type { ContactUpdate } from './contact-writer.port.js';

export interface LeadContactRequest {
  readonly leadId: string;
  readonly properties: Readonly<Partial<Record<HubSpotOwnedProperty, string>>>;
}

/**
 * Where decided HubSpot writes go. They are delivered by the `hubspot` queue, so HubSpot's rate
 * limits slow only HubSpot work; `send` returns once the writes are durably queued, and each
 * write is safe to deliver more than once (values are set; notes go through a ledger).
 */
export interface ContactOutbox {
  /**
   * `onlyChanges`: the sender has not read the contacts, so the delivery reads them first and
   * writes only the properties that differ (contacts gone from HubSpot are parked for the admin).
   */
  send(
    updates: readonly ContactUpdate[],
    options?: { readonly onlyChanges?: boolean },
  ): Promise<void>;
  /**
   * HubSpot contacts for these Salesforce-born Leads, with Handoff's properties (when
   * `feedback.create_hubspot_contacts` is on). Only Lead ids and Handoff's properties are queued:
   * the delivery reads the Leads' details from Salesforce, so no personal data sits in Redis.
   */
  createForLeads(leads: readonly LeadContactRequest[]): Promise<void>;
  /** Rejection feedback (properties, note, nurture list, lifecycle stage), once per event. */
  sendFeedback(events: readonly RejectionFeedback[]): Promise<void>;
}
