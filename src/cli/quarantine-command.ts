import { EnvError, loadEnv } from '../config/env.js';
import { openSyncState, RedisUnavailableError } from '../main.js';
import type { StoredQuarantineEntry } from '../ports/sync-state.port.js';
import { EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, type CliIo } from './cli-io.js';
import { QUARANTINE_USAGE } from './usage.js';

export interface QuarantineFlags {
  readonly json?: boolean | undefined;
  readonly retry?: string | undefined;
}

function line(entry: StoredQuarantineEntry): string {
  const state = entry.retry === false ? 'parked' : 'retried next cycle';
  return `  ${entry.key}  ${entry.system}  ${entry.code}  ${state}, ${entry.attempts} attempt(s), since ${entry.at}\n    ${entry.reason}\n`;
}

/**
 * `handoff quarantine`: the records a cycle could not finish, with their reasons (entries name
 * HubSpot contact ids and codes, never contact data). `--retry` makes parked records retryable
 * again once the admin has fixed the cause; the next cycle picks them up. Exit 0, 2 for a bad
 * flag or environment, 1 when Redis is unreachable.
 */
export async function quarantineCommand(flags: QuarantineFlags, io: CliIo): Promise<number> {
  const retry = flags.retry?.trim();
  if (retry === '') {
    io.stderr(`--retry needs "all" or contact ids\nusage: ${QUARANTINE_USAGE}\n`);
    return EXIT_INVALID;
  }
  let opened: Awaited<ReturnType<typeof openSyncState>>;
  try {
    opened = await openSyncState(loadEnv(io.env));
  } catch (err) {
    if (err instanceof EnvError || err instanceof RedisUnavailableError) {
      io.stderr(`${err.message}\n`);
      return err instanceof EnvError ? EXIT_INVALID : EXIT_PROBLEMS;
    }
    throw err;
  }
  try {
    const { state } = opened;
    const unparked =
      retry === undefined
        ? null
        : await state.unpark(retry === 'all' ? 'all' : retry.split(',').map((id) => id.trim()));
    const entries = [...(await state.quarantined())].sort((a, b) => a.key.localeCompare(b.key));
    const counts = await state.quarantineCounts();
    if (flags.json === true) {
      io.stdout(`${JSON.stringify({ ...counts, unparked, entries })}\n`);
      return EXIT_OK;
    }
    if (unparked !== null)
      io.stdout(`${unparked} parked record(s) will be retried by the next cycle\n`);
    io.stdout(
      `${counts.total} quarantined (${counts.parked} parked)${entries.length > 0 ? ':' : ''}\n${entries.map(line).join('')}`,
    );
    return EXIT_OK;
  } finally {
    await opened.close();
  }
}
