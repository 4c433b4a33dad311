import type { Definition } from '../../domain/definition.js';
import {
  HUBSPOT_PROPERTY_CATALOGUE,
  SALESFORCE_KIND_LABELS,
  salesforceTypeLabel,
  type SalesforceFieldSpec,
} from '../../domain/installation/owned-fields.js';
import { resolveMapping } from '../../domain/mapping.js';
import { durationToMs, parseDuration } from '../../domain/time/duration.js';
import { IntegrationError } from '../../platform/errors.js';
import type {
  DescribedField,
  HubSpotInstallation,
  RedisInspector,
  SalesforceInstallation,
  SalesforceLeadQueues,
} from '../../ports/installation.port.js';
import type { SalesDirectory, SalesQueue, SalesUser } from '../../ports/sales-directory.port.js';
import {
  namedNurtureLists,
  ownedFields,
  picklistValues,
  requiredLeadStatuses,
} from '../installation/installation-needs.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One finding: what was checked, how it stands, and the exact fix when it is not a pass. */
export interface DoctorCheck {
  readonly area: 'redis' | 'salesforce' | 'hubspot' | 'people' | 'api' | 'clock';
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string;
}

export interface DoctorDeps {
  readonly definition: Definition;
  /** Null when that system could not be reached at all (the reason is in `unreachable`). */
  readonly redis: RedisInspector | null;
  readonly salesforce: {
    readonly installation: SalesforceInstallation & SalesforceLeadQueues;
    readonly directory: SalesDirectory;
  } | null;
  readonly hubspot: HubSpotInstallation | null;
  readonly unreachable: Readonly<Partial<Record<'redis' | 'salesforce' | 'hubspot', string>>>;
  readonly now: () => Date;
}

/** Salesforce calls a quiet poll cycle makes: the change probe. */
const SALESFORCE_CALLS_PER_QUIET_CYCLE = 1;
/** Salesforce calls a quiet reconciliation makes: the SLA watch's query and the rejection scan's. */
const SALESFORCE_CALLS_PER_QUIET_RECONCILIATION = 2;
const CLOCK_SKEW_WARN_MS = 60_000;
const DAY_MS = 86_400_000;
const QUEUE_ID_PREFIX = '00G';

/** The private app's scopes the worker cannot run without, and what each is for. */
const REQUIRED_SCOPES: Readonly<Record<string, string>> = {
  'crm.objects.contacts.read': 'reading contacts and their activity',
  'crm.objects.contacts.write': 'writing the handoff_* properties and rejection notes',
  'crm.schemas.contacts.read': 'reading the handoff_* property definitions',
};
/** Needed when a rejection reason names a nurture list by name: it is looked up at start. */
const LIST_READ_SCOPE = 'crm.lists.read';
/** Needed when a rejection reason names any nurture list: rejected contacts are added to it. */
const LIST_WRITE_SCOPE = 'crm.lists.write';
/** Only `handoff setup --apply` uses it; an installed portal works without it. */
const SETUP_SCOPE = 'crm.schemas.contacts.write';
const SCOPES_CLICK_PATH = 'Settings → Integrations → Private Apps → the app → Scopes';

const pass = (area: DoctorCheck['area'], check: string, detail: string): DoctorCheck => ({
  area,
  check,
  status: 'pass',
  detail,
});

/** One failure for a system that could not be reached; the checks that need it are skipped. */
const unreachableCheck = (
  area: DoctorCheck['area'],
  detail: string,
  fix: string,
): DoctorCheck[] => [
  { area, check: area === 'redis' ? 'reachable' : 'authenticated', status: 'fail', detail, fix },
];

function failure(error: unknown): string {
  return error instanceof IntegrationError
    ? `${error.kind}: ${error.system} ${error.code}`
    : error instanceof Error
      ? error.message
      : String(error);
}

function redisChecks(
  deps: DoctorDeps,
  settings: Awaited<ReturnType<RedisInspector['settings']>> | null,
): DoctorCheck[] {
  if (settings === null)
    return unreachableCheck(
      'redis',
      deps.unreachable.redis ?? 'Redis is not reachable',
      'start Redis, or point REDIS_URL at it',
    );
  const checks: DoctorCheck[] = [pass('redis', 'reachable', 'Redis answers')];
  if (settings.evictionPolicy === null)
    checks.push({
      area: 'redis',
      check: 'eviction policy',
      status: 'warn',
      detail: 'Redis does not say its maxmemory-policy (CONFIG is disabled)',
      fix: 'make sure the provider runs it with maxmemory-policy noeviction',
    });
  else if (settings.evictionPolicy !== 'noeviction')
    checks.push({
      area: 'redis',
      check: 'eviction policy',
      status: 'fail',
      detail: `maxmemory-policy is ${settings.evictionPolicy}: under memory pressure Redis drops queued work`,
      fix: 'set maxmemory-policy noeviction in redis.conf (or CONFIG SET maxmemory-policy noeviction)',
    });
  else checks.push(pass('redis', 'eviction policy', 'maxmemory-policy is noeviction'));
  if (settings.appendOnly === false && settings.snapshots === false)
    checks.push({
      area: 'redis',
      check: 'persistence',
      status: 'warn',
      detail:
        'neither AOF nor RDB snapshots are on: a restart loses queued work and costs a full re-read',
      fix: 'set appendonly yes (and appendfsync everysec) in redis.conf',
    });
  else if (settings.appendOnly === null && settings.snapshots === null)
    checks.push({
      area: 'redis',
      check: 'persistence',
      status: 'warn',
      detail: 'Redis does not say whether it persists (CONFIG is disabled)',
      fix: 'make sure the provider keeps AOF or RDB persistence on',
    });
  else
    checks.push(
      pass(
        'redis',
        'persistence',
        settings.appendOnly === true ? 'AOF is on' : 'RDB snapshots are on',
      ),
    );
  return checks;
}

function fieldCheck(
  spec: SalesforceFieldSpec,
  name: string,
  found: DescribedField | undefined,
): DoctorCheck {
  const field = `${spec.object}.${name}`;
  const create = `create ${field} as ${salesforceTypeLabel(spec)} and grant the integration user Read and Edit on it (permission set), or run handoff setup --apply`;
  if (found === undefined)
    return {
      area: 'salesforce',
      check: field,
      status: 'fail',
      detail: `${field} is missing or not visible to the integration user`,
      fix: create,
    };
  if (found.kind !== spec.kind)
    return {
      area: 'salesforce',
      check: field,
      status: 'fail',
      detail: `${field} is ${found.kind === 'other' ? 'of another type' : SALESFORCE_KIND_LABELS[found.kind]}, Handoff needs ${salesforceTypeLabel(spec)}`,
      fix: `change ${field} to ${salesforceTypeLabel(spec)}, or map another field under mapping.salesforce_fields`,
    };
  if (!found.updateable)
    return {
      area: 'salesforce',
      check: field,
      status: 'fail',
      detail: `${field} is read-only for the integration user`,
      fix: `grant Edit on ${field} in the integration user's permission set (Handoff_Integration)`,
    };
  if (spec.externalId === true && !found.externalId)
    return {
      area: 'salesforce',
      check: field,
      status: 'fail',
      detail: `${field} is not an External ID: Handoff upserts on it`,
      fix: `edit ${field}: tick External ID and Unique`,
    };
  if (spec.length !== undefined && found.length !== null && found.length < spec.length)
    return {
      area: 'salesforce',
      check: field,
      status: 'warn',
      detail: `${field} holds ${found.length} characters; Handoff writes up to ${spec.length}`,
      fix: `raise the length of ${field} to ${spec.length}`,
    };
  return pass('salesforce', field, `${salesforceTypeLabel(spec)}, writable`);
}

function missingValuesCheck(
  field: string,
  found: DescribedField | undefined,
  needed: readonly string[],
  fix: (missing: string) => string,
): DoctorCheck | null {
  if (found === undefined) return null;
  const missing = needed.filter((value) => !found.picklistValues.includes(value));
  if (missing.length === 0)
    return pass(
      'salesforce',
      `${field} values`,
      `has ${needed.map((value) => `"${value}"`).join(', ')}`,
    );
  return {
    area: 'salesforce',
    check: `${field} values`,
    status: 'fail',
    detail: `${field} lacks ${missing.map((value) => `"${value}"`).join(', ')}`,
    fix: fix(missing.map((value) => `"${value}"`).join(', ')),
  };
}

async function salesforceChecks(deps: DoctorDeps): Promise<DoctorCheck[]> {
  if (deps.salesforce === null)
    return unreachableCheck(
      'salesforce',
      deps.unreachable.salesforce ?? 'Salesforce could not be reached',
      'check SALESFORCE_* in the environment (see handoff sync --once for the exact message)',
    );
  const { definition } = deps;
  const { installation } = deps.salesforce;
  let lead: readonly DescribedField[];
  let task: readonly DescribedField[];
  try {
    [lead, task] = await Promise.all([installation.fields('Lead'), installation.fields('Task')]);
  } catch (err) {
    return [
      {
        area: 'salesforce',
        check: 'authenticated',
        status: 'fail',
        detail: `Salesforce refused the describe calls (${failure(err)})`,
        fix: 'check the integration user’s credentials and that it may read Lead and Task',
      },
    ];
  }
  const checks: DoctorCheck[] = [pass('salesforce', 'authenticated', 'Lead and Task described')];
  const byName = (fields: readonly DescribedField[], name: string) =>
    fields.find((field) => field.name.toLowerCase() === name.toLowerCase());
  const fields = ownedFields(definition);
  for (const { spec, name } of fields)
    checks.push(fieldCheck(spec, name, byName(spec.object === 'Lead' ? lead : task, name)));
  for (const { spec, key } of fields) {
    if (spec.kind !== 'picklist') continue;
    const values = missingValuesCheck(
      key,
      byName(spec.object === 'Lead' ? lead : task, key.slice(spec.object.length + 1)),
      picklistValues(definition, spec),
      (missing) =>
        `add ${missing} to ${key} (Setup → Object Manager → ${spec.object} → Fields & Relationships), or run handoff setup --apply`,
    );
    if (values !== null) checks.push(values);
  }
  const statuses = missingValuesCheck(
    'Lead.Status',
    byName(lead, 'Status'),
    requiredLeadStatuses(definition),
    (missing) =>
      `add ${missing} to the Lead Status picklist: Setup → Object Manager → Lead → Fields & Relationships → Lead Status → Values → New (standard picklists cannot be created through the API)`,
  );
  if (statuses !== null) checks.push(statuses);
  return checks;
}

/**
 * The scopes the definition needs. A nurture list given by id is never looked up, so
 * crm.lists.read is only needed for one given by name (the worker resolves names when it starts).
 */
function neededScopes(definition: Definition): Readonly<Record<string, string>> {
  const lists = Object.values(definition.feedback.reasons).some(
    (reason) => reason.nurture_list !== undefined,
  );
  return {
    ...REQUIRED_SCOPES,
    ...(namedNurtureLists(definition).length > 0
      ? { [LIST_READ_SCOPE]: 'finding nurture lists by name' }
      : {}),
    ...(lists ? { [LIST_WRITE_SCOPE]: 'adding rejected contacts to nurture lists' } : {}),
  };
}

/**
 * The private app's scopes against what Handoff calls. A portal that will not tell (the
 * endpoint answers 404 or fails) is a warning: the other checks still show what is refused.
 */
async function scopeChecks(
  hubspot: HubSpotInstallation,
  definition: Definition,
): Promise<DoctorCheck[]> {
  const needed = neededScopes(definition);
  let granted: readonly string[];
  try {
    granted = await hubspot.tokenScopes();
  } catch (err) {
    return [
      {
        area: 'hubspot',
        check: 'scopes',
        status: 'warn',
        detail: `could not read the private app's scopes (${failure(err)})`,
        fix: `check by hand that the private app has ${[...Object.keys(needed), SETUP_SCOPE].join(', ')}: ${SCOPES_CLICK_PATH}`,
      },
    ];
  }
  const missing = Object.keys(needed).filter((scope) => !granted.includes(scope));
  const checks: DoctorCheck[] = [
    missing.length === 0
      ? pass('hubspot', 'scopes', `the token has ${Object.keys(needed).join(', ')}`)
      : {
          area: 'hubspot',
          check: 'scopes',
          status: 'fail',
          detail: `the token lacks ${missing.map((scope) => `${scope} (${needed[scope] ?? scope})`).join(', ')}`,
          fix: `add ${missing.join(', ')} to the private app: ${SCOPES_CLICK_PATH}, then Commit changes`,
        },
  ];
  checks.push(
    granted.includes(SETUP_SCOPE)
      ? pass('hubspot', 'setup scope', `the token has ${SETUP_SCOPE}`)
      : {
          area: 'hubspot',
          check: 'setup scope',
          status: 'warn',
          detail: `the token lacks ${SETUP_SCOPE}: handoff setup --apply cannot create the handoff property group, its properties or their options (the worker does not need it)`,
          fix: `before running handoff setup --apply, add ${SETUP_SCOPE} to the private app: ${SCOPES_CLICK_PATH}, then Commit changes`,
        },
  );
  return checks;
}

async function hubspotChecks(deps: DoctorDeps): Promise<DoctorCheck[]> {
  if (deps.hubspot === null)
    return unreachableCheck(
      'hubspot',
      deps.unreachable.hubspot ?? 'HubSpot could not be reached',
      'set HUBSPOT_ACCESS_TOKEN to the private app’s token',
    );
  // The scopes are read even when listing properties fails: a missing scope is the likely cause.
  const [listed, scopes] = await Promise.all([
    deps.hubspot.contactProperties().then(
      (properties) => ({ ok: true as const, properties }),
      (err: unknown) => ({ ok: false as const, err }),
    ),
    scopeChecks(deps.hubspot, deps.definition),
  ]);
  if (!listed.ok)
    return [
      {
        area: 'hubspot',
        check: 'authenticated',
        status: 'fail',
        detail: `HubSpot refused to list contact properties (${failure(listed.err)})`,
        fix: 'give the private app the crm.objects.contacts.read/write and crm.schemas.contacts.read scopes, and set its token in HUBSPOT_ACCESS_TOKEN',
      },
      ...scopes,
    ];
  const { properties } = listed;
  const checks: DoctorCheck[] = [
    pass('hubspot', 'authenticated', 'contact properties listed'),
    ...scopes,
  ];
  const names = resolveMapping(deps.definition.mapping).hubspotProperties;
  for (const spec of HUBSPOT_PROPERTY_CATALOGUE) {
    const name = names[spec.key];
    const found = properties.find((property) => property.name === name);
    const create = `create the contact property ${name} (${spec.type}) in the group handoff, or run handoff setup --apply`;
    if (found === undefined) {
      checks.push({
        area: 'hubspot',
        check: name,
        status: 'fail',
        detail: `contact property ${name} is missing`,
        fix: create,
      });
      continue;
    }
    if (found.type !== spec.type) {
      checks.push({
        area: 'hubspot',
        check: name,
        status: 'fail',
        detail: `${name} is of type ${found.type}, Handoff writes ${spec.type}`,
        fix: `recreate ${name} as ${spec.type}, or map another property under mapping.hubspot_properties`,
      });
      continue;
    }
    const missing = (spec.options ?? []).filter((option) => !found.options.includes(option));
    checks.push(
      missing.length === 0
        ? pass('hubspot', name, spec.type)
        : {
            area: 'hubspot',
            check: name,
            status: 'fail',
            detail: `${name} lacks the options ${missing.join(', ')}`,
            fix: `add the options ${missing.join(', ')} to ${name}, or run handoff setup --apply`,
          },
    );
  }
  return checks;
}

/** Which queues accept Leads, or why that could not be read. */
type LeadQueueSupport =
  | { readonly known: true; readonly ids: ReadonlySet<string> }
  | { readonly known: false; readonly reason: string };

/**
 * A queue that owns Leads must list Lead among its supported objects (a QueueSobject row), or
 * Salesforce refuses to give it one.
 */
function queueCheck(
  key: string,
  queue: { readonly id: string; readonly name: string },
  support: LeadQueueSupport,
): DoctorCheck {
  if (!support.known)
    return {
      area: 'people',
      check: key,
      status: 'warn',
      detail: `queue ${queue.name}: could not read whether it accepts Leads (${support.reason})`,
      fix: `check that Setup → Queues → ${queue.name} → Supported Objects lists Lead`,
    };
  if (support.ids.has(queue.id)) return pass('people', key, `queue ${queue.name}, accepts Leads`);
  return {
    area: 'people',
    check: key,
    status: 'fail',
    detail: `queue ${queue.name} (${queue.id}) does not accept Leads: Salesforce will not let it own one`,
    fix: `Setup → Queues → ${queue.name} → Edit → Supported Objects: add Lead to Selected Objects → Save`,
  };
}

interface PeopleRead {
  readonly users: readonly SalesUser[];
  readonly queues: readonly SalesQueue[];
  readonly support: LeadQueueSupport;
}

/**
 * Users, queues and which queues take Leads, read at once. Settled, not thrown: the read starts
 * with the describes (so that they share one Salesforce call) and is looked at only once those
 * show Salesforce let Handoff in.
 */
function readPeople(
  salesforce: NonNullable<DoctorDeps['salesforce']>,
): Promise<{ readonly read: PeopleRead } | { readonly error: unknown }> {
  return Promise.all([
    salesforce.directory.users(),
    salesforce.directory.queues(),
    salesforce.installation.queuesAcceptingLeads().then(
      (ids): LeadQueueSupport => ({ known: true, ids }),
      (err: unknown): LeadQueueSupport => ({ known: false, reason: failure(err) }),
    ),
  ]).then(
    ([users, queues, support]) => ({ read: { users, queues, support } }),
    (error: unknown) => ({ error }),
  );
}

function peopleChecks(deps: DoctorDeps, people: PeopleRead): DoctorCheck[] {
  const { routing, feedback } = deps.definition;
  const { users, queues, support } = people;
  const findUser = (id: string) => users.find((candidate) => candidate.id === id);
  const findQueue = (id: string) => queues.find((candidate) => candidate.id === id);
  const checks: DoctorCheck[] = [];
  for (const [poolName, pool] of Object.entries(routing.pools))
    for (const member of pool.members) {
      const check = `pool ${poolName}: ${member.owner}`;
      // The validator takes users only; a queue here would still have to accept Leads.
      const queue = member.owner.startsWith(QUEUE_ID_PREFIX) ? findQueue(member.owner) : undefined;
      if (queue !== undefined) {
        checks.push(queueCheck(check, queue, support));
        continue;
      }
      const user = findUser(member.owner);
      if (user === undefined)
        checks.push({
          area: 'people',
          check,
          status: 'fail',
          detail: `${member.owner} is not a Salesforce user the integration user can see`,
          fix: `correct the owner id in routing.pools.${poolName}`,
        });
      else if (!user.active)
        checks.push({
          area: 'people',
          check,
          status: 'warn',
          detail: `${user.name} is inactive: routing skips them`,
          fix: `reactivate ${user.name}, or remove them from routing.pools.${poolName}`,
        });
      else checks.push(pass('people', check, `${user.name}, active`));
    }
  // Every other owner a Lead can be given: fixed rule owners, the fallback, the nurture owner.
  const owners: [string, string][] = [];
  for (const rule of routing.rules)
    if (rule.owner !== undefined) owners.push([`routing.rules.${rule.id}.owner`, rule.owner]);
  owners.push(['routing.fallback_owner', routing.fallback_owner]);
  if (feedback.nurture_owner !== undefined)
    owners.push(['feedback.nurture_owner', feedback.nurture_owner]);
  for (const [key, id] of owners) {
    const queue = findQueue(id);
    const user = findUser(id);
    checks.push(
      queue !== undefined
        ? queueCheck(key, queue, support)
        : user?.active === true
          ? pass('people', key, `${user.name}, active`)
          : {
              area: 'people',
              check: key,
              status: 'fail',
              detail: `${id} is neither a queue nor an active user`,
              fix: `set ${key} to a Lead queue (00G…) or an active user (005…)`,
            },
    );
  }
  return checks;
}

async function headroomChecks(deps: DoctorDeps): Promise<DoctorCheck[]> {
  if (deps.salesforce === null) return [];
  const checks: DoctorCheck[] = [];
  const { installation } = deps.salesforce;
  const allowance = await installation.dailyApiRequests();
  const { sync, budget } = deps.definition;
  const perDay = (text: string, fallback: number): number => {
    const interval = parseDuration(text);
    return DAY_MS / (interval === null ? fallback : durationToMs(interval));
  };
  const expected = Math.ceil(
    perDay(sync.poll_interval, 60_000) * SALESFORCE_CALLS_PER_QUIET_CYCLE +
      perDay(sync.reconcile_interval, 3_600_000) * SALESFORCE_CALLS_PER_QUIET_RECONCILIATION,
  );
  const share = budget.salesforce_daily_percent / 100;
  const detail = `${allowance.remaining} of ${allowance.max} daily API requests left; Handoff idles at about ${expected} a day at poll_interval ${sync.poll_interval}, reconcile_interval ${sync.reconcile_interval} (budget ${budget.salesforce_daily_percent}%)`;
  if (allowance.remaining <= 0)
    checks.push({
      area: 'api',
      check: 'Salesforce headroom',
      status: 'fail',
      detail,
      fix: 'wait for the allocation to recover, or buy more API calls',
    });
  else if (expected > allowance.remaining || expected > allowance.max * share)
    checks.push({
      area: 'api',
      check: 'Salesforce headroom',
      status: 'warn',
      detail,
      fix: 'raise sync.poll_interval (webhooks keep HubSpot changes immediate), budget.salesforce_daily_percent, or the org’s allocation',
    });
  else checks.push(pass('api', 'Salesforce headroom', detail));
  const skew = (await installation.serverTime()).getTime() - deps.now().getTime();
  checks.push(
    Math.abs(skew) > CLOCK_SKEW_WARN_MS
      ? {
          area: 'clock',
          check: 'skew',
          status: 'warn',
          detail: `this machine's clock is ${Math.round(-skew / 1000)} s off Salesforce's: due dates and SLA checks shift by as much`,
          fix: 'run NTP (chrony, systemd-timesyncd) on this machine',
        }
      : pass('clock', 'skew', `within ${Math.round(Math.abs(skew) / 1000)} s of Salesforce`),
  );
  return checks;
}

/**
 * Every check a deployment needs, each a pass, a warning (degrades Handoff) or a failure (breaks
 * it), with the exact fix. Reads only. A system that cannot be reached is one failure, not a
 * cascade; the checks that need it are skipped.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorCheck[]> {
  const settings = deps.redis === null ? null : await deps.redis.settings().catch(() => null);
  const people = deps.salesforce === null ? null : readPeople(deps.salesforce);
  const [salesforce, hubspot] = await Promise.all([salesforceChecks(deps), hubspotChecks(deps)]);
  const reachable = salesforce.every(
    (check) => check.check !== 'authenticated' || check.status === 'pass',
  );
  const more: DoctorCheck[] = [];
  if (reachable && people !== null) {
    const [read, headroom] = await Promise.all([people, headroomChecks(deps)]);
    if ('error' in read) throw read.error;
    more.push(...peopleChecks(deps, read.read), ...headroom);
  }
  return [...redisChecks(deps, settings), ...salesforce, ...hubspot, ...more];
}
