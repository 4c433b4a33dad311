import { describe, expect, it } from 'vitest';
import {
  checkSignatureV3,
  decodeSignedUri,
  SIGNATURE_MAX_AGE_MS,
  signedRequestUri,
  type SignedRequest,
} from '../../../src/http/webhook-signature.js';
import { signV3 } from '../../../src/sandbox/hubspot/hubspot-webhooks.js';

const SECRET = 'client-secret-0f4e2a9b';
const NOW = Date.parse('2026-11-24T15:00:00Z');
const URI = 'https://handoff.example.com/webhooks/hubspot';
const BODY = JSON.stringify([
  {
    eventId: 100,
    subscriptionId: 7,
    portalId: 62515,
    appId: 54321,
    occurredAt: NOW - 1_000,
    subscriptionType: 'contact.creation',
    attemptNumber: 0,
    objectId: 123,
    changeSource: 'CRM',
  },
]);

/** A request as HubSpot sends it: signed over method, URI, body and timestamp with `secret`. */
function signed(
  overrides: Partial<SignedRequest> = {},
  signing: { secret?: string; uri?: string; body?: string; timestamp?: number } = {},
): SignedRequest {
  const timestamp = signing.timestamp ?? NOW;
  return {
    method: 'POST',
    uri: URI,
    body: Buffer.from(BODY, 'utf8'),
    timestamp: String(timestamp),
    signature: signV3(
      signing.secret ?? SECRET,
      'POST',
      signing.uri ?? URI,
      signing.body ?? BODY,
      timestamp,
    ),
    ...overrides,
  };
}

describe('checkSignatureV3', () => {
  it('accepts a request signed with the client secret', () => {
    expect(checkSignatureV3(signed(), SECRET, NOW)).toEqual({ ok: true });
  });

  it('accepts a body with non-ASCII characters, hashed as the bytes received', () => {
    const body = BODY.replace('"CRM"', '"CRM – Zoë"');
    const request = signed({ body: Buffer.from(body, 'utf8') }, { body });
    expect(checkSignatureV3(request, SECRET, NOW)).toEqual({ ok: true });
  });

  it('refuses a tampered body', () => {
    const tampered = Buffer.from(BODY.replace('"objectId":123', '"objectId":124'), 'utf8');
    expect(checkSignatureV3(signed({ body: tampered }), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses a signature made with another secret', () => {
    expect(checkSignatureV3(signed({}, { secret: 'another-secret' }), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses a signature over another URL or method', () => {
    expect(
      checkSignatureV3(signed({}, { uri: 'https://evil.example/webhooks/hubspot' }), SECRET, NOW),
    ).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(checkSignatureV3(signed({ method: 'PUT' }), SECRET, NOW)).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses a timestamp the signature does not cover', () => {
    const request = signed({ timestamp: String(NOW - 1) });
    expect(checkSignatureV3(request, SECRET, NOW)).toMatchObject({ reason: 'mismatch' });
  });

  it('refuses a truncated or padded signature without throwing', () => {
    const good = signed().signature ?? '';
    for (const signature of [good.slice(0, -2), `${good}==`, '', 'not base64 at all'])
      expect(checkSignatureV3(signed({ signature }), SECRET, NOW)).toMatchObject({
        ok: false,
        reason: 'mismatch',
      });
  });

  it('accepts a timestamp up to five minutes old and refuses an older one', () => {
    const edge = NOW - SIGNATURE_MAX_AGE_MS;
    expect(checkSignatureV3(signed({}, { timestamp: edge }), SECRET, NOW)).toEqual({ ok: true });
    expect(checkSignatureV3(signed({}, { timestamp: edge - 1 }), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'stale',
    });
    // A replay an hour later, correctly signed back then.
    expect(checkSignatureV3(signed({}, { timestamp: NOW - 3_600_000 }), SECRET, NOW)).toMatchObject(
      { reason: 'stale' },
    );
  });

  it('refuses a timestamp more than five minutes in the future', () => {
    const far = NOW + SIGNATURE_MAX_AGE_MS + 1;
    expect(checkSignatureV3(signed({}, { timestamp: far }), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'future',
    });
    const near = NOW + 30_000;
    expect(checkSignatureV3(signed({}, { timestamp: near }), SECRET, NOW)).toEqual({ ok: true });
  });

  it('refuses missing headers and a timestamp that is not epoch milliseconds', () => {
    expect(checkSignatureV3(signed({ signature: undefined }), SECRET, NOW)).toMatchObject({
      reason: 'missing',
    });
    expect(checkSignatureV3(signed({ timestamp: undefined }), SECRET, NOW)).toMatchObject({
      reason: 'missing',
    });
    for (const timestamp of ['', '1.7e12', '-1', 'now', '0x1'])
      expect(checkSignatureV3(signed({ timestamp }), SECRET, NOW)).toMatchObject({
        reason: 'bad_timestamp',
      });
  });
});

describe('signedRequestUri', () => {
  const behindProxy = {
    url: '/webhooks/hubspot',
    headers: {
      host: '10.0.4.17:3000',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'handoff.example.com',
    },
  };

  it('rebuilds http://<Host><path> when no proxy is trusted, ignoring forwarded headers', () => {
    expect(signedRequestUri(behindProxy, false)).toBe('http://10.0.4.17:3000/webhooks/hubspot');
  });

  it('uses X-Forwarded-Proto and X-Forwarded-Host only with TRUST_PROXY', () => {
    expect(signedRequestUri(behindProxy, true)).toBe(URI);
  });

  it('takes the first, client-facing hop of a forwarded chain', () => {
    const chained = {
      url: '/webhooks/hubspot',
      headers: {
        host: 'internal:3000',
        'x-forwarded-proto': 'https, http',
        'x-forwarded-host': 'handoff.example.com, lb.internal',
      },
    };
    expect(signedRequestUri(chained, true)).toBe(URI);
  });

  it('falls back to Host and http when a trusted proxy sends no forwarded headers', () => {
    const direct = { url: '/webhooks/hubspot', headers: { host: 'handoff.example.com' } };
    expect(signedRequestUri(direct, true)).toBe('http://handoff.example.com/webhooks/hubspot');
  });

  it('keeps an unknown scheme out of the URI', () => {
    const odd = {
      url: '/webhooks/hubspot',
      headers: { host: 'h.example', 'x-forwarded-proto': 'javascript' },
    };
    expect(signedRequestUri(odd, true)).toBe('http://h.example/webhooks/hubspot');
  });

  it('is null without a Host', () => {
    expect(signedRequestUri({ url: '/webhooks/hubspot', headers: {} }, false)).toBeNull();
  });

  it('a signature HubSpot made for the public URL verifies behind a trusted proxy only', () => {
    const uri = (trust: boolean): string => signedRequestUri(behindProxy, trust) ?? '';
    expect(checkSignatureV3(signed({ uri: uri(true) }), SECRET, NOW)).toEqual({ ok: true });
    expect(checkSignatureV3(signed({ uri: uri(false) }), SECRET, NOW)).toMatchObject({
      reason: 'mismatch',
    });
  });
});

describe('URL-encoded characters in the signed URI', () => {
  it("decodes exactly HubSpot's table, in either case, and nothing else", () => {
    expect(decodeSignedUri('/a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm')).toBe(
      "/a:b/c?d@e!f$g'h(i)j*k,l;m",
    );
    expect(decodeSignedUri('/x%3a%2f%2c')).toBe('/x:/,');
    expect(decodeSignedUri('/x%20y%25z%2B%3D%26')).toBe('/x%20y%25z%2B%3D%26');
    // Decoded once: an escaped percent sign stays escaped.
    expect(decodeSignedUri('/x%253A')).toBe('/x%253A');
  });

  it('verifies a request whose query string HubSpot signed decoded', () => {
    // The app's target URL carries encoded characters; HubSpot signs it with them decoded.
    const raw = '/webhooks/hubspot?portal=acme%3Aeu&since=2026-11-24T15%3A00%3A00Z&tag=a%20b';
    const hubspotSigned =
      'https://handoff.example.com/webhooks/hubspot?portal=acme:eu&since=2026-11-24T15:00:00Z&tag=a%20b';
    const uri = signedRequestUri({ url: raw, headers: { host: 'handoff.example.com' } }, false);
    expect(uri).toBe(hubspotSigned.replace('https:', 'http:'));
    const request = signed({ uri: uri ?? '' }, { uri: hubspotSigned.replace('https:', 'http:') });
    expect(checkSignatureV3(request, SECRET, NOW)).toEqual({ ok: true });
    // A sender that signed the raw, still-encoded URI is not HubSpot: it does not verify.
    expect(
      checkSignatureV3(
        signed({ uri: uri ?? '' }, { uri: `http://handoff.example.com${raw}` }),
        SECRET,
        NOW,
      ),
    ).toMatchObject({ reason: 'mismatch' });
  });
});
