import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { contactsToDecide, eventKey, WebhookDeliverySchema } from './webhook-events.js';
import { checkSignatureV3, signedRequestUri } from './webhook-signature.js';

/** A handler for one path of the HTTP server. */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** Where accepted events go: remembered (a replay is a duplicate) and their contacts queued. */
export interface WebhookIntake {
  accept(
    events: readonly { readonly key: string; readonly contactIds: readonly string[] }[],
  ): Promise<{ readonly fresh: number; readonly queued: number }>;
}

export interface HubSpotWebhookOptions {
  /** The app's client secret (`HUBSPOT_WEBHOOK_SECRET`). */
  readonly secret: string;
  /** `TRUST_PROXY`: believe `X-Forwarded-Proto` / `X-Forwarded-Host`. */
  readonly trustProxy: boolean;
  /** Handoff's own contact properties: their changes are its write-backs coming back. */
  readonly ownProperties: ReadonlySet<string>;
  readonly intake: WebhookIntake;
  /** Epoch ms; the worker's clock, which judges the signature's timestamp. */
  readonly now: () => number;
  readonly log: Logger;
  /** Larger bodies are refused with 413 (default 1 MB; HubSpot sends under 100 events). */
  readonly maxBodyBytes?: number;
  /**
   * How long the intake may take before the answer is 503 (HubSpot gives up after 5 s and
   * retries; the events are deduplicated when it does).
   */
  readonly intakeTimeoutMs?: number;
}

export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;
const INTAKE_TIMEOUT_MS = 4_000;

function reply(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** The raw body, or `too_large` as soon as it passes `limit` (the rest is not read). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

/** Refuses an oversized body, and closes the connection rather than read the rest of it. */
function refuseTooLarge(request: IncomingMessage, response: ServerResponse, limit: number): void {
  response.once('finish', () => request.socket.destroy());
  response
    .writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' })
    .end(JSON.stringify({ error: 'payload too large', limit_bytes: limit }));
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the intake within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `POST /webhooks/hubspot`: checks HubSpot's v3 signature over the raw body, validates the
 * events, remembers each one and queues the contacts they name (ids only: property values are
 * never stored), then answers 200 at once; a `sync.contacts` run decides them a debounce window
 * later. 401 for a missing, wrong, stale or future signature and 400 for a malformed payload,
 * with nothing queued; 503 when Redis does not take the events in time, so HubSpot retries.
 */
export function hubspotWebhookRoute(options: HubSpotWebhookOptions): RouteHandler {
  const limit = options.maxBodyBytes ?? WEBHOOK_MAX_BODY_BYTES;
  const { log } = options;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      reply(response, 405, { error: 'method not allowed' });
      return;
    }
    const body = await readBody(request, limit);
    if (body === 'too_large') {
      log.warn({ limitBytes: limit }, 'webhook refused: body too large');
      refuseTooLarge(request, response, limit);
      return;
    }
    const uri = signedRequestUri(request, options.trustProxy);
    if (uri === null) {
      reply(response, 400, { error: 'no Host header' });
      return;
    }
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const check = checkSignatureV3(
      {
        method: request.method,
        uri,
        body,
        signature: header('x-hubspot-signature-v3'),
        timestamp: header('x-hubspot-request-timestamp'),
      },
      options.secret,
      options.now(),
    );
    if (!check.ok) {
      // The reason helps an operator tell clock skew or a proxy's URL from a wrong secret; it
      // reveals nothing about the secret. Headers and body stay out of the log.
      log.warn({ reason: check.reason }, 'webhook refused: signature');
      reply(response, 401, { error: 'invalid signature', reason: check.reason });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      reply(response, 400, { error: 'malformed payload: not JSON' });
      return;
    }
    const parsed = WebhookDeliverySchema.safeParse(json);
    if (!parsed.success) {
      // Paths and messages only: a value could be a property value (personal data).
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
      log.warn({ issues }, 'webhook refused: malformed payload');
      reply(response, 400, { error: 'malformed payload', issues });
      return;
    }
    const events = parsed.data.map((event) => ({
      key: eventKey(event),
      contactIds: contactsToDecide(event, options.ownProperties),
    }));
    let counts: { fresh: number; queued: number };
    try {
      counts = await withTimeout(
        options.intake.accept(events),
        options.intakeTimeoutMs ?? INTAKE_TIMEOUT_MS,
      );
    } catch (err) {
      log.error(
        { err: { name: (err as Error).name, message: (err as Error).message } },
        'webhook not taken: redis unavailable; HubSpot will retry',
      );
      reply(response, 503, { error: 'temporarily unavailable' });
      return;
    }
    const result = {
      received: events.length,
      duplicates: events.length - counts.fresh,
      queued: counts.queued,
    };
    log.debug(result, 'webhook accepted');
    reply(response, 200, result);
  };
  return (request, response) => {
    handle(request, response).catch((err: unknown) => {
      log.error(
        { err: { name: (err as Error).name, message: (err as Error).message } },
        'webhook failed',
      );
      reply(response, 500, { error: 'internal error' });
    });
  };
}

/** The route while `HUBSPOT_WEBHOOK_SECRET` is unset: unsigned events are never taken. */
export function webhooksOffRoute(): RouteHandler {
  return (_request, response) =>
    reply(response, 503, {
      error: 'webhooks are off: HUBSPOT_WEBHOOK_SECRET is not set',
    });
}
