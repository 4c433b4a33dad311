import type { DirectoryUser } from '../../domain/routing/route-lead.js';
import { readAhead } from '../../platform/read-ahead.js';
import type { MarketingContact } from '../../ports/contact-source.port.js';
import type { AccountOwner } from '../../ports/lead-store.port.js';
import { loadPeople } from '../lifecycle/load-people.js';
import { changedContactPages } from './changed-contact-pages.js';
import { dryRunDeps } from './dry-run.js';
import { recycledContacts } from './recycle.js';
import { needsEngagement, syncPage } from './sync-page.js';
import { BORN_KEY_PREFIX, syncSalesforceBornLeads } from './sync-salesforce-leads.js';
import type { CycleContext, SyncCycleDeps, SyncSummary } from './sync-cycle.types.js';

export type { SyncCycleDeps, SyncSummary, PlannedChange } from './sync-cycle.types.js';

export const CONTACTS_STREAM = 'hubspot.contacts';
/** Where `sync --once --backfill` has got to. */
const BACKFILL_STREAM = 'hubspot.backfill';
/** When rejected contacts were last checked for their recycle date. */
const RECYCLE_STREAM = 'hubspot.recycle';
/**
 * Contacts decided and written together, at most: a batch closes earlier once it holds
 * ENGAGEMENT_BATCH contacts whose engagements are read, so each association read carries its
 * full 1,000 ids and the object reads, lookups and Collections that follow fill up too.
 */
const PAGE_SIZE = 10_000;
const ENGAGEMENT_BATCH = 2_000;
/**
 * Search pages read ahead of the batch being written: more than a batch's worth (about 10–14
 * pages), so HubSpot's five searches a second keep going while a batch is written.
 */
const READ_AHEAD_PAGES = 50;
const CLOSED_STATUSES = ['Closed - Converted', 'Closed - Not Converted'];

export function emptySummary(): SyncSummary {
  return {
    pulled: { contacts: 0, leads_matched: 0 },
    decided: 0,
    qualified: 0,
    routed: 0,
    skipped: {
      converted: 0,
      owned_by_rep: 0,
      already_routed: 0,
      no_lead: 0,
      shared_lead: 0,
      recycling: 0,
      own_write: 0,
    },
    written: { salesforce: 0, hubspot: 0 },
    tasks_created: 0,
    quarantined: 0,
    recycled: 0,
    plan: [],
    salesforce_born: { pulled: 0, in_hubspot: 0, decided: 0, qualified: 0, routed: 0 },
  };
}

/** Users, queue names and open-lead counts as of this cycle (counts go to Redis for routing). */
export async function loadDirectory(
  deps: SyncCycleDeps,
): Promise<Pick<CycleContext, 'users' | 'names' | 'activeReps'>> {
  const [people, openCounts] = await Promise.all([
    loadPeople(deps.directory, deps.now()),
    deps.directory.openLeadCounts([
      ...CLOSED_STATUSES,
      ...deps.definition.feedback.rejected_statuses,
    ]),
  ]);
  // Salesforce's count is the truth: reps closed and took Leads since the last cycle.
  await deps.state.resetOpenLeads(openCounts);
  const users = new Map<string, DirectoryUser>();
  for (const [id, user] of people.directory)
    users.set(id, { ...user, openLeads: openCounts.get(id) ?? 0 });
  return {
    names: people.names,
    users,
    activeReps: new Set(
      [...people.users.values()]
        .filter((user) => user.active && user.id !== deps.integrationUserId)
        .map((user) => user.id),
    ),
  };
}

/**
 * One sync cycle: pull contacts changed since the cursor (windows below the 10,000 cap), their
 * engagements and matching Leads; decide; write Leads and Tasks in batches and queue the HubSpot
 * write-back; quarantine per-record failures; advance the cursor only after a page's writes.
 * Idempotent: a decision already on a Lead is not written again, so a second cycle writes nothing.
 */
export async function runSyncCycle(
  ports: SyncCycleDeps,
  options: {
    /** Decide and plan as a real cycle would, writing nothing anywhere (see dryRunDeps). */
    dryRun: boolean;
    /**
     * Look for rejected contacts past their recycle date at most this often (recycle dates are
     * whole days); every cycle when absent.
     */
    recycleEveryMs?: number;
    /**
     * Walk every contact from the start on a cursor of its own (so an interrupted backfill
     * resumes where it stopped, and the poll's cursor is left alone).
     */
    backfill?: boolean;
    /**
     * Leads born in Salesforce to decide after the contacts: those the change probe named, or
     * `scan` for every one changed since the pass's cursor. Absent: none.
     */
    salesforceBorn?: 'scan' | readonly string[];
    /** Contacts read of the whole, after each page (the total is HubSpot's count at the start). */
    onProgress?: (progress: { readonly done: number; readonly total: number }) => Promise<void>;
  },
): Promise<SyncSummary> {
  const summary = emptySummary();
  const deps = options.dryRun ? dryRunDeps(ports, summary.plan) : ports;
  // Read before anything else: a cursor is moved only while Redis still holds this state.
  const epoch = await deps.state.epoch();
  const shared = {
    now: deps.now(),
    epoch,
    summary,
    accounts: new Map<string, AccountOwner | null>(),
    seen: new Set<string>(),
  };
  // The directory (users, queues, open-lead counts) is read only when there is something to
  // decide: a quiet cycle makes no Salesforce call for it.
  let directory: Awaited<ReturnType<typeof loadDirectory>> | null = null;
  const context = async (): Promise<CycleContext> => {
    directory ??= await loadDirectory(deps);
    return { ...shared, ...directory };
  };
  const pages = async (
    contacts: readonly MarketingContact[],
    after?: (newest: Date, count: number) => Promise<void>,
    newChanges = false,
  ) => {
    for (let start = 0; start < contacts.length; start += PAGE_SIZE) {
      const chunk = contacts.slice(start, start + PAGE_SIZE);
      // Read back through the cursor only because Handoff wrote them: nothing to decide. (A
      // quarantined record is retried above whatever wrote it last.)
      const own =
        after === undefined
          ? new Map<string, number>()
          : await deps.state.ownWrites(chunk.map(({ id }) => id));
      const fresh = chunk.filter((contact) => own.get(contact.id) !== contact.modifiedAt.getTime());
      summary.skipped.own_write += chunk.length - fresh.length;
      summary.pulled.contacts += chunk.length - fresh.length;
      if (fresh.length > 0) await syncPage(deps, fresh, { ...(await context()), newChanges });
      const newest = chunk.at(-1)?.modifiedAt;
      if (after !== undefined && newest !== undefined) await after(newest, chunk.length);
    }
  };

  // Records quarantined by earlier cycles come first: the cursor has moved past them. Each
  // leaves the quarantine only once its page has gone through (syncPage releases it); a retry
  // that fails, here or in its write-back, leaves it where it is for the next cycle.
  // Parked records stay visible to the admin and are not retried.
  const retry = (await deps.state.quarantined()).filter((entry) => entry.retry !== false);
  // Salesforce-born Leads are retried by the Lead pass below.
  const bornRetry = retry.flatMap((entry) =>
    entry.key.startsWith(BORN_KEY_PREFIX) ? [entry.key.slice(BORN_KEY_PREFIX.length)] : [],
  );
  const contactRetry = retry.filter((entry) => !entry.key.startsWith(BORN_KEY_PREFIX));
  if (contactRetry.length > 0) {
    const ids = [...new Set(contactRetry.map((entry) => entry.key))];
    const found = await deps.contacts.contactsByIds(ids);
    const present = new Set(found.map((contact) => contact.id));
    for (const id of ids.filter((key) => !present.has(key))) {
      // Deleted or merged in HubSpot: nothing left to retry, the admin sees why.
      await deps.state.quarantine({
        system: 'hubspot',
        key: id,
        code: 'OBJECT_NOT_FOUND',
        reason: 'not_found: the contact was deleted or merged in HubSpot',
        at: shared.now.toISOString(),
        retry: false,
      });
    }
    await pages(found);
  }

  const stream = options.backfill === true ? BACKFILL_STREAM : CONTACTS_STREAM;
  const stored = await deps.state.cursor(stream);
  const from = stored ?? new Date(0);
  // Past a stored cursor, contacts are read because they just changed (see CycleContext).
  const newChanges = stored !== null && options.backfill !== true;
  const window = { from, to: new Date(shared.now.getTime() + 1) };
  const progress = { done: 0, total: -1 };
  // The cursor moves after each batch's writes. Contacts sharing its instant are read again next
  // cycle (GTE) and not written twice: their decision is already on the Lead.
  const advance = async (newest: Date, count: number): Promise<void> => {
    await deps.state.advanceCursor(stream, newest, epoch);
    progress.done += count;
    await options.onProgress?.({
      done: progress.done,
      total: Math.max(progress.total, progress.done),
    });
  };
  let batch: MarketingContact[] = [];
  let engaged = 0;
  // The next searches run while a batch is decided and written: under HubSpot's search limit a
  // backfill then takes about as long as its searches.
  const reading = readAhead(changedContactPages(deps.contacts, window, deps.log), READ_AHEAD_PAGES);
  for await (const page of reading) {
    // The first search spans everything left to read: HubSpot's count is the whole.
    if (progress.total < 0) progress.total = page.total;
    for (const contact of page.contacts) {
      batch.push(contact);
      if (needsEngagement(deps.definition, contact.attributes, shared.now)) engaged += 1;
      if (engaged >= ENGAGEMENT_BATCH || batch.length >= PAGE_SIZE) {
        await pages(batch, advance, newChanges);
        batch = [];
        engaged = 0;
      }
    }
  }
  await pages(batch, advance, newChanges);
  const reconcileDue =
    options.recycleEveryMs === undefined ||
    ((await deps.state.cursor(RECYCLE_STREAM))?.getTime() ?? 0) <=
      shared.now.getTime() - options.recycleEveryMs;
  // No hourly scan is needed for these: after a Redis loss the probe looks back as far as the
  // scans do, and names every such Lead changed in that time (or asks for the scan).
  if (options.salesforceBorn !== undefined) {
    const which =
      options.salesforceBorn === 'scan'
        ? 'scan'
        : [...new Set([...options.salesforceBorn, ...bornRetry])];
    if (which === 'scan' || which.length > 0) {
      if (which === 'scan' && bornRetry.length > 0)
        await syncSalesforceBornLeads(deps, bornRetry, await context());
      await syncSalesforceBornLeads(deps, which, await context());
    }
  }
  // A finished backfill starts from the beginning next time.
  if (options.backfill === true) await deps.state.clearCursor(BACKFILL_STREAM);
  if (reconcileDue) {
    const recycled = (
      await recycledContacts(
        deps.definition,
        (instant) => deps.contacts.rejectedBefore(instant),
        shared.now,
      )
    ).filter((update) => !shared.seen.has(update.contactId));
    summary.recycled += recycled.length;
    if (recycled.length > 0) await deps.outbox.send(recycled);
    await deps.state.advanceCursor(RECYCLE_STREAM, shared.now, epoch);
  }
  deps.log.info({ ...summary, plan: undefined }, 'sync cycle finished');
  return summary;
}
