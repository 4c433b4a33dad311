/**
 * A demo tenant for the dashboard tests, run the way `handoff run` runs it: the sandboxes, the
 * worker runtime and BullMQ workers on real Redis, and a shared clock the test moves. After
 * `prepare`, every panel has something to show: routed leads, two rejections (with reasons and
 * sources), first touches, missed SLAs (a week passes), and one parked quarantine entry.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { RedisSyncState } from '../../src/adapters/redis/redis-sync-state.adapter.js';
import { loadEnv } from '../../src/config/env.js';
import { loadDefinitionFile } from '../../src/config/load-definition.js';
import type { Definition } from '../../src/domain/definition.js';
import { QUARANTINE_PARK_AFTER } from '../../src/adapters/redis/redis-sync-state.adapter.js';
import { startWorkers, type Workers } from '../../src/jobs/start-workers.js';
import {
  createSyncRuntime,
  createWorkerConnection,
  queuePrefix,
  type SyncRuntime,
} from '../../src/main.js';
import { PROFILE_PERMISSION_SET_ID } from '../../src/sandbox/salesforce/salesforce-store.js';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import type { DashboardDeps } from '../../src/http/dashboard/dashboard-plugin.js';

const EXAMPLE = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
/** The Lead field holding the campaign in the demo org (the example maps none). */
const CAMPAIGN_FIELD = 'Campaign__c';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type SfRecord = Record<string, unknown>;

export interface DashboardTenant {
  readonly running: RunningSandboxes;
  /** The CLI's environment for this tenant (same Redis prefix as the workers). */
  readonly env: Record<string, string>;
  /** The definition file: the example, with the campaign mapped so that chart has data. */
  readonly config: string;
  readonly definition: Definition;
  readonly runtime: SyncRuntime;
  readonly workers: Workers;
  readonly state: RedisSyncState;
  clock: number;
  now(): Date;
  /** One sync cycle through the queues, as the scheduler would run it. */
  cycle(): Promise<void>;
  /** Routed leads, two rejected, two touched, a week on, the parked record; returns what it did. */
  prepare(): Promise<{ rejected: SfRecord[]; touched: SfRecord[]; parkedKey: string }>;
  /** What the dashboard plugin is given in `handoff run`. */
  dashboardDeps(overrides?: Partial<DashboardDeps>): DashboardDeps;
  close(): Promise<void>;
}

export async function startDashboardTenant(at: string): Promise<DashboardTenant> {
  let clock = Date.parse(at);
  const running = await startSandboxes({ contacts: 240, seed: 41, now: () => clock });
  const env: Record<string, string> = {
    ...running.env,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
    LOG_LEVEL: 'silent',
  };
  // The admin adds the field and grants it to everyone's profile, as in Setup.
  running.salesforce.store.addField('Lead', {
    name: CAMPAIGN_FIELD,
    type: 'string',
    length: 255,
    custom: true,
  });
  const grant = running.salesforce.store.create(
    'FieldPermissions',
    {
      ParentId: PROFILE_PERMISSION_SET_ID,
      SobjectType: 'Lead',
      Field: `Lead.${CAMPAIGN_FIELD}`,
      PermissionsRead: true,
      PermissionsEdit: true,
    },
    false,
  );
  if (!grant.ok) throw new Error(JSON.stringify(grant.errors));
  const folder = mkdtempSync(join(tmpdir(), 'handoff-dashboard-'));
  const config = join(folder, 'handoff.yaml');
  const file = parse(readFileSync(EXAMPLE, 'utf8')) as { mapping: { salesforce: object } };
  file.mapping.salesforce = { ...file.mapping.salesforce, campaign: CAMPAIGN_FIELD };
  writeFileSync(config, stringify(file));
  const loaded = await loadDefinitionFile(config);
  if (!loaded.ok) {
    await running.close();
    throw new Error(`${config} does not load: ${JSON.stringify(loaded.issues)}`);
  }
  const definition = loaded.value;
  const parsedEnv = loadEnv(env);
  const log = pino({ level: 'silent' });
  const now = (): Date => new Date(clock);
  const runtime = await createSyncRuntime(parsedEnv, definition, log, now);
  const connection = createWorkerConnection(parsedEnv, log);
  const workers = await startWorkers({
    connection,
    prefix: queuePrefix(parsedEnv),
    runtime,
    log,
    schedule: false,
  });
  const redis = new Redis(env['REDIS_URL'] ?? '');
  const state = new RedisSyncState(redis, parsedEnv.HANDOFF_REDIS_PREFIX);
  const store = running.salesforce.store;

  const cycle = async (): Promise<void> => {
    await workers.runOnce(false);
  };
  const updateLead = (id: string, values: SfRecord): void => {
    const owner = String(store.table('Lead').get(id)?.['OwnerId'] ?? '');
    const result = store.update('Lead', id, values, false, owner);
    if (!result.ok) throw new Error(`lead update refused: ${JSON.stringify(result.errors)}`);
  };
  const logCall = (lead: SfRecord): void => {
    const ownerId = String(lead['OwnerId']);
    const result = store.create(
      'Task',
      {
        WhoId: lead['Id'],
        OwnerId: ownerId,
        Subject: 'Call',
        Status: 'Completed',
        TaskSubtype: 'Call',
      },
      false,
    );
    if (!result.ok) throw new Error(`call refused: ${JSON.stringify(result.errors)}`);
    const task = store.table('Task').get(result.id);
    if (task !== undefined)
      Object.assign(task, { CreatedById: ownerId, LastModifiedById: ownerId });
  };

  const tenant: DashboardTenant = {
    running,
    env,
    config,
    definition,
    runtime,
    workers,
    state,
    get clock() {
      return clock;
    },
    set clock(value: number) {
      clock = value;
    },
    now,
    cycle,
    async prepare() {
      await cycle();
      const routed = [...store.table('Lead').values()].filter(
        (lead) =>
          typeof lead['Handoff_Decision_Id__c'] === 'string' &&
          String(lead['OwnerId']).startsWith('005') &&
          typeof lead['HubSpot_Contact_Id__c'] === 'string',
      );
      if (routed.length < 6) throw new Error(`only ${routed.length} leads routed to reps`);
      const [noBudget, badTiming, called, emailed, parked] = routed as [
        SfRecord,
        SfRecord,
        SfRecord,
        SfRecord,
        SfRecord,
      ];
      clock += HOUR;
      updateLead(String(noBudget['Id']), {
        Status: 'Unqualified',
        LeadSource: 'Trade Show',
        Rejection_Reason__c: 'No budget',
        Rejection_Comment__c: '<b>Frozen</b> until Q3 & "later"',
        [CAMPAIGN_FIELD]: 'Spring <webinar>',
      });
      updateLead(String(badTiming['Id']), {
        Status: 'Unqualified',
        LeadSource: 'Web',
        Rejection_Reason__c: 'Bad timing',
        [CAMPAIGN_FIELD]: 'Data summit',
      });
      logCall(called);
      clock += 2 * HOUR;
      logCall(emailed);
      // A week passes: the leads nobody called miss their first touch.
      clock += 7 * DAY;
      await cycle();
      // A record that failed five cycles on a validation rule the admin has since fixed.
      const parkedKey = String(parked['HubSpot_Contact_Id__c']);
      for (let attempt = 0; attempt < QUARANTINE_PARK_AFTER; attempt += 1)
        await state.quarantine({
          system: 'salesforce',
          key: parkedKey,
          code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          reason: 'invalid: Title must not be <empty> (validation rule Title_Required)',
          at: new Date(clock).toISOString(),
        });
      return { rejected: [noBudget, badTiming], touched: [called, emailed], parkedKey };
    },
    dashboardDeps: (overrides = {}) => ({
      report: { definition, lifecycle: runtime.lifecycle, directory: runtime.deps.directory },
      quarantine: state,
      queues: Object.values(workers.queues),
      budget: () => runtime.budget.usage(),
      now,
      jobClock: () => Date.now(),
      log,
      ...overrides,
    }),
    async close() {
      await workers.close();
      await runtime.close();
      await connection.quit();
      await redis.quit();
      await running.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
  return tenant;
}
