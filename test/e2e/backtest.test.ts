import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import type { BacktestReport } from '../../src/usecases/backtest/build-backtest-report.js';
import { CONFIG } from '../support/lifecycle-harness.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SINCE = '2026-10-05T00:00:00Z';
const UNTIL = '2026-10-19T00:00:00Z';
const T = Date.parse('2026-10-06T14:00:00Z');

/** The example definition with another threshold (the lowest tier is lowered with it). */
function definitionWithThreshold(dir: string, name: string, threshold: number): string {
  const text = readFileSync(CONFIG, 'utf8')
    .replace(/^ {2}threshold: 60$/m, `  threshold: ${threshold}`)
    .replace(/^version: .*$/m, `version: "${name}"`);
  if (!text.includes(`threshold: ${threshold}`)) throw new Error('threshold line not found');
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('handoff backtest', () => {
  let running: RunningSandboxes;
  let clock = Date.parse('2026-10-01T00:00:00Z');
  let dir: string;
  let env: Record<string, string>;
  const ids: Record<string, { contact: string; lead: string | null }> = {};

  /** A HubSpot contact created at `at`, with a meeting at each of `meetings`. */
  function contact(
    key: string,
    at: number,
    properties: Record<string, string>,
    meetings: number[] = [],
  ): string {
    const store = running.hubspot.store;
    const record = store.create(
      'contacts',
      { email: `${key}@acme-analytics.com`, company: 'Acme', country: 'US', ...properties },
      at,
    );
    for (const when of meetings) {
      const meeting = store.create('meetings', { hs_timestamp: String(when) }, when);
      store.associate('contacts', record.id, 'meetings', meeting.id);
    }
    ids[key] = { contact: record.id, lead: null };
    return record.id;
  }

  /** Its Salesforce Lead, created at `at`, with what sales did. */
  function lead(key: string, at: number, values: Record<string, unknown> = {}): string {
    const store = running.salesforce.store;
    clock = at;
    const entry = ids[key];
    if (entry === undefined) throw new Error(`no contact ${key}`);
    const result = store.create(
      'Lead',
      {
        LastName: key,
        Company: 'Acme',
        Email: `${key}@acme-analytics.com`,
        HubSpot_Contact_Id__c: entry.contact,
        ...values,
      },
      false,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    entry.lead = result.id;
    return result.id;
  }

  /** Converts a Lead, to an Opportunity that is won or lost when `won` is given. */
  function convert(leadId: string, on: string, won?: boolean): void {
    const { store } = running.salesforce;
    let opportunityId: string | null = null;
    if (won !== undefined) {
      const created = store.create(
        'Opportunity',
        {
          Name: `Deal ${leadId}`,
          StageName: won ? 'Closed Won' : 'Closed Lost',
          CloseDate: on,
        },
        false,
      );
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      opportunityId = created.id;
      // IsWon and IsClosed follow the stage in Salesforce (read-only through the API).
      Object.assign(store.table('Opportunity').get(created.id) ?? {}, {
        IsClosed: true,
        IsWon: won,
      });
    }
    const record = store.table('Lead').get(leadId);
    // Conversion is not an API write: set as Salesforce records it.
    if (record !== undefined)
      Object.assign(record, {
        IsConverted: true,
        ConvertedDate: on,
        ConvertedOpportunityId: opportunityId,
      });
  }

  function call(leadId: string, at: number): void {
    clock = at;
    const result = running.salesforce.store.create(
      'Task',
      {
        WhoId: leadId,
        OwnerId: '0055e000001AAAAAA3',
        Subject: 'Call',
        Status: 'Completed',
        TaskSubtype: 'Call',
      },
      false,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
  }

  beforeAll(async () => {
    running = await startSandboxes({ contacts: 20, seed: 7, now: () => clock });
    dir = mkdtempSync(join(tmpdir(), 'handoff-backtest-'));
    env = { ...running.env, LOG_LEVEL: 'silent' };
    // Fit 55 (senior-title 20, data-function 10, mid-market 15, core-country 10); a meeting
    // is 30 at its own instant: 85, tier A.
    const senior = { jobtitle: 'VP Data', numberofemployees: '500' };
    contact('good', T, senior, [T + DAY]);
    convert(lead('good', T + HOUR), '2026-10-09', true);
    // Touched and converted before its meeting: the meeting must not count.
    contact('leak', T, senior, [T + 3 * DAY]);
    const leak = lead('leak', T + HOUR);
    call(leak, T + 2 * DAY);
    convert(leak, '2026-10-09');
    contact('rejected', T + 2 * HOUR, senior, [T + 4 * HOUR]);
    const rejected = lead('rejected', T + 3 * HOUR);
    clock = T + 2 * DAY;
    running.salesforce.store.update(
      'Lead',
      rejected,
      { Status: 'Rejected', Rejection_Reason__c: 'No budget' },
      false,
    );
    // manager 8 + data-function 10 + mid-market 15 + US 10 = 43, + 30 = 73: tier B at 60, not at 80.
    contact('manager', T + DAY, { jobtitle: 'Data Manager', numberofemployees: '500' }, [
      T + 2 * DAY,
    ]);
    convert(lead('manager', T + DAY + HOUR), '2026-10-12', false);
    contact('low', T + 5 * DAY, { jobtitle: 'Analyst', numberofemployees: '20' });
    clock = Date.parse('2026-10-20T12:00:00Z');
  });

  afterAll(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const backtest = (args: readonly string[]) =>
    runCliInProcess(['backtest', '--since', SINCE, '--until', UNTIL, ...args], {
      env,
      now: new Date(clock).toISOString(),
    });

  it('replays both definitions over the history, names the missed conversions, then reads nothing again', async () => {
    const candidate = definitionWithThreshold(dir, 'threshold-80', 80);
    const cacheDir = join(dir, 'cache');
    const out = join(dir, 'report.html');
    const first = await backtest([
      '--config',
      candidate,
      '--baseline',
      CONFIG,
      '--json',
      '--cache-dir',
      cacheDir,
      '--out',
      out,
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as BacktestReport;
    expect(report.leads).toBe(5);
    expect(report.calls.hubspot).toBeGreaterThan(0);
    expect(report.calls.salesforce).toBeGreaterThan(0);

    const baseline = report.baseline;
    // good, rejected and manager; leak's meeting came after its first touch.
    expect(baseline?.mqls).toBe(3);
    expect(baseline?.mqlsByTier).toEqual({ A: 2, B: 1 });
    expect(baseline?.rejected).toEqual({ count: 1, share: 1 / 3, byReason: { 'No budget': 1 } });
    expect(baseline?.converted).toMatchObject({ count: 2, won: 1, wonReadable: 2 });
    expect(baseline?.missedConversions.map((missed) => missed.contactId)).toEqual([
      ids['leak']?.contact,
    ]);
    expect(baseline?.weeks).toEqual([
      { week: '2026-10-05', mqls: 3, byTier: { A: 2, B: 1 } },
      { week: '2026-10-12', mqls: 0, byTier: {} },
    ]);

    // The candidate's threshold of 80 misses manager (73), which converted: named with its Lead.
    expect(report.candidate.mqls).toBe(2);
    expect(report.candidate.converted).toEqual({ count: 1, share: 0.5, won: 1, wonReadable: 1 });
    expect(report.candidate.missedConversions).toEqual(
      expect.arrayContaining([
        {
          contactId: ids['manager']?.contact,
          leadId: ids['manager']?.lead,
          email: 'manager@acme-analytics.com',
          score: 73,
          heldBackBy: 'threshold',
        },
      ]),
    );
    expect(report.candidate.missedConversions).toHaveLength(2);
    expect(report.differences.filter((d) => d.kind === 'newly_dropped')).toEqual([
      expect.objectContaining({ contactId: ids['manager']?.contact, rule: 'threshold', from: 'B' }),
    ]);
    expect(readFileSync(out, 'utf8')).toContain('manager@acme-analytics.com');

    // Another candidate over the same window: every answer from the page cache.
    const other = definitionWithThreshold(dir, 'threshold-70', 70);
    const second = await backtest([
      '--config',
      other,
      '--baseline',
      CONFIG,
      '--json',
      '--cache-dir',
      cacheDir,
    ]);
    expect(second.code).toBe(0);
    const again = JSON.parse(second.stdout) as BacktestReport;
    expect(again.calls).toEqual({ hubspot: 0, salesforce: 0 });
    expect(again.leads).toBe(5);
    expect(again.candidate.mqls).toBe(3);
  });

  it('prints the text report naming the candidate and its missed conversions', async () => {
    const run = await backtest(['--config', CONFIG, '--cache-dir', join(dir, 'cache')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('API calls: HubSpot 0, Salesforce 0');
    expect(run.stdout).toContain('leak@acme-analytics.com');
  });

  it.each([
    [['--config', CONFIG, '--since', 'yesterday'], '--since'],
    [['--config', CONFIG, '--until', '2026-13-01T00:00:00Z'], '--until'],
    [['--config', CONFIG, '--out', 'report.pdf'], '--out'],
    [['--since', '30d'], '--config'],
  ])('exits 2 naming the bad flag %j', async (args, flag) => {
    const run = await runCliInProcess(['backtest', ...args], { env });
    expect(run.code).toBe(2);
    expect(run.stderr.startsWith(flag)).toBe(true);
  });

  it('exits 2 naming --baseline when the baseline does not validate', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'version: 1\nqualification: {}\n');
    const run = await backtest(['--config', CONFIG, '--baseline', broken]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--baseline');
  });

  it('exits 1 when a system cannot be reached and nothing is cached', async () => {
    const run = await runCliInProcess(
      ['backtest', '--config', CONFIG, '--cache-dir', join(dir, 'empty-cache')],
      {
        env: { ...env, HUBSPOT_BASE_URL: 'http://127.0.0.1:9' },
        now: new Date(clock).toISOString(),
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HubSpot is not available');
  });
});
