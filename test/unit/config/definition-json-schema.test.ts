import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderDefinitionJsonSchema } from '../../../src/config/definition-json-schema.js';

describe('config/handoff.schema.json', () => {
  it('is the schema generated from the zod definition (run `npm run schema` after changing it)', async () => {
    const checkedIn = await readFile(
      new URL('../../../config/handoff.schema.json', import.meta.url),
      'utf8',
    );
    expect(checkedIn).toBe(renderDefinitionJsonSchema());
  });

  it('forbids unknown keys and makes defaulted keys optional', () => {
    const schema = JSON.parse(renderDefinitionJsonSchema()) as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.sort()).toEqual(['qualification', 'routing', 'sla', 'version']);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'version',
        'qualification',
        'routing',
        'sync',
        'sla',
        'feedback',
        'mapping',
      ]),
    );
  });
});
