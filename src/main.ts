import { Redis } from 'ioredis';
import type { Connection } from 'jsforce';
import type { Logger } from 'pino';
import { createHubSpotClient } from './adapters/hubspot/hubspot-client.js';
import { HubSpotContactSource } from './adapters/hubspot/hubspot-contact-source.adapter.js';
import { HubSpotContactFeedback } from './adapters/hubspot/hubspot-contact-feedback.adapter.js';
import { HubSpotContactWriter } from './adapters/hubspot/hubspot-contact-writer.adapter.js';
import { HubSpotInstallationInspector } from './adapters/hubspot/hubspot-installation.adapter.js';
import { HubSpotSetupAdapter } from './adapters/hubspot/hubspot-setup.adapter.js';
import { RedisConfigInspector } from './adapters/redis/redis-inspector.adapter.js';
import { RedisShadowJournal } from './adapters/redis/redis-shadow-journal.adapter.js';
import { RedisSyncState } from './adapters/redis/redis-sync-state.adapter.js';
import {
  createSalesforceConnection,
  integrationUserId,
  type SalesforceAuthConfig,
} from './adapters/salesforce/salesforce-connection.js';
import { SalesforceDirectory } from './adapters/salesforce/salesforce-directory.adapter.js';
import { SalesforceChangeProbeAdapter } from './adapters/salesforce/salesforce-change-probe.adapter.js';
import { SalesforceLeadHistory } from './adapters/salesforce/salesforce-lead-history.adapter.js';
import { SalesforceLeadLifecycle } from './adapters/salesforce/salesforce-lead-lifecycle.adapter.js';
import { SalesforceInstallationInspector } from './adapters/salesforce/salesforce-installation.adapter.js';
import { SalesforceLeadSourceAdapter } from './adapters/salesforce/salesforce-lead-source.adapter.js';
import { SalesforceLeadStore } from './adapters/salesforce/salesforce-lead-store.adapter.js';
import { SalesforceSetupAdapter } from './adapters/salesforce/salesforce-setup.adapter.js';
import { instrumentRequests } from './adapters/salesforce/salesforce-requests.js';
import { classifySalesforceError } from './adapters/salesforce/salesforce.errors.js';
import type { Env } from './config/env.js';
import type { Definition } from './domain/definition.js';
import { resolveMapping } from './domain/mapping.js';
import {
  ApiBudget,
  parseHubSpotDailyUsage,
  parseSalesforceLimitInfo,
} from './platform/api-budget.js';
import { ApiCallMeter } from './platform/api-call-meter.js';
import { IntegrationError } from './platform/errors.js';
import type { LeadLifecycleStore } from './ports/lead-lifecycle.port.js';
import type { SalesDirectory } from './ports/sales-directory.port.js';
import type { SyncState } from './ports/sync-state.port.js';
import type { WorkerRuntime } from './jobs/start-workers.js';
import { preflight } from './usecases/doctor/preflight.js';
import { runDoctor, type DoctorDeps } from './usecases/doctor/run-doctor.js';
import {
  NurtureListMissingError,
  resolveNurtureLists,
} from './usecases/setup/resolve-nurture-lists.js';
import type { SetupDeps } from './usecases/setup/run-setup.js';
import type { ShadowReportDeps } from './usecases/shadow/shadow-report.js';
import {
  discardingContactWriter,
  discardingFeedbackWriter,
  journalingLeadStore,
} from './usecases/shadow/shadow-writes.js';

/** A missing or contradictory piece of configuration: exit 2, naming it. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
  readonly code = 'SETUP_INVALID';
}

/** How Salesforce is reached, from the environment, or why it cannot be. */
export function salesforceAuthFrom(env: Env): SalesforceAuthConfig {
  if (env.SALESFORCE_ACCESS_TOKEN !== undefined) {
    if (env.SALESFORCE_INSTANCE_URL === undefined)
      throw new SetupError('SALESFORCE_INSTANCE_URL is required with SALESFORCE_ACCESS_TOKEN');
    return {
      kind: 'token',
      instanceUrl: env.SALESFORCE_INSTANCE_URL,
      accessToken: env.SALESFORCE_ACCESS_TOKEN,
    };
  }
  if (
    env.SALESFORCE_USERNAME !== undefined &&
    env.SALESFORCE_CLIENT_ID !== undefined &&
    env.SALESFORCE_PRIVATE_KEY_FILE !== undefined
  ) {
    return {
      kind: 'jwt_bearer',
      loginUrl: env.SALESFORCE_LOGIN_URL,
      clientId: env.SALESFORCE_CLIENT_ID,
      username: env.SALESFORCE_USERNAME,
      privateKeyFile: env.SALESFORCE_PRIVATE_KEY_FILE,
    };
  }
  if (env.SALESFORCE_CLIENT_ID !== undefined && env.SALESFORCE_CLIENT_SECRET !== undefined) {
    return {
      kind: 'client_credentials',
      loginUrl: env.SALESFORCE_LOGIN_URL,
      clientId: env.SALESFORCE_CLIENT_ID,
      clientSecret: env.SALESFORCE_CLIENT_SECRET,
    };
  }
  throw new SetupError(
    'Salesforce credentials are missing: set SALESFORCE_ACCESS_TOKEN (with SALESFORCE_INSTANCE_URL), or SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET, or SALESFORCE_USERNAME, SALESFORCE_CLIENT_ID and SALESFORCE_PRIVATE_KEY_FILE',
  );
}

/**
 * A Redis connection for BullMQ workers: `maxRetriesPerRequest: null` so blocking commands wait
 * out a Redis restart instead of failing the worker (BullMQ's requirement).
 */
export function createWorkerConnection(env: Env, log: Logger): Redis {
  const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  // BullMQ listens while its queues and workers are open; between and after them (a close racing
  // a write, a blip at shutdown) ioredis would print an unhandled error event to stderr instead.
  // The commands that fail report the outage themselves, so the event itself is only logged.
  connection.on('error', (err: NodeJS.ErrnoException) => {
    log.debug({ code: err.code }, 'worker redis connection error');
  });
  return connection;
}

/** BullMQ's key prefix: under the installation's Redis prefix, beside Handoff's own keys. */
export function queuePrefix(env: Env): string {
  return `${env.HANDOFF_REDIS_PREFIX}:bull`;
}

/**
 * Shadow mode keeps all its state (cursors, rotation, queues, its decision journal) under its own
 * prefix, so it runs beside a live installation, and switching to live (dropping `--shadow`)
 * starts the live side from the beginning: decision ids are derived from the records, so the
 * live run reaches the same ids and nothing is routed twice.
 */
export function shadowEnv(env: Env): Env {
  return { ...env, HANDOFF_REDIS_PREFIX: `${env.HANDOFF_REDIS_PREFIX}-shadow` };
}

/** Redis, which holds cursors, rotation and queues, cannot be reached: nothing can run. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  readonly code = 'REDIS_UNAVAILABLE';
}

/** The variables behind each way of reaching Salesforce, for messages that name them. */
const CREDENTIALS: Readonly<Record<SalesforceAuthConfig['kind'], string>> = {
  token: 'SALESFORCE_ACCESS_TOKEN',
  client_credentials: 'SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET',
  jwt_bearer: 'SALESFORCE_USERNAME, SALESFORCE_CLIENT_ID and SALESFORCE_PRIVATE_KEY_FILE',
};

/**
 * A Salesforce failure while connecting, as the operator needs it: an unusable key file is a
 * SetupError naming `SALESFORCE_PRIVATE_KEY_FILE`; a refusal stays an `auth` IntegrationError
 * whose message names the credential variables (never their values); anything else unchanged.
 */
function explainConnectFailure(err: unknown, auth: SalesforceAuthConfig): Error {
  const failure = classifySalesforceError(err);
  if (failure.code === 'PRIVATE_KEY_UNREADABLE' || failure.code === 'PRIVATE_KEY_INVALID')
    return new SetupError(`SALESFORCE_PRIVATE_KEY_FILE: ${failure.message}`, { cause: failure });
  if (failure.kind !== 'auth') return failure;
  const hint =
    auth.kind === 'token'
      ? 'the session is invalid or has expired; set a current one, or use OAuth (SALESFORCE_CLIENT_ID with SALESFORCE_CLIENT_SECRET, or the JWT bearer flow)'
      : `check them against the connected app and the integration user at ${auth.loginUrl}`;
  return new IntegrationError(
    'salesforce',
    'auth',
    `Salesforce refused ${CREDENTIALS[auth.kind]} (${failure.code}): ${hint}`,
    { code: failure.code, status: failure.status, cause: failure },
  );
}

/**
 * A metered Salesforce connection: every jsforce call goes through `Connection.request`. With a
 * budget, the org's usage is read from every response.
 */
export async function connectSalesforce(
  env: Env,
  meter: ApiCallMeter,
  budget?: ApiBudget,
): Promise<Connection> {
  const auth = salesforceAuthFrom(env);
  let salesforce: Connection;
  try {
    salesforce = await createSalesforceConnection({
      auth,
      version: env.SALESFORCE_API_VERSION,
      ...(budget === undefined
        ? {}
        : {
            onResponse: (headers) =>
              budget.observe('salesforce', parseSalesforceLimitInfo(headers['sforce-limit-info'])),
          }),
    });
  } catch (err) {
    throw explainConnectFailure(err, auth);
  }
  return instrumentRequests(salesforce, () => meter.count('salesforce'));
}

/**
 * Redis for Handoff's state and queue writes, connected or RedisUnavailableError. Fails fast
 * when Redis is away (a CLI cycle must not hang); the worker connection differs.
 */
async function connectRedis(env: Env): Promise<Redis> {
  const redis = new Redis(env.REDIS_URL, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    lazyConnect: true,
  });
  // Connection errors surface through connect() and commands; the event would only duplicate them.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new RedisUnavailableError(
      `Redis is not reachable at REDIS_URL (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  return redis;
}

/** What `handoff quarantine` reads and changes: Handoff's state in Redis, no tenant. */
export async function openSyncState(
  env: Env,
): Promise<{ state: SyncState; close(): Promise<void> }> {
  const redis = await connectRedis(env);
  return {
    state: new RedisSyncState(redis, env.HANDOFF_REDIS_PREFIX),
    close: async () => {
      await redis.quit();
    },
  };
}

/** What `handoff report` reads: Salesforce only, where Handoff keeps its state; no Redis. */
export async function createReportRuntime(
  env: Env,
  definition: Definition,
): Promise<{ lifecycle: LeadLifecycleStore; directory: SalesDirectory; meter: ApiCallMeter }> {
  const meter = new ApiCallMeter();
  const salesforce = await connectSalesforce(env, meter);
  return {
    lifecycle: new SalesforceLeadLifecycle(salesforce, resolveMapping(definition.mapping)),
    directory: new SalesforceDirectory(salesforce),
    meter,
  };
}

/** What `handoff report --shadow` reads: the shadow journal in Redis, and Salesforce. */
export async function createShadowReportRuntime(
  env: Env,
  definition: Definition,
): Promise<Omit<ShadowReportDeps, 'definition'> & { close(): Promise<void> }> {
  const meter = new ApiCallMeter();
  const salesforce = await connectSalesforce(env, meter);
  const redis = await connectRedis(env);
  return {
    journal: new RedisShadowJournal(redis, shadowEnv(env).HANDOFF_REDIS_PREFIX),
    history: new SalesforceLeadHistory(salesforce),
    lifecycle: new SalesforceLeadLifecycle(salesforce, resolveMapping(definition.mapping)),
    close: async () => {
      await redis.quit();
    },
  };
}

/**
 * What `handoff doctor` inspects: each system connected on its own, so one that cannot be
 * reached becomes a finding (its reason kept) instead of stopping the other checks.
 */
export async function createDoctorRuntime(
  env: Env,
): Promise<{ deps: Omit<DoctorDeps, 'definition' | 'now'>; close(): Promise<void> }> {
  const unreachable: Partial<Record<'redis' | 'salesforce' | 'hubspot', string>> = {};
  const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  const redis = await connectRedis(env).catch((err: unknown) => {
    unreachable.redis = reason(err);
    return null;
  });
  const salesforce = await connectSalesforce(env, new ApiCallMeter()).catch((err: unknown) => {
    unreachable.salesforce = reason(err);
    return null;
  });
  if (env.HUBSPOT_ACCESS_TOKEN === undefined)
    unreachable.hubspot = 'HUBSPOT_ACCESS_TOKEN is not set';
  return {
    deps: {
      redis: redis === null ? null : new RedisConfigInspector(redis),
      salesforce:
        salesforce === null
          ? null
          : {
              installation: new SalesforceInstallationInspector(salesforce),
              directory: new SalesforceDirectory(salesforce),
            },
      hubspot:
        env.HUBSPOT_ACCESS_TOKEN === undefined
          ? null
          : new HubSpotInstallationInspector(
              createHubSpotClient({
                accessToken: env.HUBSPOT_ACCESS_TOKEN,
                baseUrl: env.HUBSPOT_BASE_URL,
              }),
            ),
      unreachable,
    },
    close: async () => {
      await redis?.quit();
    },
  };
}

/** What `handoff setup` reads and writes: Salesforce metadata and HubSpot settings. */
export async function createSetupRuntime(
  env: Env,
): Promise<Pick<SetupDeps, 'salesforce' | 'installation' | 'hubspot'>> {
  if (env.HUBSPOT_ACCESS_TOKEN === undefined)
    throw new SetupError('HUBSPOT_ACCESS_TOKEN is required');
  const salesforce = await connectSalesforce(env, new ApiCallMeter());
  let identity: string;
  try {
    identity = await integrationUserId(salesforce);
  } catch (err) {
    throw classifySalesforceError(err);
  }
  const hubspot = createHubSpotClient({
    accessToken: env.HUBSPOT_ACCESS_TOKEN,
    baseUrl: env.HUBSPOT_BASE_URL,
  });
  return {
    salesforce: new SalesforceSetupAdapter(salesforce, identity),
    installation: new SalesforceInstallationInspector(salesforce),
    hubspot: new HubSpotSetupAdapter(hubspot),
  };
}

/** The adapters a worker runs on (API calls metered per system and per job), and their Redis. */
export interface SyncRuntime extends WorkerRuntime {
  /** The API budget: usage per system (`budget.usage()`), pauses, and the check before a cycle. */
  readonly budget: ApiBudget;
  close(): Promise<void>;
}

/**
 * The composition root of a sync: the only place that builds SDK clients, the Redis connection
 * and the adapters. Everything else receives them.
 */
export async function createSyncRuntime(
  env: Env,
  definition: Definition,
  log: Logger,
  now: () => Date,
  /** `shadow`: decide everything, write nothing, journal the decisions (pass `shadowEnv(env)`). */
  options: { readonly shadow?: boolean } = {},
): Promise<SyncRuntime> {
  if (env.HUBSPOT_ACCESS_TOKEN === undefined)
    throw new SetupError('HUBSPOT_ACCESS_TOKEN is required');
  // Every call the worker makes is counted against the budget; jobs' calls may be refused.
  const budget = new ApiBudget({
    ceilings: {
      salesforce: definition.budget.salesforce_daily_percent,
      hubspot: definition.budget.hubspot_daily_percent,
    },
    log,
    now: () => now().getTime(),
  });
  const meter = new ApiCallMeter(budget);
  const mapping = resolveMapping(definition.mapping);
  const hubspot = createHubSpotClient({
    accessToken: env.HUBSPOT_ACCESS_TOKEN,
    baseUrl: env.HUBSPOT_BASE_URL,
    onResponse: (headers) => budget.observe('hubspot', parseHubSpotDailyUsage(headers)),
  });
  const countHubSpot = (): void => meter.count('hubspot');
  // Salesforce first, while nothing is open yet: a refused credential exits with nothing to
  // close. Leads the integration user owns count as unowned; integrationUserId names that user.
  const salesforce = await connectSalesforce(env, meter, budget);
  let identity: string;
  try {
    identity = await integrationUserId(salesforce);
  } catch (err) {
    throw explainConnectFailure(err, salesforceAuthFrom(env));
  }
  // Nurture lists named by name (setup creates them) become ids once, before anything opens.
  let resolved: Definition;
  try {
    resolved = await resolveNurtureLists(
      definition,
      new HubSpotSetupAdapter(hubspot, countHubSpot),
    );
  } catch (err) {
    if (err instanceof NurtureListMissingError) throw new SetupError(err.message, { cause: err });
    throw err;
  }
  const redis = await connectRedis(env);
  try {
    // Handoff's own calls are counted across the installation (every process, every run).
    await budget.share(redis, env.HANDOFF_REDIS_PREFIX);
    const doctor: DoctorDeps = {
      definition: resolved,
      redis: new RedisConfigInspector(redis),
      salesforce: {
        installation: new SalesforceInstallationInspector(salesforce),
        directory: new SalesforceDirectory(salesforce),
      },
      hubspot: new HubSpotInstallationInspector(hubspot, countHubSpot),
      unreachable: {},
      now,
    };
    await preflight(doctor, log);
    const journal =
      options.shadow === true ? new RedisShadowJournal(redis, env.HANDOFF_REDIS_PREFIX) : null;
    const leads = new SalesforceLeadStore(salesforce, mapping);
    const feedbackWriter = new HubSpotContactFeedback(hubspot, countHubSpot);
    return {
      meter,
      budget,
      installationProblems: async () =>
        (await runDoctor(doctor)).filter((check) => check.status === 'fail'),
      contactWriter:
        journal === null
          ? new HubSpotContactWriter(hubspot, mapping, countHubSpot)
          : discardingContactWriter(),
      feedbackWriter: journal === null ? feedbackWriter : discardingFeedbackWriter(feedbackWriter),
      lifecycle: new SalesforceLeadLifecycle(salesforce, mapping, identity),
      probe: new SalesforceChangeProbeAdapter(salesforce, mapping),
      deps: {
        definition: resolved,
        contacts: new HubSpotContactSource(hubspot, mapping, countHubSpot),
        salesforceLeads: new SalesforceLeadSourceAdapter(salesforce, mapping),
        leads: journal === null ? leads : journalingLeadStore(leads, journal, now),
        directory: new SalesforceDirectory(salesforce),
        state: new RedisSyncState(redis, env.HANDOFF_REDIS_PREFIX),
        log,
        now,
        integrationUserId: identity,
      },
      close: async () => {
        await budget.close();
        await redis.quit();
      },
    };
  } catch (err) {
    // Whatever fails once Redis is open must not leave its socket holding the process open.
    await budget.close();
    redis.disconnect();
    throw err;
  }
}
