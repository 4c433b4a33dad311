import { describe, expect, it } from 'vitest';
import {
  HUBSPOT_PROPERTY_CATALOGUE,
  HANDOFF_STATUSES,
  SALESFORCE_FIELD_CATALOGUE,
} from '../../../src/domain/installation/owned-fields.js';
import { resolveMapping } from '../../../src/domain/mapping.js';
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
import { makeDefinition } from '../../support/factories.js';

const NOW = new Date('2026-12-01T12:00:00Z');

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
    queues: [{ id: definition.routing.fallback_owner, name: 'Inbound' }],
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
      },
      directory: {
        users: () => Promise.resolve(state.users),
        queues: () => Promise.resolve(state.queues),
        openLeadCounts: () => Promise.resolve(new Map()),
      },
    },
    hubspot: { contactProperties: () => Promise.resolve(state.properties) },
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

  it('fails when no API calls are left, warns on little headroom and on clock skew', async () => {
    const { state, deps } = healthy();
    state.remaining = 0;
    state.serverTime = new Date(NOW.getTime() + 5 * 60_000);
    expect(problems(await runDoctor(deps())).map(({ status, area }) => [status, area])).toEqual([
      ['fail', 'api'],
      ['warn', 'clock'],
    ]);
    state.remaining = 10_000;
    expect(problems(await runDoctor(deps()))[0]).toMatchObject({ status: 'warn', area: 'api' });
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
