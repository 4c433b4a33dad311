import type { ContactOutbox } from '../../ports/contact-outbox.port.js';
import type { LeadStore, WriteOutcome } from '../../ports/lead-store.port.js';
import type { RoutingState, SyncState } from '../../ports/sync-state.port.js';
import type { PlannedChange, SyncCycleDeps } from './sync-cycle.types.js';

/**
 * A dry run is the same cycle over ports that record instead of write. Reads go to HubSpot,
 * Salesforce and Redis as in a real run; Salesforce writes succeed without leaving the process,
 * HubSpot write-backs become plan entries, SLA timers are dropped, and Redis changes (cursors,
 * the rotation, open-lead counts) live in memory for the rest of the run, so its later pages
 * see the rotation move exactly as a real run's would. No branch of the cycle knows it is dry.
 */
export function dryRunDeps(deps: SyncCycleDeps, plan: PlannedChange[]): SyncCycleDeps {
  return {
    ...deps,
    state: inMemoryWrites(deps.state),
    leads: acceptingWrites(deps.leads),
    outbox: recordingOutbox(plan),
    timers: { schedule: () => Promise.resolve() },
    plan: (change) => plan.push(change),
  };
}

function inMemoryWrites(state: SyncState): SyncState {
  const cursors = new Map<string, Date | null>();
  let routing: RoutingState | null = null;
  let openLeads: Record<string, number> | null = null;
  const nothing = (): Promise<void> => Promise.resolve();
  return {
    // Nothing is written, so there is nothing to fence (and no epoch to create).
    epoch: () => Promise.resolve('dry-run'),
    routing: async () => routing ?? (await state.routing()),
    quarantined: (keys) => state.quarantined(keys),
    quarantineCounts: () => state.quarantineCounts(),
    done: (ledger, keys) => state.done(ledger, keys),
    ownWrites: (keys) => state.ownWrites(keys),
    dueSlaTimers: (upTo) => state.dueSlaTimers(upTo),
    cursor: async (stream) =>
      cursors.has(stream) ? (cursors.get(stream) ?? null) : state.cursor(stream),
    advanceCursor: (stream, to) => {
      cursors.set(stream, to);
      return Promise.resolve();
    },
    clearCursor: (stream) => {
      cursors.set(stream, null);
      return Promise.resolve();
    },
    async withRouting(decide) {
      // The stored state is read once, then kept here.
      routing ??= await state.routing();
      const current = openLeads === null ? routing : { ...routing, openLeads };
      const { result, next } = decide(current);
      routing = next;
      openLeads = null;
      return result;
    },
    resetOpenLeads: (counts) => {
      openLeads = Object.fromEntries(counts);
      return Promise.resolve();
    },
    quarantine: nothing,
    release: nothing,
    unpark: () => Promise.resolve(0),
    markDone: nothing,
    recordOwnWrites: nothing,
    addSlaTimers: nothing,
    clearSlaTimers: nothing,
  };
}

/** Salesforce writes that succeed in memory: new Leads get a placeholder id. */
function acceptingWrites(leads: LeadStore): LeadStore {
  const ok = (key: string, id: string): WriteOutcome => ({ ok: true, key, id, created: false });
  return {
    emailProblem: (email) => leads.emailProblem(email),
    findLeads: (keys) => leads.findLeads(keys),
    accountOwnersByDomain: (domains) => leads.accountOwnersByDomain(domains),
    contactOwners: (ids) => leads.contactOwners(ids),
    updateLeads: (updates) =>
      Promise.resolve(updates.map((update) => ok(update.leadId, update.leadId))),
    createLeads: (created) =>
      Promise.resolve(
        created.map((lead) => ({
          ok: true,
          key: lead.hubspotContactId,
          id: `dry-run:${lead.hubspotContactId}`,
          created: true,
        })),
      ),
    upsertTasks: (tasks) =>
      Promise.resolve(
        tasks.map((task) => ({
          ok: true,
          key: task.decisionId,
          id: task.decisionId,
          created: true,
        })),
      ),
    closeTasks: (ids) => Promise.resolve(ids.map((id) => ok(id, id))),
    completeTasks: (tasks) =>
      Promise.resolve(tasks.map((task) => ok(task.decisionId, task.taskId))),
  };
}

/**
 * HubSpot write-backs as plan entries: one per contact, so a routed contact (whose entry already
 * carries its HubSpot properties) is not listed twice.
 */
function recordingOutbox(plan: PlannedChange[]): ContactOutbox {
  return {
    send: (updates) => {
      const described = new Set(
        plan.filter((entry) => entry.hubspot !== null).map((entry) => entry.contactId),
      );
      for (const update of updates) {
        if (described.has(update.contactId)) continue;
        plan.push({
          contactId: update.contactId,
          leadId: null,
          action: 'update_hubspot',
          decisionId: null,
          ownerId: null,
          due: null,
          salesforce: null,
          hubspot: update.properties,
        });
      }
      return Promise.resolve();
    },
    createForLeads: (leads) => {
      for (const lead of leads)
        plan.push({
          contactId: null,
          leadId: lead.leadId,
          action: 'create_hubspot',
          decisionId: null,
          ownerId: null,
          due: null,
          salesforce: null,
          hubspot: lead.properties,
        });
      return Promise.resolve();
    },
    sendFeedback: () => Promise.resolve(),
  };
}
