import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { EnvError, EnvSchema, loadEnv } from '../../../src/config/env.js';

describe('loadEnv', () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(loadEnv({})).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      HANDOFF_CONFIG: 'config/handoff.yaml',
      HUBSPOT_BASE_URL: 'https://api.hubapi.com',
      SALESFORCE_LOGIN_URL: 'https://login.salesforce.com',
      SALESFORCE_API_VERSION: '62.0',
      HOST: '127.0.0.1',
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

describe('CRM URLs', () => {
  const CRM_URLS = ['HUBSPOT_BASE_URL', 'SALESFORCE_INSTANCE_URL', 'SALESFORCE_LOGIN_URL'];

  function problems(source: Record<string, string>): string {
    try {
      loadEnv(source);
      return '';
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      return (err as EnvError).message;
    }
  }

  it.each(CRM_URLS)('%s must be https off loopback, naming the variable', (name) => {
    for (const url of [
      'http://api.hubapi.com',
      'http://acme.my.salesforce.com',
      'http://10.0.0.5:8080',
      'http://127.0.0.1.nip.io',
      'http://localhost.evil.example',
      'http://[::2]:4010',
    ]) {
      const message = problems({ [name]: url });
      expect(message, url).toContain(`${name}: must be an https:// URL`);
      expect(message, url).not.toContain(url);
    }
  });

  it.each(CRM_URLS)('%s accepts https anywhere and http on loopback hosts', (name) => {
    for (const url of [
      'https://api.hubapi.com',
      'https://acme.my.salesforce.com',
      'http://127.0.0.1:4010',
      'http://127.42.0.9:4010',
      'http://127.1:4011',
      'http://localhost:4010',
      'http://LOCALHOST:4010',
      'http://[::1]:4010',
    ]) {
      expect(problems({ [name]: url }), url).toBe('');
    }
  });

  it('reports a malformed or non-http URL once', () => {
    const message = problems({
      HUBSPOT_BASE_URL: 'ftp://files.example',
      SALESFORCE_LOGIN_URL: 'nope',
    });
    expect(message.match(/HUBSPOT_BASE_URL/g)).toHaveLength(1);
    expect(message.match(/SALESFORCE_LOGIN_URL/g)).toHaveLength(1);
  });
});

describe('HOST', () => {
  it('binds loopback unless set; blank means unset', () => {
    expect(loadEnv({}).HOST).toBe('127.0.0.1');
    expect(loadEnv({ HOST: ' ' }).HOST).toBe('127.0.0.1');
    expect(loadEnv({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
    expect(loadEnv({ HOST: '::' }).HOST).toBe('::');
  });

  it('is what the Docker image sets to 0.0.0.0', async () => {
    const dockerfile = await readFile(new URL('../../../Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/^ENV HOST=0\.0\.0\.0$/m);
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
