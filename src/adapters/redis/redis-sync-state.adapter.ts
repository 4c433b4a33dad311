import type { Redis } from 'ioredis';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { StateLostError } from '../../platform/errors.js';
import type {
  QuarantineCounts,
  QuarantineEntry,
  RoutingState,
  StoredQuarantineEntry,
  SyncState,
} from '../../ports/sync-state.port.js';

const RotationWire = z.record(z.string(), z.record(z.string(), z.number()));
const OpenLeadsWire = z.record(z.string(), z.coerce.number().int().nonnegative());
const QuarantineWire = z.object({
  system: z.enum(['hubspot', 'salesforce']),
  key: z.string(),
  code: z.string(),
  reason: z.string(),
  at: z.string(),
  retry: z.boolean().optional(),
  // Entries written before attempts and seq existed count as one attempt with seq 0.
  attempts: z.number().int().nonnegative().default(1),
  seq: z.number().int().nonnegative().default(0),
});
/** A record is retried this many times (one try per cycle) before it is parked for the admin. */
export const QUARANTINE_PARK_AFTER = 5;

/**
 * Counts live beside the entries (`code:<code>`, `parked`) and change in the same script as the
 * entry, so `/healthz` counts without reading the quarantine.
 */
const COUNT_HELPERS = `
local function bump(field, by)
  local value = redis.call('HINCRBY', KEYS[2], field, by)
  if value <= 0 then redis.call('HDEL', KEYS[2], field) end
end
local function uncount(entry)
  bump('code:' .. entry.code, -1)
  if entry.retry == false then bump('parked', -1) end
end
local function count(entry)
  bump('code:' .. entry.code, 1)
  if entry.retry == false then bump('parked', 1) end
end
`;

/** KEYS: entries, counts, seq. ARGV: key, entry JSON, park-after. */
const QUARANTINE_SCRIPT = `${COUNT_HELPERS}
local entry = cjson.decode(ARGV[2])
local attempts = 1
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local previous = cjson.decode(old)
  attempts = (tonumber(previous.attempts) or 1) + 1
  uncount(previous)
end
entry.attempts = attempts
if entry.retry ~= false and attempts >= tonumber(ARGV[3]) then
  entry.retry = false
  entry.reason = 'parked after ' .. attempts .. ' failed attempts: ' .. entry.reason
end
entry.seq = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
count(entry)
return attempts
`;

/** KEYS: entries, counts. ARGV: key, seq, key, seq… Deletes an entry only if its seq still matches. */
const RELEASE_SCRIPT = `${COUNT_HELPERS}
local released = 0
for i = 1, #ARGV, 2 do
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  if raw then
    local entry = cjson.decode(raw)
    if tostring(entry.seq or 0) == ARGV[i + 1] then
      redis.call('HDEL', KEYS[1], ARGV[i])
      uncount(entry)
      released = released + 1
    end
  end
end
return released
`;

/** KEYS: entries, counts. ARGV: keys to unpark (none: all). */
const UNPARK_SCRIPT = `${COUNT_HELPERS}
local keys = ARGV
if #keys == 0 then keys = redis.call('HKEYS', KEYS[1]) end
local unparked = 0
for _, key in ipairs(keys) do
  local raw = redis.call('HGET', KEYS[1], key)
  if raw then
    local entry = cjson.decode(raw)
    if entry.retry == false then
      uncount(entry)
      entry.retry = nil
      entry.attempts = 0
      redis.call('HSET', KEYS[1], key, cjson.encode(entry))
      count(entry)
      unparked = unparked + 1
    end
  end
end
return unparked
`;

/** KEYS: epoch, cursors. ARGV: stream, instant ms, expected epoch ('' for none). */
const ADVANCE_SCRIPT = `
if ARGV[3] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[3] then return -1 end
local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
return 1
`;
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

  async epoch(): Promise<string> {
    const key = this.key('epoch');
    await this.redis.set(key, randomUUID(), 'NX');
    const epoch = await this.redis.get(key);
    if (epoch === null) throw new StateLostError("Redis lost Handoff's state while it was read");
    return epoch;
  }

  async cursor(stream: string): Promise<Date | null> {
    const value = await this.redis.hget(this.key('cursors'), stream);
    return value === null ? null : new Date(Number(value));
  }

  async clearCursor(stream: string): Promise<void> {
    await this.redis.hdel(this.key('cursors'), stream);
  }

  async advanceCursor(stream: string, to: Date, epoch?: string): Promise<void> {
    const moved = await this.redis.eval(
      ADVANCE_SCRIPT,
      2,
      this.key('epoch'),
      this.key('cursors'),
      stream,
      String(to.getTime()),
      epoch ?? '',
    );
    if (moved === -1)
      throw new StateLostError(
        "Redis lost Handoff's state during this cycle (flushed, or restarted without persistence): the cursor was not moved, and the next cycle re-reads from the beginning and repairs what was lost",
      );
  }

  async routing(): Promise<RoutingState> {
    const [raw, open] = await Promise.all([
      this.redis.get(this.key('rotation')),
      this.redis.hgetall(this.key('open-leads')),
    ]);
    return {
      rotation: raw === null ? {} : RotationWire.parse(JSON.parse(raw)),
      openLeads: OpenLeadsWire.parse(open),
    };
  }

  async withRouting<T>(
    decide: (state: RoutingState) => { readonly result: T; readonly next: RoutingState },
    epoch?: string,
  ): Promise<T> {
    const rotationKey = this.key('rotation');
    const openKey = this.key('open-leads');
    const epochKey = this.key('epoch');
    // WATCH needs its own connection: it is per connection, and other commands must not interleave.
    const connection = this.redis.duplicate();
    try {
      for (let attempt = 0; attempt < MAX_ROTATION_ATTEMPTS; attempt += 1) {
        await connection.watch(rotationKey, openKey, epochKey);
        const [raw, open, current] = await Promise.all([
          connection.get(rotationKey),
          connection.hgetall(openKey),
          connection.get(epochKey),
        ]);
        // Counts read from an emptied Redis would let this page overfill every owner.
        if (epoch !== undefined && current !== epoch)
          throw new StateLostError(
            "Redis lost Handoff's state during this cycle: routing stopped before deciding on counts it no longer has; the next cycle re-reads from the beginning",
          );
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
    await this.redis.eval(
      QUARANTINE_SCRIPT,
      3,
      this.key('quarantine'),
      this.key('quarantine-counts'),
      this.key('quarantine-seq'),
      entry.key,
      JSON.stringify(entry),
      String(QUARANTINE_PARK_AFTER),
    );
  }

  async release(entries: readonly StoredQuarantineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.eval(
      RELEASE_SCRIPT,
      2,
      this.key('quarantine'),
      this.key('quarantine-counts'),
      ...entries.flatMap((entry) => [entry.key, String(entry.seq)]),
    );
  }

  async unpark(keys: readonly string[] | 'all'): Promise<number> {
    if (keys !== 'all' && keys.length === 0) return 0;
    const unparked = await this.redis.eval(
      UNPARK_SCRIPT,
      2,
      this.key('quarantine'),
      this.key('quarantine-counts'),
      ...(keys === 'all' ? [] : keys),
    );
    return Number(unparked);
  }

  async quarantineCounts(): Promise<QuarantineCounts> {
    const [total, counts] = await Promise.all([
      this.redis.hlen(this.key('quarantine')),
      this.redis.hgetall(this.key('quarantine-counts')),
    ]);
    const byCode: Record<string, number> = {};
    for (const [field, value] of Object.entries(counts))
      if (field.startsWith('code:')) byCode[field.slice('code:'.length)] = Number(value);
    return { total, parked: Number(counts['parked'] ?? 0), by_code: byCode };
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

  async quarantined(keys?: readonly string[]): Promise<readonly StoredQuarantineEntry[]> {
    const key = this.key('quarantine');
    if (keys !== undefined && keys.length === 0) return [];
    const raw =
      keys === undefined ? await this.redis.hvals(key) : await this.redis.hmget(key, ...keys);
    return raw
      .filter((entry): entry is string => entry !== null)
      .map((entry) => QuarantineWire.parse(JSON.parse(entry)));
  }

  async addSlaTimers(entries: readonly { leadId: string; due: Date }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.zadd(
      this.key('sla-timers'),
      ...entries.flatMap((entry) => [entry.due.getTime(), entry.leadId]),
    );
  }

  async dueSlaTimers(upTo: Date): Promise<readonly string[]> {
    return this.redis.zrangebyscore(this.key('sla-timers'), '-inf', upTo.getTime());
  }

  async clearSlaTimers(upTo: Date): Promise<void> {
    await this.redis.zremrangebyscore(this.key('sla-timers'), '-inf', upTo.getTime());
  }

  async recordOwnWrites(stamps: readonly { key: string; at: Date }[]): Promise<void> {
    if (stamps.length === 0) return;
    await this.redis.hset(
      this.key('own-writes'),
      Object.fromEntries(stamps.map((stamp) => [stamp.key, String(stamp.at.getTime())])),
    );
  }

  async ownWrites(keys: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const found = new Map<string, number>();
    if (keys.length === 0) return found;
    const values = await this.redis.hmget(this.key('own-writes'), ...keys);
    keys.forEach((key, index) => {
      const value = values[index];
      if (value != null) found.set(key, Number(value));
    });
    return found;
  }
}
