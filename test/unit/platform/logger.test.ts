import { describe, expect, it } from 'vitest';
import { toBullMqError } from '../../../src/jobs/to-bullmq-error.js';
import { IntegrationError } from '../../../src/platform/errors.js';
import {
  censorString,
  createLogger,
  isSecretKey,
  sanitizeLogValue,
  serializeLogError,
} from '../../../src/platform/logger.js';

function capture(): {
  log: ReturnType<typeof createLogger>;
  lines: () => Record<string, unknown>[];
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
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** What @hubspot/api-client throws: the response body and headers in the message and on it. */
class ApiException extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(
      `HTTP-Code: ${code}\nMessage: An error occurred.\nBody: ${JSON.stringify(body)}\nHeaders: ${JSON.stringify(headers)}`,
    );
  }
}

describe('logger redaction', () => {
  it('recognises secret keys in any case and spelling, and leaves ordinary ones', () => {
    for (const key of [
      'token',
      'ACCESS_TOKEN',
      'accessToken',
      'access-token',
      'Refresh_Token',
      'client_secret',
      'ClientSecret',
      'password',
      'privateKey',
      'private_key',
      'assertion',
      'Authorization',
      'cookie',
      'Set-Cookie',
      'api_key',
      'apiKey',
      'X-HubSpot-Signature',
      'x-hubspot-signature-v3',
      'email',
      'Email',
      'phone',
      'MobilePhone',
    ])
      expect(isSecretKey(key), key).toBe(true);
    for (const key of ['contactId', 'leadId', 'ownerId', 'count', 'events', 'code', 'kind', 'msg'])
      expect(isSecretKey(key), key).toBe(false);
  });

  it('censors credentials and masks addresses inside strings', () => {
    expect(censorString('Authorization: Bearer abcDEF123456')).toBe('Authorization: [redacted]');
    expect(censorString('sent OAuth 00D5e000000abcd!AQ0AQxyz')).toBe('sent OAuth [redacted]');
    expect(censorString('supports OAuth 2.0; Bearer token missing')).toBe(
      'supports OAuth 2.0; Bearer token missing',
    );
    expect(censorString('GET /crm?limit=10&access_token=abc123XYZ&after=5')).toBe(
      'GET /crm?limit=10&access_token=[redacted]&after=5',
    );
    expect(censorString('{"refresh_token":"r1\\"x","instance_url":"https://x"}')).toBe(
      '{"refresh_token":"[redacted]","instance_url":"https://x"}',
    );
    expect(censorString('redis://:hunter22@redis:6379')).toBe('redis://:[redacted]@redis:6379');
    expect(censorString('no lead for john.doe@example.com')).toBe('no lead for j***@example.com');
    // URL-encoded too; what precedes the address may go with the local part.
    const encoded = censorString('q=Email+%3D+%27jane%40example.com%27');
    expect(encoded).not.toContain('jane');
    expect(encoded).toContain('***%40example.com%27');
  });

  it('keeps email and phone keys redacted entirely, at any depth', () => {
    expect(
      sanitizeLogValue({ email: 'a@b.co', properties: { Email: 'a@b.co', phone: '+1 555' } }),
    ).toEqual({
      email: '[redacted]',
      properties: { Email: '[redacted]', phone: '[redacted]' },
    });
  });

  it('copies without mutating, and survives cycles, depth, width and odd values', () => {
    const payload: Record<string, unknown> = {
      token: 'secret-value-1',
      nested: { list: [1, 2, 3] },
      when: new Date('2026-05-01T10:00:00Z'),
      url: new URL('https://x.test/cb?access_token=abcdefgh123'),
      ids: new Set(['a']),
      byAddress: new Map([['jo@x.com', 1]]),
      bytes: Buffer.from('secret-bytes'),
      fn: () => 1,
    };
    payload['self'] = payload;
    const snapshot = { ...payload };
    const clean = sanitizeLogValue(payload) as Record<string, unknown>;
    expect(payload).toEqual(snapshot);
    expect(payload['token']).toBe('secret-value-1');
    expect(clean).toEqual({
      token: '[redacted]',
      nested: { list: [1, 2, 3] },
      when: '2026-05-01T10:00:00.000Z',
      url: 'https://x.test/cb?access_token=[redacted]',
      ids: ['a'],
      byAddress: { 'j***@x.com': 1 },
      bytes: '[binary 12 bytes]',
      self: '[circular]',
    });

    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let index = 0; index < 50; index += 1) deep = { down: deep };
    expect(JSON.stringify(sanitizeLogValue(deep))).toContain('[truncated]');

    const wide = Array.from({ length: 5_000 }, (_, index) => ({ index }));
    const cut = sanitizeLogValue(wide) as unknown[];
    expect(cut).toHaveLength(101);
    expect(cut[100]).toBe('[+4900 more]');

    const long = sanitizeLogValue('a'.repeat(100_000)) as string;
    expect(long.length).toBeLessThan(9_000);
  });

  it('serializes errors to safe fields only', () => {
    const cause = new ApiException(401, { message: 'x', token: 'body-secret' }, {});
    const error = Object.assign(
      new IntegrationError('hubspot', 'auth', 'hubspot 401 INVALID_AUTHENTICATION', {
        code: 'INVALID_AUTHENTICATION',
        status: 401,
        cause,
      }),
      { response: { headers: { authorization: 'Bearer xyz12345678' } }, config: {}, request: {} },
    );
    expect(serializeLogError(error)).toEqual({
      name: 'IntegrationError',
      message: 'hubspot 401 INVALID_AUTHENTICATION',
      code: 'INVALID_AUTHENTICATION',
      kind: 'auth',
      system: 'hubspot',
      status: 401,
    });
    expect(serializeLogError(cause)).toEqual({
      name: 'Error',
      message: 'HTTP-Code: 401',
      code: 401,
    });
    expect(
      serializeLogError({ message: 'Failed Body: {"a":1}', code: 'free text, not a code' }),
    ).toEqual({ message: 'Failed' });
    expect(serializeLogError('thrown: Bearer abcdefgh1234')).toBe('thrown: Bearer [redacted]');
  });

  it('logs errors, bare or under err, through the safe serializer', () => {
    const { log, lines } = capture();
    const vendor = new ApiException(
      429,
      { status: 'error', message: 'limit for jo@acme.com' },
      { authorization: 'Bearer pat-na1-abcdef123' },
    );
    log.error(vendor);
    log.error({ err: vendor, error: vendor, contactId: '42' }, 'call failed');
    log.child({ accessToken: 'child-token-123', leadId: '00Q1' }).warn({ err: 'x' }, 'y');
    const [bare, keyed, child] = lines();
    expect(bare).toMatchObject({
      err: { name: 'Error', message: 'HTTP-Code: 429', code: 429 },
      msg: 'HTTP-Code: 429',
    });
    expect(keyed).toMatchObject({
      err: { message: 'HTTP-Code: 429' },
      error: { message: 'HTTP-Code: 429' },
      contactId: '42',
      msg: 'call failed',
    });
    expect(child).toMatchObject({ accessToken: '[redacted]', leadId: '00Q1' });
    const text = JSON.stringify(lines());
    expect(text).not.toMatch(/pat-na1|jo@acme|child-token|Body|Headers|cause|stack/);
  });

  it('toBullMqError logs an unclassified vendor error without its response', async () => {
    const { log, lines } = capture();
    const vendor = new ApiException(
      500,
      { message: 'boom', correlationId: 'c-1', email: 'jo@acme.com' },
      { 'set-cookie': '__cf_bm=secretcookie' },
    );
    const target = { name: 'q', rateLimit: () => Promise.resolve() };
    await toBullMqError(
      vendor,
      { own: target, bySystem: { hubspot: target, salesforce: target } },
      log,
    );
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 50,
        kind: 'unclassified',
        err: { name: 'Error', message: 'HTTP-Code: 500', code: 500 },
        msg: 'job failed',
      }),
    ]);
    expect(JSON.stringify(lines())).not.toMatch(/secretcookie|jo@acme|correlationId/);
  });
});
