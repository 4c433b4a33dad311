/** What every benchmark section shares: its own Redis installation, call counts, percentiles. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { CallLog, EndpointCounts } from '../../src/sandbox/core/call-log.js';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const EXAMPLE_CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url)
  .pathname;
export const MIB = 1_048_576;

/** A fresh installation prefix in Redis; `wipe` deletes its keys (queues, cursors, timers). */
export function installation(): { prefix: string; wipe: () => Promise<number> } {
  const prefix = `bench-${randomUUID()}`;
  return {
    prefix,
    wipe: async () => {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
      try {
        let deleted = 0;
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
          cursor = next;
          if (keys.length > 0) deleted += await redis.unlink(...keys);
        } while (cursor !== '0');
        return deleted;
      } finally {
        await redis.quit();
      }
    },
  };
}

/** The example definition with `sync` keys replaced, in a temporary file. */
export async function exampleConfigWith(sync: {
  poll_interval?: string;
  reconcile_interval?: string;
}): Promise<string> {
  let text = await readFile(EXAMPLE_CONFIG, 'utf8');
  for (const [key, value] of Object.entries(sync)) {
    const pattern = new RegExp(`^(\\s+${key}:)\\s*\\S+`, 'm');
    if (!pattern.test(text)) throw new Error(`the example definition has no sync.${key}`);
    text = text.replace(pattern, `$1 ${value}`);
  }
  const file = join(await mkdtemp(join(tmpdir(), 'handoff-bench-config-')), 'handoff.yaml');
  await writeFile(file, text);
  return file;
}

export interface SystemCalls {
  readonly total: number;
  /** Answers with status 400 or more (429s included). */
  readonly errors: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
}

/** Everything one sandbox served (control calls are not logged). */
export function allCalls(log: CallLog, leaveOut: readonly string[] = []): SystemCalls {
  const summary = log.summary();
  return fromCounts(
    Object.entries(summary.byEndpoint).filter(([endpoint]) => !leaveOut.includes(endpoint)),
  );
}

/** What one sandbox served after `sinceSeq` (its call log keeps the last 50,000 entries). */
export function callsSince(
  log: CallLog,
  sinceSeq: number,
  untilSeq = Number.POSITIVE_INFINITY,
  leaveOut: readonly string[] = [],
): SystemCalls {
  const byEndpoint = new Map<string, EndpointCounts>();
  for (const entry of log.list(sinceSeq)) {
    if (entry.seq > untilSeq || leaveOut.includes(entry.endpoint)) continue;
    const counts = byEndpoint.get(entry.endpoint) ?? {
      calls: 0,
      errors: 0,
      recordsIn: 0,
      recordsOut: 0,
    };
    counts.calls += 1;
    if (entry.status >= 400) counts.errors += 1;
    byEndpoint.set(entry.endpoint, counts);
  }
  return fromCounts([...byEndpoint]);
}

function fromCounts(entries: readonly (readonly [string, EndpointCounts])[]): SystemCalls {
  const sorted = [...entries].sort(([a], [b]) => a.localeCompare(b));
  return {
    total: sorted.reduce((sum, [, counts]) => sum + counts.calls, 0),
    errors: sorted.reduce((sum, [, counts]) => sum + counts.errors, 0),
    byEndpoint: Object.fromEntries(sorted.map(([endpoint, counts]) => [endpoint, counts.calls])),
  };
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? null;
}

/** The peak of this process's RSS, sampled every 100 ms until `stop`. */
export function sampleOwnRss(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

/** Progress on stderr, so stdout carries only the table. */
export function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}
