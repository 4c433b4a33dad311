import { describe, expect, it } from 'vitest';
import { formatDue, planLine } from '../../../src/cli/format-plan.js';
import type { PlannedChange } from '../../../src/usecases/sync/sync-cycle.types.js';

const NOW = new Date('2026-11-20T15:00:00Z');

const change = (overrides: Partial<PlannedChange>): PlannedChange => ({
  contactId: '1234',
  leadId: '00Q5e0000001AbC',
  action: 'route',
  decisionId: 'd-1234-v1',
  ownerId: '0055e0000002XyZ',
  due: '2026-11-23T10:00:00.000Z',
  salesforce: null,
  hubspot: null,
  ...overrides,
});

describe('formatDue', () => {
  it('shows the weekday and time in the business-hours time zone', () => {
    expect(formatDue('2026-11-23T10:00:00.000Z', 'Europe/London', NOW)).toBe(
      'Mon 10:00 Europe/London',
    );
    expect(formatDue('2026-11-23T10:00:00.000Z', 'America/New_York', NOW)).toBe(
      'Mon 05:00 America/New_York',
    );
  });

  it('adds the date beyond the coming week, and falls back to UTC without a zone', () => {
    expect(formatDue('2026-12-07T09:30:00.000Z', 'Europe/Berlin', NOW)).toBe(
      'Mon 7 Dec 10:30 Europe/Berlin',
    );
    expect(formatDue('2026-11-23T10:00:00.000Z', undefined, NOW)).toBe('Mon 10:00 UTC');
  });
});

describe('planLine', () => {
  it('puts names first with the ids alongside', () => {
    expect(
      planLine(
        change({ name: 'Chloé Müller', ownerName: 'Grace Kim', timezone: 'Europe/London' }),
        NOW,
      ),
    ).toBe(
      'Chloé Müller (contact 1234) → Grace Kim (0055e0000002XyZ), due Mon 10:00 Europe/London; route, Lead 00Q5e0000001AbC [d-1234-v1]',
    );
  });

  it('falls back to ids where no name is known', () => {
    expect(planLine(change({ action: 'create_lead', leadId: null }), NOW)).toBe(
      'contact 1234 → 0055e0000002XyZ, due Mon 10:00 UTC; create a Lead [d-1234-v1]',
    );
    expect(
      planLine(
        change({
          contactId: null,
          action: 'create_hubspot',
          decisionId: null,
          ownerId: null,
          due: null,
        }),
        NOW,
      ),
    ).toBe('Salesforce-born Lead 00Q5e0000001AbC; create its HubSpot contact');
  });
});
