import { DefinitionSchema, type DefinitionFile } from '../../src/config/definition.schema.js';
import type { Definition } from '../../src/domain/definition.js';
import type { Activity, AttributeValue, Lead } from '../../src/domain/model.js';
import type { Directory, DirectoryUser } from '../../src/domain/routing/route-lead.js';

export const USER_A = '0055e000001AAAAAA1';
export const USER_B = '0055e000001AAAAAA2';
export const USER_C = '0055e000001AAAAAA3';
export const ACCOUNT_OWNER = '0055e000001AAAAAA9';
export const QUEUE = '00G5e000000QUEUE01';

/** A small definition in file shape; every factory call gets a fresh copy. */
export function baseDefinitionFile(): DefinitionFile {
  return {
    version: 'test-1',
    qualification: {
      threshold: 60,
      gates: [
        { id: 'has-email', field: 'email', exists: true },
        { id: 'business-email', field: 'email', not_matches: '(?i)@(gmail|yahoo)\\.' },
      ],
      fit: [
        { id: 'senior-title', field: 'title', matches: '(?i)\\b(vp|director)\\b', points: 30 },
        { id: 'mid-market', field: 'employees', gte: 200, points: 20 },
        { id: 'core-country', field: 'country', in: ['US', 'GB'], points: 10 },
      ],
      engagement: {
        half_life_days: 14,
        max_points: 60,
        activities: { demo_request: 40, form_submission: 15, page_view: 1 },
      },
      tiers: { A: 85, B: 70, C: 60 },
    },
    routing: {
      rules: [
        { id: 'existing-account', account_owner: true },
        { id: 'emea', when: { country: { in: ['GB', 'DE'] } }, pool: 'emea' },
        { id: 'inbound', pool: 'inbound' },
      ],
      pools: {
        emea: { members: [{ owner: USER_A, timezone: 'Europe/London' }] },
        inbound: {
          members: [
            { owner: USER_B, weight: 2, max_open: 3 },
            { owner: USER_C, weight: 1 },
          ],
        },
      },
      fallback_owner: QUEUE,
    },
    sla: {
      timezone: 'owner',
      default_timezone: 'America/New_York',
      business_hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
      holidays: ['2026-12-25'],
      first_touch: { A: '1h', B: '4h', C: '1d' },
    },
    feedback: {
      rejected_statuses: ['Unqualified', 'Rejected'],
      default_reason: 'Unspecified',
      reasons: {
        'No budget': { nurture_list: '101', recycle_after_days: 90 },
        'Bad timing': { nurture_list: '102' },
        Competitor: {},
      },
    },
  };
}

/** Parses a definition through the real schema, so defaults and checks apply as in production. */
export function makeDefinition(edit: (file: DefinitionFile) => void = () => undefined): Definition {
  const file = baseDefinitionFile();
  edit(file);
  return DefinitionSchema.parse(file);
}

export function makeLead(
  attributes: Record<string, AttributeValue | undefined> = {},
  account: Lead['account'] = null,
): Lead {
  return {
    attributes: {
      email: 'sam@example.com',
      title: 'VP Marketing',
      employees: 500,
      country: 'US',
      ...attributes,
    },
    account,
  };
}

export function makeActivity(type: string, at: string): Activity {
  return { type, at: new Date(at) };
}

export function makeUser(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  return { active: true, outOfOffice: false, openLeads: 0, ...overrides };
}

export function makeDirectory(users: Record<string, Partial<DirectoryUser>>): Directory {
  return new Map(Object.entries(users).map(([id, user]) => [id, makeUser(user)]));
}
