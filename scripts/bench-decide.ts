/**
 * `npm run bench:decide`: qualify + route + SLA for synthetic leads against the example definition,
 * on one core (this process is single-threaded). Prints leads/s, µs/lead, the share of qualified
 * leads and peak memory. Deterministic input: a seeded generator, fixed clock.
 *
 *   npm run bench:decide -- --leads 100000 --seed 7
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseDefinition } from '../src/config/load-definition.js';
import { decideLead } from '../src/domain/decide-lead.js';
import type { Activity, Lead } from '../src/domain/model.js';
import type { Directory, DirectoryUser, RotationState } from '../src/domain/routing/route-lead.js';
import { seededRandom } from '../src/sandbox/core/seeded-random.js';

const { values } = parseArgs({
  options: { leads: { type: 'string', default: '100000' }, seed: { type: 'string', default: '7' } },
});
const LEAD_COUNT = Number(values.leads);
const NOW_MS = Date.parse('2026-11-16T15:00:00Z');
const DAY_MS = 86_400_000;

const text = await readFile(new URL('../config/handoff.example.yaml', import.meta.url), 'utf8');
const parsed = parseDefinition(text);
if (!parsed.ok) throw new Error('the example definition does not validate');
const definition = parsed.value;

const random = seededRandom(Number(values.seed));
const next = random.next;
const pick = random.pick;
const domains = [
  'acme.com',
  'globex.io',
  'initech.co.uk',
  'gmail.com',
  'umbrella.de',
  'uni.edu',
  'hooli.fr',
];
const titles = [
  'VP Data',
  'Director of Analytics',
  'CEO',
  'Analyst',
  'Marketing Manager',
  'Intern',
  'Head of BI',
  null,
];
const countries = ['US', 'CA', 'GB', 'DE', 'FR', 'NL', 'IN', 'BR', null];
const industries = ['Software', 'Retail', 'Healthcare', 'Education', null];
const activityTypes = [
  'demo_request',
  'pricing_page',
  'form_submission',
  'webinar_attended',
  'email_click',
  'page_view',
  'meeting',
  'podcast',
];

interface SyntheticLead {
  readonly lead: Lead;
  readonly activities: readonly Activity[];
  readonly routedAt: Date;
}

const owners = Object.values(definition.routing.pools).flatMap((pool) =>
  pool.members.map((member) => member.owner),
);
const zones = [
  'America/New_York',
  'America/Chicago',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Kolkata',
];
const users = new Map<string, DirectoryUser>(
  owners.map((owner, index) => [
    owner,
    {
      active: index % 7 !== 3,
      outOfOffice: index % 11 === 5,
      openLeads: index * 3,
      timezone: zones[index % zones.length],
    },
  ]),
);
const accountOwner = '0055e000001ACCOWNR';
users.set(accountOwner, {
  active: true,
  outOfOffice: false,
  openLeads: 0,
  timezone: 'America/Denver',
});
const directory: Directory = users;

const leads: SyntheticLead[] = Array.from({ length: LEAD_COUNT }, (_, index) => {
  const activityCount = Math.floor(next() * 6);
  return {
    lead: {
      attributes: {
        email: `person${index}@${pick(domains)}`,
        company: next() < 0.95 ? `Company ${index % 5000}` : null,
        title: pick(titles),
        country: pick(countries),
        employees: Math.floor(next() * 5000),
        industry: pick(industries),
        annual_revenue: Math.floor(next() * 200_000_000),
        phone: next() < 0.5 ? '+1 555 0100' : null,
      },
      account: next() < 0.1 ? { id: `001ACC${index}`, owner: accountOwner } : null,
    },
    activities: Array.from({ length: activityCount }, () => ({
      type: pick(activityTypes),
      at: new Date(NOW_MS - next() * 60 * DAY_MS),
    })),
    routedAt: new Date(NOW_MS - next() * 30 * DAY_MS),
  };
});

function runOnce(): { qualified: number; routed: number; elapsedMs: number } {
  let rotation: RotationState = {};
  let qualified = 0;
  let routed = 0;
  const now = new Date(NOW_MS);
  const started = performance.now();
  for (const { lead, activities, routedAt } of leads) {
    const decision = decideLead({
      lead,
      activities,
      definition,
      directory,
      rotation,
      now,
      routedAt,
    });
    rotation = decision.nextRotation;
    if (decision.qualification.qualified) qualified += 1;
    if (decision.routing?.kind === 'assigned') routed += 1;
  }
  return { qualified, routed, elapsedMs: performance.now() - started };
}

let peakRssBytes = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
}, 5);
runOnce(); // warm-up: JIT, zone memos, regex cache
const runs = [runOnce(), runOnce(), runOnce()];
clearInterval(sampler);
peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);

const best = runs.reduce((a, b) => (a.elapsedMs <= b.elapsedMs ? a : b));
const median = [...runs].sort((a, b) => a.elapsedMs - b.elapsedMs)[1] ?? best;
const report = {
  leads: LEAD_COUNT,
  qualified: best.qualified,
  assigned_to_a_member: best.routed,
  leads_per_second_median: Math.round(LEAD_COUNT / (median.elapsedMs / 1000)),
  leads_per_second_best: Math.round(LEAD_COUNT / (best.elapsedMs / 1000)),
  microseconds_per_lead_median: Number(((median.elapsedMs * 1000) / LEAD_COUNT).toFixed(2)),
  peak_rss_mib: Number((peakRssBytes / 1_048_576).toFixed(1)),
  node: process.version,
};
process.stdout.write(
  [
    `decide: ${report.leads} leads (${report.qualified} qualified, ${report.assigned_to_a_member} assigned to a pool member or account owner)`,
    `  ${report.leads_per_second_median.toLocaleString('en-US')} leads/s median of 3 runs (best ${report.leads_per_second_best.toLocaleString('en-US')})`,
    `  ${report.microseconds_per_lead_median} µs/lead`,
    `  peak RSS ${report.peak_rss_mib} MiB (input included)`,
    `  ${JSON.stringify(report)}`,
    '',
  ].join('\n'),
);
