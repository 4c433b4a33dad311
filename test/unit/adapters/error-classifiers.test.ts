import { describe, expect, it } from 'vitest';
import { classifyHubSpotError } from '../../../src/adapters/hubspot/hubspot.errors.js';
import {
  classifySalesforceError,
  kindOfSalesforceCode,
} from '../../../src/adapters/salesforce/salesforce.errors.js';
import { IntegrationError } from '../../../src/platform/errors.js';

const apiException = (
  code: number,
  body: object,
  headers: Record<string, string> = {},
): object => ({ code, body, headers, message: `HTTP-Code: ${code}\nBody: secret@example.com` });

describe('classifyHubSpotError', () => {
  it.each([
    [
      'ten-secondly 429',
      apiException(429, {
        policyName: 'TEN_SECONDLY_ROLLING',
        message: 'You have reached your ten_secondly_rolling limit.',
      }),
      'rate_limited',
      10_000,
      'TEN_SECONDLY_ROLLING',
    ],
    [
      'search 429',
      apiException(429, {
        message: 'You have reached your secondly limit.',
        category: 'RATE_LIMITS',
      }),
      'rate_limited',
      200,
      'SECONDLY',
    ],
    ['daily 429', apiException(429, { policyName: 'DAILY' }), 'rate_limited', 3_600_000, 'DAILY'],
    [
      '429 with Retry-After',
      apiException(429, { policyName: 'TEN_SECONDLY_ROLLING' }, { 'retry-after': '3' }),
      'rate_limited',
      3_000,
      'TEN_SECONDLY_ROLLING',
    ],
    [
      '401',
      apiException(401, { category: 'INVALID_AUTHENTICATION' }),
      'auth',
      undefined,
      undefined,
    ],
    ['403 scopes', apiException(403, { category: 'MISSING_SCOPES' }), 'auth', undefined, undefined],
    ['404', apiException(404, { category: 'OBJECT_NOT_FOUND' }), 'not_found', undefined, undefined],
    ['409', apiException(409, { category: 'CONFLICT' }), 'conflict', undefined, undefined],
    ['400', apiException(400, { category: 'VALIDATION_ERROR' }), 'permanent', undefined, undefined],
    ['423 locked', apiException(423, {}), 'transient', 2_000, undefined],
    [
      '477 migrating',
      apiException(477, {}, { 'retry-after': '30' }),
      'transient',
      30_000,
      undefined,
    ],
    ['502', apiException(502, {}), 'transient', undefined, undefined],
    [
      'a reset socket',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      'transient',
      undefined,
      undefined,
    ],
    ['anything else', new TypeError('boom'), 'transient', undefined, undefined],
  ])('%s', (_label, err, kind, retryAfterMs, policy) => {
    const classified = classifyHubSpotError(err);
    expect(classified).toBeInstanceOf(IntegrationError);
    expect(classified).toMatchObject({ system: 'hubspot', kind, retryAfterMs, policy });
    expect(classified.cause).toBe(err);
    expect(classified.message).not.toContain('secret@example.com');
  });

  it('marks unknown throws as UNCLASSIFIED and passes IntegrationErrors through', () => {
    expect(classifyHubSpotError('string thrown').code).toBe('UNCLASSIFIED');
    const existing = new IntegrationError('hubspot', 'auth', 'x');
    expect(classifyHubSpotError(existing)).toBe(existing);
  });
});

describe('classifySalesforceError', () => {
  it.each([
    [
      'REQUEST_LIMIT_EXCEEDED',
      { errorCode: 'REQUEST_LIMIT_EXCEEDED', name: 'REQUEST_LIMIT_EXCEEDED' },
      'rate_limited',
      900_000,
    ],
    ['UNABLE_TO_LOCK_ROW', { errorCode: 'UNABLE_TO_LOCK_ROW' }, 'transient', 2_000],
    ['a 503 without a body', { errorCode: 'ERROR_HTTP_503' }, 'transient', undefined],
    ['INVALID_SESSION_ID', { errorCode: 'INVALID_SESSION_ID' }, 'auth', undefined],
    [
      'an OAuth invalid_grant',
      { name: 'invalid_grant', message: "user hasn't approved this consumer" },
      'auth',
      undefined,
    ],
    ['ENTITY_IS_DELETED', { errorCode: 'ENTITY_IS_DELETED' }, 'not_found', undefined],
    ['MULTIPLE_CHOICES', { errorCode: 'MULTIPLE_CHOICES' }, 'conflict', undefined],
    ['MALFORMED_QUERY', { errorCode: 'MALFORMED_QUERY' }, 'permanent', undefined],
    [
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      { errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
      'permanent',
      undefined,
    ],
    [
      'a refused connection',
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
      'transient',
      undefined,
    ],
  ])('%s', (_label, err, kind, retryAfterMs) => {
    expect(
      classifySalesforceError(Object.assign(new Error('Lead jane@example.com'), err)),
    ).toMatchObject({ system: 'salesforce', kind, retryAfterMs });
  });

  it('classifies per-record status codes', () => {
    expect(kindOfSalesforceCode('UNABLE_TO_LOCK_ROW')).toBe('transient');
    expect(kindOfSalesforceCode('INACTIVE_OWNER_OR_USER')).toBe('permanent');
    expect(kindOfSalesforceCode('DUPLICATE_VALUE')).toBe('conflict');
  });

  it('never copies the provider message', () => {
    expect(
      classifySalesforceError(
        Object.assign(new Error('jane@example.com'), { errorCode: 'DUPLICATE_VALUE' }),
      ).message,
    ).toBe('salesforce DUPLICATE_VALUE');
    expect(classifySalesforceError(new Error('plain')).code).toBe('UNCLASSIFIED');
  });

  it('names a deleted HubSpot property, and nothing of the values sent, as an installation problem', () => {
    // HubSpot's documented 400 for a batch that writes a property the portal lacks.
    const missing = classifyHubSpotError(
      apiException(400, {
        status: 'error',
        message:
          'Property values were not valid: [{"isValid":false,"message":"Property \\"handoff_first_touch_at\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"handoff_first_touch_at"}]',
        correlationId: 'a1b2',
        category: 'VALIDATION_ERROR',
      }),
    );
    expect(missing).toMatchObject({
      kind: 'installation',
      code: 'PROPERTY_DOESNT_EXIST',
      message:
        'hubspot PROPERTY_DOESNT_EXIST: contact property handoff_first_touch_at is missing — run handoff doctor',
    });
  });

  it('names a missing field, and only its schema name, from INVALID_FIELD', () => {
    const missing = classifySalesforceError(
      Object.assign(
        new Error(
          "\nSELECT Id, Handoff_Routed_At__c FROM Lead WHERE Email = 'jane@example.com'\n ^\nERROR at Row:1:Column:12\nNo such column 'Handoff_Routed_At__c' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.",
        ),
        { errorCode: 'INVALID_FIELD' },
      ),
    );
    expect(missing).toMatchObject({ kind: 'installation', code: 'INVALID_FIELD' });
    expect(missing.message).toBe(
      'salesforce INVALID_FIELD: Lead.Handoff_Routed_At__c is missing or not visible to the integration user — run handoff doctor',
    );
    expect(
      classifySalesforceError(
        Object.assign(new Error('something else'), { errorCode: 'INVALID_FIELD' }),
      ).message,
    ).toBe('salesforce INVALID_FIELD');
    // A write names the object differently.
    expect(
      classifySalesforceError(
        Object.assign(new Error("No such column 'Handoff_Stage__c' on sobject of type Lead"), {
          errorCode: 'INVALID_FIELD',
        }),
      ).message,
    ).toBe(
      'salesforce INVALID_FIELD: Lead.Handoff_Stage__c is missing or not visible to the integration user — run handoff doctor',
    );
  });

  it('names fields the integration user may read but not write', () => {
    const readOnly = classifySalesforceError(
      Object.assign(new Error('Unable to update fields: Handoff_Due__c.'), {
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        fields: ['Handoff_Due__c'],
      }),
    );
    expect(readOnly).toMatchObject({
      kind: 'installation',
      code: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      message:
        'salesforce INVALID_FIELD_FOR_INSERT_UPDATE: Handoff_Due__c is read-only for the integration user — run handoff doctor',
    });
  });
});
