import { describe, expect, it } from 'vitest';
import {
  ApiBudget,
  CallLedger,
  decideBudget,
  parseHubSpotDailyUsage,
  parseSalesforceLimitInfo,
  POOL_STOP_PERCENT,
  RECHECK_MS,
  type BudgetInput,
  type BudgetPause,
  type LedgerRedis,
} from '../../../src/platform/api-budget.js';
import { ApiCallMeter } from '../../../src/platform/api-call-meter.js';
import { IntegrationError } from '../../../src/platform/errors.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-24T15:00:00Z');

describe('parseSalesforceLimitInfo', () => {
  it.each([
    // The documented examples (REST API Developer Guide, "Limit Info Header").
    ['api-usage=18/5000', { used: 18, max: 5000 }],
    ['api-usage=10018/100000; api-bursts=1/750', { used: 10018, max: 100000 }],
    // The org's entry, not the connected app's quota that may come with it.
    [
      'api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)',
      { used: 25, max: 5000 },
    ],
    [
      'per-app-api-usage=17/250(appName=sample-connected-app); api-usage=25/5000',
      { used: 25, max: 5000 },
    ],
    // An org running on its bursts is past its allocation.
    ['api-usage=110018/100000; api-bursts=1/750', { used: 110018, max: 100000 }],
    [' API-Usage = 7 / 70 ', { used: 7, max: 70 }],
  ])('reads %j', (header, usage) => {
    expect(parseSalesforceLimitInfo(header)).toEqual(usage);
  });

  it.each([
    undefined,
    null,
    '',
    'api-usage',
    'api-usage=',
    'api-usage=12',
    'api-usage=12/',
    'api-usage=/100',
    'api-usage=a/b',
    'api-usage=-1/100',
    'api-usage=1.5/100',
    'api-usage=1e3/100000',
    'api-usage=1/2/3',
    'api-usage=12/0',
    'api-usage=1234567890123456/2',
    'per-app-api-usage=17/250(appName=sample-connected-app)',
    'api-bursts=1/750',
  ])('finds no usage in the malformed %j', (header) => {
    expect(parseSalesforceLimitInfo(header)).toBeNull();
  });
});

describe('parseHubSpotDailyUsage', () => {
  it('reads the daily maximum and what remains, in any header case', () => {
    expect(
      parseHubSpotDailyUsage({
        'X-HubSpot-RateLimit-Daily': '250000',
        'X-HubSpot-RateLimit-Daily-Remaining': '248569',
        'X-HubSpot-RateLimit-Remaining': '0',
      }),
    ).toEqual({ used: 1431, max: 250000 });
    expect(
      parseHubSpotDailyUsage({
        'x-hubspot-ratelimit-daily': '1000000',
        'x-hubspot-ratelimit-daily-remaining': '0',
      }),
    ).toEqual({ used: 1000000, max: 1000000 });
  });

  it.each([
    [{}],
    [{ 'x-hubspot-ratelimit-daily': '250000' }],
    [{ 'x-hubspot-ratelimit-daily-remaining': '10' }],
    [{ 'x-hubspot-ratelimit-daily': 'many', 'x-hubspot-ratelimit-daily-remaining': '10' }],
    [{ 'x-hubspot-ratelimit-daily': '250000', 'x-hubspot-ratelimit-daily-remaining': '-1' }],
    [{ 'x-hubspot-ratelimit-daily': '0', 'x-hubspot-ratelimit-daily-remaining': '0' }],
    // More left than the maximum allows: not a reading to act on.
    [{ 'x-hubspot-ratelimit-daily': '100', 'x-hubspot-ratelimit-daily-remaining': '101' }],
    // Only the ten-second window's headers.
    [{ 'x-hubspot-ratelimit-max': '190', 'x-hubspot-ratelimit-remaining': '0' }],
  ])('finds no usage in %j', (headers) => {
    expect(parseHubSpotDailyUsage(headers)).toBeNull();
  });
});

describe('decideBudget', () => {
  const input = (overrides: Partial<BudgetInput>): BudgetInput => ({
    usage: { used: 1_000, max: 100_000, seenAt: T0 },
    handoffCalls: 0,
    ceilingPercent: 10,
    recheckMs: RECHECK_MS.salesforce,
    now: T0,
    ...overrides,
  });

  it('refuses nothing before a response has reported the maximum', () => {
    expect(decideBudget(input({ usage: undefined, handoffCalls: 1e9 }))).toEqual({
      blocked: false,
      probe: false,
    });
  });

  it("stops once Handoff's own calls reach the ceiling's share of the daily maximum", () => {
    expect(decideBudget(input({ handoffCalls: 9_999 }))).toEqual({ blocked: false, probe: false });
    expect(decideBudget(input({ handoffCalls: 10_000 }))).toEqual({
      blocked: true,
      rule: 'handoff_share',
    });
    // However old the reading: the maximum does not move, and Handoff's count is its own.
    expect(decideBudget(input({ handoffCalls: 10_000, now: T0 + 7 * 24 * HOUR }))).toEqual({
      blocked: true,
      rule: 'handoff_share',
    });
  });

  it('stops when the pool as a whole reaches its stop, whoever spent it', () => {
    const atStop = (POOL_STOP_PERCENT / 100) * 100_000;
    expect(decideBudget(input({ usage: { used: atStop - 1, max: 100_000, seenAt: T0 } }))).toEqual({
      blocked: false,
      probe: false,
    });
    expect(decideBudget(input({ usage: { used: atStop, max: 100_000, seenAt: T0 } }))).toEqual({
      blocked: true,
      rule: 'pool',
    });
    expect(decideBudget(input({ usage: { used: 120_000, max: 100_000, seenAt: T0 } }))).toEqual({
      blocked: true,
      rule: 'pool',
    });
  });

  it('lets a call through to read a pool reading again once it is a pause old', () => {
    const usage = { used: 95_000, max: 100_000, seenAt: T0 };
    expect(decideBudget(input({ usage, now: T0 + RECHECK_MS.salesforce - 1 }))).toEqual({
      blocked: true,
      rule: 'pool',
    });
    expect(decideBudget(input({ usage, now: T0 + RECHECK_MS.salesforce }))).toEqual({
      blocked: false,
      probe: true,
    });
  });

  it('stops the pool no earlier than a ceiling set above the pool stop', () => {
    const usage = { used: 94_000, max: 100_000, seenAt: T0 };
    expect(decideBudget(input({ usage, ceilingPercent: 95 }))).toEqual({
      blocked: false,
      probe: false,
    });
    expect(decideBudget(input({ usage: { ...usage, used: 95_000 }, ceilingPercent: 95 }))).toEqual({
      blocked: true,
      rule: 'pool',
    });
  });
});

/** A log that keeps what it was given. */
function recordingLog(): {
  log: { warn: (...args: unknown[]) => void; info: (...args: unknown[]) => void };
  lines: { level: string; msg: string }[];
} {
  const lines: { level: string; msg: string }[] = [];
  const at =
    (level: string) =>
    (...args: unknown[]): void => {
      lines.push({ level, msg: String(args[1]) });
    };
  return { log: { warn: at('warn'), info: at('info') }, lines };
}

function budgetAt(clock: { now: number }, ceilings = { salesforce: 10, hubspot: 50 }) {
  const { log, lines } = recordingLog();
  const budget = new ApiBudget({ ceilings, log: log as never, now: () => clock.now });
  return { budget, lines };
}

function refusal(run: () => void): IntegrationError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(IntegrationError);
    return err as IntegrationError;
  }
  throw new Error('the call was not refused');
}

describe('ApiBudget', () => {
  it('pauses a system whose pool is spent with a rate_limited BUDGET_CEILING error and one warning per pause', () => {
    const clock = { now: T0 };
    const { budget, lines } = budgetAt(clock);
    const pauses: BudgetPause[] = [];
    budget.onPause((pause) => pauses.push(pause));
    budget.observe('salesforce', { used: 95_000, max: 100_000 });

    const first = refusal(() => budget.admit('salesforce'));
    expect(first).toMatchObject({
      system: 'salesforce',
      kind: 'rate_limited',
      code: 'BUDGET_CEILING',
      retryAfterMs: 15 * 60_000,
      message:
        'salesforce API budget reached: 95000 of 100000 calls used across the org in the last 24 h (ceiling 10%; Handoff stops when the pool reaches 90%); queue paused, checked again in 15 min',
    });
    // Jobs that run into the same pause wait for its end, without another warning.
    clock.now += 5 * 60_000;
    expect(refusal(() => budget.admit('salesforce')).retryAfterMs).toBe(10 * 60_000);
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toEqual([
      first.message,
    ]);
    expect(pauses).toHaveLength(1);
    // HubSpot has its own budget: untouched.
    expect(() => budget.admit('hubspot')).not.toThrow();

    // The pause is over and the reading is as old: one call goes through to read it again…
    clock.now = T0 + RECHECK_MS.salesforce;
    expect(() => budget.admit('salesforce')).not.toThrow();
    // …still spent: a new pause, a new warning.
    budget.observe('salesforce', { used: 95_100, max: 100_000 });
    refusal(() => budget.admit('salesforce'));
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(2);
    expect(pauses).toHaveLength(2);

    // Calls freed (Salesforce's window rolled): the pause ends, once, with a line saying so.
    budget.observe('salesforce', { used: 60_000, max: 100_000 });
    expect(() => budget.admit('salesforce')).not.toThrow();
    expect(() => budget.admit('salesforce')).not.toThrow();
    expect(lines.filter((line) => line.level === 'info').map((line) => line.msg)).toEqual([
      'salesforce API budget below the ceiling again; work resumes',
    ]);
    expect(budget.usage().salesforce.paused).toBe(false);
  });

  it("pauses a system once Handoff's own calls reach the ceiling, rechecked hourly for HubSpot", () => {
    const clock = { now: T0 };
    const { budget } = budgetAt(clock, { salesforce: 10, hubspot: 1 });
    budget.observe('hubspot', { used: 100, max: 1_000 });
    for (let call = 0; call < 9; call += 1) {
      budget.admit('hubspot');
      budget.record('hubspot');
    }
    budget.admit('hubspot');
    budget.record('hubspot');
    const refused = refusal(() => budget.admit('hubspot'));
    expect(refused).toMatchObject({
      system: 'hubspot',
      code: 'BUDGET_CEILING',
      retryAfterMs: HOUR,
      message:
        'hubspot API budget reached: Handoff used 10 of 1000 daily calls in the last 24 h (ceiling 1%); queue paused, checked again in 1 h',
    });
    expect(budget.usage().hubspot).toEqual({
      used: 100,
      max: 1_000,
      percent: 10,
      handoff_calls: 10,
      handoff_percent: 1,
      ceiling_percent: 1,
      paused: true,
      paused_until: new Date(T0 + HOUR).toISOString(),
      seen_at: new Date(T0).toISOString(),
    });
    // A day on, those calls have left the window.
    clock.now = T0 + 26 * HOUR;
    expect(() => budget.admit('hubspot')).not.toThrow();
    expect(budget.usage().hubspot).toMatchObject({ handoff_calls: 0, paused: false });
  });

  it('reports what is known before any header was seen', () => {
    const { budget } = budgetAt({ now: T0 });
    budget.record('salesforce');
    expect(budget.usage().salesforce).toEqual({
      used: null,
      max: null,
      percent: null,
      handoff_calls: 1,
      handoff_percent: null,
      ceiling_percent: 10,
      paused: false,
      paused_until: null,
      seen_at: null,
    });
    // A response without the header leaves the reading as it was.
    budget.observe('salesforce', { used: 5, max: 50 });
    budget.observe('salesforce', null);
    expect(budget.usage().salesforce).toMatchObject({ used: 5, max: 50, percent: 10 });
  });
});

describe('ApiCallMeter with the budget as its gate', () => {
  it("refuses a job's call past the budget, uncounted, and never a call outside a job", async () => {
    const clock = { now: T0 };
    const { budget } = budgetAt(clock);
    const meter = new ApiCallMeter(budget);
    budget.observe('salesforce', { used: 99_000, max: 100_000 });

    // Start-up checks (outside any job) go through, and are counted in the budget.
    meter.count('salesforce');
    expect(meter.total.salesforce).toBe(1);
    expect(budget.usage().salesforce.handoff_calls).toBe(1);

    const { result, calls } = await meter.measure(() =>
      Promise.resolve(
        (() => {
          try {
            meter.count('salesforce');
            return 'sent';
          } catch (err) {
            return err instanceof IntegrationError ? err.code : 'other';
          }
        })(),
      ),
    );
    expect(result).toBe('BUDGET_CEILING');
    expect(calls.salesforce).toBe(0);
    expect(meter.total.salesforce).toBe(1);
    expect(budget.usage().salesforce.handoff_calls).toBe(1);

    // HubSpot's budget is not Salesforce's.
    await meter.measure(() => Promise.resolve(meter.count('hubspot')));
    expect(meter.total.hubspot).toBe(1);
  });
});

/** An in-memory stand-in for the Redis commands the ledger sends (one MULTI). */
function fakeRedis(): { redis: LedgerRedis; keys: Map<string, number>; failNext: () => void } {
  const keys = new Map<string, number>();
  let fail = false;
  const redis = {
    multi: () => {
      const queued: (() => unknown)[] = [];
      const chain = {
        incrby: (key: string, by: number) => {
          queued.push(() => {
            keys.set(key, (keys.get(key) ?? 0) + by);
            return keys.get(key);
          });
          return chain;
        },
        expire: () => {
          queued.push(() => 1);
          return chain;
        },
        mget: (...names: string[]) => {
          queued.push(() => names.map((name) => (keys.has(name) ? String(keys.get(name)) : null)));
          return chain;
        },
        exec: () => {
          if (fail) {
            fail = false;
            return Promise.reject(new Error('Connection is closed.'));
          }
          return Promise.resolve(queued.map((run) => [null, run()]));
        },
      };
      return chain;
    },
  };
  return {
    redis: redis as unknown as LedgerRedis,
    keys,
    failNext: () => {
      fail = true;
    },
  };
}

describe('CallLedger', () => {
  it('counts the last 24 to 25 hours of calls', () => {
    const ledger = new CallLedger();
    ledger.add('salesforce', T0 - 25 * HOUR - 1);
    ledger.add('salesforce', T0 - 24 * HOUR);
    ledger.add('salesforce', T0);
    ledger.add('hubspot', T0);
    expect(ledger.count('salesforce', T0)).toBe(2);
    expect(ledger.count('hubspot', T0)).toBe(1);
    expect(ledger.count('salesforce', T0 + 26 * HOUR)).toBe(0);
  });

  it("shares every process's calls through Redis, and keeps unsent calls when Redis fails", async () => {
    const { redis, keys, failNext } = fakeRedis();
    const one = new CallLedger();
    const two = new CallLedger();
    one.attach(redis, 'acme');
    two.attach(redis, 'acme');
    one.add('salesforce', T0);
    one.add('salesforce', T0);
    two.add('salesforce', T0 + HOUR);
    await one.sync(T0 + HOUR);
    await two.sync(T0 + HOUR);
    expect(two.count('salesforce', T0 + HOUR)).toBe(3);
    // One hasn't read two's call yet; after its next sync it has, and nothing counts twice.
    expect(one.count('salesforce', T0 + HOUR)).toBe(2);
    await one.sync(T0 + HOUR);
    expect(one.count('salesforce', T0 + HOUR)).toBe(3);
    expect(
      [...keys.keys()].every((key) => key.startsWith('acme:api-budget:calls:salesforce:')),
    ).toBe(true);

    one.add('salesforce', T0 + HOUR);
    failNext();
    await expect(one.sync(T0 + HOUR)).rejects.toThrow('Connection is closed.');
    expect(one.count('salesforce', T0 + HOUR)).toBe(4);
    await one.sync(T0 + HOUR);
    await two.sync(T0 + HOUR);
    expect(two.count('salesforce', T0 + HOUR)).toBe(4);
  });
});
