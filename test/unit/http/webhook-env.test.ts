import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from '../../../src/config/env.js';

function problems(source: Record<string, string>): string {
  try {
    loadEnv(source);
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as EnvError).message;
  }
}

describe('webhook settings in the environment', () => {
  it('trusts no proxy and debounces for a second by default', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ TRUST_PROXY: false, HANDOFF_WEBHOOK_DEBOUNCE_MS: 1_000 });
    expect(env.HUBSPOT_WEBHOOK_SECRET).toBeUndefined();
    // A blank line in an env file is the default, as for every other variable.
    const blank = loadEnv({ TRUST_PROXY: '', HUBSPOT_WEBHOOK_SECRET: ' ' });
    expect(blank.TRUST_PROXY).toBe(false);
    expect(blank.HUBSPOT_WEBHOOK_SECRET).toBeUndefined();
  });

  it('reads TRUST_PROXY as true or false only', () => {
    expect(loadEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadEnv({ TRUST_PROXY: ' TRUE ' }).TRUST_PROXY).toBe(true);
    expect(loadEnv({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    for (const value of ['yes', '1', 'on'])
      expect(problems({ TRUST_PROXY: value })).toContain('TRUST_PROXY: expected true or false');
  });

  it('bounds the debounce window to 0–60 s', () => {
    expect(loadEnv({ HANDOFF_WEBHOOK_DEBOUNCE_MS: '250' }).HANDOFF_WEBHOOK_DEBOUNCE_MS).toBe(250);
    expect(loadEnv({ HANDOFF_WEBHOOK_DEBOUNCE_MS: '0' }).HANDOFF_WEBHOOK_DEBOUNCE_MS).toBe(0);
    for (const value of ['-1', '60001', '1.5', 'soon'])
      expect(problems({ HANDOFF_WEBHOOK_DEBOUNCE_MS: value })).toContain(
        'HANDOFF_WEBHOOK_DEBOUNCE_MS',
      );
  });
});
