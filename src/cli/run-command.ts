import { EnvError, loadEnv } from '../config/env.js';
import { loadDefinitionFile } from '../config/load-definition.js';
import { formatIssue } from '../config/parse-yaml.js';
import { startHealthServer } from '../http/health-server.js';
import { startSyncWorker } from '../jobs/sync-worker.js';
import { createSyncRuntime, createWorkerConnection, SetupError } from '../main.js';
import { IntegrationError } from '../platform/errors.js';
import { createLogger } from '../platform/logger.js';
import { configPath, EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.js';

export const RUN_USAGE = 'handoff run [--config FILE]';

/**
 * `handoff run`: the long-running worker. Polls on `sync.poll_interval` through a BullMQ job
 * scheduler (any number of processes share one Redis; cycles never overlap) and serves
 * `GET /healthz` on PORT. SIGTERM/SIGINT: the active cycle finishes, then everything closes.
 */
export async function runCommand(
  flags: { config?: string | undefined },
  io: CliIo,
): Promise<number> {
  let env;
  try {
    env = loadEnv(io.env);
  } catch (err) {
    if (err instanceof EnvError) {
      io.stderr(`${err.message}\n`);
      return EXIT_INVALID;
    }
    throw err;
  }
  const file = configPath(flags.config, io);
  const definition = await loadDefinitionFile(file);
  if (!definition.ok) {
    io.stderr(
      `${file}: ${definition.issues.length} problem(s)\n${definition.issues.map((issue) => `  ${formatIssue(issue)}\n`).join('')}`,
    );
    return EXIT_INVALID;
  }
  const log = createLogger({
    level: env.LOG_LEVEL,
    destination: { write: (line: string) => io.stdout(line) },
  });
  let runtime;
  try {
    runtime = await createSyncRuntime(env, definition.value, log, () => io.now());
  } catch (err) {
    if (err instanceof SetupError || (err instanceof IntegrationError && err.kind === 'auth')) {
      io.stderr(`${err.message}\n`);
      return EXIT_INVALID;
    }
    throw err;
  }
  const connection = createWorkerConnection(env);
  const sync = await startSyncWorker({
    connection,
    prefix: `${env.HANDOFF_REDIS_PREFIX}:bull`,
    sync: runtime.deps,
    log,
  });
  const health = await startHealthServer(env.PORT, async () => {
    const [pong, counts] = await Promise.all([
      connection.ping(),
      sync.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
    ]);
    return {
      ok: pong === 'PONG',
      redis: pong === 'PONG' ? 'up' : 'down',
      sync: counts,
      definition: definition.value.version,
    };
  });
  log.info(
    {
      health: `${health.url}/healthz`,
      definition: definition.value.version,
      pollInterval: definition.value.sync.poll_interval,
    },
    'worker started',
  );
  const signal = await io.untilShutdown();
  log.info({ signal }, 'worker stopping');
  await sync.close();
  await health.close();
  await runtime.close();
  await connection.quit();
  log.info({ signal }, 'worker stopped');
  return EXIT_OK;
}
