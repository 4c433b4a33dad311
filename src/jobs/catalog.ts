import { z } from 'zod';

/** Queue names (STYLE.md §B.4). `sync` runs whole cycles; per-system queues come with the split pipeline. */
export const SYNC_QUEUE = 'sync';

/**
 * The job catalogue: name → payload schema, attempts and id. Processors re-parse payloads,
 * because Redis may hold jobs from an older deployment.
 */
export const jobCatalog = {
  /** One complete sync cycle (pull, match, decide, write). Idempotent, so safe to repeat. */
  'sync.cycle': {
    queue: SYNC_QUEUE,
    schema: z.object({
      /** Why the cycle runs: the poll schedule, or a one-off request (`sync --once`). */
      trigger: z.enum(['schedule', 'once']),
      dryRun: z.boolean().default(false),
    }),
    attempts: 8,
  },
} as const;

export type SyncCyclePayload = z.infer<(typeof jobCatalog)['sync.cycle']['schema']>;

/** The poll schedule's id: one scheduler per installation, however many workers start. */
export const SYNC_SCHEDULER_ID = 'poll-sync-cycle';
