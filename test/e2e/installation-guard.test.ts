import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startInstallationGuard,
  type InstallationProblem,
} from '../../src/jobs/installation-guard.js';

const connection = { url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' };
const opened: Queue[] = [];

afterEach(async () => {
  await Promise.all(
    opened.splice(0).map(async (queue) => {
      await queue.obliterate({ force: true });
      await queue.close();
    }),
  );
});

function queues(prefix: string): Queue[] {
  const made = ['decisions', 'salesforce'].map((name) => new Queue(name, { connection, prefix }));
  opened.push(...made);
  return made;
}

describe('the installation guard over real BullMQ queues', () => {
  it('pauses a queue once, resumes it when the checks pass, and lets a restarted worker resume what it paused', async () => {
    const prefix = `test-${randomUUID()}`;
    const key = `${prefix}:handoff:installation-paused`;
    let problems: InstallationProblem[] = [{ check: 'Lead.Handoff_Due__c' }];
    const [decisions, salesforce] = queues(prefix);
    if (decisions === undefined || salesforce === undefined) throw new Error('no queues');
    const guard = startInstallationGuard({
      queues: [decisions, salesforce],
      key,
      problems: () => Promise.resolve(problems),
      intervalMs: 100,
      pauses: true,
      log: pino({ level: 'silent' }),
    });
    try {
      expect(await guard.pause('decisions', 'Lead.Handoff_Due__c is missing')).toBe(true);
      expect(await guard.pause('decisions', 'Lead.Handoff_Due__c is missing')).toBe(true);
      expect(await decisions.isPaused()).toBe(true);
      expect(await salesforce.isPaused()).toBe(false);
      await sleep(400);
      // Still broken: still paused.
      expect(await decisions.isPaused()).toBe(true);
      problems = [];
      const deadline = Date.now() + 5_000;
      while ((await decisions.isPaused()) && Date.now() < deadline) await sleep(50);
      expect(await decisions.isPaused()).toBe(false);
    } finally {
      guard.close();
    }

    // A worker that died with a paused queue: the next one, whose start-up check passed, resumes.
    const second = startInstallationGuard({
      queues: [decisions, salesforce],
      key,
      problems: () => Promise.resolve([{ check: 'Lead.Handoff_Due__c' }]),
      intervalMs: 60_000,
      pauses: true,
      log: pino({ level: 'silent' }),
    });
    await second.pause('salesforce', 'Lead.Handoff_Due__c is missing');
    second.close();
    const restarted = startInstallationGuard({
      queues: [decisions, salesforce],
      key,
      problems: () => Promise.resolve([]),
      intervalMs: 60_000,
      pauses: true,
      log: pino({ level: 'silent' }),
    });
    expect(await restarted.resumeAll()).toEqual(['salesforce']);
    expect(await salesforce.isPaused()).toBe(false);
    restarted.close();

    // `sync --once` never pauses.
    const once = startInstallationGuard({
      queues: [decisions, salesforce],
      key,
      problems: () => Promise.resolve([]),
      intervalMs: 60_000,
      pauses: false,
      log: pino({ level: 'silent' }),
    });
    expect(await once.pause('decisions', 'x')).toBe(false);
    expect(await decisions.isPaused()).toBe(false);
    once.close();
  });
});
