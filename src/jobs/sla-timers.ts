import type { Queue } from 'bullmq';
import type { SlaTimers } from '../ports/sla-timers.port.js';
import type { SyncState } from '../ports/sync-state.port.js';
import { jobCatalog } from './catalog.js';

/** Timers falling in the same minute wake one job: deadlines cluster (business-hours starts). */
const WAKE_GRAIN_MS = 60_000;

/**
 * SLA timers over Redis and BullMQ: each lead's due instant goes into the state's timer set,
 * and one delayed `salesforce.sla.check` job per minute with deadlines wakes up to check them
 * all. Deduplicated by the minute while that job waits, so scheduling the same minute again adds
 * nothing; once it has run, a later deadline in that minute gets a job of its own.
 */
export function slaTimers(state: SyncState, queue: Queue, now: () => Date): SlaTimers {
  return {
    async schedule(entries) {
      const live = entries.filter((entry) => entry.leadId !== '');
      if (live.length === 0) return;
      await state.addSlaTimers(live);
      const minutes = new Set(
        live.map((entry) => Math.ceil(entry.due.getTime() / WAKE_GRAIN_MS) * WAKE_GRAIN_MS),
      );
      const at = now().getTime();
      await queue.addBulk(
        [...minutes].map((minute) => ({
          name: 'salesforce.sla.check',
          data: jobCatalog['salesforce.sla.check'].schema.parse({ trigger: 'timer' }),
          opts: {
            deduplication: { id: `sla-due-${minute}` },
            delay: Math.max(0, minute - at),
          },
        })),
      );
    },
  };
}
