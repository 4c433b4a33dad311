import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardPlugin } from '../../src/http/dashboard/dashboard-plugin.js';
import type { FunnelReport } from '../../src/usecases/report/build-report.js';
import type { DecisionView } from '../../src/usecases/dashboard/decision-view.js';
import { startDashboardTenant, type DashboardTenant } from '../browser/dashboard-tenant.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';

const NOW = '2026-11-24T15:00:00Z';
let tenant: DashboardTenant;
let app: FastifyInstance;
let prepared: Awaited<ReturnType<DashboardTenant['prepare']>>;
const logged: unknown[] = [];

beforeAll(async () => {
  tenant = await startDashboardTenant(NOW);
  prepared = await tenant.prepare();
  app = Fastify();
  const plugin = dashboardPlugin(
    tenant.dashboardDeps({
      log: { info: (fields: unknown) => void logged.push(fields), warn: () => undefined },
    }),
  );
  // As the HTTP server mounts admin plugins: in a child scope, with the session's CSRF token.
  await app.register(async (child) => plugin(child, { csrfToken: () => 'csrf-<token>' }));
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await tenant.close();
});

interface ReportAnswer {
  period: string;
  as_of: string;
  report: FunnelReport;
  recent: DecisionView[];
}

async function report(query: string): Promise<ReportAnswer> {
  const response = await app.inject({ url: `/dashboard/api/report?${query}` });
  expect(response.statusCode).toBe(200);
  return response.json();
}

describe('the dashboard API on a demo tenant', () => {
  it("serves handoff report's own numbers, cached for a minute, with the period's decisions", async () => {
    const answer = await report('period=30d');
    const cli = await runCliInProcess(
      ['report', '--json', '--since', answer.report.since, '--config', tenant.config],
      { env: tenant.env, now: () => tenant.now() },
    );
    expect(cli.code).toBe(0);
    expect(answer.report).toEqual(JSON.parse(cli.stdout));
    expect(answer.report.rejected).toBe(2);
    expect(answer.report.sla.breached).toBeGreaterThan(0);
    expect(answer.report.time_to_first_touch_minutes.count).toBeGreaterThanOrEqual(2);
    expect(answer.report.rejection_reasons_by_source).toMatchObject({
      'Trade Show': { 'No budget': 1 },
      Web: { 'Bad timing': 1 },
    });
    expect(answer.report.rejection_reasons_by_campaign).toEqual({
      'Spring <webinar>': { 'No budget': 1 },
      'Data summit': { 'Bad timing': 1 },
    });
    expect(answer.as_of).toBe(new Date(tenant.clock).toISOString());

    const salesforceCalls = tenant.runtime.meter.total.salesforce;
    tenant.clock += 30_000;
    expect((await report('period=30d')).as_of).toBe(answer.as_of);
    expect(tenant.runtime.meter.total.salesforce).toBe(salesforceCalls);

    expect(answer.recent).toHaveLength(Math.min(25, answer.report.routed));
    for (const view of answer.recent) {
      expect(view.explanation).toMatch(/^Qualified as tier \w with score \d+/);
      expect(view.explanation).toMatch(
        /Routed (by rule|to the fallback owner)|Kept the rep who already owns the lead/,
      );
      expect(view.explanation).toContain('First touch due');
    }
  });

  it('finds a decision by e-mail or Lead id, and names the field of a bad search', async () => {
    const search = async (q: string): Promise<DecisionView[]> => {
      const response = await app.inject({
        url: `/dashboard/api/decisions?q=${encodeURIComponent(q)}`,
      });
      expect(response.statusCode).toBe(200);
      return response.json<{ decisions: DecisionView[] }>().decisions;
    };
    const rejected = prepared.rejected[0] ?? {};
    const [byEmail] = await search(String(rejected['Email']).toUpperCase());
    expect(byEmail).toMatchObject({
      lead_id: rejected['Id'],
      email: rejected['Email'],
      rejection_reason: 'No budget',
      rejection_comment: '<b>Frozen</b> until Q3 & "later"',
    });
    expect(byEmail?.explanation).toContain('First touch due');
    const touched = prepared.touched[0] ?? {};
    const byId = await search(String(touched['Id']));
    expect(byId.map((view) => view.lead_id)).toEqual([touched['Id']]);
    expect(byId[0]?.owner).not.toMatch(/^005/);
    expect(byId[0]?.explanation).toContain('First touch due');
    expect(await search('nobody@example.com')).toEqual([]);
    const bad = await app.inject({ url: '/dashboard/api/decisions?q=Ada%20Ng' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error: 'q: expected an e-mail address or a Salesforce Lead id (00Q…)',
    });
    const badPeriod = await app.inject({ url: '/dashboard/api/report?since=last%20week' });
    expect(badPeriod.statusCode).toBe(400);
    expect(badPeriod.json<{ error: string }>().error).toMatch(/^since: /);
  });

  it('lists queues, the budget and the quarantine, and retries a parked record', async () => {
    const live = async () =>
      (await app.inject({ url: '/dashboard/api/live' })).json<{
        queues: { name: string }[];
        quarantine: { total: number; parked: number; entries: { key: string; parked: boolean }[] };
        budget: { salesforce: { max: number | null }; hubspot: { max: number | null } };
      }>();
    const before = await live();
    expect(before.queues.map((queue) => queue.name).sort()).toEqual([
      'decisions',
      'hubspot',
      'salesforce',
    ]);
    expect(before.budget.salesforce.max).toBeGreaterThan(0);
    expect(before.budget.hubspot.max).toBeGreaterThan(0);
    expect(before.quarantine).toMatchObject({ total: 1, parked: 1 });
    expect(before.quarantine.entries).toEqual([
      expect.objectContaining({ key: prepared.parkedKey, parked: true }),
    ]);

    const refused = await app.inject({
      method: 'POST',
      url: '/dashboard/api/quarantine/retry',
      payload: { keys: [] },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ error: string }>().error).toMatch(/^keys: /);

    const retried = await app.inject({
      method: 'POST',
      url: '/dashboard/api/quarantine/retry',
      payload: { keys: [prepared.parkedKey] },
    });
    expect(retried.json()).toEqual({ unparked: 1 });
    expect(logged).toContainEqual({ keys: [prepared.parkedKey], unparked: 1 });
    expect((await live()).quarantine).toMatchObject({ total: 1, parked: 0 });
    await tenant.cycle();
    expect((await live()).quarantine).toMatchObject({ total: 0, entries: [] });
  });

  it('serves the page with its CSRF token, its scripts and a strict Content-Security-Policy', async () => {
    const page = await app.inject({ url: '/dashboard' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<meta name="csrf-token" content="csrf-&lt;token&gt;">');
    const chart = await app.inject({ url: '/dashboard/chart.umd.min.js' });
    expect(chart.statusCode).toBe(200);
    expect(chart.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(chart.body).toContain('Chart');
    const script = await app.inject({ url: '/dashboard/app.js' });
    expect(script.body).toContain('x-csrf-token');
    expect((await app.inject({ url: '/dashboard/app.css' })).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
  });
});
