import { describe, expect, it } from 'vitest';
import type { LeadLifecycle } from '../../../src/domain/lifecycle/lead-lifecycle.js';
import {
  classifyContact,
  type ContactFacts,
  type LeadFacts,
} from '../../../src/domain/sync/classify-contact.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const REP = '0055e000001AAAAAA3';

function lifecycle(overrides: Partial<LeadLifecycle> = {}): LeadLifecycle {
  return {
    assignmentId: 'd-1',
    decisionId: 'd-1',
    stage: 'routed',
    reassignments: 0,
    definitionVersion: 'v1',
    breachedOwners: [],
    breachedAt: null,
    ...overrides,
  };
}

const lead = (overrides: Partial<LeadFacts> = {}): LeadFacts & { id: string } => ({
  id: '00Q1',
  ownerId: '00G5e000000QUEUE01',
  isConverted: false,
  lifecycle: null,
  ...overrides,
});

function facts(overrides: Partial<ContactFacts<LeadFacts & { id: string }>> = {}) {
  const matched = overrides.lead === undefined ? lead() : overrides.lead;
  return {
    contactId: 'c-1',
    contactStatus: null,
    lead: matched,
    leadClaimedBy: matched === null ? null : 'c-1',
    convertedContactId: null,
    decisionId: 'd-1',
    recycleAt: null,
    leadDecidedInSalesforce: false,
    ownerIsActiveRep: false,
    createMissingLeads: true,
    now: NOW,
    ...overrides,
  };
}

describe('classifyContact', () => {
  it('routes a new MQL, its Lead unowned or missing', () => {
    expect(classifyContact(facts()).kind).toBe('route');
    expect(classifyContact(facts({ lead: null })).kind).toBe('route');
  });

  it('leaves a Lead another contact decides for', () => {
    expect(classifyContact(facts({ leadClaimedBy: 'c-2' }))).toMatchObject({
      kind: 'shared_lead',
      lead: { id: '00Q1' },
    });
  });

  it('follows a converted person to their Contact instead of routing again', () => {
    expect(classifyContact(facts({ convertedContactId: '003X' }))).toEqual({
      kind: 'converted',
      salesforceContactId: '003X',
    });
    expect(classifyContact(facts({ lead: lead({ isConverted: true }) }))).toEqual({
      kind: 'converted',
      salesforceContactId: null,
    });
  });

  it('marks an MQL without a Lead once, when Leads are not created', () => {
    const noLead = { lead: null, createMissingLeads: false };
    expect(classifyContact(facts(noLead))).toEqual({ kind: 'no_lead', markMql: true });
    expect(classifyContact(facts({ ...noLead, contactStatus: 'recycled' }))).toEqual({
      kind: 'no_lead',
      markMql: true,
    });
    expect(classifyContact(facts({ ...noLead, contactStatus: 'mql' }))).toEqual({
      kind: 'no_lead',
      markMql: false,
    });
  });

  it('keeps a returned lead with marketing until its recycle date, then routes it as new', () => {
    const returned = lead({ lifecycle: lifecycle({ stage: 'returned' }) });
    const later = new Date(NOW.getTime() + 86_400_000);
    expect(classifyContact(facts({ lead: returned, recycleAt: later })).kind).toBe('recycling');
    expect(classifyContact(facts({ lead: returned, recycleAt: null })).kind).toBe('recycling');
    // Past the date, with a new decision id, whoever holds it for nurture.
    expect(
      classifyContact(
        facts({
          lead: { ...returned, ownerId: REP },
          ownerIsActiveRep: true,
          recycleAt: new Date(NOW.getTime() - 1),
          decisionId: 'd-1~recycled',
        }),
      ).kind,
    ).toBe('route');
  });

  it('repairs HubSpot for a decision already on its Lead, unless it went back to marketing', () => {
    const routed = lead({ lifecycle: lifecycle() });
    expect(classifyContact(facts({ lead: routed }))).toMatchObject({
      kind: 'already_routed',
      repairHubSpot: true,
    });
    const returned = lead({ lifecycle: lifecycle({ stage: 'rejected' }) });
    expect(
      classifyContact(facts({ lead: returned, recycleAt: new Date(NOW.getTime() - 1) })),
    ).toMatchObject({ kind: 'already_routed', repairHubSpot: false });
  });

  it('lets a Lead born in Salesforce keep its decision when a contact appears for it', () => {
    // Routed to a queue as a Salesforce-born Lead: a contact's own decision id differs, and
    // without the rule the queue-held Lead would be routed a second time.
    const born = lead({ lifecycle: lifecycle({ decisionId: 's-1', assignmentId: 's-1' }) });
    expect(classifyContact(facts({ lead: born, decisionId: 'd-9' }))).toEqual({
      kind: 'route',
    });
    expect(
      classifyContact(facts({ lead: born, decisionId: 'd-9', leadDecidedInSalesforce: true })),
    ).toMatchObject({ kind: 'already_routed', repairHubSpot: true });
    // Returned by its rep, it goes back through marketing's recycle rules like any other.
    const returned = lead({
      lifecycle: lifecycle({ decisionId: 's-1', stage: 'returned' }),
    });
    expect(
      classifyContact(
        facts({
          lead: returned,
          decisionId: 'd-9',
          leadDecidedInSalesforce: true,
          recycleAt: new Date(NOW.getTime() + 1),
        }),
      ),
    ).toEqual({ kind: 'recycling' });
  });

  it('never fights a rep: routed before keeps its owner, never routed keeps it with an SLA', () => {
    const owned = lead({ ownerId: REP, lifecycle: lifecycle({ assignmentId: 'd-0~r1' }) });
    expect(
      classifyContact(facts({ lead: owned, ownerIsActiveRep: true, decisionId: 'd-2' })),
    ).toMatchObject({ kind: 'owned_by_rep', previous: 'd-0~r1' });
    expect(
      classifyContact(facts({ lead: lead({ ownerId: REP }), ownerIsActiveRep: true })),
    ).toMatchObject({ kind: 'keep_owner', lead: { ownerId: REP } });
  });
});
