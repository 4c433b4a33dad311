import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { DefinitionFile } from '../../../src/config/definition.schema.js';
import { parseDefinition } from '../../../src/config/load-definition.js';
import { formatIssue } from '../../../src/config/parse-yaml.js';
import { baseDefinitionFile } from '../../support/factories.js';

function parse(edit: (file: DefinitionFile) => void): ReturnType<typeof parseDefinition> {
  const file = baseDefinitionFile();
  edit(file);
  return parseDefinition(stringify(file));
}

/** Problems of the edited base definition, as `path: message` (lines left out). */
function problems(edit: (file: DefinitionFile) => void): string[] {
  const result = parse(edit);
  return result.ok ? [] : result.issues.map((issue) => formatIssue({ ...issue, line: null }));
}

describe('routing.pools.*.within_working_hours and members[].working_hours', () => {
  it('accepts member hours in a pool that routes within working hours', () => {
    const result = parse((file) => {
      file.routing.pools = {
        ...file.routing.pools,
        global: {
          within_working_hours: true,
          members: [
            { owner: '0055e000001AAAAAA1', working_hours: { start: '06:00', end: '14:00' } },
          ],
        },
      };
    });
    expect(result.ok && result.value.routing.pools['global']).toEqual({
      within_working_hours: true,
      members: [
        {
          owner: '0055e000001AAAAAA1',
          weight: 1,
          working_hours: {
            days: ['mon', 'tue', 'wed', 'thu', 'fri'],
            start: '06:00',
            end: '14:00',
          },
        },
      ],
    });
  });

  it('names member hours that would have no effect, and hours that end before they start', () => {
    expect(
      problems((file) => {
        file.routing.pools = {
          ...file.routing.pools,
          global: {
            members: [
              { owner: '0055e000001AAAAAA1', working_hours: { start: '18:00', end: '08:00' } },
            ],
          },
        };
      }),
    ).toEqual([
      'routing.pools.global.members[0].working_hours: has no effect unless pool global sets within_working_hours: true',
      'routing.pools.global.members[0].working_hours.end: must be after start 18:00',
    ]);
  });
});
