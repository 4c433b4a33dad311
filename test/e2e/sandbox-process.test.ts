import { spawn } from 'node:child_process';
import { Client } from '@hubspot/api-client';
import { Connection } from 'jsforce';
import { describe, expect, it } from 'vitest';
import { SALESFORCE_BORN_LEADS } from '../../src/sandbox/seed/seed-tenants.js';

const ROOT = new URL('../..', import.meta.url).pathname;
/** One Lead per other contact of the 1,000, plus the Leads born in Salesforce. */
const LEADS = 1000 / 2 + Object.keys(SALESFORCE_BORN_LEADS).length;

describe('handoff sandbox as a process', () => {
  it('serves seeded tenants, prints env lines for both systems, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'sandbox', '--port', '0', '--seed', '3'],
      {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const env = await new Promise<Record<string, string>>((resolve, reject) => {
      child.once('exit', (code) =>
        reject(new Error(`sandbox exited early with ${String(code)}: ${stderr}`)),
      );
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const lines = Object.fromEntries(
          [...stdout.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((match) => [
            match[1] ?? '',
            match[2] ?? '',
          ]),
        );
        if (lines['SALESFORCE_CLIENT_SECRET'] !== undefined) resolve(lines);
      });
    });
    try {
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining([
          'HUBSPOT_BASE_URL',
          'HUBSPOT_ACCESS_TOKEN',
          'SALESFORCE_INSTANCE_URL',
          'SALESFORCE_ACCESS_TOKEN',
        ]),
      );
      expect(stdout).toMatch(/\(1000 contacts,/);
      expect(stdout).toContain(`(${LEADS} leads,`);
      const hubspot = new Client({
        accessToken: env['HUBSPOT_ACCESS_TOKEN'] ?? '',
        basePath: env['HUBSPOT_BASE_URL'] ?? '',
        numberOfApiCallRetries: 0,
      });
      const page = await hubspot.crm.contacts.searchApi.doSearch({ limit: 200 });
      expect(page.total).toBe(1000);
      const salesforce = new Connection({
        instanceUrl: env['SALESFORCE_INSTANCE_URL'] ?? '',
        accessToken: env['SALESFORCE_ACCESS_TOKEN'] ?? '',
        version: '62.0',
      });
      expect((await salesforce.query('SELECT COUNT() FROM Lead')).totalSize).toBe(LEADS);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
