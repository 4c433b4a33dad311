import { dashboardPlugin } from '../http/dashboard/dashboard-plugin.js';
import { startHttpServer } from '../http/http-server.js';
import { checkReadiness } from '../http/probes.js';
import { hubspotWebhookRoute, webhooksOffRoute } from '../http/webhook-route.js';
import { openQueueHandles } from '../jobs/queue-handles.js';
import { queueStats } from '../jobs/queue-stats.js';
import { startWorkers, type Workers } from '../jobs/start-workers.js';
import { createWorkerConnection, queuePrefix, shadowEnv } from '../main.js';
import { createPrometheusMetrics } from '../metrics/prometheus-metrics.js';
import { createLogger, logFormat } from '../platform/logger.js';
import { handoffContactProperties } from '../usecases/sync/sync-contacts.js';
import { EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.js';
import { loadEnvAndDefinition, openSyncRuntime } from './load-runtime.js';

/**
 * `handoff run`: the long-running worker. Polls on `sync.poll_interval` through a BullMQ job
 * scheduler (any number of processes share one Redis; cycles never overlap) and serves, on PORT,
 * the probes (`/healthz`, `/readyz`), `POST /webhooks/hubspot` with `HUBSPOT_WEBHOOK_SECRET`, and
 * `/metrics`, and with `HANDOFF_ADMIN_TOKEN` the admin pages (`/dashboard`, `/admin/status`, Bull
 * Board at `/admin/queues`). `--shadow`: every decision is made and journaled, nothing is written
 * (state under its own prefix; `handoff report --shadow` compares). SIGTERM/SIGINT: the active
 * cycle finishes, then everything closes.
 */
export async function runCommand(
  flags: { config?: string | undefined; shadow?: boolean | undefined },
  io: CliIo,
): Promise<number> {
  const inputs = await loadEnvAndDefinition(flags.config, io);
  if (typeof inputs === 'number') return inputs;
  const shadow = flags.shadow === true;
  const { definition } = inputs;
  const env = shadow ? shadowEnv(inputs.env) : inputs.env;
  const log = createLogger({
    level: env.LOG_LEVEL,
    destination: { write: (line: string) => io.stdout(line) },
    format: logFormat(env, io.stdoutIsTty),
    colorize: io.stdoutIsTty === true,
  });
  const runtime = await openSyncRuntime(env, definition, log, io, { shadow });
  if (typeof runtime === 'number') return runtime;
  const connection = createWorkerConnection(env, log);
  const prefix = queuePrefix(env);
  const queues = openQueueHandles(connection, prefix);
  const metrics = createPrometheusMetrics({
    queues: () => queues,
    budget: runtime.budget,
    meter: runtime.meter,
    now: () => Date.now(),
  });
  // Set once the port is bound: until then no worker runs, so a taken port touches nothing.
  const started: { workers?: Workers } = {};
  const running = (): boolean => started.workers?.running() ?? false;
  const secret = env.HUBSPOT_WEBHOOK_SECRET;
  const webhook =
    secret === undefined
      ? webhooksOffRoute()
      : hubspotWebhookRoute({
          secret,
          trustProxy: env.TRUST_PROXY,
          ownProperties: handoffContactProperties(runtime.deps.definition),
          // Refused (503, HubSpot retries) in the instant between binding and the workers' start.
          intake: {
            accept: (events) =>
              started.workers === undefined
                ? Promise.reject(new Error('the workers are starting'))
                : started.workers.webhookContacts.accept(events),
          },
          // The worker's clock judges the signature's age, as it dates everything else.
          now: () => io.now().getTime(),
          log: log.child({ route: 'webhooks/hubspot' }),
        });
  const server = await startHttpServer({
    port: env.PORT,
    host: env.HOST,
    trustProxy: env.TRUST_PROXY,
    readiness: checkReadiness({
      ping: () => connection.ping(),
      workersRunning: running,
      queues,
      maxWaitingAgeMs: env.HANDOFF_READY_MAX_JOB_AGE_MS,
      // BullMQ stamps jobs with this process's wall clock, so their age is measured on it too.
      now: () => Date.now(),
    }),
    webhook,
    metrics,
    metricsPublic: env.METRICS_PUBLIC,
    adminPlugins: [
      dashboardPlugin({
        report: {
          definition: runtime.deps.definition,
          lifecycle: runtime.lifecycle,
          directory: runtime.deps.directory,
        },
        quarantine: runtime.deps.state,
        queues,
        budget: () => runtime.budget.usage(),
        now: () => io.now(),
        // BullMQ stamps jobs with this process's wall clock.
        jobClock: () => Date.now(),
        log: log.child({ route: 'dashboard' }),
      }),
    ],
    adminToken: env.HANDOFF_ADMIN_TOKEN,
    queues,
    status: async () => {
      const now = Date.now();
      const [pong, quarantine, ...stats] = await Promise.all([
        connection.ping(),
        // Kept counts: a request never reads the quarantine itself, however long it grows.
        runtime.deps.state.quarantineCounts(),
        ...queues.map((queue) => queueStats(queue, now)),
      ]);
      return {
        redis: pong === 'PONG' ? 'up' : 'down',
        workers: running() ? 'running' : 'stopped',
        queues: Object.fromEntries(stats.map(({ name, ...counts }) => [name, counts])),
        definition: definition.version,
        quarantine,
        // Calls used of each system's daily allowance, and whether the ceiling paused it.
        api_usage: runtime.budget.usage(),
      };
    },
    now: () => io.now().getTime(),
    log,
  }).catch(async (err: unknown) => {
    // HOST/PORT taken, not allowed or not an address of this machine: stop what started, say so.
    await Promise.all(queues.map((queue) => queue.close()));
    await runtime.close();
    await connection.quit();
    const code = (err as { code?: unknown } | null)?.code;
    io.stderr(
      `HOST/PORT: cannot listen on ${env.HOST} port ${env.PORT} (${typeof code === 'string' ? code : String(err)})\n`,
    );
    return EXIT_INVALID;
  });
  if (typeof server === 'number') return server;
  const workers = await startWorkers({
    connection,
    prefix,
    runtime,
    log,
    webhookDebounceMs: env.HANDOFF_WEBHOOK_DEBOUNCE_MS,
    events: metrics.events,
  }).catch(async (err: unknown) => {
    await server.close();
    await Promise.all(queues.map((queue) => queue.close()));
    await runtime.close();
    await connection.quit();
    throw err;
  });
  started.workers = workers;
  const adminOn = env.HANDOFF_ADMIN_TOKEN !== undefined;
  log.info(
    {
      listen: server.url,
      health: `${server.url}/healthz`,
      ready: `${server.url}/readyz`,
      admin: adminOn ? `${server.url}/login` : 'off',
      definition: definition.version,
      mode: shadow ? 'shadow: decisions journaled, nothing written' : 'live',
      pollInterval: definition.sync.poll_interval,
      webhooks: secret === undefined ? 'off' : `${server.url}/webhooks/hubspot`,
    },
    'worker started',
  );
  if (!adminOn)
    log.info(
      'admin pages are off (HANDOFF_ADMIN_TOKEN is not set): no Bull Board, no /admin/status, /metrics only with METRICS_PUBLIC=true',
    );
  if (secret === undefined)
    log.info(
      'webhooks are off (HUBSPOT_WEBHOOK_SECRET is not set): changes arrive with each poll only',
    );
  const signal = await io.untilShutdown();
  log.info({ signal }, 'worker stopping');
  await workers.close();
  await server.close();
  await Promise.all(queues.map((queue) => queue.close()));
  await runtime.close();
  await connection.quit();
  log.info({ signal }, 'worker stopped');
  return EXIT_OK;
}
