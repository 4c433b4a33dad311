import type { Logger } from 'pino';
import type { Definition } from '../../domain/definition.js';
import type { QualificationResult } from '../../domain/qualification/qualify.js';
import type { DirectoryUser, RoutingDecision } from '../../domain/routing/route-lead.js';
import type { SlaDue } from '../../domain/sla/compute-sla-due-at.js';
import type { ContactOutbox } from '../../ports/contact-outbox.port.js';
import type { HandoffEvents } from '../../ports/handoff-events.port.js';
import type { SlaTimers } from '../../ports/sla-timers.port.js';
import type { ContactSource, MarketingContact } from '../../ports/contact-source.port.js';
import type { AccountOwner, LeadStore, SalesLead } from '../../ports/lead-store.port.js';
import type { SalesDirectory } from '../../ports/sales-directory.port.js';
import type { SalesforceLeadSource } from '../../ports/salesforce-lead-source.port.js';
import type { SyncState } from '../../ports/sync-state.port.js';

export interface SyncCycleDeps {
  readonly definition: Definition;
  readonly contacts: ContactSource;
  /** Leads born in Salesforce, decided like contacts. */
  readonly salesforceLeads: SalesforceLeadSource;
  /** HubSpot writes leave through the outbox (the `hubspot` queue), never inline. */
  readonly outbox: ContactOutbox;
  /** Wakes the SLA check of each routed lead at its due instant. */
  readonly timers: SlaTimers;
  readonly leads: LeadStore;
  readonly directory: SalesDirectory;
  readonly state: SyncState;
  readonly log: Logger;
  readonly now: () => Date;
  /** Where a dry run lists each decision it would write (a real run keeps no list). */
  readonly plan?: ((change: PlannedChange) => void) | undefined;
  /** The user Handoff writes as: Leads it owns count as unowned. */
  readonly integrationUserId: string | null;
  /** Where decisions, routes and hand-off latencies are told (the metrics); none when absent. */
  readonly events?: HandoffEvents | undefined;
}

/** One record's planned changes, as `sync --once --dry-run` prints them. */
export interface PlannedChange {
  /** Null for a Lead born in Salesforce that no HubSpot contact points at. */
  readonly contactId: string | null;
  readonly leadId: string | null;
  readonly action: 'route' | 'keep_owner' | 'create_lead' | 'update_hubspot' | 'create_hubspot';
  readonly decisionId: string | null;
  readonly ownerId: string | null;
  readonly due: string | null;
  readonly salesforce: Readonly<Record<string, unknown>> | null;
  readonly hubspot: Readonly<Record<string, string>> | null;
  /** For the admin reading the plan: the person's name, when the mapping reads one. */
  readonly name?: string | undefined;
  /** The owner's name in the sales directory. */
  readonly ownerName?: string | undefined;
  /** The business-hours time zone the due instant is shown in. */
  readonly timezone?: string | undefined;
}

export interface SyncSummary {
  pulled: { contacts: number; leads_matched: number };
  decided: number;
  qualified: number;
  routed: number;
  skipped: {
    converted: number;
    owned_by_rep: number;
    already_routed: number;
    no_lead: number;
    shared_lead: number;
    /** Rejected by a rep and inside the reason's recycle window. */
    recycling: number;
    /** Changed only by Handoff's own write-back since it was last decided: not decided again. */
    own_write: number;
  };
  /** Salesforce records written by the cycle; HubSpot contacts queued for write-back. */
  written: { salesforce: number; hubspot: number };
  tasks_created: number;
  quarantined: number;
  /** Rejected contacts past their recycle date, back to marketing (`handoff_status = recycled`). */
  recycled: number;
  plan: PlannedChange[];
  /** Leads born in Salesforce: read, left to HubSpot (a contact has their email), decided. */
  salesforce_born: {
    pulled: number;
    in_hubspot: number;
    decided: number;
    qualified: number;
    routed: number;
  };
}

/** A decided contact about to be written. */
export interface Planned {
  readonly contact: MarketingContact;
  readonly lead: SalesLead | null;
  readonly qualification: QualificationResult & { readonly qualified: true };
  readonly routing: RoutingDecision | null;
  readonly sla: SlaDue;
  readonly ownerId: string;
  readonly decisionId: string;
  readonly ownerKept: boolean;
}

/** What every page of one cycle shares. */
export interface CycleContext {
  readonly now: Date;
  /** The state epoch the cycle started on (none in a dry run): see SyncState.epoch. */
  readonly epoch: string | undefined;
  /** Users as routing sees them; open-lead counts come from Redis at decision time. */
  readonly users: ReadonlyMap<string, DirectoryUser>;
  readonly names: ReadonlyMap<string, string>;
  readonly activeReps: ReadonlySet<string>;
  readonly summary: SyncSummary;
  /** Contacts this cycle has decided on: the recycle search leaves them to the cycle. */
  readonly seen: Set<string>;
  /** Account owners by email domain (null: no account), looked up once per cycle. */
  readonly accounts: Map<string, AccountOwner | null>;
  /**
   * True when the contacts were read because they just changed (an incremental poll past a
   * stored cursor, a webhook run): the time from their change to the Salesforce write is then
   * Handoff's latency and is told (`HandoffEvents.handedOff`). A first cycle, a backfill and
   * quarantine retries read contacts whose last change may be months old: that age says
   * nothing about Handoff, so it is not told.
   */
  readonly newChanges?: boolean;
}
