import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSyncState } from '../../src/adapters/redis/redis-sync-state.adapter.js';
import { StateLostError } from '../../src/platform/errors.js';
import { routeLead } from '../../src/domain/routing/route-lead.js';
import { makeDefinition, makeDirectory, makeLead } from '../support/factories.js';

/** Routing instant for these tests (a Monday, 10:00 UTC); working hours are tested apart. */
const ROUTED_AT = new Date('2026-03-02T10:00:00Z');

let redis: Redis;

beforeAll(() => {
  redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
});

afterAll(async () => {
  await redis.quit();
});

describe('RedisSyncState', () => {
  it('shares one fair rotation between concurrent workers: counts match the weights', async () => {
    const owners = ['0055e000001WEIGHT3', '0055e000001WEIGHT2', '0055e000001WEIGHT1'];
    const definition = makeDefinition((file) => {
      file.routing.rules = [{ id: 'all', pool: 'p' }];
      file.routing.pools = {
        p: { members: owners.map((owner, index) => ({ owner, weight: 3 - index })) },
      };
    });
    const directory = makeDirectory(Object.fromEntries(owners.map((owner) => [owner, {}])));
    const prefix = `test-${randomUUID()}`;
    // Two "workers", each with its own connection, route 30 leads each at the same time.
    const connections = [redis.duplicate(), redis.duplicate()];
    const workers = connections.map((connection) => new RedisSyncState(connection, prefix));
    const picks = await Promise.all(
      workers.map(async (state) => {
        const owned: string[] = [];
        for (let lead = 0; lead < 30; lead += 1) {
          owned.push(
            await state.withRouting(({ rotation, openLeads }) => {
              const { decision, nextRotation } = routeLead({
                at: ROUTED_AT,
                lead: makeLead(),
                definition,
                directory,
                rotation,
              });
              return { result: decision.owner, next: { rotation: nextRotation, openLeads } };
            }),
          );
        }
        return owned;
      }),
    );
    await Promise.all(connections.map((connection) => connection.quit()));
    const all = picks.flat();
    expect(all.filter((owner) => owner === owners[0])).toHaveLength(30);
    expect(all.filter((owner) => owner === owners[1])).toHaveLength(20);
    expect(all.filter((owner) => owner === owners[2])).toHaveLength(10);
  });

  it('shares open-lead counts: concurrent workers never fill an owner past max_open', async () => {
    const owners = ['0055e000001CAPAC01', '0055e000001CAPAC02'];
    const definition = makeDefinition((file) => {
      file.routing.rules = [{ id: 'all', pool: 'p' }];
      file.routing.pools = { p: { members: owners.map((owner) => ({ owner, max_open: 12 })) } };
    });
    const prefix = `test-${randomUUID()}`;
    const connections = [redis.duplicate(), redis.duplicate(), redis.duplicate()];
    const workers = connections.map((connection) => new RedisSyncState(connection, prefix));
    // Salesforce says the first owner already has 10 open Leads.
    await workers[0]?.resetOpenLeads(new Map([[owners[0] ?? '', 10]]));
    const picks = await Promise.all(
      workers.map(async (state) => {
        const owned: string[] = [];
        for (let lead = 0; lead < 10; lead += 1) {
          owned.push(
            await state.withRouting(({ rotation, openLeads }) => {
              const directory = makeDirectory(
                Object.fromEntries(
                  owners.map((owner) => [owner, { openLeads: openLeads[owner] ?? 0 }]),
                ),
              );
              const { decision, nextRotation } = routeLead({
                at: ROUTED_AT,
                lead: makeLead(),
                definition,
                directory,
                rotation,
              });
              const open = { ...openLeads };
              if (decision.kind === 'assigned')
                open[decision.owner] = (open[decision.owner] ?? 0) + 1;
              return { result: decision.owner, next: { rotation: nextRotation, openLeads: open } };
            }),
          );
        }
        return owned;
      }),
    );
    const all = picks.flat();
    // 2 more fit the first owner and 12 the second; the other 16 of 30 go to the fallback queue.
    expect(all.filter((owner) => owner === owners[0])).toHaveLength(2);
    expect(all.filter((owner) => owner === owners[1])).toHaveLength(12);
    expect(all.filter((owner) => owner === definition.routing.fallback_owner)).toHaveLength(16);
    expect(await redis.hgetall(`${prefix}:open-leads`)).toEqual({
      [owners[0] ?? '']: '12',
      [owners[1] ?? '']: '12',
    });
    // A new read from Salesforce replaces the counts (reps closed Leads meanwhile).
    await workers[0]?.resetOpenLeads(new Map([[owners[1] ?? '', 3]]));
    expect(await redis.hgetall(`${prefix}:open-leads`)).toEqual({ [owners[1] ?? '']: '3' });
    await Promise.all(connections.map((connection) => connection.quit()));
  });

  it('moves cursors only forward, and not at all once Redis lost the state', async () => {
    const prefix = `test-${randomUUID()}`;
    const state = new RedisSyncState(redis, prefix);
    expect(await state.cursor('s')).toBeNull();
    const epoch = await state.epoch();
    expect(await state.epoch()).toBe(epoch);
    await state.advanceCursor('s', new Date(2_000), epoch);
    await state.advanceCursor('s', new Date(1_000), epoch);
    expect(await state.cursor('s')).toEqual(new Date(2_000));
    // Redis loses everything while a cycle runs: its cursor is not re-created past lost work.
    await redis.del(`${prefix}:epoch`, `${prefix}:cursors`);
    await expect(state.advanceCursor('s', new Date(3_000), epoch)).rejects.toThrow(StateLostError);
    expect(await state.cursor('s')).toBeNull();
    // Nor does it route on counts an emptied Redis no longer has.
    await expect(
      state.withRouting((routing) => ({ result: 1, next: routing }), epoch),
    ).rejects.toThrow(StateLostError);
    expect(await state.epoch()).not.toBe(epoch);
  });

  it('keeps a quarantined record until the retry that read it succeeds, then parks it after five failures', async () => {
    const state = new RedisSyncState(redis, `test-${randomUUID()}`);
    const entry = {
      system: 'salesforce' as const,
      key: '101',
      code: 'UNABLE_TO_LOCK_ROW',
      reason: 'transient: salesforce UNABLE_TO_LOCK_ROW',
      at: '2026-11-26T00:00:00Z',
    };
    await state.quarantine(entry);
    await state.quarantine({ ...entry, key: '102', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' });
    const [read] = await state.quarantined(['101']);
    expect(read).toEqual(expect.objectContaining({ key: '101', attempts: 1 }));
    // The record fails again (a write-back job) after the retry read it: the release keeps it.
    await state.quarantine({ ...entry, code: 'RATE_LIMITED' });
    await state.release(read === undefined ? [] : [read]);
    const [again] = await state.quarantined(['101']);
    expect(again).toEqual(expect.objectContaining({ attempts: 2, code: 'RATE_LIMITED' }));
    expect(await state.quarantineCounts()).toEqual({
      total: 2,
      parked: 0,
      by_code: { RATE_LIMITED: 1, FIELD_CUSTOM_VALIDATION_EXCEPTION: 1 },
    });
    // An unchanged entry leaves.
    await state.release(again === undefined ? [] : [again]);
    expect(await state.quarantined(['101'])).toEqual([]);

    for (let attempt = 1; attempt <= 5; attempt += 1) await state.quarantine(entry);
    const [parked] = await state.quarantined(['101']);
    expect(parked).toEqual(
      expect.objectContaining({
        retry: false,
        attempts: 5,
        reason: 'parked after 5 failed attempts: transient: salesforce UNABLE_TO_LOCK_ROW',
      }),
    );
    expect(await state.quarantineCounts()).toEqual({
      total: 2,
      parked: 1,
      by_code: { UNABLE_TO_LOCK_ROW: 1, FIELD_CUSTOM_VALIDATION_EXCEPTION: 1 },
    });
    // The admin fixed the cause: the record is retried again by the next cycle.
    expect(await state.unpark('all')).toBe(1);
    expect((await state.quarantined(['101']))[0]).toEqual(
      expect.not.objectContaining({ retry: false }),
    );
    expect((await state.quarantineCounts()).parked).toBe(0);
  });
});
