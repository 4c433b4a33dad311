import { runCli } from '../../src/cli/run-cli.js';
import type { RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';

/**
 * `npm run demo -- --once`: the textual walkthrough, for CI and terminals without a browser. One
 * sync cycle with the example definition, three routed Leads as a rep sees them, the cycle again
 * to show it writes nothing twice; then a rep rejects a lead and another calls one, a week
 * passes, and a third cycle returns the rejection to HubSpot and escalates the missed SLAs;
 * `handoff report` closes. The sandboxes and Handoff share one clock, moved by this script.
 */
export async function walkthrough(options: {
  readonly sandboxes: RunningSandboxes;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly config: string;
  readonly clock: { now: Date };
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}): Promise<number> {
  const { sandboxes, env, config, clock, out } = options;
  const cycle = async (label: string, command = ['sync', '--once']): Promise<number> => {
    out(`\n$ handoff ${command.join(' ')}   # ${label}\n`);
    return runCli([...command, '--config', config], {
      stdout: out,
      stderr: options.err,
      env,
      now: () => clock.now,
      untilShutdown: () => Promise.resolve('demo'),
    });
  };

  out(
    `HubSpot sandbox ${sandboxes.hubspotUrl}: ${sandboxes.seeded.contacts} contacts; Salesforce sandbox ${sandboxes.salesforceUrl}: ${sandboxes.seeded.leads} leads\n`,
  );
  let code = await cycle('first cycle: qualify, route, write');
  if (code > 1) return code;
  const store = sandboxes.salesforce.store;
  const routed = [...store.table('Lead').values()]
    .filter((lead) => typeof lead['Handoff_Decision_Id__c'] === 'string')
    .slice(0, 3);
  out('\nThree of the routed Leads, as a rep sees them in Salesforce:\n');
  for (const lead of routed) {
    const owner = store.get(String(lead['OwnerId']))?.record['Name'];
    out(
      `  ${String(lead['Name'])} (${String(lead['Company'])}) → ${String(owner)}, due ${new Date(Number(lead['Handoff_Due__c'])).toISOString()}\n    ${String(lead['Handoff_Reason__c'])}\n`,
    );
  }
  code = await cycle('second cycle: nothing changed, so nothing is written');

  const [rejected, called] = routed.filter((lead) => String(lead['OwnerId']).startsWith('005'));
  clock.now = new Date(clock.now.getTime() + 3_600_000);
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
  clock.now = new Date(clock.now.getTime() + 7 * 86_400_000);
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
    new Date(clock.now.getTime() - 8 * 86_400_000).toISOString(),
  ]);
  return code;
}
