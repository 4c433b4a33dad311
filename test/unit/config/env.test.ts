import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { EnvError, EnvSchema, loadEnv } from '../../../src/config/env.js';

describe('loadEnv', () => {
  it('applies the DESIGN.md defaults to an empty environment', () => {
    expect(loadEnv({})).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      HANDOFF_CONFIG: 'config/handoff.yaml',
      HUBSPOT_BASE_URL: 'https://api.hubapi.com',
      SALESFORCE_LOGIN_URL: 'https://login.salesforce.com',
      SALESFORCE_API_VERSION: '62.0',
      PORT: 3000,
      LOG_LEVEL: 'info',
    });
  });

  it('reads every documented variable and treats blank values as unset', () => {
    const env = loadEnv({
      REDIS_URL: 'rediss://cache.internal:6380/2',
      HUBSPOT_ACCESS_TOKEN: ' pat-na1-secret ',
      HUBSPOT_BASE_URL: 'http://127.0.0.1:4010',
      SALESFORCE_INSTANCE_URL: 'http://127.0.0.1:4020',
      SALESFORCE_ACCESS_TOKEN: '',
      SALESFORCE_API_VERSION: '60.0',
      PORT: '8080',
      HANDOFF_ADMIN_TOKEN: 'a-long-enough-admin-token',
      LOG_LEVEL: 'debug',
    });
    expect(env).toMatchObject({
      REDIS_URL: 'rediss://cache.internal:6380/2',
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-secret',
      SALESFORCE_ACCESS_TOKEN: undefined,
      PORT: 8080,
      LOG_LEVEL: 'debug',
    });
  });

  it('lists every problem by variable name and never echoes a value', () => {
    let error: unknown;
    try {
      loadEnv({
        REDIS_URL: 'http://not-redis',
        PORT: 'eighty',
        SALESFORCE_API_VERSION: '52.0',
        SALESFORCE_CLIENT_SECRET: 'top-secret-value',
        SALESFORCE_USERNAME: 'integration@acme.com',
        HANDOFF_ADMIN_TOKEN: 'short',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as EnvError).message;
    for (const name of [
      'REDIS_URL',
      'PORT',
      'SALESFORCE_API_VERSION',
      'SALESFORCE_CLIENT_ID',
      'SALESFORCE_PRIVATE_KEY_FILE',
      'HANDOFF_ADMIN_TOKEN',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('top-secret-value');
    expect(message).not.toContain('integration@acme.com');
    expect((error as EnvError).code).toBe('ENV_INVALID');
  });
});

describe('environment documentation', () => {
  const documented = Object.keys(EnvSchema.shape).filter((name) => name !== 'NODE_ENV');

  it('documents every variable in config/env.example and the README table', async () => {
    const example = await readFile(new URL('../../../config/env.example', import.meta.url), 'utf8');
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const name of documented) {
      expect(example, `config/env.example lacks ${name}`).toMatch(new RegExp(`^${name}=`, 'm'));
      expect(readme, `README.md lacks ${name}`).toContain(`\`${name}\``);
    }
  });
});
