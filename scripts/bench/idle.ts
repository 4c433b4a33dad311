/**
 * Idle cost: what `handoff run` spends on a tenant where nothing happens. A first `sync --once`
 * routes about 3,000 leads; reps touch two thirds of them; the tenants' clock then moves past
 * every deadline and `sync --once` runs until the escalations are done (reassigned once, then
 * the manager told), so about 1,000 leads stay overdue and untouched, as in a steady org. Then
 * `handoff run` polls every second (the default 60 s semantics, faster to measure) and the
 * sandboxes count the calls of N quiet cycles; one hour of the tenants' clock shows what the
 * hourly share of a cycle adds (the recycle search). A reconciliation (the full SLA watch and
 * rejection scan, queued as its scheduler would) is counted on its own before and after that
 * hour: the same cost twice is the steady state's, not a catch-up after the escalations.
 *
 * In-process (runCli), unlike the other sections: the deadlines must pass, so Handoff and the
 * sandboxes share a clock this benchmark moves. Only calls are counted here, not memory.
 */
import { Job, Queue } from 'bullmq';
import { runCli } from '../../src/cli/run-cli.js';
import { DECISIONS_QUEUE, HUBSPOT_QUEUE, SALESFORCE_QUEUE } from '../../src/jobs/catalog.js';
import type { SfRecord } from '../../src/sandbox/salesforce/salesforce-store.js';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import {
  EXAMPLE_CONFIG,
  REDIS_URL,
  callsSince,
  exampleConfigWith,
  installation,
  progress,
  round,
  waitUntil,
  type SystemCalls,
} from './support.js';

const MINUTE = 60_000;
const CYCLES_PER_DAY = 1_440; // the default sync.poll_interval, 60 s
const RECONCILIATIONS_PER_DAY = 24; // the default sync.reconcile_interval, 1 h
/** A Tuesday afternoon in New York: the first deadlines fall within business hours. */
const START = Date.parse('2026-11-24T15:00:00Z');

interface SlaCounts {
  readonly checked: number;
  readonly accepted: number;
  readonly breached: number;
  readonly reassigned: number;
  readonly notified: number;
  readonly recorded: number;
}

interface SyncJson {
  readonly routed: number;
  readonly sla?: Partial<SlaCounts>;
}

export interface IdleResult {
  readonly tenant_contacts: number;
  readonly routed_leads: number;
  readonly touched_leads: number;
  /** Routed, past their deadline, never touched: the leads the full watch keeps re-reading. */
  readonly overdue_untouched: number;
  /** Routed Leads by Status and Handoff stage once the escalations are done. */
  readonly lead_states: Readonly<Record<string, number>>;
  /** `sync --once` runs after the first, each after moving the clock past every deadline. */
  readonly escalation_rounds: readonly SlaCounts[];
  readonly poll_interval_measured: string;
  readonly quiet_cycles: number;
  readonly quiet: { readonly hubspot: SystemCalls; readonly salesforce: SystemCalls };
  readonly each_quiet_cycle: readonly { readonly hubspot: number; readonly salesforce: number }[];
  readonly per_quiet_cycle: { readonly hubspot: number; readonly salesforce: number };
  /** The two cycles around an hour passing on the tenants' clock, less two quiet cycles. */
  readonly hourly_cycle_extra: {
    readonly hubspot: number;
    readonly salesforce: number;
    readonly by_endpoint: {
      readonly hubspot: Readonly<Record<string, number>>;
      readonly salesforce: Readonly<Record<string, number>>;
    };
  };
  /**
   * A reconciliation as the worker settles, and the next one an hour later on the tenants' clock
   * (the one the day is counted with): the sandboxes' count in its window, less the quiet cycles
   * in it. The same cost twice means it is the steady state's, not a catch-up.
   */
  readonly first_reconciliation: Reconciliation;
  readonly reconciliation: Reconciliation;
  /** At the defaults: 1,440 cycles and 24 reconciliations (with their hourly cycle share). */
  readonly per_day: { readonly hubspot: number; readonly salesforce: number };
  /** Of a 150,000-call daily Salesforce allocation. */
  readonly salesforce_percent_of_150k: number;
}

interface Reconciliation {
  readonly hubspot: number;
  readonly salesforce: number;
  /** What the two jobs metered themselves. */
  readonly metered: { readonly hubspot: number; readonly salesforce: number };
  /** The two jobs' own results (what the watch checked, found and wrote). */
  readonly jobs: readonly Record<string, unknown>[];
  readonly salesforce_by_endpoint: Readonly<Record<string, number>>;
  readonly hubspot_by_endpoint: Readonly<Record<string, number>>;
}

interface Marks {
  hubspot: number;
  salesforce: number;
}

export async function benchIdle(options: {
  contacts: number;
  seed: number;
  cycles: number;
}): Promise<IdleResult> {
  let offset = 0;
  const t0 = performance.now();
  const clock = (): number => START + offset + Math.round(performance.now() - t0);
  progress(`idle: seeding ${options.contacts} contacts`);
  const sandboxes = await startSandboxes({
    contacts: options.contacts,
    seed: options.seed,
    now: clock,
  });
  const redis = installation();
  const env = {
    ...sandboxes.env,
    REDIS_URL,
    HANDOFF_REDIS_PREFIX: redis.prefix,
  };
  const syncOnce = async (): Promise<SyncJson> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['sync', '--once', '--json', '--config', EXAMPLE_CONFIG], {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      env: { ...env, LOG_LEVEL: 'silent' },
      now: () => new Date(clock()),
      untilShutdown: () => Promise.resolve('bench'),
    });
    if (!stdout.startsWith('{')) throw new Error(`idle: sync --once exit ${code}\n${stderr}`);
    return JSON.parse(stdout) as SyncJson;
  };
  const routedLeads = (): SfRecord[] =>
    [...sandboxes.salesforce.store.table('Lead').values()].filter(
      (lead) => typeof lead['Handoff_Decision_Id__c'] === 'string',
    );
  try {
    progress('idle: routing with sync --once');
    await syncOnce();
    const routed = routedLeads();
    const touched = touchTwoThirds(sandboxes, routed);
    progress(`idle: ${routed.length} leads routed, ${touched} touched by their reps`);
    const rounds: SlaCounts[] = [];
    for (let round = 0; round < 5; round += 1) {
      const latest = Math.max(...routedLeads().map((lead) => Number(lead['Handoff_Due__c'] ?? 0)));
      // Past every deadline, and always a few minutes on: the watch re-reads what changed in
      // the minute before its cursor, and last round's escalations are not news by now.
      offset += Math.max(2 * MINUTE, latest + 2 * MINUTE - clock());
      const sla = slaCounts((await syncOnce()).sla);
      rounds.push(sla);
      progress(
        `idle: escalation round ${round + 1}: ${sla.breached} breached, ${sla.reassigned} reassigned, ${sla.notified} notified`,
      );
      if (sla.breached === 0 && sla.reassigned === 0) break;
    }
    const overdue = routedLeads().filter(
      (lead) =>
        lead['Handoff_Stage__c'] !== 'accepted' && Number(lead['Handoff_Due__c'] ?? 0) < clock(),
    ).length;
    return {
      tenant_contacts: options.contacts,
      routed_leads: routed.length,
      touched_leads: touched,
      overdue_untouched: overdue,
      lead_states: leadStates(routedLeads()),
      escalation_rounds: rounds,
      ...(await measureRun(sandboxes, env, clock, (ms) => (offset += ms), options.cycles)),
    };
  } finally {
    await sandboxes.close();
    await redis.wipe();
  }
}

function leadStates(leads: readonly SfRecord[]): Record<string, number> {
  const states: Record<string, number> = {};
  for (const lead of leads) {
    const key = `${String(lead['Status'])} / ${String(lead['Handoff_Stage__c'])}`;
    states[key] = (states[key] ?? 0) + 1;
  }
  return states;
}

function slaCounts(sla: Partial<SlaCounts> | undefined): SlaCounts {
  return {
    checked: sla?.checked ?? 0,
    accepted: sla?.accepted ?? 0,
    breached: sla?.breached ?? 0,
    reassigned: sla?.reassigned ?? 0,
    notified: sla?.notified ?? 0,
    recorded: sla?.recorded ?? 0,
  };
}

/**
 * A completed call by the owner on two routed leads in three, logged as the rep (the sandbox
 * tells Handoff's writes from others' by CreatedById/LastModifiedById). Queue-owned leads have
 * no rep to touch them.
 */
function touchTwoThirds(sandboxes: RunningSandboxes, routed: readonly SfRecord[]): number {
  const store = sandboxes.salesforce.store;
  const toTouch = routed.length - Math.round(routed.length / 3);
  let touched = 0;
  for (const lead of routed) {
    if (touched >= toTouch) break;
    const rep = String(lead['OwnerId']);
    if (!rep.startsWith('005')) continue;
    const call = store.create(
      'Task',
      {
        WhoId: lead['Id'],
        OwnerId: rep,
        Subject: 'Call',
        Status: 'Completed',
        TaskSubtype: 'Call',
      },
      false,
    );
    if (!call.ok) throw new Error(`idle: the rep's call was refused: ${JSON.stringify(call)}`);
    Object.assign(store.table('Task').get(call.id) ?? {}, {
      CreatedById: rep,
      LastModifiedById: rep,
    });
    touched += 1;
  }
  return touched;
}

type RunMeasures = Omit<
  IdleResult,
  | 'tenant_contacts'
  | 'routed_leads'
  | 'touched_leads'
  | 'overdue_untouched'
  | 'lead_states'
  | 'escalation_rounds'
>;

async function measureRun(
  sandboxes: RunningSandboxes,
  env: Readonly<Record<string, string>>,
  clock: () => number,
  advance: (ms: number) => void,
  quietCycles: number,
): Promise<RunMeasures> {
  const config = await exampleConfigWith({ poll_interval: '1s' });
  const marks = (): Marks => ({
    hubspot: sandboxes.hubspot.server.log.lastSeq,
    salesforce: sandboxes.salesforce.server.log.lastSeq,
  });
  /** The call logs' positions as each cycle's summary line was written (in-process: exact). */
  const cycleMarks: (Marks & { line: Record<string, unknown> })[] = [];
  let stop: () => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = () => resolve('SIGTERM')));
  let partial = '';
  progress('idle: handoff run, polling every second');
  const worker = runCli(['run', '--config', config], {
    stdout: (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const text of lines) {
        if (!text.includes('"sync cycle finished"')) continue;
        cycleMarks.push({ ...marks(), line: JSON.parse(text) as Record<string, unknown> });
      }
    },
    stderr: (text) => void process.stderr.write(text),
    env: { ...env, LOG_LEVEL: 'info', PORT: '0' },
    now: () => new Date(clock()),
    untilShutdown: () => stopped,
  });
  const prefix = `${env['HANDOFF_REDIS_PREFIX'] ?? ''}:bull`;
  const queue = new Queue(SALESFORCE_QUEUE, { connection: { url: REDIS_URL }, prefix });
  try {
    await waitUntil(() => cycleMarks.length >= 1, 120_000, 'the first cycle', 100);
    // The timers `sync --once` set wake at their deadlines in BullMQ's own (real) time; those
    // deadlines have passed on the tenants' clock, so they are woken now, as they would have been.
    for (const job of await queue.getDelayed())
      if (job.name === 'salesforce.sla.check') await job.promote();
    // Settled: no queue holds work (the start-up reconciliation, the woken timers and the
    // write-backs they queued are done) and nothing was decided, for three cycles in a row.
    const queues = [DECISIONS_QUEUE, HUBSPOT_QUEUE].map(
      (name) => new Queue(name, { connection: { url: REDIS_URL }, prefix }),
    );
    let busyAt = cycleMarks.length;
    await waitUntil(
      async () => {
        const idle = await Promise.all(
          [queue, ...queues].map(async (each) => {
            const counts = await each.getJobCounts('waiting', 'prioritized', 'waiting-children');
            const active = each.name === DECISIONS_QUEUE ? 0 : await each.getActiveCount();
            return active + Object.values(counts).reduce((sum, count) => sum + count, 0) === 0;
          }),
        );
        const last = cycleMarks.at(-1)?.line;
        if (!idle.every(Boolean) || last === undefined || last['decided'] !== 0)
          busyAt = cycleMarks.length;
        return cycleMarks.length - busyAt >= 3;
      },
      300_000,
      'the worker to settle',
      200,
    ).finally(() => Promise.all(queues.map((each) => each.close())));
    const from = cycleMarks.length;
    progress(`idle: counting ${quietCycles} quiet cycles`);
    await waitUntil(
      () => cycleMarks.length >= from + quietCycles,
      quietCycles * 5_000 + 30_000,
      'quiet cycles',
      100,
    );
    const first = cycleMarks[from - 1] as Marks;
    const last = cycleMarks[from - 1 + quietCycles] as Marks;
    const quiet = {
      hubspot: callsSince(sandboxes.hubspot.server.log, first.hubspot, last.hubspot),
      salesforce: callsSince(sandboxes.salesforce.server.log, first.salesforce, last.salesforce),
    };
    const eachCycle = Array.from({ length: quietCycles }, (_, index) => {
      const start = cycleMarks[from - 1 + index] as Marks;
      const end = cycleMarks[from + index] as Marks;
      return {
        hubspot: callsSince(sandboxes.hubspot.server.log, start.hubspot, end.hubspot).total,
        salesforce: callsSince(sandboxes.salesforce.server.log, start.salesforce, end.salesforce)
          .total,
      };
    });
    const perCycle = {
      hubspot: quiet.hubspot.total / quietCycles,
      salesforce: quiet.salesforce.total / quietCycles,
    };

    /** Calls in a window, endpoint by endpoint, less the quiet cycles that ran in it. */
    const less = (
      calls: SystemCalls,
      quietCalls: SystemCalls,
      cycles: number,
    ): Record<string, number> =>
      Object.fromEntries(
        Object.entries(calls.byEndpoint)
          .map(([endpoint, count]): [string, number] => [
            endpoint,
            count - ((quietCalls.byEndpoint[endpoint] ?? 0) / quietCycles) * cycles,
          ])
          .filter(([, count]) => count > 0.5)
          .map(([endpoint, count]) => [endpoint, Math.round(count)]),
      );
    const sum = (counts: Record<string, number>): number =>
      Object.values(counts).reduce((total, count) => total + count, 0);

    /** One reconciliation, queued as its scheduler queues it, counted on its own. */
    const reconcile = async (): Promise<Reconciliation> => {
      const before = marks();
      const cyclesBefore = cycleMarks.length;
      const jobs = await queue.addBulk(
        (['salesforce.sla.watch', 'salesforce.feedback.scan'] as const).map((name) => ({
          name,
          data: { trigger: 'schedule' },
        })),
      );
      const values: (Record<string, unknown> & {
        calls?: { hubspot?: number; salesforce?: number };
      })[] = [];
      await waitUntil(
        async () => {
          values.length = 0;
          for (const added of jobs) {
            const job = await Job.fromId(queue, added.id ?? '');
            const state = await job?.getState();
            if (state === 'failed') throw new Error(`idle: ${added.name} failed`);
            if (state !== 'completed') return false;
            values.push((job?.returnvalue ?? {}) as (typeof values)[number]);
          }
          return true;
        },
        180_000,
        'the reconciliation',
        100,
      );
      const after = marks();
      const cyclesDuring = cycleMarks.length - cyclesBefore;
      const window = {
        hubspot: callsSince(sandboxes.hubspot.server.log, before.hubspot, after.hubspot),
        salesforce: callsSince(
          sandboxes.salesforce.server.log,
          before.salesforce,
          after.salesforce,
        ),
      };
      const reconciliationSalesforce = less(window.salesforce, quiet.salesforce, cyclesDuring);
      const reconciliationHubspot = less(window.hubspot, quiet.hubspot, cyclesDuring);
      return {
        hubspot: sum(reconciliationHubspot),
        salesforce: sum(reconciliationSalesforce),
        jobs: values,
        metered: {
          hubspot: values.reduce((total, value) => total + (value.calls?.hubspot ?? 0), 0),
          salesforce: values.reduce((total, value) => total + (value.calls?.salesforce ?? 0), 0),
        },
        salesforce_by_endpoint: reconciliationSalesforce,
        hubspot_by_endpoint: reconciliationHubspot,
      };
    };
    progress('idle: a reconciliation (full SLA watch and rejection scan)');
    const firstReconciliation = await reconcile();
    // The hour is counted from a cycle that ended after the reconciliation, so none of the
    // reconciliation's calls fall into it.
    const settled = cycleMarks.length;
    await waitUntil(() => cycleMarks.length > settled, 60_000, 'a cycle after it', 100);
    // An hour passes on the tenants' clock: the next cycle also looks for recycled contacts.
    advance(61 * MINUTE);
    const hourFrom = cycleMarks.length;
    await waitUntil(() => cycleMarks.length >= hourFrom + 2, 60_000, 'the hourly cycle', 100);
    const hourStart = cycleMarks[hourFrom - 1] as Marks;
    const hourEnd = cycleMarks[hourFrom + 1] as Marks;
    const hourlyCalls = {
      hubspot: less(
        callsSince(sandboxes.hubspot.server.log, hourStart.hubspot, hourEnd.hubspot),
        quiet.hubspot,
        2,
      ),
      salesforce: less(
        callsSince(sandboxes.salesforce.server.log, hourStart.salesforce, hourEnd.salesforce),
        quiet.salesforce,
        2,
      ),
    };
    const hourly = { hubspot: sum(hourlyCalls.hubspot), salesforce: sum(hourlyCalls.salesforce) };

    progress("idle: the next reconciliation, an hour later on the tenants' clock");
    const reconciliation = await reconcile();
    const perDay = (system: 'hubspot' | 'salesforce'): number =>
      Math.round(
        perCycle[system] * CYCLES_PER_DAY +
          RECONCILIATIONS_PER_DAY * (reconciliation[system] + hourly[system]),
      );
    const salesforcePerDay = perDay('salesforce');
    progress(
      `idle: ${perCycle.hubspot} HubSpot and ${perCycle.salesforce} Salesforce calls per quiet cycle; reconciliation ${reconciliation.salesforce} Salesforce; ${salesforcePerDay} Salesforce calls/day`,
    );
    return {
      poll_interval_measured: '1s',
      quiet_cycles: quietCycles,
      quiet,
      each_quiet_cycle: eachCycle,
      per_quiet_cycle: {
        hubspot: round(perCycle.hubspot, 2),
        salesforce: round(perCycle.salesforce, 2),
      },
      hourly_cycle_extra: { ...hourly, by_endpoint: hourlyCalls },
      first_reconciliation: firstReconciliation,
      reconciliation,
      per_day: { hubspot: perDay('hubspot'), salesforce: salesforcePerDay },
      salesforce_percent_of_150k: round((salesforcePerDay / 150_000) * 100, 2),
    };
  } finally {
    stop();
    await worker;
    await queue.close();
  }
}
