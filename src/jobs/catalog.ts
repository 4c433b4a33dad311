import { z } from 'zod';

/**
 * Queues: one per external system plus one for decisions, so a HubSpot rate
 * limit slows only HubSpot work and Salesforce's daily limit only Salesforce work.
 */
export const DECISIONS_QUEUE = 'decisions';
export const HUBSPOT_QUEUE = 'hubspot';
export const SALESFORCE_QUEUE = 'salesforce';
export type QueueName = typeof DECISIONS_QUEUE | typeof HUBSPOT_QUEUE | typeof SALESFORCE_QUEUE;

/** HubSpot batch writes take at most 100 inputs. */
export const HUBSPOT_BATCH = 100;

const ContactUpdateSchema = z.object({
  contactId: z.string().min(1),
  /** Handoff's own properties only: no contact data travels through Redis. */
  properties: z.record(z.string(), z.string()),
});

const RejectionFeedbackSchema = z.object({
  eventId: z.string().min(1),
  contactId: z.string().min(1),
  properties: z.record(z.string(), z.string()),
  note: z.string(),
  at: z.string(),
  nurtureListId: z.string().nullable(),
  lifecycleStage: z.string().min(1),
});

/** What a job that waits for children keeps on itself between its two steps. */
const StepDone = z
  .object({
    result: z.record(z.string(), z.unknown()),
    calls: z.object({ hubspot: z.number(), salesforce: z.number() }),
  })
  .optional();

/**
 * Why a job runs: the poll or reconciliation schedule, a one-off request (`sync --once`), or the
 * change probe that found work for it.
 */
const Trigger = z.enum(['schedule', 'once', 'probe']);

/**
 * The job catalogue: name → queue, payload schema and attempts. Processors re-parse payloads,
 * because Redis may hold jobs from an older deployment.
 */
export const jobCatalog = {
  /**
   * One complete sync cycle (pull, match, decide, write Salesforce), then it waits for its
   * children: the HubSpot write-back, and with `trigger: once` the SLA watch and the rejection
   * scan. Idempotent, so safe to repeat.
   */
  'sync.cycle': {
    queue: DECISIONS_QUEUE,
    schema: z.object({
      /** Why the cycle runs: the poll schedule, or a one-off request (`sync --once`). */
      trigger: Trigger,
      dryRun: z.boolean().default(false),
      /** Walk every contact from the start, on a cursor of its own (`sync --once --backfill`). */
      backfill: z.boolean().default(false),
      done: StepDone,
    }),
    attempts: 8,
  },
  /**
   * The contacts HubSpot webhooks named since the last run (ids wait in Redis, never values),
   * decided as a poll cycle decides a page; then it waits for its HubSpot write-back children.
   * On the decisions queue, so it never runs beside a cycle.
   */
  'sync.contacts': {
    queue: DECISIONS_QUEUE,
    schema: z.object({ trigger: z.literal('webhook').default('webhook'), done: StepDone }),
    attempts: 8,
  },
  /** Routed leads' first touches and breaches (`sla.on_breach`); reads Salesforce, writes both. */
  'salesforce.sla.watch': {
    queue: SALESFORCE_QUEUE,
    schema: z.object({ trigger: Trigger, done: StepDone }),
    attempts: 8,
  },
  /**
   * The SLA check of named leads: those the change probe saw activity on, or (`timer`) every
   * lead whose due instant has come. Reads Salesforce, writes both.
   */
  'salesforce.sla.check': {
    queue: SALESFORCE_QUEUE,
    schema: z.object({
      trigger: z.enum(['timer', 'probe']),
      leadIds: z.array(z.string().min(1)).max(2_000).default([]),
      done: StepDone,
    }),
    attempts: 8,
  },
  /** Rejected Leads: feedback to HubSpot (as children), the Lead to nurture. */
  'salesforce.feedback.scan': {
    queue: SALESFORCE_QUEUE,
    schema: z.object({ trigger: Trigger, done: StepDone }),
    attempts: 8,
  },
  /** Handoff's properties on up to 100 contacts, one batch call (plus a read with `onlyChanges`). */
  'hubspot.contacts.update': {
    queue: HUBSPOT_QUEUE,
    schema: z.object({
      updates: z.array(ContactUpdateSchema).min(1).max(HUBSPOT_BATCH),
      onlyChanges: z.boolean().default(false),
    }),
    attempts: 8,
  },
  /**
   * HubSpot contacts for up to 100 Salesforce-born Leads (one batch upsert on email, after a
   * read of the Leads): only ids and Handoff's properties are queued, no contact data.
   */
  'hubspot.contacts.create': {
    queue: HUBSPOT_QUEUE,
    schema: z.object({
      leads: z
        .array(
          z.object({ leadId: z.string().min(1), properties: z.record(z.string(), z.string()) }),
        )
        .min(1)
        .max(HUBSPOT_BATCH),
    }),
    attempts: 8,
  },
  /** Up to 100 rejections returned to HubSpot: properties, stage, nurture list, note. */
  'hubspot.feedback.apply': {
    queue: HUBSPOT_QUEUE,
    schema: z.object({ events: z.array(RejectionFeedbackSchema).min(1).max(HUBSPOT_BATCH) }),
    attempts: 8,
  },
} as const;

export type JobName = keyof typeof jobCatalog;

/**
 * Schedulers (`handoff run`): one per installation, however many workers start. The cycle runs
 * every poll interval and probes Salesforce for what changed; the full SLA watch and rejection
 * scan run only as the reconciliation, which reads the truth from Salesforce so that losing
 * Redis (its timers and cursors) loses nothing.
 */
export const SCHEDULERS = {
  'sync.cycle': { id: 'poll-sync-cycle', every: 'poll' },
  'salesforce.sla.watch': { id: 'reconcile-sla-watch', every: 'reconcile' },
  'salesforce.feedback.scan': { id: 'reconcile-rejections', every: 'reconcile' },
} as const satisfies Partial<Record<JobName, { id: string; every: 'poll' | 'reconcile' }>>;

/** Schedulers of earlier versions, removed at start (they ran the full scans every poll). */
export const RETIRED_SCHEDULERS = {
  'salesforce.sla.watch': 'poll-sla-watch',
  'salesforce.feedback.scan': 'poll-rejections',
} as const satisfies Partial<Record<JobName, string>>;
