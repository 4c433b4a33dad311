import { EnvError, loadEnv, type Env } from '../config/env.js';
import { loadDefinitionFile } from '../config/load-definition.js';
import { formatIssue } from '../config/parse-yaml.js';
import type { Definition } from '../domain/definition.js';
import { createSyncRuntime, RedisUnavailableError, SetupError, type SyncRuntime } from '../main.js';
import { IntegrationError } from '../platform/errors.js';
import type { Logger } from 'pino';
import { InstallationProblemError } from '../usecases/doctor/preflight.js';
import { formatChecks } from './format-checks.js';
import { configPath, EXIT_INVALID, EXIT_PROBLEMS, type CliIo } from './cli-io.js';

/** The environment and the definition a tenant-facing command needs, or exit 2 with every problem. */
export async function loadEnvAndDefinition(
  configFlag: string | undefined,
  io: CliIo,
): Promise<{ env: Env; definition: Definition } | number> {
  let env: Env;
  try {
    env = loadEnv(io.env);
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    io.stderr(`${err.message}\n`);
    return EXIT_INVALID;
  }
  const file = configPath(configFlag, io);
  const definition = await loadDefinitionFile(file);
  if (!definition.ok) {
    io.stderr(
      `${file}: ${definition.issues.length} problem(s)\n${definition.issues.map((issue) => `  ${formatIssue(issue)}\n`).join('')}`,
    );
    return EXIT_INVALID;
  }
  return { env, definition: definition.value };
}

/**
 * Connects to both tenants and Redis and checks the installation, or exits 2 naming the missing
 * or refused credential or each installation problem with its fix, or 1 when Redis or
 * Salesforce cannot be reached. Nothing is left open on any path.
 */
export async function openSyncRuntime(
  env: Env,
  definition: Definition,
  log: Logger,
  io: CliIo,
  options: { readonly shadow?: boolean } = {},
): Promise<SyncRuntime | number> {
  try {
    return await createSyncRuntime(env, definition, log, () => io.now(), options);
  } catch (err) {
    if (err instanceof SetupError || (err instanceof IntegrationError && err.kind === 'auth')) {
      io.stderr(`${err.message}\n`);
      return EXIT_INVALID;
    }
    if (err instanceof InstallationProblemError) {
      io.stderr(
        `Handoff cannot start: the installation is not ready (handoff doctor shows every check).\n${formatChecks(err.failures)}\n`,
      );
      return EXIT_INVALID;
    }
    if (err instanceof RedisUnavailableError) {
      io.stderr(`${err.message}\n`);
      return EXIT_PROBLEMS;
    }
    // An outage at start (Salesforce down or unreachable): a sentence, not a stack trace.
    if (err instanceof IntegrationError) {
      const system = err.system === 'salesforce' ? 'Salesforce' : 'HubSpot';
      io.stderr(`${system} is not available (${err.message}); nothing was read or written\n`);
      return EXIT_PROBLEMS;
    }
    throw err;
  }
}
