import { describe, expect, it } from 'vitest';
import { SalesforceStore } from '../../../src/sandbox/salesforce/salesforce-store.js';
import {
  campaignMemberResponse,
  RESPONDED_CAMPAIGN_MEMBER_STATUSES,
} from '../../../src/sandbox/salesforce/sobject-schema.js';

const AT = Date.parse('2026-11-19T03:30:00Z');

describe('CampaignMember response fields', () => {
  it('count Responded and Attended as responses, and nothing else', () => {
    expect(RESPONDED_CAMPAIGN_MEMBER_STATUSES).toEqual(['Responded', 'Attended']);
    for (const status of ['Responded', 'Attended'])
      expect(campaignMemberResponse(status, null, AT)).toEqual({
        HasResponded: true,
        FirstRespondedDate: '2026-11-19',
      });
    for (const status of ['Sent', 'Registered', 'Planned', 'responded', null, undefined])
      expect(campaignMemberResponse(status, null, AT)).toEqual({
        HasResponded: false,
        FirstRespondedDate: null,
      });
  });

  it('keep the date of the first response', () => {
    expect(campaignMemberResponse('Attended', '2026-10-01', AT).FirstRespondedDate).toBe(
      '2026-10-01',
    );
    expect(campaignMemberResponse('Sent', '2026-10-01', AT)).toEqual({
      HasResponded: false,
      FirstRespondedDate: '2026-10-01',
    });
  });

  it('are catalogued as read-only, with the Campaign and Lead relationships', () => {
    const { catalog } = new SalesforceStore(() => AT);
    expect(catalog.objectForId('00v5e0000000CMBR01')?.name).toBe('CampaignMember');
    expect(catalog.objectForId('7015e0000000WEBNR1')?.name).toBe('Campaign');
    expect(catalog.relationship('CampaignMember', 'campaign')?.name).toBe('CampaignId');
    expect(catalog.relationship('CampaignMember', 'Lead')?.name).toBe('LeadId');
    for (const name of ['HasResponded', 'FirstRespondedDate'])
      expect(catalog.field('CampaignMember', name)).toMatchObject({
        createable: false,
        updateable: false,
      });
    expect(catalog.field('CampaignMember', 'CampaignId')).toMatchObject({
      required: true,
      updateable: false,
    });
  });

  it('are derived from Status when a member is written through the API, as Salesforce does', () => {
    let now = AT;
    const store = new SalesforceStore(() => now);
    const campaign = store.create('Campaign', { Name: 'Webinar', Type: 'Webinar' }, false);
    const lead = store.create('Lead', { LastName: 'Ng', Company: 'Acme' }, false);
    if (!campaign.ok || !lead.ok) throw new Error('seed refused');
    const member = store.create(
      'CampaignMember',
      { CampaignId: campaign.id, LeadId: lead.id, Status: 'Sent' },
      false,
    );
    if (!member.ok) throw new Error(JSON.stringify(member.errors));
    expect(store.get(member.id)?.record).toMatchObject({
      HasResponded: false,
      FirstRespondedDate: null,
    });
    now = Date.parse('2026-11-20T10:00:00Z');
    expect(store.update('CampaignMember', member.id, { Status: 'Responded' }, false).ok).toBe(true);
    expect(store.get(member.id)?.record).toMatchObject({
      HasResponded: true,
      FirstRespondedDate: '2026-11-20',
    });
  });
});
