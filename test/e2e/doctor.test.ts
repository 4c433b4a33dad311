import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import type { DoctorCheck } from '../../src/usecases/doctor/run-doctor.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
const opened: RunningSandboxes[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((running) => running.close()));
});

async function doctor(handoffSetup: boolean): Promise<{ code: number; checks: DoctorCheck[] }> {
  const running = await startSandboxes({ contacts: 40, seed: 7, handoffSetup });
  opened.push(running);
  const run = await runCliInProcess(['doctor', '--json', '--config', CONFIG], {
    env: {
      ...running.env,
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'silent',
    },
    now: new Date().toISOString(),
  });
  return { code: run.code, checks: (JSON.parse(run.stdout) as { checks: DoctorCheck[] }).checks };
}

describe('handoff doctor against the sandboxes', () => {
  it('passes a ready-made tenant, warning only about what degrades Handoff', async () => {
    const { code, checks } = await doctor(true);
    expect(code).toBe(0);
    expect(checks.filter((check) => check.status === 'fail')).toEqual([]);
    // The seeded org has an inactive pool member: routing skips them, Handoff still works.
    expect(checks.filter((check) => check.status === 'warn').map((check) => check.area)).toContain(
      'people',
    );
    expect(checks.find((check) => check.check === 'Lead.HubSpot_Contact_Id__c')).toMatchObject({
      status: 'pass',
    });
  });

  it('fails a bare tenant, naming every missing field and property with its fix', async () => {
    const { code, checks } = await doctor(false);
    expect(code).toBe(1);
    const failed = checks.filter((check) => check.status === 'fail');
    expect(failed.map((check) => check.check)).toEqual(
      expect.arrayContaining(['Lead.Handoff_Routed_At__c', 'Task.Handoff_Decision_Id__c']),
    );
    expect(failed.find((check) => check.check === 'Lead.HubSpot_Contact_Id__c')).toEqual({
      area: 'salesforce',
      check: 'Lead.HubSpot_Contact_Id__c',
      status: 'fail',
      detail: 'Lead.HubSpot_Contact_Id__c is missing or not visible to the integration user',
      fix: 'create Lead.HubSpot_Contact_Id__c as Text(40), External ID, Unique and grant the integration user Read and Edit on it (permission set), or run handoff setup --apply',
    });
  });
});
