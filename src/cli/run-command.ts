import { startHealthServer } from '../http/health-server.js';
import { hubspotWebhookRoute, webhooksOffRoute } from '../http/webhook-route.js';
import { startWorkers } from '../jobs/start-workers.js';
import { createWorkerConnection, queuePrefix } from '../main.js';
import { createLogger } from '../platform/logger.js';
import { handoffContactProperties } from '../usecases/sync/sync-contacts.js';
import { EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.js';
import { loadEnvAndDefinition, openSyncRuntime } from './load-runtime.js';

export const RUN_USAGE = 'handoff run [--config FILE]';

/**
 * `handoff run`: the long-running worker. Polls on `sync.poll_interval` through a BullMQ job
 * scheduler (any number of processes share one Redis; cycles never overlap) and serves
 * `GET /healthz` and, with `HUBSPOT_WEBHOOK_SECRET`, `POST /webhooks/hubspot` on PORT.
 * SIGTERM/SIGINT: the active cycle finishes, then everything closes.
 */
export async function runCommand(
  flags: { config?: string | undefined },
  io: CliIo,
): Promise<number> {
  const inputs = await loadEnvAndDefinition(flags.config, io);
  if (typeof inputs === 'number') return inputs;
  const { env, definition } = inputs;
  const log = createLogger({
    level: env.LOG_LEVEL,
    destination: { write: (line: string) => io.stdout(line) },
  });
  const runtime = await openSyncRuntime(env, definition, log, io);
  if (typeof runtime === 'number') return runtime;
  const connection = createWorkerConnection(env);
  const workers = await startWorkers({
    connection,
    prefix: queuePrefix(env),
    runtime,
    log,
    webhookDebounceMs: env.HANDOFF_WEBHOOK_DEBOUNCE_MS,
  });
  const secret = env.HUBSPOT_WEBHOOK_SECRET;
  const routes = {
    '/webhooks/hubspot':
      secret === undefined
        ? webhooksOffRoute()
        : hubspotWebhookRoute({
            secret,
            trustProxy: env.TRUST_PROXY,
            ownProperties: handoffContactProperties(runtime.deps.definition),
            intake: workers.webhookContacts,
            // The worker's clock judges the signature's age, as it dates everything else.
            now: () => io.now().getTime(),
            log: log.child({ route: 'webhooks/hubspot' }),
          }),
  };
  const health = await startHealthServer({ port: env.PORT, host: env.HOST, routes }, async () => {
    const [pong, quarantine, ...counts] = await Promise.all([
      connection.ping(),
      // Kept counts: a request never reads the quarantine itself, however long it grows.
      runtime.deps.state.quarantineCounts(),
      ...Object.values(workers.queues).map((queue) =>
        queue.getJobCounts(
          'waiting',
          'active',
          'delayed',
          'failed',
          'completed',
          'waiting-children',
        ),
      ),
    ]);
    return {
      ok: pong === 'PONG',
      redis: pong === 'PONG' ? 'up' : 'down',
      queues: Object.fromEntries(
        Object.keys(workers.queues).map((name, index) => [name, counts[index]]),
      ),
      definition: definition.version,
      // Counts only: which records and why is the admin's view, not a public endpoint's.
      quarantine,
      // Calls used of each system's daily allowance, and whether the ceiling paused it.
      api_usage: runtime.budget.usage(),
    };
  }).catch(async (err: unknown) => {
    // HOST/PORT taken, not allowed or not an address of this machine: stop what started, say so.
    await workers.close();
    await runtime.close();
    await connection.quit();
    const code = (err as { code?: unknown } | null)?.code;
    io.stderr(
      `HOST/PORT: cannot listen on ${env.HOST} port ${env.PORT} (${typeof code === 'string' ? code : String(err)})\n`,
    );
    return EXIT_INVALID;
  });
  if (typeof health === 'number') return health;
  log.info(
    {
      listen: health.url,
      health: `${health.url}/healthz`,
      definition: definition.version,
      pollInterval: definition.sync.poll_interval,
      webhooks: secret === undefined ? 'off' : `${health.url}/webhooks/hubspot`,
    },
    'worker started',
  );
  if (secret === undefined)
    log.info(
      'webhooks are off (HUBSPOT_WEBHOOK_SECRET is not set): changes arrive with each poll only',
    );
  const signal = await io.untilShutdown();
  log.info({ signal }, 'worker stopping');
  await workers.close();
  await health.close();
  await runtime.close();
  await connection.quit();
  log.info({ signal }, 'worker stopped');
  return EXIT_OK;
}
