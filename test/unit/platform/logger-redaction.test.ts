import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, LOG_CENSOR } from '../../../src/platform/logger.js';

/**
 * Whatever a caller hands the logger (nested payloads, vendor errors with their causes and
 * responses, Authorization headers, URLs with tokens, e-mail addresses), the serialized lines
 * never contain a secret or an address's local part, and ordinary fields pass unchanged.
 * fast-check prints the seed and the counterexample when a property fails.
 */

function capture(): {
  log: ReturnType<typeof createLogger>;
  lines: () => unknown[];
  raw: () => string;
} {
  const chunks: string[] = [];
  const log = createLogger({
    level: 'trace',
    destination: {
      write: (chunk: string) => {
        chunks.push(chunk);
      },
    },
  });
  return {
    log,
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as unknown),
  };
}

/** Every key and string value in a parsed line, so JSON escaping cannot hide a leak. */
function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => [key, ...texts(item)]);
  return [];
}

const TOKEN_ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/!'];
/** A bearer-token-shaped secret: ≥ 8 characters, upper and lower case and digits. */
const tokenSecret = fc
  .string({ unit: fc.constantFrom(...TOKEN_ALPHABET), minLength: 8, maxLength: 40 })
  .filter((text) => /[A-Z]/.test(text) && /[a-z]/.test(text) && /[0-9]/.test(text));
/** Any secret a keyed value could hold: a token with arbitrary Unicode after it. */
const anySecret = fc
  .tuple(tokenSecret, fc.string({ unit: 'grapheme', maxLength: 6 }))
  .map(([token, tail]) => token + tail);

const secretKey = fc.mixedCase(
  fc.constantFrom(
    'token',
    'access_token',
    'accessToken',
    'refresh_token',
    'client_secret',
    'clientSecret',
    'secret',
    'password',
    'privateKey',
    'private_key',
    'assertion',
    'authorization',
    'Proxy-Authorization',
    'cookie',
    'set-cookie',
    'api_key',
    'apiKey',
    'hapikey',
    'x-hubspot-signature',
    'x-hubspot-signature-v3',
  ),
);

const plainSegment = fc.oneof(
  fc.constantFrom('data', 'properties', 'results', 'items', 'meta', 'response', 'body'),
  fc.nat({ max: 3 }),
);
/** Path steps; `error` makes the logger treat what is below it as an error. */
const segment = fc.oneof(plainSegment, fc.constant('error'));

/** `leaf` at the end of `path`, with ordinary siblings along the way. */
function nest(path: readonly (string | number)[], leaf: unknown): unknown {
  return path.reduceRight<unknown>((inner, step) => {
    if (typeof step === 'number') {
      const items: unknown[] = Array.from({ length: step }, (_, index) => ({ index }));
      items.push(inner);
      return items;
    }
    return { [step]: inner, count: 1 };
  }, leaf);
}

/** Secrets placed where a careless log call would carry them. */
const placement = fc.oneof(
  fc
    .tuple(secretKey, anySecret)
    .map(([key, secret]) => ({ secret, value: { [key]: secret, contactId: '1' } })),
  fc
    .tuple(secretKey, anySecret)
    .map(([key, secret]) => ({ secret, value: { [key]: { nested: [secret] } } })),
  anySecret.map((secret) => ({
    secret,
    value: new Error('request failed', { cause: { body: { access: secret } } }),
  })),
  tokenSecret.map((secret) => ({
    secret,
    value: new Error('outer', { cause: new Error(`inner ${secret}`) }),
  })),
  anySecret.map((secret) => ({
    secret,
    value: Object.assign(new Error('vendor error'), {
      body: { value: secret },
      headers: { 'x-request': secret },
      response: { data: secret },
      request: { path: `/x/${secret}` },
      config: { data: secret },
    }),
  })),
  anySecret.map((secret) => ({
    secret,
    // HubSpot's ApiException: the whole response in the message.
    value: Object.assign(
      new Error(
        `HTTP-Code: 401\nMessage: denied\nBody: ${JSON.stringify({ detail: secret })}\nHeaders: ${JSON.stringify({ 'x-trace': secret })}`,
      ),
      { code: 401, body: { detail: secret } },
    ),
  })),
  fc
    .tuple(
      fc.constantFrom('Bearer', 'bearer', 'OAuth', 'Basic'),
      fc.constantFrom('Authorization: ', 'retried with ', 'header was "', ''),
      tokenSecret,
    )
    .map(([scheme, before, secret]) => ({
      secret,
      value: `${before}${scheme} ${secret}` as unknown,
    })),
  fc
    .tuple(
      fc.mixedCase(fc.constantFrom('x-hubspot-signature-v3', 'cookie', 'set-cookie', 'password')),
      tokenSecret,
    )
    .map(([header, secret]) => ({
      secret,
      value: `request headers:\n${header}: session=${secret}; Path=/\naccept: */*` as unknown,
    })),
  fc
    .tuple(tokenSecret, fc.constantFrom('access_token', 'refresh_token', 'hapikey'))
    .map(([secret, name]) => ({
      secret,
      value:
        `https://api.hubapi.com/crm/v3/objects/contacts?limit=10&${name}=${secret}&after=5` as unknown,
    })),
  tokenSecret.map((secret) => ({
    secret,
    value:
      `token refresh answered {"access_token":"${secret}","instance_url":"https://x"}` as unknown,
  })),
);

const ordinary = fc.record({
  contactId: fc.stringMatching(/^[1-9][0-9]{0,11}$/),
  leadId: fc.stringMatching(/^00Q[A-Za-z0-9]{15}$/),
  counts: fc.record({ created: fc.nat(), updated: fc.nat(), quarantined: fc.nat() }),
  dryRun: fc.boolean(),
});

type Call = 'merge' | 'err' | 'message' | 'format' | 'child' | 'bare';
const call = fc.constantFrom<Call>('merge', 'err', 'message', 'format', 'child', 'bare');

describe('log redaction (property)', () => {
  it('never writes a secret, wherever it is placed, and passes ordinary fields through', () => {
    fc.assert(
      fc.property(
        placement,
        fc.array(segment, { maxLength: 8 }),
        ordinary,
        call,
        ({ secret, value }, path, fields, how) => {
          const { log, lines, raw } = capture();
          const nested = nest(path, value);
          // What a template string would make of it: `${err}` is "Error: <message>".
          const text = typeof value === 'string' ? value : String(value);
          switch (how) {
            case 'merge':
              log.info({ ...fields, data: nested }, 'synced');
              break;
            case 'err':
              log.error({ ...fields, err: value }, 'job failed');
              break;
            case 'message':
              log.warn(fields, `failed: ${text}`);
              break;
            case 'format':
              log.warn(fields, 'failed: %s (%o)', text, nested as object);
              break;
            case 'child':
              log.child({ context: nested }).info(fields, 'synced');
              break;
            case 'bare':
              log.error(value instanceof Error ? value : { ...fields, payload: nested });
              break;
          }
          const output = lines();
          expect(output).toHaveLength(1);
          expect(raw()).not.toContain(secret);
          for (const piece of texts(output)) expect(piece).not.toContain(secret);
          if (how !== 'bare' || !(value instanceof Error)) expect(output[0]).toMatchObject(fields);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never writes an e-mail address with its local part, but keeps the domain', () => {
    const email = fc
      .emailAddress()
      .filter((address) => !(address.split('@')[0] ?? '').includes('*'));
    fc.assert(
      fc.property(
        email,
        fc.array(plainSegment, { maxLength: 5 }),
        ordinary,
        call,
        (address, path, fields, how) => {
          const [local = '', domain = ''] = address.split('@');
          const { log, lines, raw } = capture();
          const sentence = `no lead for ${address} (routing by ${domain})`;
          const nested = nest(path, { note: sentence, [address]: 'key', list: [address] });
          switch (how) {
            case 'merge':
            case 'bare':
              log.info({ ...fields, data: nested }, 'synced');
              break;
            case 'err':
              log.error({ ...fields, err: new Error(sentence) }, 'job failed');
              break;
            case 'message':
              log.warn(fields, sentence);
              break;
            case 'format':
              log.warn(fields, 'failed: %s', address);
              break;
            case 'child':
              log.child({ context: nested }).info(fields, 'synced');
              break;
          }
          const output = lines();
          const all = [raw(), ...texts(output)];
          for (const piece of all) {
            expect(piece).not.toContain(`${local}@`);
            expect(piece.toLowerCase()).not.toContain(`${local}%40`.toLowerCase());
          }
          expect(raw()).toContain(`***@${domain}`);
          expect(output[0]).toMatchObject(fields);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts email and phone keys entirely, in any case and at any depth', () => {
    fc.assert(
      fc.property(
        fc.mixedCase(fc.constantFrom('email', 'phone', 'mobilephone')),
        fc.array(plainSegment, { maxLength: 6 }),
        fc.emailAddress(),
        (key, path, address) => {
          const { log, lines } = capture();
          log.info({ data: nest(path, { [key]: address }) }, 'x');
          const found = texts(lines());
          expect(found).toContain(LOG_CENSOR);
          expect(found.join('\n')).not.toContain(address);
        },
      ),
    );
  });

  it('leaves the caller\u2019s objects as they were', () => {
    fc.assert(
      fc.property(
        placement,
        fc.array(segment, { maxLength: 6 }),
        ordinary,
        ({ value }, path, fields) => {
          const payload = { ...fields, data: nest(path, value) };
          const before = JSON.stringify(payload);
          const error = value instanceof Error ? value : undefined;
          const cause: unknown = error?.cause;
          const { log } = capture();
          log.info(payload, 'x');
          log.error({ err: value }, 'y');
          expect(JSON.stringify(payload)).toBe(before);
          if (error !== undefined) expect(error.cause).toBe(cause);
        },
      ),
    );
  });
});
