import { z } from 'zod';

/**
 * Process environment. Secrets come only from here, never from `config/`.
 * Credentials are optional at this level: `validate` and `explain` need none, and the commands
 * that talk to a tenant check for theirs (see `requireHubSpot` / `requireSalesforce`).
 */
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** `true` or `false` in any letter case; unset is false. */
const booleanText = optionalText
  .refine((value) => value === undefined || /^(true|false)$/i.test(value), 'expected true or false')
  .transform((value) => value?.toLowerCase() === 'true');

/** Loopback hosts, where plain http is allowed (the local sandboxes): 127.0.0.0/8, ::1, localhost. */
function isLoopback(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * A CRM endpoint: https, or http on a loopback host only. Credentials travel in every request's
 * headers, so a plain-http URL to anywhere else would send them in clear.
 */
const crmUrl = z.url({ protocol: /^https?$/ }).refine((value) => {
  // Anything but a well-formed http URL is reported by the url check above, once.
  const url = URL.canParse(value) ? new URL(value) : undefined;
  return url?.protocol !== 'http:' || isLoopback(url.hostname);
}, 'must be an https:// URL (plain http only on loopback: 127.0.0.0/8, ::1, localhost)');

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  HANDOFF_CONFIG: z.string().min(1).default('config/handoff.yaml'),
  HUBSPOT_ACCESS_TOKEN: optionalText,
  HUBSPOT_BASE_URL: crmUrl.default('https://api.hubapi.com'),
  HUBSPOT_WEBHOOK_SECRET: optionalText,
  SALESFORCE_INSTANCE_URL: optionalText.pipe(crmUrl.optional()),
  SALESFORCE_ACCESS_TOKEN: optionalText,
  SALESFORCE_LOGIN_URL: crmUrl.default('https://login.salesforce.com'),
  SALESFORCE_CLIENT_ID: optionalText,
  SALESFORCE_CLIENT_SECRET: optionalText,
  SALESFORCE_USERNAME: optionalText,
  SALESFORCE_PRIVATE_KEY_FILE: optionalText,
  SALESFORCE_API_VERSION: z
    .string()
    .regex(/^\d{2,3}\.0$/, 'expected a version such as 62.0')
    .refine((version) => Number(version) >= 60, 'must be 60.0 or later')
    .default('62.0'),
  /**
   * Address the HTTP server binds: loopback unless set (the Docker image sets 0.0.0.0, so the
   * container's published port reaches it).
   */
  HOST: optionalText.transform((host) => host ?? '127.0.0.1'),
  /** 0 picks a free port (tests). */
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /**
   * Whether a reverse proxy (TLS termination, a load balancer) stands in front of the HTTP
   * server: only then are `X-Forwarded-Proto` / `X-Forwarded-Host` believed when the webhook
   * route rebuilds the URL HubSpot signed. Without a proxy anyone could send them.
   */
  TRUST_PROXY: booleanText,
  /**
   * How long contact ids from HubSpot webhooks gather before one job decides them together: a
   * burst of events (an import, a workflow) costs one run, not one per event.
   */
  HANDOFF_WEBHOOK_DEBOUNCE_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  HANDOFF_ADMIN_TOKEN: optionalText.refine(
    (token) => token === undefined || token.length >= 16,
    'must be at least 16 characters',
  ),
  /** Key prefix of Handoff's state in Redis; separate prefixes let tenants share one Redis. */
  HANDOFF_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-"')
    .default('handoff'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * `pretty`: readable lines; `json`: one JSON object per line (log shippers). Unset: pretty when
   * stdout is a terminal, JSON otherwise.
   */
  LOG_FORMAT: optionalText.pipe(z.enum(['json', 'pretty']).optional()),
  /** `/metrics` without the admin token (for a Prometheus inside a private network). */
  METRICS_PUBLIC: booleanText,
  /**
   * `/readyz` answers 503 when a job has waited longer than this (ms): the workers are stuck or
   * too few for the load.
   */
  HANDOFF_READY_MAX_JOB_AGE_MS: z.coerce.number().int().min(1_000).default(300_000),
});

export type Env = z.infer<typeof EnvSchema>;

/** Thrown when the environment is invalid; lists every problem, never a value. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
  readonly code = 'ENV_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid environment:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
}

type Source = Readonly<Record<string, string | undefined>>;

/** Variables that only make sense together; checked on the raw source so they are always reported. */
function missingCompanions(source: Source): string[] {
  const isSet = (name: string): boolean => (source[name]?.trim() ?? '') !== '';
  const problems: string[] = [];
  if (isSet('SALESFORCE_CLIENT_SECRET') && !isSet('SALESFORCE_CLIENT_ID')) {
    problems.push(
      'SALESFORCE_CLIENT_ID: required with SALESFORCE_CLIENT_SECRET (client credentials flow)',
    );
  }
  if (isSet('SALESFORCE_USERNAME')) {
    for (const name of ['SALESFORCE_PRIVATE_KEY_FILE', 'SALESFORCE_CLIENT_ID']) {
      if (!isSet(name))
        problems.push(`${name}: required with SALESFORCE_USERNAME (JWT bearer flow)`);
    }
  }
  return problems;
}

/**
 * Parses the environment. Called by the composition root, never at import time, so tests pass
 * their own `source`. Messages name variables, never their values (they may be secrets).
 */
export function loadEnv(source: Source = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  const problems = [
    ...(parsed.error?.issues ?? []).map(
      (issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`,
    ),
    ...missingCompanions(source),
  ];
  if (parsed.success && problems.length === 0) return parsed.data;
  throw new EnvError(problems);
}
