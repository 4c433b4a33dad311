import type { LeadLifecycle, LifecycleWrite } from '../domain/lifecycle/lead-lifecycle.js';
import type { IntegrationErrorKind } from '../platform/errors.js';

/** A Salesforce Lead with the fields Handoff reads and owns. */
export interface SalesLead {
  readonly id: string;
  readonly ownerId: string;
  readonly status: string;
  readonly email: string | null;
  readonly isConverted: boolean;
  readonly convertedContactId: string | null;
  /** The owner of the Contact a converted Lead became, read with the Lead (null: not visible). */
  readonly convertedContactOwnerId: string | null;
  readonly hubspotContactId: string | null;
  readonly modifiedAt: Date;
  /**
   * Handoff's open follow-up Tasks on the Lead, read with it (a relationship subquery, no call of
   * its own); null when they were not, or not all of them, could be read that way.
   */
  readonly openTasks: readonly OpenTask[] | null;
  /** A rep's earlier rejection (`Rejection_Reason__c`, `Rejection_Comment__c`), if any. */
  readonly rejection: { readonly reason: string | null; readonly comment: string | null };
  readonly handoff: {
    readonly score: number | null;
    readonly tier: string | null;
    readonly due: Date | null;
    readonly reason: string | null;
    /** Where the lead stands since Handoff routed it; null when it never did. */
    readonly lifecycle: LeadLifecycle | null;
  };
}

/** An open Task Handoff created: its record id and the decision it follows up. */
export interface OpenTask {
  readonly taskId: string;
  readonly decisionId: string;
}

/** Keys to match HubSpot contacts to Leads by. */
export interface LeadKeys {
  readonly leadIds: readonly string[];
  readonly hubspotContactIds: readonly string[];
  readonly emails: readonly string[];
}

export interface AccountOwner {
  readonly accountId: string;
  readonly ownerId: string;
}

/** The owned fields of one Lead to set; absent keys are left alone. */
export interface LeadUpdate {
  readonly leadId: string;
  readonly ownerId?: string;
  readonly status?: string;
  readonly score?: number;
  readonly tier?: string;
  readonly due?: Date;
  readonly reason?: string;
  /** The current assignment's id (`LeadLifecycle.assignmentId`), written after its Task. */
  readonly decisionId?: string;
  /** The lifecycle fields (stage, reassignments, definition version, breaches). */
  readonly lifecycle?: LifecycleWrite;
  /** When the current owner got the lead (the SLA clock's start). */
  readonly routedAt?: Date;
  readonly slaBreached?: boolean;
  /** Clears an earlier rejection's reason and comment (the lead is routed again). */
  readonly clearRejection?: boolean;
  /** Links the Lead to its contact (`HubSpot_Contact_Id__c`) when it was matched otherwise. */
  readonly hubspotContactId?: string;
}

/** A Lead to create for a qualified contact that has none. */
export interface NewLead extends Omit<LeadUpdate, 'leadId'> {
  readonly hubspotContactId: string;
  /** Canonical attributes; mapped to Lead fields. `last_name` and `company` are required there. */
  readonly attributes: Readonly<Record<string, string | number | boolean | null>>;
}

/** One follow-up Task; `decisionId` is its idempotency key. */
export interface FollowUpTask {
  readonly decisionId: string;
  readonly leadId: string;
  readonly ownerId: string;
  readonly subject: string;
  /** `YYYY-MM-DD`: the due date in the owner's zone (Task.ActivityDate is a date). */
  readonly dueDate: string;
  /** The exact due instant: the reminder fires then. */
  readonly reminderAt: Date;
  readonly description: string;
  readonly priority: 'High' | 'Normal' | 'Low';
}

/** Per-record result of a batched write, in input order. */
export type WriteOutcome =
  | {
      readonly ok: true;
      readonly key: string;
      readonly id: string;
      readonly created: boolean;
      /** When the write left the record, where the system says (HubSpot contacts). */
      readonly modifiedAt?: Date | undefined;
    }
  | {
      readonly ok: false;
      readonly key: string;
      readonly code: string;
      readonly kind: IntegrationErrorKind;
      readonly message: string;
    };

/**
 * Leads and follow-up Tasks in Salesforce.
 *
 * Guarantees: reads in SOQL pages of 2,000; writes in sObject Collections of 200 with
 * `allOrNone: false` (one failing record never fails the others) and `Sforce-Auto-Assign: FALSE`
 * on every Lead write, so assignment rules cannot undo an owner. Lead creation upserts on
 * `HubSpot_Contact_Id__c` and Tasks on `Handoff_Decision_Id__c`, so repeating a write never
 * duplicates a record. Per-record failures come back as outcomes; whole-call failures throw
 * IntegrationError.
 */
export interface LeadStore {
  /**
   * Why `email` can never identify or be written on a Lead (longer than Salesforce's Email
   * field, …), or null. The sync quarantines such a contact with the reason instead of sending
   * a value that would break the request for every other record.
   */
  emailProblem(email: string): string | null;
  /**
   * Leads matching any of the keys. Keys that cannot identify a Lead (a malformed id, an email
   * longer than the field) are left out of the query rather than sent, and however many keys
   * there are, no single query exceeds Salesforce's URL limit.
   */
  findLeads(keys: LeadKeys): Promise<readonly SalesLead[]>;
  /** Account owners by website domain (`acme.com`), for lead-to-account matching. */
  accountOwnersByDomain(domains: readonly string[]): Promise<ReadonlyMap<string, AccountOwner>>;
  /** Owners of Salesforce Contacts by id: where converted Leads (read-only) went. */
  contactOwners(contactIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  updateLeads(updates: readonly LeadUpdate[]): Promise<readonly WriteOutcome[]>;
  createLeads(leads: readonly NewLead[]): Promise<readonly WriteOutcome[]>;
  upsertTasks(tasks: readonly FollowUpTask[]): Promise<readonly WriteOutcome[]>;
  /**
   * Closes the open follow-up Tasks with these external ids (Status `Completed`), so a lead that
   * left a rep (rejected, reassigned, or routed to a queue after an interrupted attempt had given
   * it to a rep) leaves their list; outcomes are keyed by decision id.
   */
  closeTasks(decisionIds: readonly string[]): Promise<readonly WriteOutcome[]>;
  /** Closes these Tasks, already known open (`SalesLead.openTasks`): no query first. */
  completeTasks(tasks: readonly OpenTask[]): Promise<readonly WriteOutcome[]>;
}
