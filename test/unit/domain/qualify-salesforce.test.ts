import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  activitySource,
  isSalesforceActivityType,
  SALESFORCE_ACTIVITY_TYPES,
  type Activity,
} from '../../../src/domain/model.js';
import { engagementRule, qualify } from '../../../src/domain/qualification/qualify.js';
import { decisionId, describeDecision } from '../../../src/usecases/sync/describe-decision.js';
import { makeActivity, makeDefinition, makeLead } from '../../support/factories.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const DAY_MS = 86_400_000;
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * DAY_MS);
const hubspot = (type: string, days: number): Activity => ({ type, at: daysAgo(days) });
const salesforce = (type: string, days: number): Activity => ({
  type,
  at: daysAgo(days),
  source: 'salesforce',
});

/** The factory definition (HubSpot: demo_request 40, form_submission 15, page_view 1) plus Salesforce weights. */
const HALF_LIFE = 14;
const definition = makeDefinition((file) => {
  file.qualification.engagement = {
    half_life_days: HALF_LIFE,
    max_points: 60,
    activities: { demo_request: 40, form_submission: 15, page_view: 1, call: 3 },
    salesforce_activities: { campaign_response: 20, call: 10, meeting: 25 },
  };
});
const decayed = (points: number, days: number): number => points * Math.pow(0.5, days / HALF_LIFE);
/** A lead whose fit is 0 (no fit rule holds) but who passes every gate. */
const noFitLead = makeLead({ title: 'Analyst', employees: 10, country: 'FR' });

describe('Salesforce activity types', () => {
  it('lists the types the definition may weight, and tells them apart', () => {
    expect(SALESFORCE_ACTIVITY_TYPES).toEqual([
      'campaign_response',
      'call',
      'meeting',
      'email',
      'task',
    ]);
    expect(isSalesforceActivityType('campaign_response')).toBe(true);
    expect(isSalesforceActivityType('demo_request')).toBe(false);
    expect(isSalesforceActivityType('constructor')).toBe(false);
  });

  it('treats an activity without a source as HubSpot', () => {
    expect(activitySource({})).toBe('hubspot');
    expect(activitySource({ source: 'salesforce' })).toBe('salesforce');
    expect(engagementRule({ type: 'call' })).toBe('engagement.call');
    expect(engagementRule({ type: 'call', source: 'hubspot' })).toBe('engagement.call');
    expect(engagementRule({ type: 'call', source: 'salesforce' })).toBe(
      'engagement.salesforce.call',
    );
  });
});

describe('qualify with HubSpot and Salesforce activities', () => {
  it('weights each activity from its own system, with one reason per system and type', () => {
    const activities = [hubspot('call', 0), salesforce('call', 0), salesforce('call', 14)];
    const result = qualify({ lead: noFitLead, activities, definition, now: NOW });
    const hubspotCall = 3;
    const salesforceCalls = 10 + decayed(10, 14);
    expect(result.fit).toBe(0);
    expect(result.engagement).toBeCloseTo(hubspotCall + salesforceCalls, 10);
    expect(result.reasons.filter((reason) => reason.kind === 'engagement')).toEqual([
      {
        rule: 'engagement.call',
        kind: 'engagement',
        points: hubspotCall,
        detail: `1 × call, halved every ${HALF_LIFE} days`,
      },
      {
        rule: 'engagement.salesforce.call',
        kind: 'engagement',
        points: salesforceCalls,
        detail: `2 × call in Salesforce, halved every ${HALF_LIFE} days`,
      },
    ]);
  });

  it('decays Salesforce activities with the same half-life', () => {
    for (const days of [0, 7, 14, 28, 3.5]) {
      const result = qualify({
        lead: noFitLead,
        activities: [salesforce('campaign_response', days)],
        definition,
        now: NOW,
      });
      expect(result.engagement).toBeCloseTo(decayed(20, days), 10);
    }
    expect(decayed(20, 14)).toBe(10);
  });

  it('caps HubSpot and Salesforce engagement together at one max_points', () => {
    // 40 (HubSpot demo) + 25 (Salesforce meeting) = 65 > 60: neither alone reaches the cap.
    const activities = [hubspot('demo_request', 0), salesforce('meeting', 0)];
    const result = qualify({ lead: makeLead(), activities, definition, now: NOW });
    expect(result.engagement).toBe(60);
    expect(result.fit).toBe(60);
    expect(result.score).toBe(120);
    expect(result.tier).toBe('A');
    const engagement = result.reasons.filter((reason) => reason.rule.startsWith('engagement.'));
    expect(engagement.map(({ rule, kind, points }) => [rule, kind, points])).toEqual([
      ['engagement.demo_request', 'engagement', 40],
      ['engagement.salesforce.meeting', 'engagement', 25],
      ['engagement.max_points', 'engagement_capped', -5],
    ]);
  });

  it('qualifies a lead on Salesforce engagement alone', () => {
    // fit 50 (senior-title 30 + mid-market 20, country FR misses) + campaign_response 20 = 70.
    const lead = makeLead({ country: 'FR' });
    const without = qualify({ lead, activities: [], definition, now: NOW });
    expect(without).toMatchObject({ fit: 50, score: 50, qualified: false, tier: null });
    const result = qualify({
      lead,
      activities: [salesforce('campaign_response', 0)],
      definition,
      now: NOW,
    });
    expect(result).toMatchObject({
      fit: 50,
      engagement: 20,
      score: 70,
      qualified: true,
      tier: 'B',
    });
  });

  it('does not weight a Salesforce activity by the HubSpot map, nor the reverse', () => {
    // demo_request is weighted for HubSpot only, campaign_response and meeting for Salesforce only.
    const activities = [
      salesforce('demo_request', 0),
      hubspot('campaign_response', 0),
      hubspot('meeting', 0),
    ];
    const result = qualify({ lead: noFitLead, activities, definition, now: NOW });
    expect(result.engagement).toBe(0);
    expect(result.reasons.filter((reason) => reason.kind === 'activity_ignored')).toEqual([
      {
        rule: 'engagement.salesforce.demo_request',
        kind: 'activity_ignored',
        points: 0,
        detail: '1 ignored in Salesforce: activity type not in the definition',
      },
      {
        rule: 'engagement.campaign_response',
        kind: 'activity_ignored',
        points: 0,
        detail: '1 ignored: activity type not in the definition',
      },
      {
        rule: 'engagement.meeting',
        kind: 'activity_ignored',
        points: 0,
        detail: '1 ignored: activity type not in the definition',
      },
    ]);
  });

  it('reports unweighted, future and undated Salesforce activities under the Salesforce rule', () => {
    const activities: Activity[] = [
      salesforce('task', 1),
      salesforce('task', 2),
      salesforce('email', 0),
      { type: 'call', at: new Date(NOW.getTime() + 1), source: 'salesforce' },
      { type: 'meeting', at: new Date(Number.NaN), source: 'salesforce' },
      salesforce('constructor', 0),
    ];
    const result = qualify({ lead: noFitLead, activities, definition, now: NOW });
    expect(result.engagement).toBe(0);
    expect(
      result.reasons
        .filter((reason) => reason.kind === 'activity_ignored')
        .map(({ rule, detail }) => [rule, detail]),
    ).toEqual([
      [
        'engagement.salesforce.task',
        '2 ignored in Salesforce: activity type not in the definition',
      ],
      [
        'engagement.salesforce.email',
        '1 ignored in Salesforce: activity type not in the definition',
      ],
      ['engagement.salesforce.call', '1 ignored in Salesforce: activity after now'],
      ['engagement.salesforce.meeting', '1 ignored in Salesforce: activity without a valid time'],
      [
        'engagement.salesforce.constructor',
        '1 ignored in Salesforce: activity type not in the definition',
      ],
    ]);
  });

  it('defaults salesforce_activities to none: every Salesforce activity is ignored', () => {
    const plain = makeDefinition();
    expect(plain.qualification.engagement.salesforce_activities).toEqual({});
    const result = qualify({
      lead: noFitLead,
      activities: [
        salesforce('campaign_response', 0),
        makeActivity('demo_request', NOW.toISOString()),
      ],
      definition: plain,
      now: NOW,
    });
    expect(result.engagement).toBe(40);
    expect(result.reasons).toContainEqual(
      expect.objectContaining({
        rule: 'engagement.salesforce.campaign_response',
        kind: 'activity_ignored',
      }),
    );
  });
});

describe('HubSpot-only decisions are unchanged', () => {
  const activities = [
    hubspot('demo_request', 2),
    hubspot('form_submission', 1),
    hubspot('webinar', 0),
  ];

  it('gives the same reasons whether source is absent or hubspot', () => {
    const absent = qualify({ lead: makeLead(), activities, definition, now: NOW });
    const explicit = qualify({
      lead: makeLead(),
      activities: activities.map((activity) => ({ ...activity, source: 'hubspot' as const })),
      definition,
      now: NOW,
    });
    expect(explicit).toEqual(absent);
    expect(
      absent.reasons
        .filter((reason) => reason.rule.startsWith('engagement.'))
        .map(({ rule, detail }) => [rule, detail]),
    ).toEqual([
      ['engagement.demo_request', `1 × demo_request, halved every ${HALF_LIFE} days`],
      ['engagement.form_submission', `1 × form_submission, halved every ${HALF_LIFE} days`],
      ['engagement.webinar', '1 ignored: activity type not in the definition'],
    ]);
  });

  it('keeps the decision id of the latest scored activity and the rule names in the reason text', () => {
    const result = qualify({ lead: makeLead(), activities, definition, now: NOW });
    // The latest scored activity is the form submission a day ago (the webinar is ignored).
    const event = `activity:${daysAgo(1).getTime()}`;
    const expected = `d-${createHash('sha256').update(`c-1|${definition.version}|${event}`).digest('hex').slice(0, 24)}`;
    expect(decisionId('c-1', definition, result, activities)).toBe(expected);
    const text = describeDecision(result, null, null, false);
    expect(text).toContain(
      `engagement.demo_request +${Math.round(decayed(40, 2) * 10) / 10}, engagement.form_submission +${Math.round(decayed(15, 1) * 10) / 10}`,
    );
  });
});
