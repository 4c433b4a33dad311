import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardPlugin } from '../../src/http/dashboard/dashboard-plugin.js';
import { startHttpServer, type HttpServer } from '../../src/http/http-server.js';
import type { FunnelReport } from '../../src/usecases/report/build-report.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';
import { startDashboardTenant, type DashboardTenant } from './dashboard-tenant.js';

const NOW = '2026-11-24T15:00:00Z';
const TOKEN = 'browser-admin-token-0123456789';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const CHARTS = [
  'chart-funnel',
  'chart-sla',
  'chart-rejections-source',
  'chart-rejections-campaign',
  'chart-ttft',
  'chart-breaches',
  'chart-budget',
];

let tenant: DashboardTenant;
let prepared: Awaited<ReturnType<DashboardTenant['prepare']>>;
let server: HttpServer;
let browser: Browser;
let page: Page;
/** Script errors and CSP refusals the page ran into. */
const pageErrors: string[] = [];

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}dashboard-${name}.png`, fullPage: true });
}

/** What the page's globals offer the functions evaluated in it (the test has no DOM types). */
interface PageGlobals {
  readonly Chart?: {
    getChart(canvas: unknown): { data: { datasets: { data: unknown[] }[] } } | undefined;
  };
  readonly document: { getElementById(id: string): unknown };
}

/** The datasets of the Chart.js instance drawn on a canvas, or null when none is. */
function datasets(id: string): Promise<number[][] | null> {
  return page.evaluate((canvasId) => {
    const page = globalThis as unknown as PageGlobals;
    const chart = page.Chart?.getChart(page.document.getElementById(canvasId));
    return chart === undefined
      ? null
      : chart.data.datasets.map((set) => set.data.map((value) => Number(value ?? 0)));
  }, id);
}

async function shown(key: string): Promise<string> {
  return (await page.locator(`dd[data-key="${key}"]`).textContent()) ?? '';
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  tenant = await startDashboardTenant(NOW);
  prepared = await tenant.prepare();
  server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    trustProxy: false,
    readiness: () =>
      Promise.resolve({ ready: true, checks: { redis: 'ok', workers: 'ok', queues: 'ok' } }),
    webhook: (_request, response) => response.writeHead(204).end(),
    metricsPublic: false,
    adminToken: TOKEN,
    queues: Object.values(tenant.workers.queues),
    adminPlugins: [dashboardPlugin(tenant.dashboardDeps())],
    now: () => tenant.clock,
    log: pino({ level: 'silent' }),
  });
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) pageErrors.push(`${response.status()} ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await tenant?.close();
});

describe('the dashboard in a real browser', () => {
  it('logs in through the form and draws every chart with the numbers handoff report prints', async () => {
    await page.goto(`${server.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', TOKEN);
    await Promise.all([
      page.waitForURL(`${server.url}/dashboard`),
      page.click('button[type=submit]'),
    ]);
    await page.waitForFunction(
      (ids) => {
        const page = globalThis as unknown as PageGlobals;
        return ids.every(
          (id) => page.Chart?.getChart(page.document.getElementById(id)) !== undefined,
        );
      },
      CHARTS,
      { timeout: 15_000 },
    );
    await screenshot('overview');

    for (const id of CHARTS) {
      const sets = await datasets(id);
      expect(sets, id).not.toBeNull();
      expect(sets?.length, id).toBeGreaterThan(0);
      expect(
        sets?.flat().some((value) => value > 0),
        `${id} has data`,
      ).toBe(true);
    }

    // The page shows the default period (30 days); the CLI answers for the same start and clock.
    const { report } = (await (
      await page.request.get(`${server.url}/dashboard/api/report?period=30d`)
    ).json()) as { report: FunnelReport };
    const cli = await runCliInProcess(
      ['report', '--json', '--since', report.since, '--config', tenant.config],
      { env: tenant.env, now: () => tenant.now() },
    );
    expect(cli.code).toBe(0);
    const expected = JSON.parse(cli.stdout) as FunnelReport;
    expect(report).toEqual(expected);
    for (const key of ['routed', 'accepted', 'rejected', 'open', 'converted'] as const)
      expect(await shown(key), key).toBe(String(expected[key]));
    expect(await shown('sla-met')).toBe(String(expected.sla.met));
    expect(await shown('sla-breached')).toBe(String(expected.sla.breached));
    expect(await shown('sla-compliance')).toBe(
      `${Math.round((expected.sla.compliance ?? 0) * 1000) / 10}%`,
    );
    expect(await datasets('chart-funnel')).toEqual([
      [expected.routed, expected.accepted, expected.rejected, expected.open, expected.converted],
    ]);
    const [, met, breached] = (await datasets('chart-sla')) ?? [];
    expect(met).toEqual(expected.sla_over_time.points.map((point) => point.met));
    expect(breached).toEqual(expected.sla_over_time.points.map((point) => point.breached));
    // A rep's text is shown as text: the campaign named `Spring <webinar>` is a label, not markup.
    expect(await page.locator('webinar').count()).toBe(0);
  });

  it('opens a decision and shows its explanation: score reasons, rule and due date', async () => {
    const rejected = prepared.rejected[0] ?? {};
    await page.fill('#search-q', String(rejected['Email']));
    await page.click('#search-form button[type=submit]');
    const detail = page.locator('#decision-detail');
    await detail.waitFor({ state: 'visible' });
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain(String(rejected['Id']));
    expect(text).toContain(String(rejected['Email']));
    expect(text).toMatch(
      /Qualified as tier \w with score \d+ \(definition [^)]+\): [\w.-]+ [+-]\d/,
    );
    expect(text).toMatch(/Routed (by rule|to the fallback owner)|Kept the rep who already owns/);
    expect(text).toMatch(/First touch due \d{4}-\d{2}-\d{2}T/);
    // The rep's comment, markup and all, arrives as text.
    expect(text).toContain('No budget: <b>Frozen</b> until Q3 & "later"');
    expect(await detail.locator('b').count()).toBe(0);
    await screenshot('decision');
  });

  it('retries a parked record, which leaves the quarantine with the next cycle', async () => {
    const row = page.locator(`#quarantine-table tr[data-key="${prepared.parkedKey}"]`);
    await expect.poll(() => row.textContent()).toContain('parked');
    expect(await row.textContent()).toContain('Title must not be <empty>');
    await screenshot('quarantine');
    await row.locator('button').click();
    await expect.poll(() => row.textContent()).toContain('retried by the next cycle');
    await tenant.cycle();
    await page.reload();
    await page.locator('#quarantine-summary').filter({ hasText: 'quarantined' }).waitFor();
    expect(await page.locator('#quarantine-summary').textContent()).toBe('0 quarantined, 0 parked');
    expect(await row.count()).toBe(0);
  });

  it('answers nothing without the token, and refuses a POST without the CSRF token', async () => {
    const fresh = await browser.newContext();
    try {
      for (const path of [
        '/dashboard',
        '/dashboard/api/report',
        '/dashboard/api/live',
        '/dashboard/api/decisions?q=ada%40example.com',
        '/dashboard/app.js',
        '/dashboard/chart.umd.min.js',
        '/admin/queues',
      ]) {
        const answer = await fresh.request.get(`${server.url}${path}`, { maxRedirects: 0 });
        expect([302, 303, 401], path).toContain(answer.status());
        if (answer.status() !== 401) expect(answer.headers()['location'], path).toMatch(/^\/login/);
        expect(await answer.text(), path).not.toMatch(/@|Qualified as/);
      }
      const anonymousRetry = await fresh.request.post(
        `${server.url}/dashboard/api/quarantine/retry`,
        { data: { keys: ['1'] }, maxRedirects: 0 },
      );
      expect([302, 303, 401, 403]).toContain(anonymousRetry.status());
    } finally {
      await fresh.close();
    }
    // Logged in, but without the page's token: refused before the route runs.
    await tenant.state.quarantine({
      system: 'hubspot',
      key: 'csrf-probe',
      code: 'OBJECT_NOT_FOUND',
      reason: 'not_found: the contact was deleted or merged in HubSpot',
      at: tenant.now().toISOString(),
      retry: false,
    });
    const forged = await page.request.post(`${server.url}/dashboard/api/quarantine/retry`, {
      data: { keys: ['csrf-probe'] },
      headers: { origin: server.url },
    });
    expect(forged.status()).toBe(403);
    expect((await tenant.state.quarantined(['csrf-probe']))[0]?.retry).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});
