import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSalesforceConnection,
  integrationUserId,
} from '../../../src/adapters/salesforce/salesforce-connection.js';
import { SalesforceLeadStore } from '../../../src/adapters/salesforce/salesforce-lead-store.adapter.js';
import { resolveMapping } from '../../../src/domain/mapping.js';
import { IntegrationError } from '../../../src/platform/errors.js';
import {
  asReply,
  isolateNetwork,
  recordRequests,
  releaseNetwork,
  vendorReply,
  type InterceptedRequest,
} from '../../support/nock-helpers.js';

/**
 * The Salesforce adapters against Salesforce's documented wire format: the real jsforce 3.10.16
 * inside (node-fetch, so nock sees its requests), answered with the vendor's own examples
 * (test/fixtures/vendor/salesforce, sources cited in README.md there).
 */

/** The default names (`handoff_status`, `Handoff_Decision_Id__c`…): no overrides. */
const DEFAULT_MAPPING = {
  hubspot: {},
  salesforce: {},
  salesforce_fields: {},
  hubspot_properties: {},
};

const VERSION = '62.0';
const API = `/services/data/v${VERSION}`;
/** A My Domain host, as the docs write it. */
const INSTANCE = 'https://MyDomainName.my.salesforce.com';
const TOKEN =
  '00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7GQxnMeYMN7cj8EoWr78nt1u44zU31IbYNNJguseu';

const LEAD_A = '00Qxx000003DGb2AAG';
const LEAD_B = '00Qxx000003DGb3AAG';
const LEAD_C = '00Qxx000003DGb4AAG';
const OWNER = '005xx000001Sv6dAAC';

const mapping = resolveMapping(DEFAULT_MAPPING);

async function staticStore(): Promise<SalesforceLeadStore> {
  const connection = await createSalesforceConnection({
    auth: { kind: 'token', instanceUrl: INSTANCE, accessToken: TOKEN },
    version: VERSION,
  });
  return new SalesforceLeadStore(connection, mapping);
}

/** The login host of the docs' client-credentials example. */
const LOGIN = 'https://instance_name.my.salesforce.com';
/** The client-credentials form the docs show; nock answers the grant. */
const CLIENT = {
  clientId: '3MVG9VwZxxW3bBQjhE6m21CG2nSS4WC',
  clientSecret: '8A4BE698BCA216718ECB0B1DCA294C69',
};

function grantedConnection() {
  return createSalesforceConnection({
    auth: { kind: 'client_credentials', loginUrl: LOGIN, ...CLIENT },
    version: VERSION,
  });
}

async function rejection(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

interface CollectionBody {
  readonly allOrNone: boolean;
  readonly records: readonly Record<string, unknown>[];
}

function collectionBody(request: InterceptedRequest | undefined): CollectionBody {
  return JSON.parse(request?.body ?? '{}') as CollectionBody;
}

function isQuery(uri: string): boolean {
  return uri.startsWith(`${API}/query?q=`);
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

describe('SalesforceLeadStore writes on the documented wire (sObject Collections)', () => {
  it('updates Leads with allOrNone false and Sforce-Auto-Assign FALSE, one outcome per record in input order', async () => {
    const reply = vendorReply('salesforce', 'collections-update-lead-partial');
    const [lockedResult] = (reply.body as unknown[]).slice(1, 2);
    const scope = nock(INSTANCE)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .patch(`${API}/composite/sobjects`, (body: CollectionBody) => body.records.length === 3)
      .reply(...asReply(reply))
      // A locked row may be sent again on its own; Salesforce still holds the lock.
      .patch(`${API}/composite/sobjects`, (body: CollectionBody) => body.records.length === 1)
      .optionally()
      .times(10)
      .reply(...asReply({ ...reply, body: [lockedResult] }));
    const requests = recordRequests(scope);
    const due = new Date('2026-11-27T15:00:00Z');

    const outcomes = await (
      await staticStore()
    ).updateLeads([
      { leadId: LEAD_A, ownerId: OWNER, due },
      { leadId: LEAD_B, ownerId: OWNER, due },
      { leadId: LEAD_C, status: 'Working - Contacted' },
    ]);

    expect(scope.isDone()).toBe(true);
    expect(outcomes).toEqual([
      { ok: true, key: LEAD_A, id: LEAD_A, created: false },
      {
        ok: false,
        key: LEAD_B,
        code: 'UNABLE_TO_LOCK_ROW',
        kind: 'transient',
        message: 'UNABLE_TO_LOCK_ROW',
      },
      { ok: true, key: LEAD_C, id: LEAD_C, created: false },
    ]);
    const first = collectionBody(requests[0]);
    expect(first.allOrNone).toBe(false);
    // jsforce moves `Id` to the lower-case `id` the docs require, next to `attributes.type`.
    expect(first.records).toEqual([
      {
        id: LEAD_A,
        attributes: { type: 'Lead' },
        OwnerId: OWNER,
        Handoff_Due__c: due.toISOString(),
      },
      {
        id: LEAD_B,
        attributes: { type: 'Lead' },
        OwnerId: OWNER,
        Handoff_Due__c: due.toISOString(),
      },
      { id: LEAD_C, attributes: { type: 'Lead' }, Status: 'Working - Contacted' },
    ]);
    // Every Lead write, a resend included, keeps assignment rules off; a resend (if the adapter
    // makes one) carries the locked record only.
    for (const [index, request] of requests.entries()) {
      expect(request.method).toBe('PATCH');
      expect(request.headers['sforce-auto-assign']).toBe('FALSE');
      expect(collectionBody(request).allOrNone).toBe(false);
      if (index > 0)
        expect(collectionBody(request).records.map((record) => record['id'])).toEqual([LEAD_B]);
    }
  }, 15_000);

  it('upserts Tasks on the decision id with allOrNone false, a validation failure isolated', async () => {
    const reply = vendorReply('salesforce', 'collections-upsert-task-partial');
    const scope = nock(INSTANCE)
      .patch(`${API}/composite/sobjects/Task/Handoff_Decision_Id__c`)
      .reply(...asReply(reply));
    const requests = recordRequests(scope);
    const task = (decisionId: string, leadId: string) => ({
      decisionId,
      leadId,
      ownerId: OWNER,
      subject: 'Follow up: new MQL',
      dueDate: '2026-11-27',
      reminderAt: new Date('2026-11-27T15:00:00Z'),
      description: 'Routed by Handoff.',
      priority: 'High' as const,
    });

    const outcomes = await (
      await staticStore()
    ).upsertTasks([task('dec-1', LEAD_A), task('dec-2', LEAD_B), task('dec-3', LEAD_C)]);

    expect(scope.isDone()).toBe(true);
    expect(outcomes).toEqual([
      { ok: true, key: 'dec-1', id: '00Txx0000004GxDAAU', created: true },
      {
        ok: false,
        key: 'dec-2',
        code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        kind: 'permanent',
        message: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      },
      { ok: true, key: 'dec-3', id: '00Txx0000004GxEAAU', created: false },
    ]);
    expect(requests).toHaveLength(1);
    const body = collectionBody(requests[0]);
    expect(body.allOrNone).toBe(false);
    expect(body.records[0]).toEqual({
      attributes: { type: 'Task' },
      Handoff_Decision_Id__c: 'dec-1',
      WhoId: LEAD_A,
      OwnerId: OWNER,
      Subject: 'Follow up: new MQL',
      ActivityDate: '2026-11-27',
      ReminderDateTime: '2026-11-27T15:00:00.000Z',
      IsReminderSet: true,
      Priority: 'High',
      Description: 'Routed by Handoff.',
    });
    // Assignment rules concern Accounts, Cases and Leads only: a Task write carries no header.
    expect(requests[0]?.headers['sforce-auto-assign']).toBeUndefined();
  });

  it('creates Leads by upsert on the HubSpot contact id, reading created true and false', async () => {
    const reply = vendorReply('salesforce', 'collections-upsert-lead');
    const scope = nock(INSTANCE)
      .matchHeader('sforce-auto-assign', 'FALSE')
      .patch(`${API}/composite/sobjects/Lead/HubSpot_Contact_Id__c`)
      .reply(...asReply(reply));
    const requests = recordRequests(scope);

    const outcomes = await (
      await staticStore()
    ).createLeads([
      { hubspotContactId: '512', attributes: { email: 'a@demo.com', last_name: 'Doe' } },
      { hubspotContactId: '513', attributes: { email: 'b@demo.com', company: 'Demo' } },
    ]);

    expect(scope.isDone()).toBe(true);
    expect(outcomes).toEqual([
      { ok: true, key: '512', id: '00Qxx0000004GxDAAU', created: true },
      { ok: true, key: '513', id: '00Qxx0000004GxEAAU', created: false },
    ]);
    const body = collectionBody(requests[0]);
    expect(body.allOrNone).toBe(false);
    expect(body.records).toEqual([
      {
        attributes: { type: 'Lead' },
        Email: 'a@demo.com',
        LastName: 'Doe',
        Company: '[not provided]',
        HubSpot_Contact_Id__c: '512',
      },
      {
        attributes: { type: 'Lead' },
        Email: 'b@demo.com',
        Company: 'Demo',
        LastName: '[not provided]',
        HubSpot_Contact_Id__c: '513',
      },
    ]);
  });

  it('throws a collection call refused with REQUEST_LIMIT_EXCEEDED whole, as rate_limited', async () => {
    const scope = nock(INSTANCE)
      .patch(`${API}/composite/sobjects`)
      .reply(...asReply(vendorReply('salesforce', 'request-limit-exceeded-403')));

    const error = await rejection(
      (await staticStore()).updateLeads([{ leadId: LEAD_A, ownerId: OWNER }]),
    );

    expect(scope.isDone()).toBe(true);
    expect(error).toMatchObject({
      system: 'salesforce',
      kind: 'rate_limited',
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: 15 * 60_000,
    });
  });
  it('fails a whole collection call, naming the field, when a record is refused for a field the integration user lost', async () => {
    // Collections report a field error per record (the response shape of the collections doc,
    // with the message Salesforce gives for a column that does not exist for this user).
    const scope = nock(INSTANCE)
      .patch(`${API}/composite/sobjects`)
      .reply(200, [
        {
          success: false,
          errors: [
            {
              statusCode: 'INVALID_FIELD',
              message: "No such column 'Handoff_Stage__c' on sobject of type Lead",
              fields: ['Handoff_Stage__c'],
            },
          ],
        },
      ]);

    const error = await rejection(
      (await staticStore()).updateLeads([{ leadId: LEAD_A, lifecycle: { stage: 'accepted' } }]),
    );

    expect(scope.isDone()).toBe(true);
    expect(error).toMatchObject({
      system: 'salesforce',
      kind: 'installation',
      message:
        'salesforce INVALID_FIELD: Lead.Handoff_Stage__c is missing or not visible to the integration user — run handoff doctor',
    });
  });
});

describe('SalesforceLeadStore queries on the documented wire', () => {
  it('follows nextRecordsUrl until done, mapping every page', async () => {
    const scope = nock(INSTANCE)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .get(isQuery)
      .reply(...asReply(vendorReply('salesforce', 'query-lead-page-1')))
      .get(`${API}/query/01gD0000002HU6KIAW-2000`)
      .reply(...asReply(vendorReply('salesforce', 'query-lead-page-2')));
    const requests = recordRequests(scope);

    const leads = await (
      await staticStore()
    ).findLeads({ leadIds: [LEAD_A, LEAD_B, LEAD_C], hubspotContactIds: [], emails: [] });

    expect(scope.isDone()).toBe(true);
    const soql = new URL(requests[0]?.path ?? '', INSTANCE).searchParams.get('q');
    expect(soql).toMatch(/^SELECT Id, OwnerId, Status, Email, IsConverted, ConvertedContactId, /);
    expect(soql).toContain(
      `, (SELECT Id, Handoff_Decision_Id__c FROM Tasks WHERE IsClosed = false AND Handoff_Decision_Id__c != null) FROM Lead WHERE Id IN ('${LEAD_A}', '${LEAD_B}', '${LEAD_C}')`,
    );
    // The locator request carries no parameters, as documented.
    expect(requests[1]?.path).toBe(`${API}/query/01gD0000002HU6KIAW-2000`);
    expect(leads.map((lead) => lead.id)).toEqual([LEAD_A, LEAD_B, LEAD_C]);
    expect(leads[0]).toEqual({
      id: LEAD_A,
      ownerId: OWNER,
      status: 'Open - Not Contacted',
      email: 'leadbrian@demo.com',
      isConverted: false,
      convertedContactId: null,
      convertedContactOwnerId: null,
      hubspotContactId: '512',
      // `+0000` (no colon) is Salesforce's datetime offset.
      modifiedAt: new Date('2021-12-02T18:23:39.000Z'),
      // A child relationship comes as a nested query result (null when nothing matched).
      openTasks: [{ taskId: '00Txx000004ALkHAAW', decisionId: 'dec-512-1~r1' }],
      rejection: { reason: null, comment: null },
      handoff: {
        score: 88,
        tier: 'A',
        due: new Date('2021-12-03T18:23:39.000Z'),
        reason: 'score 88 >= 70',
        lifecycle: {
          assignmentId: 'dec-512-1~r1',
          decisionId: 'dec-512-1',
          stage: 'escalated',
          reassignments: 1,
          definitionVersion: '2021-11-01',
          breachedOwners: ['005xx000001Sv6eAAC', OWNER],
          breachedAt: new Date('2021-12-03T17:00:00.000Z'),
        },
      },
    });
    // A parent relationship comes as a nested record with its own attributes (null when empty).
    expect(leads[1]).toMatchObject({
      openTasks: [],
      isConverted: true,
      convertedContactId: '003xx000004TmiQAAS',
      convertedContactOwnerId: '005xx000001Sv6eAAC',
    });
    expect(leads[2]).toMatchObject({
      handoff: { score: 71.5, tier: 'B', due: null },
      rejection: { reason: 'bad_fit', comment: 'Student, no budget' },
    });
  });

  // Salesforce answers 414 when the URI passes 16,384 bytes and 431 when URI plus headers do.
  // nock 14 cannot carry such a request: its interceptor parses every request head with Node's
  // own 16 KiB limit and never answers one beyond it. So the answer is replayed on a lookup of
  // ordinary length; the truly over-long one is in salesforce-adapters.contract.test.ts.
  it.each([
    ['uri-too-long-414', 'ERROR_HTTP_414'],
    ['header-fields-too-large-431', 'ERROR_HTTP_431'],
  ])('fails a lookup answered %s as permanent %s', async (fixture, code) => {
    const scope = nock(INSTANCE)
      .get(isQuery)
      .reply(...asReply(vendorReply('salesforce', fixture)));
    const requests = recordRequests(scope);

    const error = await rejection(
      (await staticStore()).findLeads({ leadIds: [LEAD_A], hubspotContactIds: [], emails: [] }),
    );

    // Once: jsforce retries GETs on 429 and 5xx only, and a permanent error is not retried.
    expect(scope.isDone()).toBe(true);
    expect(requests).toHaveLength(1);
    // No body to parse: jsforce names the error after the status, and that code reaches callers.
    expect(error).toMatchObject({ system: 'salesforce', kind: 'permanent', code });
    expect(error.message).toBe(`salesforce ${code}`);
  });

  it('turns a query refused with REQUEST_LIMIT_EXCEEDED (403) into rate_limited with the long wait', async () => {
    const scope = nock(INSTANCE)
      .get(isQuery)
      .reply(...asReply(vendorReply('salesforce', 'request-limit-exceeded-403')));

    const error = await rejection(
      (await staticStore()).findLeads({ leadIds: [LEAD_A], hubspotContactIds: [], emails: [] }),
    );

    // Once: jsforce does not retry a 403, and an exhausted daily allocation is not waited out.
    expect(scope.isDone()).toBe(true);
    expect(error).toMatchObject({
      system: 'salesforce',
      kind: 'rate_limited',
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: 15 * 60_000,
    });
    expect(error.message).toBe('salesforce REQUEST_LIMIT_EXCEEDED');
  });
});

describe('Salesforce sessions on the documented wire', () => {
  const grantReply = vendorReply('salesforce', 'oauth-token-client-credentials');
  const granted = grantReply.body as { access_token: string; instance_url: string };
  /** The second grant's answer: the documented one with a new token, as a fresh session has. */
  const refreshedToken = `${granted.access_token.slice(0, -4)}NEW1`;

  it('refreshes an expired client-credentials session once and replays the query with the new token', async () => {
    const oauth = nock(LOGIN)
      .post('/services/oauth2/token')
      .reply(...asReply(grantReply))
      .post('/services/oauth2/token')
      .reply(...asReply({ ...grantReply, body: { ...granted, access_token: refreshedToken } }));
    const grants = recordRequests(oauth);
    const api = nock(granted.instance_url)
      .get(isQuery)
      .matchHeader('authorization', `Bearer ${granted.access_token}`)
      .reply(...asReply(vendorReply('salesforce', 'invalid-session-401')))
      .get(isQuery)
      .matchHeader('authorization', `Bearer ${refreshedToken}`)
      .reply(...asReply(vendorReply('salesforce', 'query-lead-page-2')));
    const queries = recordRequests(api);

    const connection = await grantedConnection();
    expect(connection.instanceUrl).toBe(granted.instance_url);
    const leads = await new SalesforceLeadStore(connection, mapping).findLeads({
      leadIds: [LEAD_C],
      hubspotContactIds: [],
      emails: [],
    });

    expect(oauth.isDone()).toBe(true);
    expect(api.isDone()).toBe(true);
    expect(leads.map((lead) => lead.id)).toEqual([LEAD_C]);
    // One grant at start, one refresh: each the client-credentials form the docs show.
    expect(grants).toHaveLength(2);
    for (const request of grants) {
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
        grant_type: 'client_credentials',
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      });
    }
    // The same query, replayed with the new bearer token.
    expect(queries).toHaveLength(2);
    expect(queries[1]?.path).toBe(queries[0]?.path);
    expect(queries[1]?.headers['authorization']).toBe(`Bearer ${refreshedToken}`);
  });

  it('fails the same 401 on a static token as auth INVALID_SESSION_ID, with no grant', async () => {
    const scope = nock(INSTANCE)
      .get(isQuery)
      .reply(...asReply(vendorReply('salesforce', 'invalid-session-401')));

    const error = await rejection(
      (await staticStore()).findLeads({ leadIds: [LEAD_A], hubspotContactIds: [], emails: [] }),
    );

    expect(scope.isDone()).toBe(true);
    expect(error).toMatchObject({ system: 'salesforce', kind: 'auth', code: 'INVALID_SESSION_ID' });
    // Nothing else was asked for: no token endpoint, no replay.
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('Who Handoff is, on the documented wire', () => {
  it('takes the user id from a client-credentials token response, asking nothing more', async () => {
    const grantReply = vendorReply('salesforce', 'oauth-token-client-credentials');
    const oauth = nock(LOGIN)
      .post('/services/oauth2/token')
      .reply(...asReply(grantReply));
    const connection = await grantedConnection();
    // The docs' `id`: https://login.salesforce.com/id/00Dd000000XXXXXXX/005d000000XXXXX
    expect(await integrationUserId(connection)).toBe('005d000000XXXXX');
    expect(oauth.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('reads a static token’s user from the REST root’s identity URL, in one request', async () => {
    const scope = nock(INSTANCE)
      .get(API)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(...asReply(vendorReply('salesforce', 'rest-root-resources')));
    const connection = await createSalesforceConnection({
      auth: { kind: 'token', instanceUrl: INSTANCE, accessToken: TOKEN },
      version: VERSION,
    });
    expect(await integrationUserId(connection)).toBe(OWNER);
    expect(scope.isDone()).toBe(true);
  });

  it('names the problem when the REST root has no identity URL', async () => {
    nock(INSTANCE)
      .get(API)
      .reply(200, { sobjects: `${API}/sobjects` }, { 'Content-Type': 'application/json' });
    const connection = await createSalesforceConnection({
      auth: { kind: 'token', instanceUrl: INSTANCE, accessToken: TOKEN },
      version: VERSION,
    });
    const error = await rejection(integrationUserId(connection));
    expect(error).toMatchObject({ system: 'salesforce', code: 'IDENTITY_UNKNOWN' });
  });
});
