/**
 * The admin dashboard at `/dashboard`: a page, its script and Chart.js, and the JSON it draws
 * from. The numbers are `handoff report`'s own (the same use case, cached per period for a
 * minute), plus what only Redis knows: queues, the quarantine, and the API budget of this
 * process. Mounted inside the HTTP server's admin scope, which authenticates every request and
 * checks the CSRF token of cookie-authenticated POSTs before they get here.
 */
import type { Queue } from 'bullmq';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { queueStats } from '../../jobs/queue-stats.js';
import type { ApiUsageReport } from '../../platform/api-budget.js';
import { IntegrationError, type IntegrationSystem } from '../../platform/errors.js';
import type { StoredQuarantineEntry, SyncState } from '../../ports/sync-state.port.js';
import type { AdminPlugin } from '../http-server.js';
import { recentDecisions } from '../../usecases/dashboard/decision-view.js';
import { findDecisions, parseDecisionQuery } from '../../usecases/dashboard/find-decisions.js';
import { ReportCache } from '../../usecases/dashboard/report-cache.js';
import type { ReportDeps } from '../../usecases/report/build-report.js';
import { loadDashboardAssets } from './dashboard-assets.js';
import { DASHBOARD_CSP, renderDashboardPage } from './dashboard-page.js';
import { parsePeriod, parseRetryBody, parseSearch } from './dashboard-query.js';

/** Entries listed on the page; the counts cover the rest. */
const QUARANTINE_SHOWN = 200;

export interface DashboardDeps {
  /** What `handoff report` reads. */
  readonly report: ReportDeps;
  /** The quarantine, and the retry `handoff quarantine --retry` makes. */
  readonly quarantine: Pick<SyncState, 'quarantined' | 'quarantineCounts' | 'unpark'>;
  readonly queues: readonly Queue[];
  /** This process's view of each system's daily allowance. */
  readonly budget: () => Readonly<Record<IntegrationSystem, ApiUsageReport>>;
  /** The clock the report and the page's "as of" read (the worker's, a demo's simulated one). */
  readonly now: () => Date;
  /**
   * Epoch ms of this process's wall clock: BullMQ stamps jobs with it, so a waiting job's age is
   * measured on it too, whatever clock the report runs on.
   */
  readonly jobClock: () => number;
  readonly log: Pick<Logger, 'info' | 'warn'>;
  /** How long a report is served from memory (default one minute). */
  readonly reportTtlMs?: number;
}

function quarantineView(entry: StoredQuarantineEntry) {
  return {
    key: entry.key,
    system: entry.system,
    code: entry.code,
    reason: entry.reason,
    at: entry.at,
    attempts: entry.attempts,
    parked: entry.retry === false,
  };
}

async function badRequest(reply: FastifyReply, error: string): Promise<void> {
  await reply.code(400).send({ error });
}

/**
 * A Salesforce failure while reading the report or a search: which system and code, never the
 * response body (it may quote Lead data).
 */
async function unavailable(
  reply: FastifyReply,
  log: DashboardDeps['log'],
  err: unknown,
): Promise<void> {
  if (!(err instanceof IntegrationError)) throw err;
  log.warn({ system: err.system, code: err.code, kind: err.kind }, 'dashboard read failed');
  await reply.code(502).send({ error: `${err.system} unavailable (${err.code})` });
}

export function dashboardPlugin(deps: DashboardDeps): AdminPlugin {
  const cache = new ReportCache(deps.report, deps.now, deps.reportTtlMs);
  const assets = loadDashboardAssets();
  return (app, context) => {
    app.addHook('onSend', (_request, reply, payload, done) => {
      reply.header('Content-Security-Policy', DASHBOARD_CSP);
      reply.header('X-Content-Type-Options', 'nosniff');
      reply.header('Referrer-Policy', 'no-referrer');
      reply.header('X-Frame-Options', 'DENY');
      // Lead names and e-mails stay out of shared and browser caches.
      if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
      done(null, payload);
    });

    app.get('/dashboard', async (request, reply) => {
      await reply
        .type('text/html; charset=utf-8')
        .send(renderDashboardPage({ csrfToken: context.csrfToken(request) }));
    });

    for (const [path, asset] of assets)
      app.get(path, async (_request, reply) => {
        await reply
          .type(asset.contentType)
          .header('Cache-Control', 'private, no-cache')
          .send(asset.body);
      });

    app.get('/dashboard/api/report', async (request, reply) => {
      const period = parsePeriod(request.query, deps.now());
      if (!period.ok) return badRequest(reply, period.error);
      try {
        const reading = await cache.read(period.value.key, period.value.since);
        await reply.send({
          period: period.value.key,
          as_of: reading.asOf.toISOString(),
          fresh_until: reading.freshUntil.toISOString(),
          report: reading.report,
          recent: recentDecisions(reading.leads, reading.names),
        });
      } catch (err) {
        await unavailable(reply, deps.log, err);
      }
    });

    // Redis and this process only: cheap enough to ask for on every refresh.
    app.get('/dashboard/api/live', async (_request, reply) => {
      const now = deps.now();
      const jobNow = deps.jobClock();
      const [queues, counts, entries] = await Promise.all([
        Promise.all(deps.queues.map((queue) => queueStats(queue, jobNow))),
        deps.quarantine.quarantineCounts(),
        deps.quarantine.quarantined(),
      ]);
      const sorted = [...entries].sort(
        (a, b) =>
          Number(b.retry === false) - Number(a.retry === false) || a.key.localeCompare(b.key),
      );
      await reply.send({
        now: now.toISOString(),
        queues,
        quarantine: {
          ...counts,
          entries: sorted.slice(0, QUARANTINE_SHOWN).map(quarantineView),
        },
        budget: deps.budget(),
      });
    });

    app.get('/dashboard/api/decisions', async (request, reply) => {
      const search = parseSearch(request.query);
      if (!search.ok) return badRequest(reply, search.error);
      const query = parseDecisionQuery(search.value);
      if (query === null)
        return badRequest(reply, 'q: expected an e-mail address or a Salesforce Lead id (00Q…)');
      try {
        await reply.send({ query: query.kind, decisions: await findDecisions(deps.report, query) });
      } catch (err) {
        await unavailable(reply, deps.log, err);
      }
    });

    app.post('/dashboard/api/quarantine/retry', async (request, reply) => {
      const keys = parseRetryBody(request.body);
      if (!keys.ok) return badRequest(reply, keys.error);
      const unparked = await deps.quarantine.unpark(keys.value);
      // Keys are HubSpot contact ids or `lead:<Id>`: no contact data.
      deps.log.info(
        { keys: keys.value, unparked },
        'quarantine retry requested from the dashboard',
      );
      await reply.send({ unparked });
    });
    return Promise.resolve();
  };
}
