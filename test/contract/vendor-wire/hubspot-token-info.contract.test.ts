import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotClient } from '../../../src/adapters/hubspot/hubspot-client.js';
import { HubSpotInstallationInspector } from '../../../src/adapters/hubspot/hubspot-installation.adapter.js';
import { IntegrationError } from '../../../src/platform/errors.js';
import { isolateNetwork, recordRequests, releaseNetwork } from '../../support/nock-helpers.js';

/**
 * `HubSpotInstallationInspector.tokenScopes` against the private-app token-info endpoint as
 * HubSpot documents it (https://developers.hubspot.com/docs/api/private-apps, "View private app
 * access token information"): `POST /oauth/v2/private-apps/get/access-token-info` with
 * `{ "tokenKey": "<token>" }`, answered with the app's `userId`, `hubId`, `appId` and `scopes`.
 * The real SDK builds the request; nock answers it. The ids and the scope list below are
 * illustrative values in the documented shape, not a recorded answer.
 */

const HUBSPOT = 'https://api.hubapi.com';
const PATH = '/oauth/v2/private-apps/get/access-token-info';
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';

const DOCUMENTED_ANSWER = {
  userId: 123456,
  hubId: 1234567,
  appId: 111111,
  scopes: [
    'oauth',
    'crm.schemas.contacts.read',
    'crm.objects.contacts.read',
    'crm.objects.contacts.write',
  ],
};

function inspector(onRequest: () => void = () => undefined): HubSpotInstallationInspector {
  return new HubSpotInstallationInspector(
    createHubSpotClient({ accessToken: TOKEN, baseUrl: `${HUBSPOT}/` }),
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

describe('HubSpotInstallationInspector.tokenScopes on the documented wire', () => {
  it('posts the token as tokenKey and reads the scopes of the documented answer', async () => {
    const scope = nock(HUBSPOT)
      .post(PATH)
      .reply(200, DOCUMENTED_ANSWER, { 'Content-Type': 'application/json;charset=utf-8' });
    const requests = recordRequests(scope);
    let calls = 0;

    const scopes = await inspector(() => (calls += 1)).tokenScopes();

    expect(scope.isDone()).toBe(true);
    expect(calls).toBe(1);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe('POST');
    expect(JSON.parse(requests[0]?.body ?? '{}')).toEqual({ tokenKey: TOKEN });
    expect(requests[0]?.headers['content-type']).toBe('application/json');
    // The bearer header goes too: other integrations report EU (pat-eu1) tokens need it.
    expect(requests[0]?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(scopes).toEqual(DOCUMENTED_ANSWER.scopes);
  });

  it('throws a 404 (a portal without the endpoint, or an unknown token) as not_found, once', async () => {
    // HubSpot's documented error envelope; that this endpoint answers a 404 with it is unverified.
    const scope = nock(HUBSPOT).post(PATH).reply(404, {
      status: 'error',
      message: 'Resource not found',
      correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf',
      category: 'OBJECT_NOT_FOUND',
    });

    const error = await rejection(inspector().tokenScopes());

    expect(scope.isDone()).toBe(true);
    expect(error).toMatchObject({
      system: 'hubspot',
      kind: 'not_found',
      code: 'OBJECT_NOT_FOUND',
      status: 404,
    });
    // Only the status and category: the request body held the token.
    expect(error.message).toBe('hubspot 404 OBJECT_NOT_FOUND');
  });

  it('classifies an answer that is not JSON by its status alone', async () => {
    nock(HUBSPOT).post(PATH).reply(401, '<html>Unauthorized</html>', {
      'Content-Type': 'text/html',
    });

    const error = await rejection(inspector().tokenScopes());

    expect(error).toMatchObject({ kind: 'auth', code: 'HTTP_401', status: 401 });
  });
});
