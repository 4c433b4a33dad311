import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { qualify, roundHalfAwayFromZero } from '../../../src/domain/qualification/qualify.js';
import { makeActivity, makeDefinition, makeLead } from '../../support/factories.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const DAY_MS = 86_400_000;
const daysAgo = (days: number): string => new Date(NOW.getTime() - days * DAY_MS).toISOString();

describe('qualify', () => {
  const definition = makeDefinition();

  it('sums the fit points of the rules that hold and lists every rule', () => {
    const result = qualify({ lead: makeLead(), activities: [], definition, now: NOW });
    expect(result.fit).toBe(60);
    expect(result.engagement).toBe(0);
    expect(result.score).toBe(60);
    expect(result.qualified).toBe(true);
    expect(result.tier).toBe('C');
    expect(result.definitionVersion).toBe('test-1');
    expect(result.reasons.map((reason) => [reason.rule, reason.kind, reason.points])).toEqual([
      ['has-email', 'gate_passed', 0],
      ['business-email', 'gate_passed', 0],
      ['senior-title', 'fit_matched', 30],
      ['mid-market', 'fit_matched', 20],
      ['core-country', 'fit_matched', 10],
    ]);
  });

  it('lists a fit rule that does not hold with zero points', () => {
    const result = qualify({
      lead: makeLead({ country: 'FR' }),
      activities: [],
      definition,
      now: NOW,
    });
    expect(result.fit).toBe(50);
    expect(result.reasons).toContainEqual(
      expect.objectContaining({ rule: 'core-country', kind: 'fit_missed', points: 0 }),
    );
    expect(result.qualified).toBe(false);
    expect(result.tier).toBeNull();
  });

  it('disqualifies on any failing gate, whatever the score, and names each failing gate', () => {
    const lead = makeLead({ email: 'sam@GMAIL.com' });
    const activities = [makeActivity('demo_request', daysAgo(0))];
    const result = qualify({ lead, activities, definition, now: NOW });
    expect(result.score).toBe(100);
    expect(result.qualified).toBe(false);
    expect(result.tier).toBeNull();
    expect(
      result.reasons.filter((reason) => reason.kind === 'gate_failed').map((r) => r.rule),
    ).toEqual(['business-email']);
  });

  it('fails has-email but passes the negative gate when email is missing', () => {
    const result = qualify({
      lead: makeLead({ email: undefined }),
      activities: [],
      definition,
      now: NOW,
    });
    const kinds = Object.fromEntries(result.reasons.map((reason) => [reason.rule, reason.kind]));
    expect(kinds['has-email']).toBe('gate_failed');
    expect(kinds['business-email']).toBe('gate_passed');
    expect(result.qualified).toBe(false);
  });

  it('halves engagement every half-life, with fractional ages', () => {
    const lead = makeLead({ title: 'Analyst', employees: 10, country: 'FR' });
    const cases: [number, number][] = [
      [0, 40],
      [14, 20],
      [28, 10],
      [7, 40 * Math.pow(0.5, 0.5)],
      [3.5, 40 * Math.pow(0.5, 0.25)],
    ];
    for (const [age, expected] of cases) {
      const result = qualify({
        lead,
        activities: [makeActivity('demo_request', daysAgo(age))],
        definition,
        now: NOW,
      });
      expect(result.engagement).toBeCloseTo(expected, 10);
    }
  });

  it('sums several activities per type into one reason and caps the total at max_points', () => {
    const activities = [
      makeActivity('demo_request', daysAgo(0)),
      makeActivity('demo_request', daysAgo(0)),
      makeActivity('form_submission', daysAgo(14)),
    ];
    const result = qualify({ lead: makeLead(), activities, definition, now: NOW });
    expect(result.engagement).toBe(60);
    const engagement = result.reasons.filter((reason) => reason.rule.startsWith('engagement.'));
    expect(engagement).toEqual([
      expect.objectContaining({ rule: 'engagement.demo_request', kind: 'engagement', points: 80 }),
      expect.objectContaining({
        rule: 'engagement.form_submission',
        kind: 'engagement',
        points: 7.5,
      }),
      expect.objectContaining({
        rule: 'engagement.max_points',
        kind: 'engagement_capped',
        points: -27.5,
      }),
    ]);
    expect(result.score).toBe(120);
    expect(result.tier).toBe('A');
  });

  it('ignores unknown activity types, future activities and invalid times, listing each', () => {
    const activities = [
      makeActivity('webinar', daysAgo(1)),
      makeActivity('webinar', daysAgo(2)),
      makeActivity('demo_request', new Date(NOW.getTime() + 1).toISOString()),
      { type: 'page_view', at: new Date(Number.NaN) },
    ];
    const result = qualify({ lead: makeLead(), activities, definition, now: NOW });
    expect(result.engagement).toBe(0);
    expect(result.reasons.filter((reason) => reason.kind === 'activity_ignored')).toEqual([
      {
        rule: 'engagement.webinar',
        kind: 'activity_ignored',
        points: 0,
        detail: '2 ignored: activity type not in the definition',
      },
      {
        rule: 'engagement.demo_request',
        kind: 'activity_ignored',
        points: 0,
        detail: '1 ignored: activity after now',
      },
      {
        rule: 'engagement.page_view',
        kind: 'activity_ignored',
        points: 0,
        detail: '1 ignored: activity without a valid time',
      },
    ]);
  });

  it('counts an activity exactly at now at full weight', () => {
    const result = qualify({
      lead: makeLead(),
      activities: [makeActivity('page_view', NOW.toISOString())],
      definition,
      now: NOW,
    });
    expect(result.engagement).toBe(1);
  });

  it('rounds half away from zero and qualifies exactly at the threshold', () => {
    // fit 50 + engagement 9.5 = 59.5 → 60 → qualified at threshold 60
    const tuned = makeDefinition((file) => {
      file.qualification.engagement = {
        half_life_days: 14,
        max_points: 9.5,
        activities: { demo_request: 40 },
      };
    });
    const lead = makeLead({ country: 'FR' });
    const result = qualify({
      lead,
      activities: [makeActivity('demo_request', daysAgo(0))],
      definition: tuned,
      now: NOW,
    });
    expect(result.fit + result.engagement).toBe(59.5);
    expect(result.score).toBe(60);
    expect(result.qualified).toBe(true);
    const below = makeDefinition((file) => {
      file.qualification.engagement = {
        half_life_days: 14,
        max_points: 9.49,
        activities: { demo_request: 40 },
      };
    });
    const belowResult = qualify({
      lead,
      activities: [makeActivity('demo_request', daysAgo(0))],
      definition: below,
      now: NOW,
    });
    expect(belowResult.score).toBe(59);
    expect(belowResult.qualified).toBe(false);
  });

  it.each([
    [85, 'A'],
    [84, 'B'],
    [70, 'B'],
    [69, 'C'],
    [60, 'C'],
  ])('score %i → tier %s (highest minimum <= score)', (score, tier) => {
    const exact = makeDefinition((file) => {
      file.qualification.fit = [{ id: 'flat', field: 'email', exists: true, points: score }];
    });
    expect(qualify({ lead: makeLead(), activities: [], definition: exact, now: NOW }).tier).toBe(
      tier,
    );
  });

  it('supports negative fit points and engagement weights', () => {
    const penalised = makeDefinition((file) => {
      file.qualification.fit = [{ id: 'penalty', field: 'country', eq: 'US', points: -12.5 }];
      file.qualification.engagement = { activities: { unsubscribe: -3 } };
    });
    const result = qualify({
      lead: makeLead(),
      activities: [makeActivity('unsubscribe', daysAgo(0))],
      definition: penalised,
      now: NOW,
    });
    expect(result.score).toBe(-16); // -15.5 rounds away from zero
  });

  it('never lets an attribute that no rule reads change the score', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12 }),
        fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
        fc.integer({ min: 0, max: 5000 }),
        (industry, irrelevant, employees) => {
          const base = makeLead({ employees, industry: 'Retail' });
          const changed = makeLead({
            employees,
            industry,
            phone: irrelevant,
            custom_thing: irrelevant,
          });
          const a = qualify({ lead: base, activities: [], definition, now: NOW });
          const b = qualify({ lead: changed, activities: [], definition, now: NOW });
          expect(b.score).toBe(a.score);
          expect(b.qualified).toBe(a.qualified);
        },
      ),
    );
  });

  it('keeps the reasons summing to fit + engagement', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.constantFrom('demo_request', 'form_submission', 'page_view', 'unknown'),
            ageDays: fc.double({ min: -2, max: 200, noNaN: true }),
          }),
          { maxLength: 12 },
        ),
        (raw) => {
          const activities = raw.map(({ type, ageDays }) => ({
            type,
            at: new Date(NOW.getTime() - ageDays * DAY_MS),
          }));
          const result = qualify({ lead: makeLead(), activities, definition, now: NOW });
          const total = result.reasons.reduce((sum, reason) => sum + reason.points, 0);
          expect(total).toBeCloseTo(result.fit + result.engagement, 9);
          expect(result.engagement).toBeLessThanOrEqual(60);
        },
      ),
    );
  });
});

describe('roundHalfAwayFromZero', () => {
  it.each([
    [2.5, 3],
    [-2.5, -3],
    [2.4999, 2],
    [-0.4, 0],
    [0, 0],
  ])('%d → %d', (value, expected) => {
    expect(roundHalfAwayFromZero(value) + 0).toBe(expected);
  });
});
