import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotClient } from '../../../src/adapters/hubspot/hubspot-client.js';
import { HubSpotContactWriter } from '../../../src/adapters/hubspot/hubspot-contact-writer.adapter.js';
import { classifyHubSpotError } from '../../../src/adapters/hubspot/hubspot.errors.js';
import { resolveMapping } from '../../../src/domain/mapping.js';
import { IntegrationError } from '../../../src/platform/errors.js';
import {
  asReply,
  isolateNetwork,
  recordRequests,
  releaseNetwork,
  vendorReply,
} from '../../support/nock-helpers.js';

/**
 * The HubSpot adapters against HubSpot's documented wire format: the real `@hubspot/api-client`
 * inside, its HTTP answered by nock with the vendor's own examples (test/fixtures/vendor/hubspot,
 * sources cited in README.md there). Nothing here shares the sandbox's assumptions.
 */

/** The default names (`handoff_status`, `Handoff_Decision_Id__c`…): no overrides. */
const DEFAULT_MAPPING = {
  hubspot: {},
  salesforce: {},
  salesforce_fields: {},
  hubspot_properties: {},
};

const HUBSPOT = 'https://api.hubapi.com';
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const BATCH_UPDATE = '/crm/v3/objects/contacts/batch/update';

function writer(onRequest: () => void = () => undefined): HubSpotContactWriter {
  return new HubSpotContactWriter(
    createHubSpotClient({ accessToken: TOKEN, baseUrl: `${HUBSPOT}/` }),
    resolveMapping(DEFAULT_MAPPING),
    onRequest,
  );
}

async function rejection(promise: Promise<unknown>): Promise<IntegrationError> {
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

describe('HubSpotContactWriter on the documented wire', () => {
  it('reads a 207 Multi-Status batch update as per-contact outcomes, in input order', async () => {
    const reply = vendorReply('hubspot', 'batch-update-207-multi-status');
    const scope = nock(HUBSPOT)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .post(BATCH_UPDATE)
      .reply(...asReply(reply));
    const requests = recordRequests(scope);
    let calls = 0;

    const outcomes = await writer(() => (calls += 1)).updateContacts([
      { contactId: '512', properties: { status: 'routed' } },
      { contactId: '99999', properties: { status: 'routed' } },
      { contactId: '513', properties: { status: 'routed', score: '88' } },
    ]);

    expect(scope.isDone()).toBe(true);
    expect(calls).toBe(1);
    expect(JSON.parse(requests[0]?.body ?? '{}')).toEqual({
      inputs: [
        { id: '512', properties: { handoff_status: 'routed' } },
        { id: '99999', properties: { handoff_status: 'routed' } },
        { id: '513', properties: { handoff_status: 'routed', handoff_score: '88' } },
      ],
    });
    // HubSpot lists results in its own order (513 before 512); outcomes follow the inputs, each
    // with the instant the write left the contact (its `updatedAt` in the documented response).
    const written = new Date('2019-12-07T16:50:06.678Z');
    expect(outcomes).toEqual([
      { ok: true, key: '512', id: '512', created: false, modifiedAt: written },
      {
        ok: false,
        key: '99999',
        code: 'OBJECT_NOT_FOUND',
        kind: 'not_found',
        message: 'OBJECT_NOT_FOUND',
      },
      { ok: true, key: '513', id: '513', created: false, modifiedAt: written },
    ]);
  });

  it('classifies the ten-secondly 429, as the SDK surfaces it, as rate_limited with its policy', async () => {
    const reply = vendorReply('hubspot', 'rate-limit-429-ten-secondly');
    const scope = nock(HUBSPOT)
      .post(BATCH_UPDATE)
      .reply(...asReply(reply));
    const client = createHubSpotClient({ accessToken: TOKEN, baseUrl: HUBSPOT });

    // Straight from the SDK, not through the writer: a ten-second wait is short enough for the
    // adapters to retry in place, which would sleep 10 s of real time here.
    const raw: unknown = await client.crm.contacts.batchApi
      .update({ inputs: [{ id: '512', properties: { handoff_status: 'routed' } }] })
      .then(
        () => undefined,
        (err: unknown) => err,
      );

    // One request: the SDK's own retry is off, or it would replay the 429 after 10 s itself.
    expect(scope.isDone()).toBe(true);
    // The SDK keeps the body whole (its `Error` model is not applied), so `policyName` survives.
    expect(raw).toMatchObject({
      code: 429,
      body: { policyName: 'TEN_SECONDLY_ROLLING', errorType: 'RATE_LIMIT' },
      headers: { 'x-hubspot-ratelimit-interval-milliseconds': '10000' },
    });
    const error = classifyHubSpotError(raw);
    expect(error).toMatchObject({
      system: 'hubspot',
      kind: 'rate_limited',
      code: 'RATE_LIMITED',
      status: 429,
      policy: 'TEN_SECONDLY_ROLLING',
      // No Retry-After is documented on a 429: the rolling window's length is the wait.
      retryAfterMs: 10_000,
    });
    // The message names the policy only: body and headers stay out of logs.
    expect(error.message).toBe('hubspot 429 TEN_SECONDLY_ROLLING');
  });

  it('throws the daily 429 (the documented example) from the writer as rate_limited, long wait', async () => {
    const reply = vendorReply('hubspot', 'rate-limit-429-daily');
    const scope = nock(HUBSPOT)
      .post(BATCH_UPDATE)
      .reply(...asReply(reply));

    const error = await rejection(
      writer().updateContacts([{ contactId: '512', properties: { status: 'routed' } }]),
    );

    // Once: a wait of an hour is never slept through in place.
    expect(scope.isDone()).toBe(true);
    expect(error).toMatchObject({
      system: 'hubspot',
      kind: 'rate_limited',
      code: 'RATE_LIMITED',
      status: 429,
      policy: 'DAILY',
      retryAfterMs: 3_600_000,
    });
    expect(error.message).toBe('hubspot 429 DAILY');
  });
});
