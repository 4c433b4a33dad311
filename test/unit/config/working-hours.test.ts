import { describe, expect, it } from 'vitest';
import {
  editedProblems as problems,
  parseEdited as parse,
} from '../../support/edited-definition.js';

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
