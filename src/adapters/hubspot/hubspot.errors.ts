import {
  IntegrationError,
  isNetworkErrorCode,
  type IntegrationErrorKind,
} from '../../platform/errors.js';
import { retryInPlace } from '../../platform/retry-in-place.js';

/** What the SDK's ApiException carries; read by shape, never by class identity. */
interface ApiExceptionLike {
  readonly code: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A rolling ten-second window: waiting one window always clears it. */
const TEN_SECONDLY_WAIT_MS = 10_000;
/**
 * Searches: five a rolling second, so one search's slot is 200 ms. The refused search counted at
 * HubSpot and in the process's search limiter, which makes the retry wait its turn behind it:
 * waiting a whole second on top would idle the (sequential) backfill for five searches' time.
 * A retry refused again backs off exponentially.
 */
const SECONDLY_WAIT_MS = 200;
/** The daily limit resets at the portal's midnight; check again hourly rather than guess the zone. */
const DAILY_WAIT_MS = 3_600_000;
/** HubSpot locks records for 2 s under high-volume upserts. */
const LOCKED_WAIT_MS = 2_000;

function isApiException(err: unknown): err is ApiExceptionLike {
  return (
    typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number'
  );
}

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function retryAfterHeaderMs(
  headers: Readonly<Record<string, string>> | undefined,
): number | undefined {
  const value = headers?.['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function kindForStatus(status: number): IntegrationErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 423 || status === 477 || status >= 500) return 'transient';
  return 'permanent';
}

/**
 * Maps anything the HubSpot SDK throws onto the taxonomy, with `retryAfterMs` from `Retry-After`
 * or the 429 policy. The message names status and category only: HubSpot bodies (and the
 * ApiException message, which embeds body and headers) can hold personal data and tokens.
 */
export function classifyHubSpotError(err: unknown): IntegrationError {
  if (err instanceof IntegrationError) return err;
  if (isApiException(err)) {
    const status = err.code;
    const category =
      field(err.body, 'category') ?? field(err.body, 'errorType') ?? `HTTP_${status}`;
    const policy = field(err.body, 'policyName');
    if (status === 429) {
      const secondly = field(err.body, 'message') === 'You have reached your secondly limit.';
      const fallback =
        policy === 'DAILY' ? DAILY_WAIT_MS : secondly ? SECONDLY_WAIT_MS : TEN_SECONDLY_WAIT_MS;
      return new IntegrationError(
        'hubspot',
        'rate_limited',
        `hubspot 429 ${policy ?? (secondly ? 'SECONDLY' : category)}`,
        {
          code: 'RATE_LIMITED',
          status,
          policy: policy ?? (secondly ? 'SECONDLY' : undefined),
          retryAfterMs: retryAfterHeaderMs(err.headers) ?? fallback,
          cause: err,
        },
      );
    }
    // A property Handoff writes was deleted: every batch fails alike until an admin restores it.
    // Only the property's name is kept (the message also carries the values sent).
    const missing =
      status === 400
        ? /"error":"PROPERTY_DOESNT_EXIST","name":"([A-Za-z0-9_]+)"/.exec(
            field(err.body, 'message') ?? '',
          )?.[1]
        : undefined;
    if (missing !== undefined)
      return new IntegrationError(
        'hubspot',
        'installation',
        `hubspot PROPERTY_DOESNT_EXIST: contact property ${missing} is missing — run handoff doctor`,
        { code: 'PROPERTY_DOESNT_EXIST', status, cause: err },
      );
    const retryAfterMs =
      retryAfterHeaderMs(err.headers) ?? (status === 423 ? LOCKED_WAIT_MS : undefined);
    return new IntegrationError('hubspot', kindForStatus(status), `hubspot ${status} ${category}`, {
      code: category,
      status,
      retryAfterMs,
      cause: err,
    });
  }
  const code =
    typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (isNetworkErrorCode(code)) {
    return new IntegrationError('hubspot', 'transient', `hubspot network error ${code}`, {
      code,
      cause: err,
    });
  }
  return new IntegrationError('hubspot', 'transient', 'hubspot unclassified error', {
    code: 'UNCLASSIFIED',
    cause: err,
  });
}

/**
 * One HubSpot request: counted per attempt, failures classified (the only place SDK errors
 * surface), and transient failures retried in place within the job's budget. A request that is
 * not idempotent (creating notes) is sent again only when HubSpot surely did not apply it.
 */
export function hubspotCall<T>(
  onRequest: () => void,
  request: () => Promise<T>,
  options: { readonly idempotent: boolean } = { idempotent: true },
): Promise<T> {
  return retryInPlace(
    () => {
      onRequest();
      return request();
    },
    { idempotent: options.idempotent, classify: classifyHubSpotError },
  );
}
