import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderDefinitionJsonSchema } from '../../../src/config/definition-json-schema.js';
import { parseDefinition } from '../../../src/config/load-definition.js';
import { formatIssue } from '../../../src/config/parse-yaml.js';
import { SALESFORCE_ACTIVITY_TYPES } from '../../../src/domain/model.js';
import {
  editedProblems as problems,
  parseEdited as parse,
} from '../../support/edited-definition.js';

const EXAMPLE = new URL('../../../config/handoff.example.yaml', import.meta.url);
const ALLOWED = '"campaign_response", "call", "meeting", "email", "task"';

describe('qualification.engagement.salesforce_activities', () => {
  it('defaults to no Salesforce activity types, with or without an engagement section', () => {
    const without = parse((file) => void delete file.qualification.engagement);
    expect(without.ok && without.value.qualification.engagement.salesforce_activities).toEqual({});
    const partial = parse((file) => {
      file.qualification.engagement = { activities: { demo_request: 40 } };
    });
    expect(partial.ok && partial.value.qualification.engagement).toEqual({
      half_life_days: 14,
      max_points: 60,
      activities: { demo_request: 40 },
      salesforce_activities: {},
    });
  });

  it('accepts every Salesforce activity type, with points like HubSpot activities', () => {
    const weights = Object.fromEntries(
      SALESFORCE_ACTIVITY_TYPES.map((type, index) => [type, index * 5 - 5]),
    );
    const result = parse((file) => {
      file.qualification.engagement = { salesforce_activities: weights };
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect({ ...result.value.qualification.engagement.salesforce_activities }).toEqual(weights);
    // Prototype-free like the other definition-keyed records.
    expect(Object.getPrototypeOf(result.value.qualification.engagement.salesforce_activities)).toBe(
      null,
    );
  });

  it('rejects an unknown type, naming it and listing the allowed ones, with its line', () => {
    const text = `version: "1"
qualification:
  threshold: 10
  engagement:
    salesforce_activities:
      call: 5
      webinar: 10
  tiers: { A: 10 }
routing: { rules: [{ id: all, owner: "0055e000001AAAAAA1" }], fallback_owner: "00G5e000000QUEUE1" }
sla: { first_touch: { A: 2h } }
`;
    const result = parseDefinition(text);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      `qualification.engagement.salesforce_activities.webinar: unknown Salesforce activity type: expected one of ${ALLOWED}, got "webinar" (line 7)`,
    ]);
  });

  it.each([
    ['a HubSpot-only type', 'demo_request'],
    ['a name Object.prototype has', 'constructor'],
    ['a type spelt in another case', 'Call'],
  ])('rejects %s as a key', (_label, key) => {
    expect(
      problems((file) => {
        file.qualification.engagement = { salesforce_activities: { [key]: 1 } };
      }),
    ).toEqual([
      `qualification.engagement.salesforce_activities.${key}: unknown Salesforce activity type: expected one of ${ALLOWED}, got ${JSON.stringify(key)}`,
    ]);
  });

  it('bounds the points with the same validator as HubSpot activities', () => {
    expect(
      problems((file) => {
        file.qualification.engagement = {
          activities: { demo_request: 1e9 },
          salesforce_activities: { call: 1e9 },
        };
      }),
    ).toEqual([
      'qualification.engagement.activities.demo_request: expected a finite number between -10000 and 10000, got 1000000000',
      'qualification.engagement.salesforce_activities.call: expected a finite number between -10000 and 10000, got 1000000000',
    ]);
  });

  it('is in the example definition with known types only', async () => {
    const result = parseDefinition(await readFile(EXAMPLE, 'utf8'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const types = Object.keys(result.value.qualification.engagement.salesforce_activities);
    expect(types.length).toBeGreaterThan(0);
    for (const type of types) expect(SALESFORCE_ACTIVITY_TYPES).toContain(type);
  });

  it('lists the allowed keys in the generated JSON Schema', () => {
    const schema = JSON.parse(renderDefinitionJsonSchema()) as {
      properties: {
        qualification: {
          properties: {
            engagement: {
              properties: Record<string, { propertyNames?: { enum?: string[] } }>;
            };
          };
        };
      };
    };
    const engagement = schema.properties.qualification.properties.engagement.properties;
    expect(engagement['salesforce_activities']?.propertyNames?.enum).toEqual([
      ...SALESFORCE_ACTIVITY_TYPES,
    ]);
  });
});
