import { describe, expect, it } from 'vitest';
import {
  NurtureListMissingError,
  resolveNurtureLists,
} from '../../../src/usecases/setup/resolve-nurture-lists.js';
import { makeDefinition } from '../../support/factories.js';

const definition = makeDefinition((file) => {
  file.feedback = {
    ...file.feedback,
    reasons: {
      'No budget': { nurture_list: 'Nurture — no budget', recycle_after_days: 90 },
      'Bad timing': { nurture_list: '102' },
      constructor: { nurture_list: 'Nurture — no budget' },
      Competitor: {},
    },
  };
});

describe('resolveNurtureLists', () => {
  it('replaces list names by their ids, keeping ids and everything else', async () => {
    const asked: string[][] = [];
    const resolved = await resolveNurtureLists(definition, {
      listsByName: (names) => {
        asked.push([...names]);
        return Promise.resolve(new Map([['Nurture — no budget', '777']]));
      },
    });
    expect(asked).toEqual([['Nurture — no budget']]);
    expect(resolved.feedback.reasons['No budget']).toEqual({
      nurture_list: '777',
      recycle_after_days: 90,
    });
    expect(resolved.feedback.reasons['Bad timing']?.nurture_list).toBe('102');
    expect(Object.hasOwn(resolved.feedback.reasons, 'constructor')).toBe(true);
    expect(resolved.feedback.reasons['constructor']?.nurture_list).toBe('777');
    expect(resolved.feedback.reasons['Competitor']).toEqual({});
    expect(definition.feedback.reasons['No budget']?.nurture_list).toBe('Nurture — no budget');
  });

  it('names the lists HubSpot does not have', async () => {
    await expect(
      resolveNurtureLists(definition, { listsByName: () => Promise.resolve(new Map()) }),
    ).rejects.toThrow(
      new NurtureListMissingError(
        'feedback.reasons names nurture lists HubSpot does not have: "Nurture — no budget" (run handoff setup --apply, or use list ids)',
      ),
    );
  });

  it('makes no call when every list is an id', async () => {
    const ids = makeDefinition();
    let calls = 0;
    const same = await resolveNurtureLists(ids, {
      listsByName: () => {
        calls += 1;
        return Promise.resolve(new Map());
      },
    });
    expect(same).toBe(ids);
    expect(calls).toBe(0);
  });
});
