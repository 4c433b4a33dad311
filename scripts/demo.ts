/**
 * `npm run demo`: Handoff on its built-in sandboxes, no credentials needed. Seeds a HubSpot portal
 * and a Salesforce org, runs one sync cycle with the example definition (Redis at REDIS_URL,
 * default 127.0.0.1:6379), shows what happened to a few leads, runs the cycle again to show it
 * writes nothing twice; then a rep rejects a lead and another calls one, a week passes, and a
 * third cycle returns the rejection to HubSpot and escalates the missed SLAs; `handoff report`
 * closes. The sandboxes and Handoff share one clock, moved forward by the script.
 */
import { randomUUID } from 'node:crypto';
import { runCli } from '../src/cli/run-cli.js';
import { startSandboxes } from '../src/sandbox/start-sandboxes.js';

const CONFIG = new URL('../config/handoff.example.yaml', import.meta.url).pathname;
let now = new Date();
const sandboxes = await startSandboxes({ contacts: 1_000, seed: 1, now: () => now.getTime() });
const env = {
  ...process.env,
  ...sandboxes.env,
  REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  HANDOFF_REDIS_PREFIX: `demo-${randomUUID()}`,
  LOG_LEVEL: 'silent',
};
const out = (text: string): void => void process.stdout.write(text);

async function cycle(label: string, command = ['sync', '--once']): Promise<number> {
  out(`\n$ handoff ${command.join(' ')}   # ${label}\n`);
  return runCli([...command, '--config', CONFIG], {
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

  const store = sandboxes.salesforce.store;
  const [rejected, called] = routed.filter((lead) => String(lead['OwnerId']).startsWith('005'));
  now = new Date(now.getTime() + 3_600_000);
  if (rejected !== undefined) {
    store.update(
      'Lead',
      String(rejected['Id']),
      {
        Status: 'Unqualified',
        Rejection_Reason__c: 'No budget',
        Rejection_Comment__c: 'Frozen until Q3',
      },
      false,
    );
    out(`\nA rep rejects ${String(rejected['Name'])}: Unqualified, "No budget".\n`);
  }
  if (called !== undefined) {
    store.create(
      'Task',
      {
        WhoId: called['Id'],
        OwnerId: called['OwnerId'],
        Subject: 'Call',
        Status: 'Completed',
        TaskSubtype: 'Call',
      },
      false,
    );
    out(`Another rep calls ${String(called['Name'])}.\nA week passes.\n`);
  }
  now = new Date(now.getTime() + 7 * 86_400_000);
  code = Math.max(
    code,
    await cycle('third cycle: rejections go back to marketing, missed SLAs escalate'),
  );
  if (rejected !== undefined) {
    const contact = sandboxes.hubspot.store.objects.contacts.get(
      String(rejected['HubSpot_Contact_Id__c']),
    );
    out(
      `\nWhat the marketer sees on ${String(rejected['Name'])} in HubSpot: status ${String(contact?.properties['handoff_status'])}, reason "${String(contact?.properties['handoff_rejection_reason'])}", lifecycle stage ${String(contact?.properties['lifecyclestage'])}, on nurture list 101: ${String(sandboxes.hubspot.store.lists.get('101')?.members.has(String(contact?.id)))}\n`,
    );
  }
  await cycle('the funnel, from Salesforce', [
    'report',
    '--since',
    new Date(now.getTime() - 8 * 86_400_000).toISOString(),
  ]);
}
await sandboxes.close();
if (code === 2) out('\nIs Redis running? Start it with: redis-server --daemonize yes\n');
process.exitCode = code;
