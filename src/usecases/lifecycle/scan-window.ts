import { MS_PER_DAY } from '../../domain/time/zoned-time.js';
import type { SyncState } from '../../ports/sync-state.port.js';

/** How far back a scan looks without a cursor (first run, or Redis lost). */
export const LOOKBACK_DAYS = 30;
/** Salesforce's SystemModstamp filter works to the second: re-read a little to lose nothing. */
const OVERLAP_MS = 60_000;

/**
 * Where a Salesforce scan starts: its cursor a minute back, else `LOOKBACK_DAYS` ago. The cursor
 * only narrows what is re-read; every decision is taken from Salesforce's records.
 */
export async function scanStart(state: SyncState, stream: string, now: Date): Promise<Date> {
  const lookback = new Date(now.getTime() - LOOKBACK_DAYS * MS_PER_DAY);
  const cursor = await state.cursor(stream);
  return cursor === null ? lookback : new Date(cursor.getTime() - OVERLAP_MS);
}

/** Moves the cursor to `now`, or to the oldest record that failed, so it is read again. */
export async function finishScan(
  state: SyncState,
  stream: string,
  now: Date,
  failed: readonly { readonly modifiedAt: Date }[],
): Promise<void> {
  const retryFrom = Math.min(now.getTime(), ...failed.map((record) => record.modifiedAt.getTime()));
  await state.advanceCursor(stream, new Date(retryFrom));
}
