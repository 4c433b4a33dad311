import { describe, expect, it } from 'vitest';
import type { MarketingContact } from '../../../src/ports/contact-source.port.js';
import type { SalesLead } from '../../../src/ports/lead-store.port.js';
import {
  convertedContactOf,
  emailDomain,
  matchLead,
} from '../../../src/usecases/sync/match-lead.js';

function contact(overrides: Partial<MarketingContact> = {}): MarketingContact {
  return {
    id: '101',
    attributes: { email: 'Sam@Acme.com' },
    modifiedAt: new Date(0),
    salesforceLeadId: null,
    salesforceContactId: null,
    latestConversion: null,
    handoff: {},
    ...overrides,
  };
}

function lead(id: string, overrides: Partial<SalesLead> = {}): SalesLead {
  return {
    id,
    ownerId: '00G5e000000QUEUE01',
    status: 'Open - Not Contacted',
    email: 'sam@acme.com',
    isConverted: false,
    convertedContactId: null,
    convertedContactOwnerId: null,
    hubspotContactId: null,
    modifiedAt: new Date(0),
    openTasks: [],
    rejection: { reason: null, comment: null },
    handoff: { score: null, tier: null, due: null, reason: null, lifecycle: null },
    ...overrides,
  };
}

describe('matchLead', () => {
  it('prefers the connector link, then the external id, then email', () => {
    const linked = lead('00Q000000000003');
    const external = lead('00Q000000000002', { hubspotContactId: '101' });
    const byEmail = lead('00Q000000000001');
    const leads = [byEmail, external, linked];
    expect(matchLead(contact({ salesforceLeadId: linked.id }), leads)).toBe(linked);
    expect(matchLead(contact(), leads)).toBe(external);
    expect(matchLead(contact(), [byEmail])).toBe(byEmail);
    expect(matchLead(contact({ attributes: {} }), [byEmail])).toBeNull();
  });

  it('picks the same duplicate by email whatever order the query returned', () => {
    const converted = lead('00Q000000000001', { isConverted: true });
    const claimed = lead('00Q000000000002', { hubspotContactId: '999' });
    const older = lead('00Q000000000003');
    const newer = lead('00Q000000000004');
    const all = [converted, claimed, older, newer];
    for (const order of [all, [...all].reverse(), [newer, claimed, converted, older]])
      expect(matchLead(contact(), order)).toBe(older);
    expect(matchLead(contact(), [converted, claimed])).toBe(claimed);
  });

  it('follows converted leads and the connector contact link to the Contact', () => {
    expect(convertedContactOf(contact({ salesforceContactId: '003A' }), null)).toBe('003A');
    expect(
      convertedContactOf(
        contact(),
        lead('00Q1', { isConverted: true, convertedContactId: '003B' }),
      ),
    ).toBe('003B');
    expect(convertedContactOf(contact({ salesforceContactId: '003A' }), lead('00Q1'))).toBeNull();
  });

  it('takes company domains, not free-mail ones', () => {
    expect(emailDomain('ana@Acme.CO.uk')).toBe('acme.co.uk');
    expect(emailDomain('ana@gmail.com')).toBeNull();
    expect(emailDomain(42)).toBeNull();
  });
});
