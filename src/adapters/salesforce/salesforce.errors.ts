import {
  IntegrationError,
  isNetworkErrorCode,
  type IntegrationErrorKind,
} from '../../platform/errors.js';

/** The daily allocation is a rolling 24 h window with no Retry-After: look again later. */
const REQUEST_LIMIT_WAIT_MS = 15 * 60_000;
const LOCK_WAIT_MS = 2_000;

const KINDS: Readonly<Record<string, IntegrationErrorKind>> = {
  REQUEST_LIMIT_EXCEEDED: 'rate_limited',
  UNABLE_TO_LOCK_ROW: 'transient',
  UNKNOWN_EXCEPTION: 'transient',
  SERVER_UNAVAILABLE: 'transient',
  INVALID_SESSION_ID: 'auth',
  invalid_grant: 'auth',
  invalid_client: 'auth',
  invalid_client_id: 'auth',
  INSUFFICIENT_ACCESS: 'auth',
  NOT_FOUND: 'not_found',
  ENTITY_IS_DELETED: 'not_found',
  DUPLICATE_VALUE: 'conflict',
  DUPLICATES_DETECTED: 'conflict',
  DUPLICATE_EXTERNAL_ID: 'conflict',
  MULTIPLE_CHOICES: 'conflict',
};

/**
 * Kind of one Salesforce error code, HTTP (`errorCode`) or per record (`statusCode`). Unknown
 * codes are permanent: a validation rule or a data problem retrying cannot fix.
 */
export function kindOfSalesforceCode(code: string): IntegrationErrorKind {
  if (/^ERROR_HTTP_5\d\d$/.test(code)) return 'transient';
  return KINDS[code] ?? 'permanent';
}

/**
 * `Lead.Handoff_Routed_At__c` from Salesforce's "No such column 'X' on entity 'Lead'": the one
 * part of an error message Handoff keeps, since it names schema, never record values.
 */
function missingField(message: unknown): string | null {
  if (typeof message !== 'string') return null;
  // Queries say `on entity 'Lead'`; writes say `on sobject of type Lead`.
  const found =
    /No such column '([A-Za-z0-9_]+)' on (?:entity '|sobject of type )([A-Za-z0-9_]+)/.exec(
      message,
    );
  return found === null ? null : `${found[2]}.${found[1]}`;
}

/**
 * The `installation` error a Salesforce error code stands for, or null: a field the integration
 * user cannot see (`INVALID_FIELD` naming it) or may not write (`INVALID_FIELD_FOR_INSERT_UPDATE`).
 * Whole calls, Composite subrequests and per-record save results all go through here.
 */
export function installationError(
  code: string,
  message: unknown,
  fields: unknown,
  cause?: unknown,
): IntegrationError | null {
  const missing = code === 'INVALID_FIELD' ? missingField(message) : null;
  if (missing !== null)
    return new IntegrationError(
      'salesforce',
      'installation',
      `salesforce INVALID_FIELD: ${missing} is missing or not visible to the integration user — run handoff doctor`,
      { code, cause },
    );
  if (code !== 'INVALID_FIELD_FOR_INSERT_UPDATE') return null;
  const named = Array.isArray(fields)
    ? fields.filter((name): name is string => typeof name === 'string')
    : [];
  const readOnly = named.length > 0 ? named : ['a field Handoff writes'];
  return new IntegrationError(
    'salesforce',
    'installation',
    `salesforce INVALID_FIELD_FOR_INSERT_UPDATE: ${readOnly.join(', ')} ${readOnly.length === 1 ? 'is' : 'are'} read-only for the integration user — run handoff doctor`,
    { code, cause },
  );
}

/**
 * Maps anything jsforce throws onto the taxonomy. `REQUEST_LIMIT_EXCEEDED` is `rate_limited`
 * with a long wait (the org's daily allocation is spent; retrying into it only burns more).
 * Messages carry the error code only; Salesforce messages can quote record values.
 */
export function classifySalesforceError(err: unknown): IntegrationError {
  if (err instanceof IntegrationError) return err;
  const record = typeof err === 'object' && err !== null ? (err as Record<string, unknown>) : {};
  const errorCode =
    typeof record['errorCode'] === 'string'
      ? record['errorCode']
      : typeof record['name'] === 'string' && /^[a-z_]+$/.test(record['name'])
        ? record['name']
        : undefined;
  const networkCode = typeof record['code'] === 'string' ? record['code'] : undefined;
  if (errorCode !== undefined && errorCode !== 'Error') {
    const kind = kindOfSalesforceCode(errorCode);
    const installation = installationError(errorCode, record['message'], record['fields'], err);
    if (installation !== null) return installation;
    const retryAfterMs =
      errorCode === 'REQUEST_LIMIT_EXCEEDED'
        ? REQUEST_LIMIT_WAIT_MS
        : errorCode === 'UNABLE_TO_LOCK_ROW'
          ? LOCK_WAIT_MS
          : undefined;
    return new IntegrationError('salesforce', kind, `salesforce ${errorCode}`, {
      code: errorCode,
      retryAfterMs,
      cause: err,
    });
  }
  if (isNetworkErrorCode(networkCode)) {
    return new IntegrationError(
      'salesforce',
      'transient',
      `salesforce network error ${networkCode}`,
      { code: networkCode, cause: err },
    );
  }
  return new IntegrationError('salesforce', 'transient', 'salesforce unclassified error', {
    code: 'UNCLASSIFIED',
    cause: err,
  });
}
