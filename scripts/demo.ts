/**
 * `npm run demo`: Handoff on its built-in sandboxes, no credentials needed. Seeds a HubSpot portal
 * and a Salesforce org, runs one sync cycle with the example definition (Redis at REDIS_URL,
 * default 127.0.0.1:6379), shows what happened to a few leads, runs the cycle again to show it
 * writes nothing twice, then stops.
 */
import { randomUUID } from 'node:crypto';
import { runCli } from '../src/cli/run-cli.js';
import { startSandboxes } from '../src/sandbox/start-sandboxes.js';

const CONFIG = new URL('../config/handoff.example.yaml', import.meta.url).pathname;
const now = new Date();
const sandboxes = await startSandboxes({ contacts: 1_000, seed: 1, now: () => now.getTime() });
const env = {
  ...process.env,
  ...sandboxes.env,
  REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  HANDOFF_REDIS_PREFIX: `demo-${randomUUID()}`,
  LOG_LEVEL: 'silent',
};
const out = (text: string): void => void process.stdout.write(text);

async function cycle(label: string): Promise<number> {
  out(`\n$ handoff sync --once   # ${label}\n`);
  return runCli(['sync', '--once', '--config', CONFIG], {
    stdout: out,
    stderr: (text) => void process.stderr.write(text),
    env,
    now: () => now,
    untilShutdown: () => Promise.resolve('demo'),
  });
}

out(
  `HubSpot sandbox ${sandboxes.hubspotUrl}: ${sandboxes.seeded.contacts} contacts; Salesforce sandbox ${sandboxes.salesforceUrl}: ${sandboxes.seeded.leads} leads\n`,
);
let code = await cycle('first cycle: qualify, route, write');
if (code <= 1) {
  const routed = [...sandboxes.salesforce.store.table('Lead').values()]
    .filter((lead) => typeof lead['Handoff_Decision_Id__c'] === 'string')
    .slice(0, 3);
  out('\nThree of the routed Leads, as a rep sees them in Salesforce:\n');
  for (const lead of routed) {
    const owner = sandboxes.salesforce.store.get(String(lead['OwnerId']))?.record['Name'];
    out(
      `  ${String(lead['Name'])} (${String(lead['Company'])}) → ${String(owner)}, due ${new Date(Number(lead['Handoff_Due__c'])).toISOString()}\n    ${String(lead['Handoff_Reason__c'])}\n`,
    );
  }
  code = await cycle('second cycle: nothing changed, so nothing is written');
}
await sandboxes.close();
if (code === 2) out('\nIs Redis running? Start it with: redis-server --daemonize yes\n');
process.exitCode = code;
