import type { Redis } from 'ioredis';

/**
 * Deletes every key of one installation (`<prefix>:*`, BullMQ's queues included): what a Redis
 * restarted without persistence, or flushed, does to it, without touching other tests' keys.
 */
export async function wipeInstallation(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
