import type { ContactUpdate } from './contact-writer.port.js';

/**
 * Where decided HubSpot writes go. They are delivered by the `hubspot` queue, so HubSpot's rate
 * limits slow only HubSpot work; `send` returns once the writes are durably queued, and each
 * write is safe to deliver more than once (it sets values, it does not add).
 */
export interface ContactOutbox {
  send(updates: readonly ContactUpdate[]): Promise<void>;
}
