import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderFieldReference } from '../../../src/domain/installation/field-reference.js';
import { SALESFORCE_FIELD_CATALOGUE } from '../../../src/domain/installation/owned-fields.js';

describe('docs/fields.md', () => {
  it('is the reference generated from the catalogue (run `npm run docs:fields` after changing it)', async () => {
    const checkedIn = await readFile(new URL('../../../docs/fields.md', import.meta.url), 'utf8');
    expect(checkedIn).toBe(renderFieldReference());
  });

  it('lists every owned field with its type and mapping key', () => {
    const reference = renderFieldReference();
    expect(
      reference
        .split('\n')
        .filter((line) => line.startsWith('| `Lead.') || line.startsWith('| `Task.')),
    ).toHaveLength(SALESFORCE_FIELD_CATALOGUE.length);
    expect(reference).toContain(
      '| `Lead.HubSpot_Contact_Id__c` | Text(40), External ID, Unique | `mapping.salesforce_fields.hubspot_contact_id` |',
    );
    expect(reference).toContain(
      '`mql`, `routed`, `accepted`, `working`, `rejected`, `recycled`, `breached`',
    );
  });
});
