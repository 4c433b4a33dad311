import type { ShadowDecision } from '../../domain/shadow/compare-shadow.js';
import type { ContactFeedbackWriter } from '../../ports/contact-feedback.port.js';
import type { ContactWriter } from '../../ports/contact-writer.port.js';
import type { LeadStore, LeadUpdate, WriteOutcome } from '../../ports/lead-store.port.js';
import type { ShadowJournal } from '../../ports/shadow-journal.port.js';

/**
 * Shadow mode runs the real cycle, jobs and all, over writers that write nothing: Salesforce
 * writes succeed in memory and every decision in them goes to the journal; HubSpot writes
 * succeed without leaving the process. Reads are real. No branch of the cycle knows.
 */

function accepted(key: string, id: string, created = false): WriteOutcome {
  return { ok: true, key, id, created };
}

/** The decision a Lead write carries (owner and decision id together), if any. */
function decisionOf(
  update: Omit<LeadUpdate, 'leadId'>,
  leadId: string | null,
  contactId: string | null,
  now: Date,
): ShadowDecision | null {
  if (update.decisionId === undefined || update.ownerId === undefined) return null;
  return {
    decisionId: update.decisionId,
    contactId,
    leadId,
    ownerId: update.ownerId,
    due: update.due ?? null,
    decidedAt: update.routedAt ?? now,
  };
}

const PLACEHOLDER = 'shadow:';

/** Placeholder id of a Lead a shadow run would have created. */
function shadowLeadId(contactId: string): string {
  return `${PLACEHOLDER}${contactId}`;
}

function contactOfPlaceholder(leadId: string): string | null {
  return leadId.startsWith(PLACEHOLDER) ? leadId.slice(PLACEHOLDER.length) : null;
}

export function journalingLeadStore(
  leads: LeadStore,
  journal: ShadowJournal,
  now: () => Date,
): LeadStore {
  return {
    emailProblem: (email) => leads.emailProblem(email),
    findLeads: (keys) => leads.findLeads(keys),
    accountOwnersByDomain: (domains) => leads.accountOwnersByDomain(domains),
    contactOwners: (ids) => leads.contactOwners(ids),
    async updateLeads(updates) {
      const at = now();
      await journal.record(
        updates.flatMap((update) => {
          // A placeholder stands for a Lead this run would have created for its contact.
          const contactId = contactOfPlaceholder(update.leadId);
          const decision =
            contactId === null
              ? decisionOf(update, update.leadId, update.hubspotContactId ?? null, at)
              : decisionOf(update, null, contactId, at);
          return decision === null ? [] : [decision];
        }),
      );
      return updates.map((update) => accepted(update.leadId, update.leadId));
    },
    async createLeads(created) {
      const at = now();
      await journal.record(
        created.flatMap((lead) => {
          const decision = decisionOf(lead, null, lead.hubspotContactId, at);
          return decision === null ? [] : [decision];
        }),
      );
      return created.map((lead) =>
        accepted(lead.hubspotContactId, shadowLeadId(lead.hubspotContactId), true),
      );
    },
    upsertTasks: (tasks) =>
      Promise.resolve(tasks.map((task) => accepted(task.decisionId, task.decisionId, true))),
    closeTasks: (ids) => Promise.resolve(ids.map((id) => accepted(id, id))),
    completeTasks: (tasks) =>
      Promise.resolve(tasks.map((task) => accepted(task.decisionId, task.taskId))),
  };
}

export function discardingContactWriter(): ContactWriter {
  return {
    updateContacts: (updates) =>
      Promise.resolve(updates.map((update) => accepted(update.contactId, update.contactId))),
    upsertContacts: (creations) =>
      Promise.resolve(
        creations.map((creation) => accepted(creation.key, shadowLeadId(creation.key), true)),
      ),
  };
}

/** Reads lifecycle stages for real (they steer what would be written); writes nothing. */
export function discardingFeedbackWriter(feedback: ContactFeedbackWriter): ContactFeedbackWriter {
  return {
    lifecycleStages: (ids) => feedback.lifecycleStages(ids),
    setLifecycleStages: (updates) =>
      Promise.resolve(updates.map((update) => accepted(update.contactId, update.contactId))),
    addToList: () => Promise.resolve(),
    createNotes: (notes) =>
      Promise.resolve(notes.map((note) => accepted(note.key, note.key, true))),
  };
}
