import { describe, expect, it } from 'vitest';
import {
  HUBSPOT_PROPERTY_CATALOGUE,
  HANDOFF_STATUSES,
  SALESFORCE_FIELD_CATALOGUE,
} from '../../../src/domain/installation/owned-fields.js';
import { resolveMapping } from '../../../src/domain/mapping.js';
import { IntegrationError } from '../../../src/platform/errors.js';
import type {
  DescribedField,
  DescribedProperty,
  RedisSettings,
} from '../../../src/ports/installation.port.js';
import type { SalesUser } from '../../../src/ports/sales-directory.port.js';
import {
  runDoctor,
  type DoctorCheck,
  type DoctorDeps,
} from '../../../src/usecases/doctor/run-doctor.js';
import { makeDefinition, QUEUE } from '../../support/factories.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const NURTURE_QUEUE = '00G5e000000NURTURE';
/** What a private app set up as README says reports: every scope Handoff uses. */
const ALL_SCOPES = [
  'crm.lists.read',
  'crm.lists.write',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.schemas.contacts.read',
  'crm.schemas.contacts.write',
];
/** What a portal without the access-token-info endpoint answers, as the adapter throws it. */
const NOT_FOUND = new IntegrationError('hubspot', 'not_found', 'hubspot 404 OBJECT_NOT_FOUND', {
  code: 'OBJECT_NOT_FOUND',
  status: 404,
});

/** A healthy installation as the ports report it; each test breaks one thing. */
function healthy() {
  const definition = makeDefinition();
  const names = resolveMapping(definition.mapping).salesforceFields;
  const fields = (object: 'Lead' | 'Task'): DescribedField[] => [
    ...SALESFORCE_FIELD_CATALOGUE.filter((spec) => spec.object === object).map((spec) => ({
      name: names[spec.key],
      kind: spec.kind,
      length: spec.length ?? null,
      updateable: true,
      externalId: spec.externalId === true,
      picklistValues:
        spec.key === 'rejection_reason'
          ? [...Object.keys(definition.feedback.reasons), definition.feedback.default_reason]
          : [...(spec.values ?? [])],
    })),
    ...(object === 'Lead'
      ? [
          {
            name: 'Status',
            kind: 'picklist' as const,
            length: null,
            updateable: true,
            externalId: false,
            picklistValues: ['Open - Not Contacted', ...definition.feedback.rejected_statuses],
          },
        ]
      : []),
  ];
  const properties: DescribedProperty[] = HUBSPOT_PROPERTY_CATALOGUE.map((spec) => ({
    name: resolveMapping(definition.mapping).hubspotProperties[spec.key],
    type: spec.type,
    options: spec.key === 'status' ? [...HANDOFF_STATUSES] : [],
  }));
  const owners = new Set<string>();
  for (const pool of Object.values(definition.routing.pools))
    for (const member of pool.members) owners.add(member.owner);
  const users: SalesUser[] = [...owners].map((id) => ({
    id,
    name: `Rep ${id.slice(-2)}`,
    active: true,
    timezone: null,
    managerId: null,
  }));
  const state = {
    definition,
    lead: fields('Lead'),
    task: fields('Task'),
    properties,
    users,
    queues: [
      { id: definition.routing.fallback_owner, name: 'Inbound' },
      { id: NURTURE_QUEUE, name: 'Marketing Nurture' },
    ],
    /** Queues with Lead among their supported objects; null: QueueSobject cannot be read. */
    leadQueues: new Set([definition.routing.fallback_owner, NURTURE_QUEUE]) as Set<string> | null,
    /** The token's scopes; null: the portal will not say. */
    scopes: [...ALL_SCOPES] as string[] | null,
    redis: { evictionPolicy: 'noeviction', appendOnly: true, snapshots: false } as RedisSettings,
    remaining: 95_000,
    serverTime: NOW,
  };
  const deps = (): DoctorDeps => ({
    definition: state.definition,
    redis: { settings: () => Promise.resolve(state.redis) },
    salesforce: {
      installation: {
        fields: (object) => Promise.resolve(object === 'Lead' ? state.lead : state.task),
        dailyApiRequests: () => Promise.resolve({ max: 500_000, remaining: state.remaining }),
        serverTime: () => Promise.resolve(state.serverTime),
        queuesAcceptingLeads: () =>
          state.leadQueues === null
            ? Promise.reject(
                new IntegrationError('salesforce', 'auth', 'salesforce 403 INSUFFICIENT_ACCESS', {
                  code: 'INSUFFICIENT_ACCESS',
                  status: 403,
                }),
              )
            : Promise.resolve(state.leadQueues),
      },
      directory: {
        users: () => Promise.resolve(state.users),
        queues: () => Promise.resolve(state.queues),
        openLeadCounts: () => Promise.resolve(new Map()),
        awayPeriods: () => Promise.resolve(null),
      },
    },
    hubspot: {
      contactProperties: () => Promise.resolve(state.properties),
      tokenScopes: () =>
        state.scopes === null ? Promise.reject(NOT_FOUND) : Promise.resolve(state.scopes),
    },
    unreachable: {},
    now: () => NOW,
  });
  return { state, deps };
}

const problems = (checks: readonly DoctorCheck[]) =>
  checks
    .filter((check) => check.status !== 'pass')
    .map(({ status, area, check, detail, fix }) => ({ status, area, check, detail, fix }));

describe('runDoctor', () => {
  it('passes a healthy installation', async () => {
    const { deps } = healthy();
    const checks = await runDoctor(deps());
    expect(problems(checks)).toEqual([]);
    expect(checks.length).toBeGreaterThan(30);
  });

  it('fails a missing field, a field of the wrong type, one without edit access and a missing picklist value, each with its fix', async () => {
    const { state, deps } = healthy();
    state.lead = state.lead
      .filter((field) => field.name !== 'Handoff_Routed_At__c')
      .map((field) =>
        field.name === 'Handoff_Score__c'
          ? { ...field, kind: 'text' as const }
          : field.name === 'Handoff_Due__c'
            ? { ...field, updateable: false }
            : field.name === 'Rejection_Reason__c'
              ? {
                  ...field,
                  picklistValues: field.picklistValues.filter((value) => value !== 'No budget'),
                }
              : field,
      );
    expect(problems(await runDoctor(deps()))).toEqual([
      {
        status: 'fail',
        area: 'salesforce',
        check: 'Lead.Handoff_Score__c',
        detail: 'Lead.Handoff_Score__c is Text, Handoff needs Number(18, 0)',
        fix: 'change Lead.Handoff_Score__c to Number(18, 0), or map another field under mapping.salesforce_fields',
      },
      {
        status: 'fail',
        area: 'salesforce',
        check: 'Lead.Handoff_Due__c',
        detail: 'Lead.Handoff_Due__c is read-only for the integration user',
        fix: "grant Edit on Lead.Handoff_Due__c in the integration user's permission set (Handoff_Integration)",
      },
      {
        status: 'fail',
        area: 'salesforce',
        check: 'Lead.Handoff_Routed_At__c',
        detail: 'Lead.Handoff_Routed_At__c is missing or not visible to the integration user',
        fix: 'create Lead.Handoff_Routed_At__c as Date/Time and grant the integration user Read and Edit on it (permission set), or run handoff setup --apply',
      },
      expect.objectContaining({
        status: 'fail',
        check: 'Lead.Rejection_Reason__c values',
        detail: 'Lead.Rejection_Reason__c lacks "No budget"',
      }),
    ]);
  });

  it('fails a Lead Status the definition names but the org lacks, with the click path', async () => {
    const { state, deps } = healthy();
    state.lead = state.lead.map((field) =>
      field.name === 'Status' ? { ...field, picklistValues: ['Open - Not Contacted'] } : field,
    );
    const [status] = problems(await runDoctor(deps()));
    expect(status).toMatchObject({ status: 'fail', check: 'Lead.Status values' });
    expect(status?.fix).toContain(
      'Setup → Object Manager → Lead → Fields & Relationships → Lead Status',
    );
  });

  it('fails Redis that may evict, warns when it does not persist or will not say', async () => {
    const { state, deps } = healthy();
    state.redis = { evictionPolicy: 'allkeys-lru', appendOnly: false, snapshots: false };
    expect(problems(await runDoctor(deps())).map(({ status, check }) => [status, check])).toEqual([
      ['fail', 'eviction policy'],
      ['warn', 'persistence'],
    ]);
    state.redis = { evictionPolicy: null, appendOnly: null, snapshots: null };
    expect(problems(await runDoctor(deps())).map(({ status, check }) => [status, check])).toEqual([
      ['warn', 'eviction policy'],
      ['warn', 'persistence'],
    ]);
  });

  it('warns about an inactive pool member and fails an unknown one, a bad fallback owner and a missing property option', async () => {
    const { state, deps } = healthy();
    const [first, second, ...rest] = state.users;
    state.users = [{ ...(first as SalesUser), active: false }, ...rest];
    state.queues = [];
    state.properties = state.properties.map((property) =>
      property.name === 'handoff_status' ? { ...property, options: ['mql', 'routed'] } : property,
    );
    const found = problems(await runDoctor(deps())).map(({ status, check }) => [status, check]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['fail', 'handoff_status'],
        ['warn', expect.stringContaining(first?.id ?? '')],
        ['fail', expect.stringContaining(second?.id ?? '')],
        ['fail', 'routing.fallback_owner'],
      ]),
    );
  });

  it('fails a token without a scope the worker needs, naming each with the click path', async () => {
    const { state, deps } = healthy();
    state.scopes = ['crm.objects.contacts.read', 'crm.schemas.contacts.read', 'crm.lists.read'];
    expect(problems(await runDoctor(deps()))).toEqual([
      {
        status: 'fail',
        area: 'hubspot',
        check: 'scopes',
        detail:
          'the token lacks crm.objects.contacts.write (writing the handoff_* properties and rejection notes), crm.lists.write (adding rejected contacts to nurture lists)',
        fix: 'add crm.objects.contacts.write, crm.lists.write to the private app: Settings → Integrations → Private Apps → the app → Scopes, then Commit changes',
      },
      {
        status: 'warn',
        area: 'hubspot',
        check: 'setup scope',
        detail:
          'the token lacks crm.schemas.contacts.write: handoff setup --apply cannot create the handoff property group, its properties or their options (the worker does not need it)',
        fix: 'before running handoff setup --apply, add crm.schemas.contacts.write to the private app: Settings → Integrations → Private Apps → the app → Scopes, then Commit changes',
      },
    ]);
  });

  it('asks for crm.lists.write when a reason names a nurture list, and crm.lists.read only for one named by name', async () => {
    const { state, deps } = healthy();
    const scopeCheck = async () =>
      (await runDoctor(deps())).find((check) => check.check === 'scopes');
    state.scopes = ALL_SCOPES.filter((scope) => !scope.startsWith('crm.lists.'));
    // The base definition gives its lists by id: nothing looks them up.
    expect(await scopeCheck()).toMatchObject({
      status: 'fail',
      detail: 'the token lacks crm.lists.write (adding rejected contacts to nurture lists)',
    });
    state.definition = makeDefinition((file) => {
      if (file.feedback === undefined) throw new Error('the base definition has feedback');
      file.feedback.reasons = { 'No budget': { nurture_list: 'No budget nurture' } };
    });
    expect(await scopeCheck()).toMatchObject({
      status: 'fail',
      detail:
        'the token lacks crm.lists.read (finding nurture lists by name), crm.lists.write (adding rejected contacts to nurture lists)',
    });
    state.definition = makeDefinition((file) => {
      if (file.feedback === undefined) throw new Error('the base definition has feedback');
      file.feedback.reasons = { 'No budget': { recycle_after_days: 90 }, Competitor: {} };
    });
    expect(problems(await runDoctor(deps()))).toEqual([]);
    expect((await scopeCheck())?.detail).toBe(
      'the token has crm.objects.contacts.read, crm.objects.contacts.write, crm.schemas.contacts.read',
    );
  });

  it('warns, not fails, when the portal will not report the token scopes', async () => {
    const { state, deps } = healthy();
    state.scopes = null;
    const checks = await runDoctor(deps());
    expect(problems(checks)).toEqual([
      {
        status: 'warn',
        area: 'hubspot',
        check: 'scopes',
        detail: "could not read the private app's scopes (not_found: hubspot OBJECT_NOT_FOUND)",
        fix: 'check by hand that the private app has crm.objects.contacts.read, crm.objects.contacts.write, crm.schemas.contacts.read, crm.lists.write, crm.schemas.contacts.write: Settings → Integrations → Private Apps → the app → Scopes',
      },
    ]);
    // The property checks still ran.
    expect(checks.find((check) => check.check === 'handoff_status')).toMatchObject({
      status: 'pass',
    });
  });

  it('still reports the scopes when HubSpot refuses to list the properties', async () => {
    const { state, deps } = healthy();
    state.scopes = ['crm.objects.contacts.read', 'crm.objects.contacts.write'];
    const refused = new IntegrationError('hubspot', 'auth', 'hubspot 403 MISSING_SCOPES', {
      code: 'MISSING_SCOPES',
      status: 403,
    });
    const checks = await runDoctor({
      ...deps(),
      hubspot: {
        contactProperties: () => Promise.reject(refused),
        tokenScopes: () => Promise.resolve(state.scopes ?? []),
      },
    });
    expect(
      checks
        .filter((check) => check.area === 'hubspot')
        .map(({ status, check }) => [status, check]),
    ).toEqual([
      ['fail', 'authenticated'],
      ['fail', 'scopes'],
      ['warn', 'setup scope'],
    ]);
    expect(checks.find((check) => check.check === 'scopes')?.detail).toContain(
      'crm.schemas.contacts.read (reading the handoff_* property definitions)',
    );
  });

  it('fails a queue that does not accept Leads, wherever the definition names it, with the click path', async () => {
    const { state, deps } = healthy();
    const ruleQueue = '00G5e00000VIPQUEUE';
    state.definition = makeDefinition((file) => {
      file.routing.rules.unshift({
        id: 'vip',
        when: { country: { in: ['CH'] } },
        owner: ruleQueue,
      });
      if (file.feedback === undefined) throw new Error('the base definition has feedback');
      file.feedback.nurture_owner = NURTURE_QUEUE;
    });
    state.queues = [...state.queues, { id: ruleQueue, name: 'VIP Desk' }];
    state.leadQueues = new Set([QUEUE, ruleQueue]);
    expect(problems(await runDoctor(deps()))).toEqual([
      {
        status: 'fail',
        area: 'people',
        check: 'feedback.nurture_owner',
        detail:
          'queue Marketing Nurture (00G5e000000NURTURE) does not accept Leads: Salesforce will not let it own one',
        fix: 'Setup → Queues → Marketing Nurture → Edit → Supported Objects: add Lead to Selected Objects → Save',
      },
    ]);
    state.leadQueues = new Set([NURTURE_QUEUE]);
    expect(problems(await runDoctor(deps())).map(({ status, check }) => [status, check])).toEqual([
      ['fail', 'routing.rules.vip.owner'],
      ['fail', 'routing.fallback_owner'],
    ]);
  });

  it('warns about each queue when which queues accept Leads cannot be read', async () => {
    const { state, deps } = healthy();
    state.leadQueues = null;
    expect(problems(await runDoctor(deps()))).toEqual([
      {
        status: 'warn',
        area: 'people',
        check: 'routing.fallback_owner',
        detail:
          'queue Inbound: could not read whether it accepts Leads (auth: salesforce INSUFFICIENT_ACCESS)',
        fix: 'check that Setup → Queues → Inbound → Supported Objects lists Lead',
      },
    ]);
  });

  it('fails when no API calls are left, warns on little headroom and on clock skew', async () => {
    const { state, deps } = healthy();
    state.remaining = 0;
    state.serverTime = new Date(NOW.getTime() + 5 * 60_000);
    expect(problems(await runDoctor(deps())).map(({ status, area }) => [status, area])).toEqual([
      ['fail', 'api'],
      ['warn', 'clock'],
    ]);
    // Quiet, Handoff spends a probe a minute and a reconciliation an hour: 1,488 calls a day.
    state.remaining = 1_400;
    expect(problems(await runDoctor(deps()))[0]).toMatchObject({
      status: 'warn',
      area: 'api',
      detail:
        '1400 of 500000 daily API requests left; Handoff idles at about 1488 a day at poll_interval 60s, reconcile_interval 1h (budget 10%)',
    });
    state.remaining = 2_000;
    expect(problems(await runDoctor(deps())).map(({ area }) => area)).toEqual(['clock']);
  });

  it('reports a system it cannot reach as one failure and skips what needs it', async () => {
    const { deps } = healthy();
    const checks = await runDoctor({
      ...deps(),
      redis: null,
      salesforce: null,
      hubspot: null,
      unreachable: {
        redis: 'Redis is not reachable at REDIS_URL (ECONNREFUSED)',
        salesforce: 'Salesforce refused SALESFORCE_ACCESS_TOKEN',
        hubspot: 'HUBSPOT_ACCESS_TOKEN is not set',
      },
    });
    expect(checks.map(({ status, area, detail }) => [status, area, detail])).toEqual([
      ['fail', 'redis', 'Redis is not reachable at REDIS_URL (ECONNREFUSED)'],
      ['fail', 'salesforce', 'Salesforce refused SALESFORCE_ACCESS_TOKEN'],
      ['fail', 'hubspot', 'HUBSPOT_ACCESS_TOKEN is not set'],
    ]);
  });
});
