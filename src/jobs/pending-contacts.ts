import type { IRedisClient, Queue } from 'bullmq';
import { jobCatalog } from './catalog.js';

/** How long an event's identity is remembered: HubSpot retries a delivery for about a day. */
export const WEBHOOK_SEEN_TTL_MS = 48 * 3_600_000;
/** Contacts one `sync.contacts` run decides; the rest wait for the run it queues next. */
export const CONTACT_SYNC_BATCH = 500;
const ACCEPT_COMMAND = 'handoffAcceptWebhookEvents';
const RELEASE_COMMAND = 'handoffReleaseWebhookContacts';
/** One deduplication id: every burst of webhooks funnels into one pending run. */
const CONTACT_SYNC_DEDUPLICATION = 'sync-contacts';

/**
 * Where webhook contacts wait, beside the queues (like the installation guard's key): a sorted
 * set of contact ids scored by a sequence number, so a contact named again while a run is
 * deciding it gets a new score and survives that run's release.
 */
function keys(queuePrefix: string) {
  const base = `${queuePrefix}:handoff:webhooks`;
  return {
    pending: `${base}:pending`,
    sequence: `${base}:sequence`,
    seen: `${base}:seen:`,
  };
}

/**
 * Per event, atomically: remember it (SET NX PX) and, only if it is new, queue its contacts.
 * A retried delivery finds its events remembered and queues nothing; a failure part-way leaves
 * no event remembered without its contacts. KEYS: pending, sequence; ARGV: time-to-live, the
 * prefix of the remembered events' keys, then per event its key and its contact ids (comma-joined).
 * Returns the new events, the contacts queued and how many contacts wait in all.
 */
const ACCEPT = `
local fresh, queued = 0, 0
for i = 3, #ARGV, 2 do
  if redis.call('SET', ARGV[2] .. ARGV[i], '1', 'NX', 'PX', ARGV[1]) then
    fresh = fresh + 1
    for id in string.gmatch(ARGV[i + 1], '[^,]+') do
      redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), id)
      queued = queued + 1
    end
  end
end
return {fresh, queued, redis.call('ZCARD', KEYS[1])}
`;

/** Removes each claimed id only if nobody named it again since the claim (same score). */
const RELEASE = `
local removed = 0
for i = 1, #ARGV, 2 do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return removed
`;

/** One webhook event as the intake stores it: its identity and the contacts it names. */
export interface IntakeEvent {
  readonly key: string;
  readonly contactIds: readonly string[];
}

/** Contacts one run took, with the scores that tell whether they were named again meanwhile. */
export interface ClaimedContacts {
  readonly ids: readonly string[];
  readonly scores: readonly string[];
}

export interface PendingContacts {
  /** Remembers new events and queues their contacts; counts only (no ids, no values). */
  accept(events: readonly IntakeEvent[]): Promise<{ fresh: number; queued: number }>;
  /** The oldest `limit` waiting contacts; they stay waiting until released. */
  claim(limit: number): Promise<ClaimedContacts>;
  /** Done with these: each leaves the set unless it was named again after the claim. */
  release(claimed: ClaimedContacts): Promise<void>;
  size(): Promise<number>;
  /**
   * Makes sure a `sync.contacts` run is coming within `delayMs`: one run per debounce window,
   * however many deliveries ask (BullMQ deduplication with a time-to-live).
   */
  schedule(delayMs: number): Promise<void>;
}

/**
 * The webhook contacts waiting in Redis and the run that decides them, on the decisions queue
 * (global concurrency 1: a run never overlaps a poll cycle). Uses the queue's own connection.
 */
export function pendingContacts(options: {
  readonly queue: Queue;
  readonly queuePrefix: string;
  readonly debounceMs: number;
}): PendingContacts {
  const { queue, debounceMs } = options;
  const key = keys(options.queuePrefix);
  // Scripts are registered on the queue's connection once (EVALSHA after the first call).
  let defined: Promise<IRedisClient> | undefined;
  const client = (): Promise<IRedisClient> =>
    (defined ??= queue.client.then((redis) => {
      redis.defineCommand(ACCEPT_COMMAND, { numberOfKeys: 2, lua: ACCEPT });
      redis.defineCommand(RELEASE_COMMAND, { numberOfKeys: 1, lua: RELEASE });
      return redis;
    }));
  const schedule = async (delayMs: number): Promise<void> => {
    const spec = jobCatalog['sync.contacts'];
    await queue.add('sync.contacts', spec.schema.parse({}), {
      delay: delayMs,
      attempts: spec.attempts,
      // The time-to-live, not "until completed": a run that waits for its write-back children
      // must not keep newer contacts from getting a run of their own. Contacts named before a
      // run claims are taken by it; after, the window has passed and a new run is queued.
      ...(debounceMs > 0
        ? { deduplication: { id: CONTACT_SYNC_DEDUPLICATION, ttl: debounceMs } }
        : {}),
    });
  };
  return {
    accept: async (events) => {
      if (events.length === 0) return { fresh: 0, queued: 0 };
      const redis = await client();
      const [fresh, queued, waiting] = (await redis.runCommand(ACCEPT_COMMAND, [
        key.pending,
        key.sequence,
        String(WEBHOOK_SEEN_TTL_MS),
        key.seen,
        ...events.flatMap((event) => [event.key, event.contactIds.join(',')]),
      ])) as [number, number, number];
      // Whenever contacts wait, not only when this delivery added some: a delivery whose run
      // could not be queued (Redis failed after the script) was answered 503, and HubSpot's
      // retry, all duplicates by then, is what queues it.
      if (waiting > 0) await schedule(debounceMs);
      return { fresh, queued };
    },
    claim: async (limit) => {
      const redis = await client();
      const flat = await redis.zrange(key.pending, 0, limit - 1, { WITHSCORES: true });
      const ids: string[] = [];
      const scores: string[] = [];
      for (let index = 0; index + 1 < flat.length; index += 2) {
        ids.push(flat[index] as string);
        scores.push(flat[index + 1] as string);
      }
      return { ids, scores };
    },
    release: async (claimed) => {
      if (claimed.ids.length === 0) return;
      const redis = await client();
      await redis.runCommand(RELEASE_COMMAND, [
        key.pending,
        ...claimed.ids.flatMap((id, index) => [id, claimed.scores[index] ?? '']),
      ]);
    },
    size: async () => (await client()).zcard(key.pending),
    schedule,
  };
}
