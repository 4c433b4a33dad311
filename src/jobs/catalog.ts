import { z } from 'zod';

/**
 * Queues (STYLE.md §B.4): one per external system plus one for decisions, so a HubSpot rate
 * limit slows only HubSpot work and Salesforce's daily limit only Salesforce work.
 */
export const DECISIONS_QUEUE = 'decisions';
export const HUBSPOT_QUEUE = 'hubspot';
export const SALESFORCE_QUEUE = 'salesforce';
export type QueueName = typeof DECISIONS_QUEUE | typeof HUBSPOT_QUEUE | typeof SALESFORCE_QUEUE;

/** HubSpot batch writes take at most 100 inputs (A6). */
export const HUBSPOT_BATCH = 100;

const ContactUpdateSchema = z.object({
  contactId: z.string().min(1),
  /** Handoff's own properties only: no contact data travels through Redis. */
  properties: z.record(z.string(), z.string()),
});

/**
 * The job catalogue: name → queue, payload schema and attempts. Processors re-parse payloads,
 * because Redis may hold jobs from an older deployment.
 */
export const jobCatalog = {
  /**
   * One complete sync cycle (pull, match, decide, write Salesforce), then it waits for its
   * HubSpot write-back children. Idempotent, so safe to repeat.
   */
  'sync.cycle': {
    queue: DECISIONS_QUEUE,
    schema: z.object({
      /** Why the cycle runs: the poll schedule, or a one-off request (`sync --once`). */
      trigger: z.enum(['schedule', 'once']),
      dryRun: z.boolean().default(false),
      /** Set once the cycle's own work is done and it waits for its children. */
      decided: z
        .object({
          summary: z.record(z.string(), z.unknown()),
          calls: z.object({ hubspot: z.number(), salesforce: z.number() }),
        })
        .optional(),
    }),
    attempts: 8,
  },
  /** Handoff's properties on up to 100 contacts, one batch call; a child of the cycle that decided them. */
  'hubspot.contacts.update': {
    queue: HUBSPOT_QUEUE,
    schema: z.object({ updates: z.array(ContactUpdateSchema).min(1).max(HUBSPOT_BATCH) }),
    attempts: 8,
  },
} as const;

export type JobName = keyof typeof jobCatalog;
export type SyncCyclePayload = z.infer<(typeof jobCatalog)['sync.cycle']['schema']>;
export type ContactUpdatePayload = z.infer<
  (typeof jobCatalog)['hubspot.contacts.update']['schema']
>;

/** The poll schedule's id: one scheduler per installation, however many workers start. */
export const SYNC_SCHEDULER_ID = 'poll-sync-cycle';
