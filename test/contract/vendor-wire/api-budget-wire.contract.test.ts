import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotClient } from '../../../src/adapters/hubspot/hubspot-client.js';
import { HubSpotContactWriter } from '../../../src/adapters/hubspot/hubspot-contact-writer.adapter.js';
import { createSalesforceConnection } from '../../../src/adapters/salesforce/salesforce-connection.js';
import { SalesforceLeadStore } from '../../../src/adapters/salesforce/salesforce-lead-store.adapter.js';
import { instrumentRequests } from '../../../src/adapters/salesforce/salesforce-requests.js';
import { resolveMapping } from '../../../src/domain/mapping.js';
import {
  ApiBudget,
  parseHubSpotDailyUsage,
  parseSalesforceLimitInfo,
} from '../../../src/platform/api-budget.js';
import { ApiCallMeter } from '../../../src/platform/api-call-meter.js';
import { IntegrationError } from '../../../src/platform/errors.js';
import {
  asReply,
  isolateNetwork,
  releaseNetwork,
  vendorReply,
} from '../../support/nock-helpers.js';

/**
 * The API budget reads usage from the vendors' documented headers, through the real SDKs:
 * Salesforce's `Sforce-Limit-Info` on REST answers (jsforce 3.10.16) and HubSpot's
 * `X-HubSpot-RateLimit-Daily(-Remaining)` (@hubspot/api-client 13), on successful answers as well
 * as refusals. Answers are the vendor fixtures of test/fixtures/vendor (sources in README.md there).
 */

const MAPPING = resolveMapping({
  hubspot: {},
  salesforce: {},
  salesforce_fields: {},
  hubspot_properties: {},
});
const VERSION = '62.0';
const API = `/services/data/v${VERSION}`;
const INSTANCE = 'https://MyDomainName.my.salesforce.com';
const SF_TOKEN = '00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7GQxn';
const HUBSPOT = 'https://api.hubapi.com';
const HS_TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const BATCH_UPDATE = '/crm/v3/objects/contacts/batch/update';
const LEAD = '00Qxx000003DGb4AAG';
const NOW = Date.parse('2026-11-24T15:00:00Z');

const isQuery = (uri: string): boolean => uri.startsWith(`${API}/query?q=`);

/** What main.ts builds for a worker: a metered budget over its connection and client. */
function wiring(ceilings = { salesforce: 10, hubspot: 50 }): {
  budget: ApiBudget;
  meter: ApiCallMeter;
} {
  const log = { warn: () => undefined, info: () => undefined };
  const budget = new ApiBudget({ ceilings, log: log as never, now: () => NOW });
  return { budget, meter: new ApiCallMeter(budget) };
}

async function salesforceStore(budget: ApiBudget, meter: ApiCallMeter) {
  const connection = await createSalesforceConnection({
    auth: { kind: 'token', instanceUrl: INSTANCE, accessToken: SF_TOKEN },
    version: VERSION,
    onResponse: (headers) =>
      budget.observe('salesforce', parseSalesforceLimitInfo(headers['sforce-limit-info'])),
  });
  return new SalesforceLeadStore(
    instrumentRequests(connection, () => meter.count('salesforce')),
    MAPPING,
  );
}

function hubspotWriter(budget: ApiBudget, meter: ApiCallMeter): HubSpotContactWriter {
  const client = createHubSpotClient({
    accessToken: HS_TOKEN,
    baseUrl: HUBSPOT,
    onResponse: (headers) => budget.observe('hubspot', parseHubSpotDailyUsage(headers)),
  });
  return new HubSpotContactWriter(client, MAPPING, () => meter.count('hubspot'));
}

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

beforeAll(() => {
  isolateNetwork();
});

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  releaseNetwork();
});

describe('Salesforce usage from Sforce-Limit-Info', () => {
  it('is read from every query page, the latest one kept', async () => {
    const page1 = vendorReply('salesforce', 'query-lead-page-1');
    const page2 = vendorReply('salesforce', 'query-lead-page-2');
    // The fixtures carry the documented form, `api-usage=<used>/<max>`.
    expect(page1.headers['Sforce-Limit-Info']).toBe('api-usage=8469/15000');
    expect(page2.headers['Sforce-Limit-Info']).toBe('api-usage=8470/15000');
    const scope = nock(INSTANCE)
      .get(isQuery)
      .reply(...asReply(page1))
      .get(`${API}/query/01gD0000002HU6KIAW-2000`)
      .reply(...asReply(page2));
    const { budget, meter } = wiring();

    await (
      await salesforceStore(budget, meter)
    ).findLeads({ leadIds: [LEAD], hubspotContactIds: [], emails: [] });

    expect(scope.isDone()).toBe(true);
    expect(budget.usage().salesforce).toMatchObject({
      used: 8470,
      max: 15000,
      percent: 56.5,
      handoff_calls: 2,
      ceiling_percent: 10,
      paused: false,
    });
  });

  it('refuses a job its next query once its share is spent, before anything is sent', async () => {
    const scope = nock(INSTANCE)
      .get(isQuery)
      .reply(...asReply(vendorReply('salesforce', 'query-lead-page-2')))
      .get(isQuery)
      .reply(...asReply(vendorReply('salesforce', 'query-lead-page-2')));
    const { budget, meter } = wiring({ salesforce: 1, hubspot: 50 });
    const store = await salesforceStore(budget, meter);
    const find = () => store.findLeads({ leadIds: [LEAD], hubspotContactIds: [], emails: [] });
    await meter.measure(find);
    // 1% of the org's 15,000: 150 calls, 149 of them made earlier in the day.
    for (let call = 0; call < 149; call += 1) budget.record('salesforce');

    const refused = await failure(meter.measure(find));

    expect(refused).toMatchObject({
      system: 'salesforce',
      kind: 'rate_limited',
      code: 'BUDGET_CEILING',
      retryAfterMs: 15 * 60_000,
    });
    expect(refused.message).toBe(
      'salesforce API budget reached: Handoff used 150 of 15000 daily calls in the last 24 h (ceiling 1%); queue paused, checked again in 15 min',
    );
    // The second query never left the process.
    expect(scope.pendingMocks()).toHaveLength(1);
  });
});

describe('HubSpot usage from X-HubSpot-RateLimit-Daily and -Daily-Remaining', () => {
  it('is read from a successful answer, which the SDK does not otherwise expose', async () => {
    const documented = vendorReply('hubspot', 'batch-update-207-multi-status');
    // The 207 fixture has no usage headers: the documented pair is added, with the recorded
    // values of the ten-secondly 429 fixture (HubSpot sends them on every answer).
    const recorded = vendorReply('hubspot', 'rate-limit-429-ten-secondly').headers;
    const scope = nock(HUBSPOT)
      .post(BATCH_UPDATE)
      .reply(
        ...asReply({
          ...documented,
          headers: {
            ...documented.headers,
            'X-HubSpot-RateLimit-Daily': recorded['X-HubSpot-RateLimit-Daily'] ?? '',
            'X-HubSpot-RateLimit-Daily-Remaining':
              recorded['X-HubSpot-RateLimit-Daily-Remaining'] ?? '',
          },
        }),
      );
    const { budget, meter } = wiring();

    await hubspotWriter(budget, meter).updateContacts([
      { contactId: '512', properties: { status: 'routed' } },
    ]);

    expect(scope.isDone()).toBe(true);
    expect(budget.usage().hubspot).toMatchObject({
      used: 250000 - 248569,
      max: 250000,
      percent: 0.6,
      handoff_calls: 1,
      ceiling_percent: 50,
      paused: false,
    });
  });

  it("is read from the documented daily 429, and the next job's call is refused unsent", async () => {
    const scope = nock(HUBSPOT)
      .post(BATCH_UPDATE)
      .reply(...asReply(vendorReply('hubspot', 'rate-limit-429-daily')))
      .post(BATCH_UPDATE)
      .reply(...asReply(vendorReply('hubspot', 'rate-limit-429-daily')));
    const { budget, meter } = wiring();
    const writer = hubspotWriter(budget, meter);
    const update = () =>
      writer.updateContacts([{ contactId: '512', properties: { status: 'routed' } }]);

    const daily = await failure(meter.measure(update));
    expect(daily).toMatchObject({ system: 'hubspot', kind: 'rate_limited', policy: 'DAILY' });
    expect(budget.usage().hubspot).toMatchObject({ used: 250000, max: 250000, percent: 100 });

    const refused = await failure(meter.measure(update));
    expect(refused).toMatchObject({
      system: 'hubspot',
      kind: 'rate_limited',
      code: 'BUDGET_CEILING',
      retryAfterMs: 3_600_000,
    });
    expect(refused.message).toBe(
      "hubspot API budget reached: 250000 of 250000 calls used across the account's private apps today (ceiling 50%; Handoff stops when the pool reaches 90%); queue paused, checked again in 1 h",
    );
    expect(scope.pendingMocks()).toHaveLength(1);
    expect(budget.usage().hubspot).toMatchObject({ paused: true, handoff_calls: 1 });
  });
});
