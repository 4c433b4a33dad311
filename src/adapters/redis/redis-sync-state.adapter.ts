import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { QuarantineEntry, RoutingState, SyncState } from '../../ports/sync-state.port.js';

const RotationWire = z.record(z.string(), z.record(z.string(), z.number()));
const OpenLeadsWire = z.record(z.string(), z.coerce.number().int().nonnegative());
const QuarantineWire = z.object({
  system: z.enum(['hubspot', 'salesforce']),
  key: z.string(),
  code: z.string(),
  reason: z.string(),
  at: z.string(),
  retry: z.boolean().optional(),
});
/** Optimistic rotation updates retry this often under contention before giving up. */
const MAX_ROTATION_ATTEMPTS = 50;

/**
 * SyncState in Redis under one key prefix. Cursors only move forward (a Lua compare-and-set);
 * the rotation and open-lead counts are read, decided on and written under WATCH/MULTI, so
 * concurrent workers retry instead of picking from stale counters.
 */
export class RedisSyncState implements SyncState {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'handoff',
  ) {}

  private key(name: string): string {
    return `${this.prefix}:${name}`;
  }

  async cursor(stream: string): Promise<Date | null> {
    const value = await this.redis.hget(this.key('cursors'), stream);
    return value === null ? null : new Date(Number(value));
  }

  async advanceCursor(stream: string, to: Date): Promise<void> {
    await this.redis.eval(
      "local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1') if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 1",
      1,
      this.key('cursors'),
      stream,
      String(to.getTime()),
    );
  }

  async withRouting<T>(
    decide: (state: RoutingState) => { readonly result: T; readonly next: RoutingState },
  ): Promise<T> {
    const rotationKey = this.key('rotation');
    const openKey = this.key('open-leads');
    // WATCH needs its own connection: it is per connection, and other commands must not interleave.
    const connection = this.redis.duplicate();
    try {
      for (let attempt = 0; attempt < MAX_ROTATION_ATTEMPTS; attempt += 1) {
        await connection.watch(rotationKey, openKey);
        const [raw, open] = await Promise.all([
          connection.get(rotationKey),
          connection.hgetall(openKey),
        ]);
        const { result, next } = decide({
          rotation: raw === null ? {} : RotationWire.parse(JSON.parse(raw)),
          openLeads: OpenLeadsWire.parse(open),
        });
        const transaction = connection.multi().set(rotationKey, JSON.stringify(next.rotation));
        const counts = Object.entries(next.openLeads);
        if (counts.length > 0) transaction.hset(openKey, Object.fromEntries(counts));
        if ((await transaction.exec()) !== null) return result;
      }
      throw new Error('routing state update kept conflicting');
    } finally {
      connection.disconnect();
    }
  }

  async resetOpenLeads(counts: ReadonlyMap<string, number>): Promise<void> {
    const key = this.key('open-leads');
    const transaction = this.redis.multi().del(key);
    if (counts.size > 0) transaction.hset(key, Object.fromEntries(counts));
    await transaction.exec();
  }

  async quarantine(entry: QuarantineEntry): Promise<void> {
    await this.redis.hset(this.key('quarantine'), entry.key, JSON.stringify(entry));
  }

  async release(key: string): Promise<void> {
    await this.redis.hdel(this.key('quarantine'), key);
  }

  async done(ledger: string, keys: readonly string[]): Promise<ReadonlySet<string>> {
    if (keys.length === 0) return new Set();
    const flags = await this.redis.hmget(this.key(`ledger:${ledger}`), ...keys);
    return new Set(keys.filter((_, index) => flags[index] !== null));
  }

  async markDone(ledger: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.hset(
      this.key(`ledger:${ledger}`),
      Object.fromEntries(keys.map((key) => [key, Date.now()])),
    );
  }

  async quarantined(): Promise<readonly QuarantineEntry[]> {
    const entries = await this.redis.hvals(this.key('quarantine'));
    return entries.map((entry) => QuarantineWire.parse(JSON.parse(entry)));
  }
}
