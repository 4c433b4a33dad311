import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { IntegrationError, type IntegrationSystem } from './errors.js';

/**
 * The API budget: how much of each system's daily API allowance Handoff lets itself use.
 *
 * An admin who finds Handoff high in Salesforce's API usage report (or in HubSpot's private-app
 * logs) switches it off, and an allowance spent to the end stops every integration of the org,
 * not only Handoff. Both allowances are pools that Handoff shares: Salesforce's
 * `Sforce-Limit-Info: api-usage=N/M` counts the whole org's calls over a rolling 24 h, and
 * HubSpot's `X-HubSpot-RateLimit-Daily(-Remaining)` counts the calls of all of the account's
 * private apps since its midnight. Neither header says how many of the calls were Handoff's, so
 * Handoff counts its own (every attempt, every process of the installation, in Redis).
 *
 * The rule, per system, checked before each call a job makes:
 * - **Handoff's share**: Handoff's own calls in the last 24 h reach `ceiling`% of the daily
 *   maximum the header reports. This is what the admin sees in the usage report, it does not
 *   depend on what other integrations do, and it is how a well-behaved connector limits itself
 *   (a cap on its own calls, not on the org's). A ceiling on the org's total instead would stop
 *   Handoff for what others spend: at 10%, on most days.
 * - **The pool**: the pool as a whole has reached `POOL_STOP_PERCENT`% of its maximum (or the
 *   ceiling, when that is higher). Whoever spent it, the last calls are left to the people and
 *   integrations that cannot wait for the next cycle.
 *
 * Either pauses that system's queue (an `IntegrationError` `rate_limited`, code
 * `BUDGET_CEILING`, which the job machinery turns into a pause of that system's queue only) and
 * checks again after `RECHECK_MS`: Salesforce's window rolls, so a quarter of an hour frees
 * calls; HubSpot's resets at the account's midnight, in a zone Handoff does not know, so hourly.
 * Until a header has been seen there is no maximum to take a share of, and nothing is refused.
 */

/** One reading of a daily allowance: calls used and the maximum, as the vendor reports them. */
export interface ApiUsage {
  readonly used: number;
  readonly max: number;
}

/** The configured ceilings: Handoff's share of each daily allowance, in percent (1–100). */
export type BudgetCeilings = Readonly<Record<IntegrationSystem, number>>;

/** Past this share of the pool, Handoff stops whoever spent it (unless its ceiling is higher). */
export const POOL_STOP_PERCENT = 90;

/** How long a pause lasts before the budget is checked again. */
export const RECHECK_MS: Readonly<Record<IntegrationSystem, number>> = {
  salesforce: 15 * 60_000,
  hubspot: 60 * 60_000,
};

const HOUR_MS = 3_600_000;
/** Handoff's own calls are counted over this window (Salesforce's; longer than HubSpot's day). */
export const WINDOW_MS = 24 * HOUR_MS;

const SYSTEMS: readonly IntegrationSystem[] = ['salesforce', 'hubspot'];

/** A count in a header: digits only, within the safe integers. */
function count(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,15}$/.test(text.trim())) return null;
  return Number(text.trim());
}

/**
 * The org's usage from `Sforce-Limit-Info`, e.g. `api-usage=10018/100000; api-bursts=1/750`
 * (other entries, `per-app-api-usage=17/250(appName=…)` among them, are skipped). Null when the
 * header is missing or its `api-usage` is malformed or has no maximum. `used` may exceed `max`:
 * Salesforce lets an org run past its allocation for a while.
 */
export function parseSalesforceLimitInfo(header: string | null | undefined): ApiUsage | null {
  if (typeof header !== 'string') return null;
  for (const entry of header.split(/[;,]/)) {
    const [key, value] = entry.split('=', 2);
    if (key?.trim().toLowerCase() !== 'api-usage' || value === undefined) continue;
    const [usedText, maxText, ...rest] = value.split('/');
    const used = count(usedText);
    const max = count(maxText);
    if (rest.length > 0 || used === null || max === null || max === 0) return null;
    return { used, max };
  }
  return null;
}

/**
 * The account's daily usage from HubSpot's `X-HubSpot-RateLimit-Daily` (the maximum) and
 * `X-HubSpot-RateLimit-Daily-Remaining`, header names in any case. Null when either is missing
 * or malformed, the maximum is zero, or more remains than the maximum allows.
 */
export function parseHubSpotDailyUsage(
  headers: Readonly<Record<string, string | undefined>>,
): ApiUsage | null {
  const lower = new Map(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const max = count(lower.get('x-hubspot-ratelimit-daily'));
  const remaining = count(lower.get('x-hubspot-ratelimit-daily-remaining'));
  if (max === null || remaining === null || max === 0 || remaining > max) return null;
  return { used: max - remaining, max };
}

/** A reading and when it was taken (epoch ms). */
export interface SeenUsage extends ApiUsage {
  readonly seenAt: number;
}

export interface BudgetInput {
  /** The latest reading, if any response carried one. */
  readonly usage: SeenUsage | undefined;
  /** Handoff's own calls in the last 24 h. */
  readonly handoffCalls: number;
  readonly ceilingPercent: number;
  readonly recheckMs: number;
  readonly now: number;
}

export type BudgetRule = 'handoff_share' | 'pool';

export type BudgetDecision =
  | {
      readonly blocked: false;
      /**
       * The pool was past its stop when last seen, but that was a pause ago: this call goes
       * through to read it again (a paused system makes no calls, so its reading would never
       * change, while Salesforce's window rolls and HubSpot's day resets).
       */
      readonly probe: boolean;
    }
  | { readonly blocked: true; readonly rule: BudgetRule };

/** The budget rule (see the top of this file) for one system at `now`. */
export function decideBudget(input: BudgetInput): BudgetDecision {
  const { usage } = input;
  if (usage === undefined || usage.max <= 0) return { blocked: false, probe: false };
  if (input.handoffCalls >= (input.ceilingPercent / 100) * usage.max)
    return { blocked: true, rule: 'handoff_share' };
  const poolStop = Math.max(POOL_STOP_PERCENT, input.ceilingPercent);
  if (usage.used < (poolStop / 100) * usage.max) return { blocked: false, probe: false };
  if (input.now - usage.seenAt >= input.recheckMs) return { blocked: false, probe: true };
  return { blocked: true, rule: 'pool' };
}

/** The parts of ioredis the shared ledger uses. */
export type LedgerRedis = Pick<Redis, 'multi'>;

/**
 * Handoff's own calls per system and hour. Calls are counted here at once (the budget is checked
 * synchronously, before each call); with Redis attached they are also added to the installation's
 * totals every few seconds and the totals read back, so every worker process, and the next run,
 * counts the calls of all of them. Hour buckets expire a day after their hour: the window read is
 * 24–25 h long, counting a few calls too many rather than too few.
 */
export class CallLedger {
  /** Calls this process made that Redis has not been told of, by `system:hour`. */
  private pending = new Map<string, number>();
  /** The installation's totals as last read from Redis, by `system:hour`. */
  private shared = new Map<string, number>();
  private store: { readonly redis: LedgerRedis; readonly prefix: string } | undefined;

  add(system: IntegrationSystem, at: number): void {
    const hour = Math.floor(at / HOUR_MS);
    const bucket = `${system}:${hour}`;
    const calls = this.pending.get(bucket);
    // A new hour: buckets past the window are dropped (without Redis nothing else would).
    if (calls === undefined) this.forget(hour - Math.ceil(WINDOW_MS / HOUR_MS) - 1);
    this.pending.set(bucket, (calls ?? 0) + 1);
  }

  private forget(beforeHour: number): void {
    for (const buckets of [this.pending, this.shared])
      for (const bucket of buckets.keys())
        if (Number(bucket.split(':')[1]) < beforeHour) buckets.delete(bucket);
  }

  /** Calls in the window ending at `now`, this process's unsent ones included. */
  count(system: IntegrationSystem, now: number): number {
    const first = Math.floor((now - WINDOW_MS) / HOUR_MS);
    let total = 0;
    for (const buckets of [this.pending, this.shared])
      for (const [bucket, calls] of buckets) {
        const [owner, hour] = bucket.split(':');
        if (owner === system && Number(hour) >= first) total += calls;
      }
    return total;
  }

  /** Shares the counts through Redis under the installation's key prefix. */
  attach(redis: LedgerRedis, prefix: string): void {
    this.store = { redis, prefix };
  }

  /**
   * Adds this process's new calls to the installation's totals and reads the window back, in
   * one transaction (so no call is counted twice or missed in between). Calls made meanwhile
   * wait for the next sync. On failure the unsent calls are kept for the next try.
   */
  async sync(now: number): Promise<void> {
    const store = this.store;
    if (store === undefined) return;
    const sending = this.pending;
    this.pending = new Map();
    const key = (bucket: string): string => `${store.prefix}:api-budget:calls:${bucket}`;
    const current = Math.floor(now / HOUR_MS);
    const window: string[] = [];
    for (const system of SYSTEMS)
      for (let hour = Math.floor((now - WINDOW_MS) / HOUR_MS); hour <= current; hour += 1)
        window.push(`${system}:${hour}`);
    const transaction = store.redis.multi();
    for (const [bucket, calls] of sending) {
      transaction.incrby(key(bucket), calls);
      // Relative to Redis's clock: a bucket outlives its window by a margin, whatever the hour.
      transaction.expire(key(bucket), Math.ceil((WINDOW_MS + 2 * HOUR_MS) / 1000));
    }
    transaction.mget(...window.map(key));
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await transaction.exec();
    } catch (err) {
      this.restore(sending);
      throw err;
    }
    const failed = replies?.find(([error]) => error !== null)?.[0];
    if (replies === null || failed !== undefined) {
      this.restore(sending);
      throw failed ?? new Error('the API budget transaction was discarded');
    }
    const totals = replies[replies.length - 1]?.[1];
    const shared = new Map<string, number>();
    window.forEach((bucket, index) => {
      const value = Array.isArray(totals) ? Number(totals[index] ?? 0) : 0;
      if (Number.isFinite(value) && value > 0) shared.set(bucket, value);
    });
    this.shared = shared;
  }

  private restore(unsent: ReadonlyMap<string, number>): void {
    for (const [bucket, calls] of unsent)
      this.pending.set(bucket, (this.pending.get(bucket) ?? 0) + calls);
  }
}

/** One system's budget as `sync --once --json` and `/healthz` show it. */
export interface ApiUsageReport {
  /** The pool's calls used, from the latest response header (null before one was seen). */
  readonly used: number | null;
  readonly max: number | null;
  /** `used` of `max`, in percent (one decimal). */
  readonly percent: number | null;
  /** Handoff's own calls in the last 24 h, over every process of the installation. */
  readonly handoff_calls: number;
  readonly handoff_percent: number | null;
  readonly ceiling_percent: number;
  /** Whether the budget paused this system's work and the pause has not run out yet. */
  readonly paused: boolean;
  readonly paused_until: string | null;
  /** When the reading was taken (ISO time). */
  readonly seen_at: string | null;
}

/** A pause the budget decided: why, until when, and the sentence that explains it. */
export interface BudgetPause {
  readonly system: IntegrationSystem;
  readonly rule: BudgetRule;
  readonly until: number;
  readonly message: string;
}

export interface ApiBudgetOptions {
  readonly ceilings: BudgetCeilings;
  readonly log: Pick<Logger, 'warn' | 'info'>;
  readonly now: () => number;
  /** How often the shared ledger syncs with Redis. */
  readonly syncIntervalMs?: number;
}

const SYNC_INTERVAL_MS = 5_000;

const POOL: Readonly<Record<IntegrationSystem, string>> = {
  salesforce: 'across the org in the last 24 h',
  hubspot: "across the account's private apps today",
};

function percentOf(part: number, whole: number | undefined): number | null {
  return whole === undefined || whole <= 0 ? null : Math.round((part / whole) * 1000) / 10;
}

function wait(ms: number): string {
  return ms % HOUR_MS === 0 ? `${ms / HOUR_MS} h` : `${Math.round(ms / 60_000)} min`;
}

/**
 * The budget of one process: the latest usage each system reported, Handoff's own calls (through
 * the ledger) and the pauses decided, each logged once with the reason and kept for the reports.
 */
export class ApiBudget {
  private readonly seen: Partial<Record<IntegrationSystem, SeenUsage>> = {};
  private readonly pauses: Partial<Record<IntegrationSystem, BudgetPause>> = {};
  private readonly listeners = new Set<(pause: BudgetPause) => void>();
  private readonly ledger = new CallLedger();
  private timer: NodeJS.Timeout | undefined;
  private syncFailing = false;

  constructor(private readonly options: ApiBudgetOptions) {}

  /** A response's reading (null, from a response without the header, changes nothing). */
  observe(system: IntegrationSystem, usage: ApiUsage | null): void {
    if (usage !== null) this.seen[system] = { ...usage, seenAt: this.options.now() };
  }

  /** One call Handoff is making (every attempt counts: the vendor counts them all). */
  record(system: IntegrationSystem): void {
    this.ledger.add(system, this.options.now());
  }

  /**
   * The pause in force for `system`, deciding a new one (logged once, with its reason) when the
   * budget is spent and the last pause has run out; null when calls may go ahead. A call that
   * finds the budget under the ceiling again ends the pause.
   */
  check(system: IntegrationSystem): BudgetPause | null {
    const now = this.options.now();
    const ceiling = this.options.ceilings[system];
    const usage = this.seen[system];
    const handoffCalls = this.ledger.count(system, now);
    const decision = decideBudget({
      usage,
      handoffCalls,
      ceilingPercent: ceiling,
      recheckMs: RECHECK_MS[system],
      now,
    });
    const current = this.pauses[system];
    if (!decision.blocked) {
      if (!decision.probe && current !== undefined) {
        delete this.pauses[system];
        this.options.log.info(
          { system, used: usage?.used, max: usage?.max, handoffCalls, ceilingPercent: ceiling },
          `${system} API budget below the ceiling again; work resumes`,
        );
      }
      return null;
    }
    if (current !== undefined && now < current.until) return current;
    const max = usage?.max ?? 0;
    const recheck = RECHECK_MS[system];
    const reason =
      decision.rule === 'handoff_share'
        ? `Handoff used ${handoffCalls} of ${max} daily calls in the last 24 h (ceiling ${ceiling}%)`
        : `${usage?.used ?? 0} of ${max} calls used ${POOL[system]} (ceiling ${ceiling}%; Handoff stops when the pool reaches ${Math.max(POOL_STOP_PERCENT, ceiling)}%)`;
    const pause: BudgetPause = {
      system,
      rule: decision.rule,
      until: now + recheck,
      message: `${system} API budget reached: ${reason}; queue paused, checked again in ${wait(recheck)}`,
    };
    this.pauses[system] = pause;
    this.options.log.warn(
      {
        system,
        rule: decision.rule,
        used: usage?.used,
        max: usage?.max,
        handoffCalls,
        ceilingPercent: ceiling,
        retryAfterMs: recheck,
      },
      pause.message,
    );
    for (const listener of this.listeners) listener(pause);
    return pause;
  }

  /**
   * Before a call a job makes: throws the `rate_limited` error that pauses the system's queue
   * until the pause runs out, when the budget is spent.
   */
  admit(system: IntegrationSystem): void {
    const pause = this.check(system);
    if (pause === null) return;
    throw new IntegrationError(system, 'rate_limited', pause.message, {
      code: 'BUDGET_CEILING',
      retryAfterMs: Math.max(1, pause.until - this.options.now()),
    });
  }

  /** Calls `listener` with every new pause; returns the unsubscribe. */
  onPause(listener: (pause: BudgetPause) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Each system's usage, Handoff's share, the ceiling and any pause in force. */
  usage(): Record<IntegrationSystem, ApiUsageReport> {
    const now = this.options.now();
    const report = (system: IntegrationSystem): ApiUsageReport => {
      const seen = this.seen[system];
      const handoffCalls = this.ledger.count(system, now);
      const pause = this.pauses[system];
      const paused = pause !== undefined && now < pause.until;
      return {
        used: seen?.used ?? null,
        max: seen?.max ?? null,
        percent: seen === undefined ? null : percentOf(seen.used, seen.max),
        handoff_calls: handoffCalls,
        handoff_percent: percentOf(handoffCalls, seen?.max),
        ceiling_percent: this.options.ceilings[system],
        paused,
        paused_until: paused ? new Date(pause.until).toISOString() : null,
        seen_at: seen === undefined ? null : new Date(seen.seenAt).toISOString(),
      };
    };
    return { salesforce: report('salesforce'), hubspot: report('hubspot') };
  }

  /**
   * Counts Handoff's calls across the installation from now on: reads the totals at once (the
   * next check sees what other processes and earlier runs spent), then every few seconds.
   */
  async share(redis: LedgerRedis, prefix: string): Promise<void> {
    this.ledger.attach(redis, prefix);
    await this.sync();
    this.timer = setInterval(
      () => void this.sync(),
      this.options.syncIntervalMs ?? SYNC_INTERVAL_MS,
    );
    this.timer.unref();
  }

  /** Stops syncing, after telling Redis of the calls not yet sent. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sync();
  }

  /** One sync; a failure is logged once until a sync succeeds (the calls wait for the next). */
  private async sync(): Promise<void> {
    try {
      await this.ledger.sync(this.options.now());
      if (this.syncFailing)
        this.options.log.info({}, 'API budget counts shared through Redis again');
      this.syncFailing = false;
    } catch (err) {
      if (!this.syncFailing)
        this.options.log.warn(
          { err: { name: (err as Error).name, message: (err as Error).message } },
          "API budget counts could not be shared through Redis; this process's are kept and sent later",
        );
      this.syncFailing = true;
    }
  }
}
