import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** HubSpot's rule: a request whose timestamp is older than this is refused (replay). */
export const SIGNATURE_MAX_AGE_MS = 5 * 60_000;

/**
 * Characters HubSpot decodes in the request URI before it signs (its v3 validation table). Only
 * these: decoding anything else (`%20`, `%25`) would sign a URI HubSpot did not.
 */
const DECODED_BY_HUBSPOT: Readonly<Record<string, string>> = {
  '3A': ':',
  '2F': '/',
  '3F': '?',
  '40': '@',
  '21': '!',
  '24': '$',
  '27': "'",
  '28': '(',
  '29': ')',
  '2A': '*',
  '2C': ',',
  '3B': ';',
};

/** The URI as HubSpot put it into the signature: the table's escapes decoded, nothing else. */
export function decodeSignedUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (_escape, hex: string) => DECODED_BY_HUBSPOT[hex.toUpperCase()] ?? _escape,
  );
}

/** One value of a header that may arrive repeated or comma-joined (the first hop's value). */
function firstValue(header: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  const first = raw?.split(',')[0]?.trim();
  return first === undefined || first === '' ? undefined : first;
}

/**
 * The full URL HubSpot called, as it signs it. The server speaks plain http, so without a proxy
 * that is `http://<Host><path>`. Behind a proxy that terminates TLS (`trustProxy`), the scheme
 * and host come from `X-Forwarded-Proto` / `X-Forwarded-Host` (the first, client-facing hop);
 * without `trustProxy` those headers are ignored, since any caller can send them.
 */
export function signedRequestUri(
  request: { readonly url?: string | undefined; readonly headers: IncomingHttpHeaders },
  trustProxy: boolean,
): string | null {
  const forwardedProto = trustProxy
    ? firstValue(request.headers['x-forwarded-proto'])?.toLowerCase()
    : undefined;
  const forwardedHost = trustProxy ? firstValue(request.headers['x-forwarded-host']) : undefined;
  const host = forwardedHost ?? request.headers.host;
  if (host === undefined || host === '' || request.url === undefined) return null;
  const proto = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : 'http';
  return decodeSignedUri(`${proto}://${host}${request.url}`);
}

export interface SignedRequest {
  readonly method: string;
  /** The full URL HubSpot called (see `signedRequestUri`). */
  readonly uri: string;
  /** The body exactly as received: re-serialized JSON would not match. */
  readonly body: Buffer;
  /** `X-HubSpot-Signature-v3`. */
  readonly signature: string | undefined;
  /** `X-HubSpot-Request-Timestamp`, epoch milliseconds. */
  readonly timestamp: string | undefined;
}

export type SignatureCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'missing' | 'bad_timestamp' | 'stale' | 'future' | 'mismatch';
    };

/**
 * HubSpot's v3 signature: base64(HMAC-SHA256(secret, method + URI + body + timestamp)), with a
 * timestamp no older than five minutes. Clocks drift both ways, so one that far in the future is
 * refused too: otherwise a signature made with a skewed clock could be replayed for longer.
 * The comparison takes the same time wherever the strings differ.
 */
export function checkSignatureV3(
  request: SignedRequest,
  secret: string,
  nowMs: number,
  maxAgeMs: number = SIGNATURE_MAX_AGE_MS,
): SignatureCheck {
  if (request.signature === undefined || request.timestamp === undefined)
    return { ok: false, reason: 'missing' };
  if (!/^\d{1,16}$/.test(request.timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const timestamp = Number(request.timestamp);
  if (nowMs - timestamp > maxAgeMs) return { ok: false, reason: 'stale' };
  if (timestamp - nowMs > maxAgeMs) return { ok: false, reason: 'future' };
  const expected = Buffer.from(
    createHmac('sha256', secret)
      .update(`${request.method}${request.uri}`, 'utf8')
      .update(request.body)
      .update(request.timestamp, 'utf8')
      .digest('base64'),
    'utf8',
  );
  const given = Buffer.from(request.signature.trim(), 'utf8');
  // timingSafeEqual needs equal lengths; a digest's base64 has a fixed length, so a different
  // length says nothing about the secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'mismatch' };
  return { ok: true };
}
