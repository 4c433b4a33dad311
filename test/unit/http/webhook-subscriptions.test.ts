import { describe, expect, it } from 'vitest';
import { contactProperties } from '../../../src/adapters/hubspot/hubspot.mappers.js';
import { loadDefinitionFile } from '../../../src/config/load-definition.js';
import type { Definition } from '../../../src/domain/definition.js';
import { resolveMapping } from '../../../src/domain/mapping.js';
import {
  handoffContactProperties,
  webhookContactProperties,
} from '../../../src/usecases/sync/sync-contacts.js';

async function example(): Promise<Definition> {
  const loaded = await loadDefinitionFile(
    new URL('../../../config/handoff.example.yaml', import.meta.url).pathname,
  );
  if (!loaded.ok) throw new Error('the example definition does not load');
  return loaded.value;
}

describe('webhookContactProperties', () => {
  it('covers every contact property the sync reads, except Handoff’s own and lastmodifieddate', async () => {
    const definition = await example();
    const own = handoffContactProperties(definition);
    const read = contactProperties(resolveMapping(definition.mapping)).filter(
      (name) => !own.has(name) && name !== 'lastmodifieddate',
    );
    const subscribed = webhookContactProperties(definition);
    expect(subscribed).toEqual(expect.arrayContaining(read));
    // Plus the last activity date, which is how a logged engagement shows on the contact.
    expect(subscribed).toContain('notes_last_updated');
    expect(subscribed.filter((name) => own.has(name))).toEqual([]);
    expect(subscribed).not.toContain('lastmodifieddate');
  });

  it('follows the definition’s mapping overrides', async () => {
    const definition = await example();
    const custom: Definition = {
      ...definition,
      mapping: { ...definition.mapping, hubspot: { ...definition.mapping.hubspot, title: 'role' } },
    };
    expect(webhookContactProperties(custom)).toContain('role');
    expect(webhookContactProperties(custom)).not.toContain('jobtitle');
    expect(webhookContactProperties(definition)).toContain('jobtitle');
  });
});
