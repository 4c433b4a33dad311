import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import type { DoctorCheck } from '../../src/usecases/doctor/run-doctor.js';
import type { AppliedItem } from '../../src/usecases/setup/run-setup.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const NOW = '2026-11-24T15:00:00Z';
const EXAMPLE = new URL('../../config/handoff.example.yaml', import.meta.url);
const LIST = 'Nurture — no budget';

/** The example, with one nurture list named by name: setup creates it, the worker finds it. */
async function namedListConfig(): Promise<string> {
  const text = (await readFile(EXAMPLE, 'utf8')).replace(
    '"No budget": { nurture_list: "101"',
    `"No budget": { nurture_list: "${LIST}"`,
  );
  if (!text.includes(LIST)) throw new Error('the example definition changed shape');
  const file = join(await mkdtemp(join(tmpdir(), 'handoff-setup-')), 'handoff.yaml');
  await writeFile(file, text);
  return file;
}
let sandboxes: RunningSandboxes | null = null;

afterEach(async () => {
  await sandboxes?.close();
  sandboxes = null;
});

describe('installing Handoff on a bare org and portal', () => {
  it('setup lists everything, --apply creates it, doctor passes, sync routes, and a second --apply writes nothing', async () => {
    sandboxes = await startSandboxes({
      contacts: 200,
      seed: 52,
      now: () => Date.parse(NOW),
      handoffSetup: false,
    });
    const running = sandboxes;
    const env = {
      ...running.env,
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
      LOG_LEVEL: 'silent',
    };
    const config = await namedListConfig();
    const cli = (args: string[]) =>
      runCliInProcess([...args, '--config', config], { env, now: NOW });

    const plan = await cli(['setup', '--json']);
    expect(plan.code).toBe(0);
    const planned = (JSON.parse(plan.stdout) as { items: AppliedItem[] }).items;
    expect(planned.find((item) => item.item === 'Lead.Handoff_Routed_At__c')?.state).toBe(
      'missing',
    );
    expect(planned.find((item) => item.item === 'handoff_status')?.state).toBe('missing');
    expect(planned.find((item) => item.item === `list "${LIST}"`)?.state).toBe('missing');

    // Before setup, the worker refuses to start: the list it would file rejections in is missing.
    const early = await cli(['sync', '--once']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain(`"${LIST}" (run handoff setup --apply, or use list ids)`);

    const applied = await cli(['setup', '--apply']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('→ done');
    expect(applied.stdout).not.toContain('FAILED');

    const doctor = await cli(['doctor', '--json']);
    const checks = (JSON.parse(doctor.stdout) as { checks: DoctorCheck[] }).checks;
    expect(checks.filter((check) => check.status === 'fail')).toEqual([]);
    expect(doctor.code).toBe(0);

    const sync = await cli(['sync', '--once', '--json']);
    expect(sync.stderr).toBe('');
    expect(sync.code).toBe(0);
    expect((JSON.parse(sync.stdout) as { routed: number }).routed).toBeGreaterThan(5);

    const before = [running.hubspot.server.log.lastSeq, running.salesforce.server.log.lastSeq];
    const again = await cli(['setup', '--apply', '--json']);
    expect(again.code).toBe(0);
    const items = (JSON.parse(again.stdout) as { items: AppliedItem[] }).items;
    expect(items.filter((item) => item.state === 'missing' || item.state === 'different')).toEqual(
      [],
    );
    const calls = [
      ...running.hubspot.server.log.list(before[0]),
      ...running.salesforce.server.log.list(before[1]),
    ];
    // It read the installation again, and changed nothing.
    expect(calls.length).toBeGreaterThan(3);
    const writes = calls.filter(
      (call) =>
        call.method !== 'GET' &&
        !call.endpoint.includes('query') &&
        !call.endpoint.includes('search'),
    );
    expect(writes.map((call) => call.endpoint)).toEqual([]);
  });
});
