import { afterEach, describe, expect, it } from 'vitest';
import { startLifecycle, type LifecycleHarness } from '../support/lifecycle-harness.js';

/** Weight 3 of the example's na-inbound pool: without an absence, most of its leads. */
const AWAY_REP = '0055e000001AAAAAA3';
const OTHER_REP = '0055e000001AAAAAA4';
const AT = '2026-03-03T16:00:00Z';
const DAY = 86_400_000;

const opened: LifecycleHarness[] = [];
afterEach(async () => {
  for (const harness of opened.splice(0)) await harness.close();
});

/** A tenant whose rep is out of office from a day before `AT` to two days after it. */
async function tenantWithAbsence(at: number): Promise<LifecycleHarness> {
  const harness = await startLifecycle({ contacts: 400, seed: 41, at: new Date(at).toISOString() });
  opened.push(harness);
  const created = harness.running.salesforce.store.create(
    'OutOfOffice',
    {
      UserId: AWAY_REP,
      StartDate: new Date(Date.parse(AT) - DAY).toISOString(),
      EndDate: new Date(Date.parse(AT) + 2 * DAY).toISOString(),
      Message: 'Annual leave',
    },
    false,
  );
  if (!created.ok) throw new Error(`out of office refused: ${JSON.stringify(created.errors)}`);
  return harness;
}

/**
 * Owners of the leads routing chose. Leads a rep already owned keep their owner whether or not
 * the rep is away (the relationship is theirs; a missed deadline escalates as usual).
 */
function ownersOf(harness: LifecycleHarness): Map<string, number> {
  const counts = new Map<string, number>();
  const routed = harness
    .routedLeads()
    .filter((lead) => !String(lead['Handoff_Reason__c']).includes('Kept the rep'));
  for (const lead of routed) {
    const owner = String(lead['OwnerId']);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return counts;
}

describe('routing reads out-of-office periods from Salesforce', () => {
  it('skips a rep while away and routes to them again once back', async () => {
    const during = await tenantWithAbsence(Date.parse(AT));
    const first = await during.sync();
    expect(first.code).toBe(0);
    const whileAway = ownersOf(during);
    expect(whileAway.get(OTHER_REP) ?? 0).toBeGreaterThan(0);
    expect(whileAway.get(AWAY_REP) ?? 0).toBe(0);
    // The rep reads why on the Lead: the skip and the return date are in its history line.
    expect(
      during
        .routedLeads()
        .some((lead) =>
          String(lead['Handoff_Reason__c']).includes('out of office until 2026-03-05 16:00 UTC'),
        ),
    ).toBe(true);

    // The same tenant three days later: the absence has ended.
    const after = await tenantWithAbsence(Date.parse(AT) + 3 * DAY);
    expect((await after.sync()).code).toBe(0);
    const back = ownersOf(after);
    expect(back.get(AWAY_REP) ?? 0).toBeGreaterThan(0);
  });
});
