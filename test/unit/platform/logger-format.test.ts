import { describe, expect, it } from 'vitest';
import { createLogger, logFormat, type LoggerOptions } from '../../../src/platform/logger.js';

function capture(options: Omit<LoggerOptions, 'level' | 'destination'>): {
  log: ReturnType<typeof createLogger>;
  output: () => string;
} {
  const chunks: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: { write: (chunk: string) => void chunks.push(chunk) },
    ...options,
  });
  return { log, output: () => chunks.join('') };
}

describe('logFormat', () => {
  it('follows LOG_FORMAT when set, else pretty on a terminal and JSON anywhere else', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({}, undefined)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });
});

describe('createLogger with readable lines', () => {
  it('prints the level, the message and the fields, not JSON', () => {
    const { log, output } = capture({ format: 'pretty' });
    log.info({ leadId: '00Q5e000001', ownerId: '0055e000002' }, 'lead routed');
    const text = output();
    expect(text).toContain('INFO');
    expect(text).toContain('lead routed');
    expect(text).toContain('leadId: "00Q5e000001"');
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it.each([false, true])(
    'never shows a token, an Authorization header or an e-mail (colours %s)',
    (colorize) => {
      const { log, output } = capture({ format: 'pretty', colorize });
      log.info(
        {
          accessToken: 'pat-na1-11111111-2222',
          headers: { Authorization: 'Bearer abcdefghijklmnop' },
          contact: { email: 'chloe.muller@example.com', note: 'wrote from grace.kim@acme.io' },
        },
        'calling with Bearer zyxwvutsrqponmlk for chloe.muller@example.com',
      );
      log.warn(
        new Error('refused: access_token=pat-na1-33333333 for someone@example.org'),
        'hubspot call failed',
      );
      const text = output();
      for (const secret of [
        'pat-na1-11111111-2222',
        'abcdefghijklmnop',
        'zyxwvutsrqponmlk',
        'pat-na1-33333333',
        'chloe.muller@',
        'grace.kim@',
        'someone@',
      ])
        expect(text).not.toContain(secret);
      expect(text).toContain('[redacted]');
      expect(text).toContain('g***@acme.io');
    },
  );

  it('stays JSON when no format is given', () => {
    const { log, output } = capture({});
    log.info({ leadId: 'x' }, 'lead routed');
    expect(JSON.parse(output())).toMatchObject({ msg: 'lead routed', leadId: 'x' });
  });
});
