import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const NOW = '2026-11-24T15:00:00Z';
const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;

const opened: RunningSandboxes[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((running) => running.close()));
});

async function start(contacts: number): Promise<RunningSandboxes> {
  const running = await startSandboxes({ contacts, seed: 5, now: () => Date.parse(NOW) });
  opened.push(running);
  return running;
}

function envFor(running: RunningSandboxes, extra: Record<string, string> = {}) {
  return {
    ...running.env,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

describe('handoff sync --once on the admin terminal', () => {
  it('plans with names beside the ids, the due date in the business-hours time zone', async () => {
    const running = await start(200);
    const dry = await runCliInProcess(['sync', '--once', '--dry-run', '--config', CONFIG], {
      env: envFor(running),
      now: NOW,
    });
    expect(dry.code).toBe(0);
    const lines = dry.stdout.split('\n').filter((line) => /\[d-/.test(line));
    expect(lines.length).toBeGreaterThan(5);
    const line = lines.find((candidate) => /contact \d+/.test(candidate)) ?? '';
    const contactId = /contact (\d+)/.exec(line)?.[1] ?? '';
    const contact = running.hubspot.store.objects.contacts.get(contactId);
    const name = `${contact?.properties['firstname'] ?? ''} ${contact?.properties['lastname'] ?? ''}`;
    expect(line.startsWith(`  ${name} (contact ${contactId}) → `)).toBe(true);
    const ownerId = /→ [^(]+\((\w+)\)/.exec(line)?.[1] ?? '';
    const owner = running.salesforce.store.get(ownerId)?.record['Name'];
    expect(typeof owner).toBe('string');
    expect(line).toContain(`→ ${String(owner)} (${ownerId}), due `);
    expect(line).toMatch(/, due (Mon|Tue|Wed|Thu|Fri) \d\d:\d\d [A-Z][a-z]+\/[A-Za-z_]+; /);
  });

  it('draws a progress bar on a terminal for a cycle of more than one batch, none for a small one', async () => {
    const running = await start(3_000);
    const big = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env: envFor(running),
      now: NOW,
      tty: true,
    });
    expect(big.code).toBeLessThanOrEqual(1);
    // Redrawn in place: each state erases the line, the last one ends it.
    const ERASE_LINE = '\u001b[2K';
    expect(big.stderr.startsWith(`${ERASE_LINE}\r`)).toBe(true);
    expect(big.stderr.split(ERASE_LINE).length).toBeGreaterThan(2);
    expect(big.stderr.slice(`${ERASE_LINE}\r`.length)).toMatch(
      /^sync \[[█░]{24}\] [\d,]+\/[\d,]+ contacts \((\d|[1-9]\d)%\)/,
    );
    expect(big.stderr).toMatch(
      /\rsync \[█{24}\] ([\d,]+)\/\1 contacts \(100%\), [\d,]+\/s, ETA 0s\n$/,
    );

    const small = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env: envFor(await start(200)),
      now: NOW,
      tty: true,
    });
    expect(small.stderr).not.toContain('sync [');
  });

  it('logs readable lines on a terminal, JSON with LOG_FORMAT=json', async () => {
    const running = await start(50);
    const pretty = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env: envFor(running, { LOG_LEVEL: 'info' }),
      now: NOW,
      tty: true,
    });
    expect(pretty.stderr).toMatch(/INFO.*sync cycle finished/);
    expect(pretty.stderr).not.toContain('"msg":');
    const json = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env: envFor(running, { LOG_LEVEL: 'info', LOG_FORMAT: 'json' }),
      now: NOW,
      tty: true,
    });
    expect(json.stderr).toContain('"msg":"sync cycle finished"');
  });
});
