import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtestHtml } from '../../src/cli/backtest-html.js';
import type { HistoricLead, LeadOutcome } from '../../src/domain/backtest/historic-lead.js';
import { buildBacktestReport } from '../../src/usecases/backtest/build-backtest-report.js';
import { makeDefinition, USER_B, USER_C } from '../support/factories.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const CHARTS = ['weekly', 'tiers', 'rejections', 'load', 'sla'];
const WINDOW = { from: new Date('2026-10-05T00:00:00Z'), to: new Date('2026-10-26T00:00:00Z') };

function lead(
  id: string,
  day: number,
  title: string,
  outcome: LeadOutcome,
  demo = false,
): HistoricLead {
  const createdAt = new Date(WINDOW.from.getTime() + day * 86_400_000 + 14 * 3_600_000);
  const values = { email: `${id}@acme.com`, title, employees: 250, country: 'US' };
  return {
    contactId: id,
    leadId: `00Q${id}`,
    // A name that must be escaped, not interpreted.
    email: `<b>${id}</b>@acme.com`,
    createdAt,
    attributes: Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, [{ value, at: new Date(0) }]]),
    ),
    activities: demo ? [{ type: 'demo_request', at: createdAt }] : [],
    outcome,
  };
}

const open: LeadOutcome = {
  kind: 'untouched',
  labelledAt: null,
  closedAt: null,
  rejectionReason: null,
  won: null,
};
const rejected = (at: string): LeadOutcome => ({
  kind: 'rejected',
  labelledAt: new Date(at),
  closedAt: new Date(at),
  rejectionReason: 'No budget',
  won: null,
});
const converted = (at: string): LeadOutcome => ({
  ...rejected(at),
  kind: 'converted',
  rejectionReason: null,
});

let browser: Browser;
let page: Page;
let dir: string;
const requests: string[] = [];
const pageErrors: string[] = [];

interface PageGlobals {
  readonly Chart?: {
    getChart(canvas: unknown): { data: { datasets: { data: unknown[] }[] } } | undefined;
  };
  readonly document: { getElementById(id: string): unknown };
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'handoff-backtest-html-'));
  const baseline = makeDefinition();
  const candidate = makeDefinition((file) => {
    file.version = 'candidate-2';
    file.qualification.threshold = 70;
    file.qualification.tiers = { A: 85, B: 70, C: 60 };
  });
  const history = {
    leads: [
      lead('a', 0, 'VP Sales', rejected('2026-10-06T15:00:00Z')),
      lead('b', 1, 'Director', converted('2026-10-09T15:00:00Z')),
      lead('c', 8, 'VP Ops', open),
      lead('d', 9, 'Analyst', converted('2026-10-16T15:00:00Z')),
      lead('e', 15, 'VP Data', open, true),
      lead('f', 16, 'Director', rejected('2026-10-22T15:00:00Z'), true),
    ],
    users: new Map([
      [USER_B, { active: true, timezone: 'America/New_York' }],
      [USER_C, { active: true, timezone: 'America/New_York' }],
    ]),
    away: [],
  };
  const report = buildBacktestReport({
    history,
    candidate,
    baseline,
    window: WINDOW,
    calls: { hubspot: 7, salesforce: 2 },
  });
  const file = join(dir, 'report.html');
  writeFileSync(file, backtestHtml(report));
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) requests.push(request.url());
  });
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-rendered="true"]');
});

afterAll(async () => {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('backtest HTML report', () => {
  it('draws every chart with data, from the file alone', async () => {
    for (const id of CHARTS) {
      const data = await page.evaluate((canvasId) => {
        const globals = globalThis as unknown as PageGlobals;
        const chart = globals.Chart?.getChart(globals.document.getElementById(canvasId));
        return chart?.data.datasets.flatMap((set) => set.data.map((value) => Number(value ?? 0)));
      }, id);
      expect(data, id).toBeDefined();
      expect(
        data?.some((value) => value > 0),
        id,
      ).toBe(true);
    }
    expect(pageErrors).toEqual([]);
    expect(requests).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}backtest-report.png`, fullPage: true });
  });

  it('names the missed conversion, escaped, and the rule behind each difference', async () => {
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain('<b>d</b>@acme.com');
    expect(await page.locator('td b').count()).toBe(0);
    expect(text).toContain('threshold');
    expect(text).toContain('API calls: HubSpot 7, Salesforce 2');
  });
});
