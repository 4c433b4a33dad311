import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const NOW = '2026-11-24T15:00:00Z';
const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const opened: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close();
});

interface Summary {
  pulled: { contacts: number };
  routed: number;
  written: { salesforce: number; hubspot: number };
}

describe('handoff sync --once --backfill', () => {
  it('walks every contact on a cursor of its own, resumes where it stopped, and shows progress on a terminal', async () => {
    const running: RunningSandboxes = await startSandboxes({
      contacts: 240,
      seed: 17,
      now: () => Date.parse(NOW),
    });
    opened.push(running);
    const redis = new Redis(REDIS_URL);
    opened.push({ close: () => redis.quit() });
    const prefix = `test-${randomUUID()}`;
    const env = { ...running.env, REDIS_URL, HANDOFF_REDIS_PREFIX: prefix, LOG_LEVEL: 'silent' };
    const sync = (args: string[], tty = false) =>
      runCliInProcess(['sync', '--once', ...args, '--config', CONFIG], { env, now: NOW, tty });
    const all = running.hubspot.store.objects.contacts.size;

    const first = await sync(['--json']);
    expect(first.code).toBe(0);
    const routed = (JSON.parse(first.stdout) as Summary).routed;
    expect(routed).toBeGreaterThan(10);

    // Everything again, from the start, whatever the poll's cursor says: nothing new to write.
    const walk = await sync(['--backfill', '--json']);
    expect(walk.code).toBe(0);
    const walked = JSON.parse(walk.stdout) as Summary;
    expect(walked.pulled.contacts).toBe(all);
    expect(walked).toMatchObject({ routed: 0, written: { salesforce: 0, hubspot: 0 } });
    // Done: the next backfill starts over, and the poll's cursor was left where it was.
    expect(await redis.hget(`${prefix}:cursors`, 'hubspot.backfill')).toBeNull();
    expect(await redis.hget(`${prefix}:cursors`, 'hubspot.contacts')).not.toBeNull();

    // Interrupted half-way (its cursor kept): the next backfill reads only what is left.
    const modified = [...running.hubspot.store.objects.contacts.values()]
      .map((contact) => Number(contact.updatedAt))
      .sort((a, b) => a - b);
    const halfway = modified[Math.floor(modified.length / 2)] ?? 0;
    await redis.hset(`${prefix}:cursors`, 'hubspot.backfill', String(halfway));
    const resumed = await sync(['--backfill'], true);
    expect(resumed.code).toBe(0);
    const left = modified.filter((at) => at >= halfway).length;
    expect(resumed.stdout).toContain(`pulled ${left} contacts`);
    expect(resumed.stderr).toMatch(
      new RegExp(
        `\\rbackfill \\[█{24}\\] ${left.toLocaleString('en-US')}/${left.toLocaleString('en-US')} contacts \\(100%\\), [\\d,]+/s, ETA 0s\\n`,
      ),
    );
  });
});
