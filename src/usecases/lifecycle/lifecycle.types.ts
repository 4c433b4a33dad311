import type { Logger } from 'pino';
import type { Definition } from '../../domain/definition.js';
import type { ContactOutbox } from '../../ports/contact-outbox.port.js';
import type { HandoffEvents } from '../../ports/handoff-events.port.js';
import type { SlaTimers } from '../../ports/sla-timers.port.js';
import type { LeadLifecycleStore } from '../../ports/lead-lifecycle.port.js';
import type { LeadStore } from '../../ports/lead-store.port.js';
import type { SalesDirectory } from '../../ports/sales-directory.port.js';
import type { SyncState } from '../../ports/sync-state.port.js';

/** What the SLA watch and the rejection scan need: Salesforce, the outbox to HubSpot, Redis. */
export interface LifecycleDeps {
  readonly definition: Definition;
  readonly lifecycle: LeadLifecycleStore;
  readonly leads: LeadStore;
  readonly directory: SalesDirectory;
  readonly state: SyncState;
  readonly outbox: ContactOutbox;
  /** Wakes the SLA check of each routed lead at its due instant. */
  readonly timers: SlaTimers;
  readonly log: Logger;
  readonly now: () => Date;
  /** Where SLA outcomes, escalations and returned rejections are told (the metrics). */
  readonly events?: HandoffEvents | undefined;
}
