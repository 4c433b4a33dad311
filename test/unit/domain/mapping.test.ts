import { describe, expect, it } from 'vitest';
import { attributeNames, resolveMapping } from '../../../src/domain/mapping.js';
import { makeDefinition } from '../../support/factories.js';

describe('resolveMapping', () => {
  it('overlays the definition on the defaults, once per definition', () => {
    const definition = makeDefinition((file) => {
      file.mapping = {
        hubspot: { title: 'job_title_custom', segment: 'hs_segment' },
        salesforce_fields: { due: 'SLA_Due__c' },
      };
    });
    const mapping = resolveMapping(definition.mapping);
    expect(mapping.hubspot).toMatchObject({
      title: 'job_title_custom',
      segment: 'hs_segment',
      email: 'email',
      employees: 'numberofemployees',
    });
    expect(mapping.salesforce['employees']).toBe('NumberOfEmployees');
    expect(mapping.salesforceFields).toMatchObject({
      due: 'SLA_Due__c',
      score: 'Handoff_Score__c',
    });
    expect(mapping.hubspotProperties.status).toBe('handoff_status');
    expect(resolveMapping(definition.mapping)).toBe(mapping);
    expect(attributeNames(definition.mapping)).toEqual(
      expect.arrayContaining(['email', 'phone', 'segment']),
    );
  });
});
