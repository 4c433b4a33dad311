/**
 * `npm run bench:sync`: one sync cycle against a seeded sandbox tenant (default 2,000 contacts,
 * 1,000 Leads) and the sandbox's API-call counts per endpoint, next to the batched floor
 * (scripts/bench/floor.ts: search pages of 200, batch reads packed full, 100 per HubSpot batch
 * write; one query per 2,000 and three Collections writes per 200 routed), with the SLA watch's
 * and rejection scan's calls apart. In-process, so quick to iterate on; `npm run bench` runs
 * Handoff as its own process and measures more. Needs Redis at REDIS_URL.
 *
 *   npm run bench:sync -- --contacts 2000
 */
import { parseArgs } from 'node:util';
import { runCli } from '../src/cli/run-cli.js';
import { startSandboxes } from '../src/sandbox/start-sandboxes.js';
import { routingFloor } from './bench/floor.js';
import { installation } from './bench/support.js';

const { values } = parseArgs({ options: { contacts: { type: 'string', default: '2000' } } });
const now = new Date('2026-11-24T15:00:00Z');
// The tenants' clock runs on from `now`, as a real one would: Handoff's own writes then land
// after the cycle's windows instead of inside them, and Handoff reads the same clock.
const startedAt = performance.now();
const clock = (): number => now.getTime() + Math.round(performance.now() - startedAt);
const sandboxes = await startSandboxes({ contacts: Number(values.contacts), seed: 1, now: clock });
const redis = installation();
let stdout = '';
const started = performance.now();
const code = await runCli(
  [
    'sync',
    '--once',
    '--json',
    '--config',
    new URL('../config/handoff.example.yaml', import.meta.url).pathname,
  ],
  {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void process.stderr.write(text),
    env: {
      ...process.env,
      ...sandboxes.env,
      HANDOFF_REDIS_PREFIX: redis.prefix,
      LOG_LEVEL: 'silent',
    },
    now: () => new Date(clock()),
    untilShutdown: () => Promise.resolve('bench'),
  },
);
const elapsedMs = performance.now() - started;
interface Calls {
  hubspot: number;
  salesforce: number;
}
const summary = JSON.parse(stdout) as {
  pulled: { contacts: number };
  qualified: number;
  routed: number;
  tasks_created: number;
  written: { salesforce: number; hubspot: number };
  api_calls: Calls;
  sla: { calls: Calls; checked: number };
  feedback: { calls: Calls };
};
// `sync --once` also runs the SLA watch and the rejection scan after routing; their calls are
// reported on their own, the floor is about routing.
const routing = {
  hubspot: summary.api_calls.hubspot - summary.sla.calls.hubspot - summary.feedback.calls.hubspot,
  salesforce:
    summary.api_calls.salesforce - summary.sla.calls.salesforce - summary.feedback.calls.salesforce,
};
const hubspot = sandboxes.hubspot.server.log.summary();
const salesforce = sandboxes.salesforce.server.log.summary();
const model = routingFloor(
  {
    changedContacts: summary.pulled.contacts,
    routed: summary.routed,
    hubspotWrites: summary.written.hubspot,
  },
  hubspot,
);
const floor = { hubspot: model.hubspot.total, salesforce: model.salesforce.total };
const line = (name: string, counts: typeof hubspot): string =>
  `  ${name}: ${counts.total} calls — ${Object.entries(counts.byEndpoint)
    .map(([endpoint, { calls }]) => `${endpoint} ${calls}`)
    .join(', ')}`;
process.stdout.write(
  [
    `sync --once: ${summary.pulled.contacts} contacts, ${summary.qualified} qualified, ${summary.routed} routed, ${summary.tasks_created} Tasks, exit ${code}, ${Math.round(elapsedMs)} ms`,
    line('HubSpot', hubspot),
    line('Salesforce', salesforce),
    `  of which routing: HubSpot ${routing.hubspot}, Salesforce ${routing.salesforce}; SLA watch (${summary.sla.checked} Leads checked): HubSpot ${summary.sla.calls.hubspot}, Salesforce ${summary.sla.calls.salesforce}; rejection scan: HubSpot ${summary.feedback.calls.hubspot}, Salesforce ${summary.feedback.calls.salesforce}`,
    `  batched floor for routing (search pages + batch reads packed full + batch writes / one query + 3 Collections writes per 200): HubSpot ${floor.hubspot}, Salesforce ${floor.salesforce}`,
    `  routing's ratio to floor: HubSpot ${(routing.hubspot / floor.hubspot).toFixed(1)}×, Salesforce ${(routing.salesforce / floor.salesforce).toFixed(1)}× (directory and identity reads are above the floor's model)`,
    '',
  ].join('\n'),
);
await sandboxes.close();
await redis.wipe();
