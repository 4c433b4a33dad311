import { randomUUID } from 'node:crypto';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess, type CliRun } from './run-cli-in-process.js';
import { routedForContact } from './routed-leads.js';

export const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;

export type SfRecord = Record<string, unknown>;

/**
 * Sandboxes and Handoff on one movable clock, for tests that span days: the sandbox stamps
 * records (a rep's call, a status change) at `clock`, and each `sync` runs at `clock`.
 */
export interface LifecycleHarness {
  readonly running: RunningSandboxes;
  /** The tenant's environment as Handoff gets it (sandbox URLs, its own Redis prefix). */
  readonly env: Readonly<Record<string, string>>;
  clock: number;
  sync(extraEnv?: Record<string, string>): Promise<CliRun & { json: Record<string, unknown> }>;
  /** `handoff report` at `clock`. */
  report(args?: readonly string[]): Promise<CliRun>;
  /** Any command at `clock`, with the tenant's environment (`--config` is added). */
  cli(args: readonly string[]): Promise<CliRun>;
  /** Leads routed for a HubSpot contact. */
  routedLeads(): SfRecord[];
  /** Every Lead carrying a decision: the contacts' and those born in Salesforce. */
  decidedLeads(): SfRecord[];
  lead(id: string): SfRecord;
  /** A rep's change to a Lead, made through the sandbox as Salesforce would record it. */
  updateLead(id: string, values: SfRecord): void;
  /** A rep logs a completed call on a Lead now. */
  logCall(leadId: string, ownerId: string): void;
  handoffTasks(): SfRecord[];
  close(): Promise<void>;
}

export async function startLifecycle(options: {
  contacts: number;
  seed: number;
  at: string;
  /** A definition other than the example (a file path). */
  config?: string;
}): Promise<LifecycleHarness> {
  const config = options.config ?? CONFIG;
  let clock = Date.parse(options.at);
  const running = await startSandboxes({
    contacts: options.contacts,
    seed: options.seed,
    now: () => clock,
  });
  const env = {
    ...running.env,
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
    LOG_LEVEL: 'silent',
  };
  const store = running.salesforce.store;
  const harness: LifecycleHarness = {
    running,
    env,
    get clock() {
      return clock;
    },
    set clock(value: number) {
      clock = value;
    },
    async sync(extraEnv = {}) {
      const run = await runCliInProcess(['sync', '--once', '--json', '--config', config], {
        env: { ...env, ...extraEnv },
        now: new Date(clock).toISOString(),
      });
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(run.stdout) as Record<string, unknown>;
      } catch {
        throw new Error(`sync printed no JSON (exit ${run.code}): ${run.stderr}`);
      }
      return { ...run, json };
    },
    cli: (args) =>
      runCliInProcess([...args, '--config', config], { env, now: new Date(clock).toISOString() }),
    report: (args = ['--json']) =>
      runCliInProcess(['report', ...args, '--config', config], {
        env,
        now: new Date(clock).toISOString(),
      }),
    decidedLeads: () =>
      [...store.table('Lead').values()].filter(
        (lead) => typeof lead['Handoff_Decision_Id__c'] === 'string',
      ),
    routedLeads: () => [...store.table('Lead').values()].filter((lead) => routedForContact(lead)),
    lead: (id) => {
      const found = store.get(id)?.record;
      if (found === undefined) throw new Error(`no record ${id}`);
      return found;
    },
    updateLead: (id, values) => {
      // The rep who owns it makes the change, as Salesforce records it (LastModifiedById).
      const owner = String(store.table('Lead').get(id)?.['OwnerId'] ?? '');
      const result = store.update(
        'Lead',
        id,
        values,
        false,
        owner.startsWith('005') ? owner : undefined,
      );
      if (!result.ok) throw new Error(`lead update refused: ${JSON.stringify(result.errors)}`);
    },
    logCall: (leadId, ownerId) => {
      const result = store.create(
        'Task',
        {
          WhoId: leadId,
          OwnerId: ownerId,
          Subject: 'Call',
          Status: 'Completed',
          TaskSubtype: 'Call',
        },
        false,
      );
      if (!result.ok) throw new Error(`call refused: ${JSON.stringify(result.errors)}`);
      // The rep logged it, as Salesforce records it (audit fields are not writable through the API).
      const task = store.table('Task').get(result.id);
      if (task !== undefined)
        Object.assign(task, { CreatedById: ownerId, LastModifiedById: ownerId });
    },
    handoffTasks: () =>
      [...store.table('Task').values()].filter(
        (task) => typeof task['Handoff_Decision_Id__c'] === 'string',
      ),
    close: () => running.close(),
  };
  return harness;
}
