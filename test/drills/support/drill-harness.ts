import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { loadDefinitionFile } from '../../../src/config/load-definition.js';
import type { Definition } from '../../../src/domain/definition.js';
import { startSandboxes, type RunningSandboxes } from '../../../src/sandbox/start-sandboxes.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/cli.js');
const EXAMPLE = join(ROOT, 'config/handoff.example.yaml');

/**
 * The drill definition: the example with engagement that barely decays, so a lead decided
 * minutes apart in two tenants (a drilled one and its clean twin, on the real clock that child
 * processes use) scores the same; and a one-second poll for `handoff run`.
 */
async function drillConfig(): Promise<string> {
  const example = await readFile(EXAMPLE, 'utf8');
  const text = example
    .replace(/half_life_days: \d+/, 'half_life_days: 3650')
    .replace('poll_interval: 60s', 'poll_interval: 1s');
  if (!text.includes('half_life_days: 3650') || !text.includes('poll_interval: 1s'))
    throw new Error('the example definition changed shape; update drillConfig');
  const file = join(await mkdtemp(join(tmpdir(), 'handoff-drill-')), 'handoff.yaml');
  await writeFile(file, text);
  return file;
}

async function loadDrillDefinition(file: string): Promise<Definition> {
  const loaded = await loadDefinitionFile(file);
  if (!loaded.ok) throw new Error(`drill definition invalid: ${JSON.stringify(loaded.issues)}`);
  return loaded.value;
}

export interface DrillTenant {
  readonly running: RunningSandboxes;
  readonly prefix: string;
  readonly env: Record<string, string>;
}

/** Seeded sandboxes on the real clock, and a Redis prefix of their own. */
async function drillTenant(seed: number, contacts: number): Promise<DrillTenant> {
  const running = await startSandboxes({ seed, contacts, faultSeed: seed });
  const prefix = `drill-${randomUUID()}`;
  return {
    running,
    prefix,
    env: {
      ...running.env,
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      HANDOFF_REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      PORT: '0',
    },
  };
}

export interface CliOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<CliOutcome>;
}

/** The built CLI as a real process (SIGKILL kills it for real). */
export function spawnCli(args: readonly string[], env: Record<string, string>): CliProcess {
  if (!existsSync(CLI)) throw new Error('drills run the built CLI: npm run build first');
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliOutcome>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exited };
}

export function syncOnce(tenant: DrillTenant, config: string): Promise<CliOutcome> {
  return spawnCli(['sync', '--once', '--json', '--config', config], tenant.env).exited;
}

/** Calls both sandboxes have received (counted on arrival, answered or not). */
export function callsSoFar(running: RunningSandboxes): number {
  return running.hubspot.server.log.lastSeq + running.salesforce.server.log.lastSeq;
}

/**
 * Runs `sync --once` and calls `act` once the sandboxes have seen `afterCalls` more calls. Returns
 * whether `act` ran before the process ended, and how the process ended.
 */
export async function interruptAfter(
  tenant: DrillTenant,
  config: string,
  afterCalls: number,
  act: (process: CliProcess) => Promise<void> | void,
): Promise<{ acted: boolean; outcome: CliOutcome; actedAt: number }> {
  const start = callsSoFar(tenant.running);
  const process = spawnCli(['sync', '--once', '--json', '--config', config], tenant.env);
  let ended = false;
  void process.exited.then(() => (ended = true));
  while (!ended && callsSoFar(tenant.running) - start < afterCalls) await sleep(2);
  if (ended) return { acted: false, outcome: await process.exited, actedAt: 0 };
  const actedAt = Date.now();
  await act(process);
  return { acted: true, outcome: await process.exited, actedAt };
}

/** Milliseconds from `since` to the first HubSpot call the sandboxes saw after `afterSeq`. */
export function firstHubSpotCallAfter(
  running: RunningSandboxes,
  afterSeq: number,
  since: number,
): number | null {
  const first = running.hubspot.server.log.list(afterSeq)[0];
  return first === undefined ? null : Date.parse(first.at) - since;
}

/** What a converged tenant shows, per routed contact (or `lead:<Id>` for one born in Salesforce). */
export interface RoutedContact {
  readonly leadId: string;
  readonly ownerId: string;
  readonly score: unknown;
  readonly tier: unknown;
}

export function routedContacts(running: RunningSandboxes): Map<string, RoutedContact> {
  const routed = new Map<string, RoutedContact>();
  for (const lead of running.salesforce.store.table('Lead').values()) {
    if (lead['IsDeleted'] === true || typeof lead['Handoff_Decision_Id__c'] !== 'string') continue;
    // A Lead born in Salesforce has no contact: it is known by its own id.
    const contact = lead['HubSpot_Contact_Id__c'];
    routed.set(typeof contact === 'string' ? contact : `lead:${String(lead['Id'])}`, {
      leadId: String(lead['Id']),
      ownerId: String(lead['OwnerId']),
      score: lead['Handoff_Score__c'],
      tier: lead['Handoff_Tier__c'],
    });
  }
  return routed;
}

/** Owners the definition could have picked where the clean run picked `owner`. */
function equivalentOwners(definition: Definition, owner: string): Set<string> {
  const owners = new Set([owner, definition.routing.fallback_owner]);
  for (const pool of Object.values(definition.routing.pools))
    if (pool.members.some((member) => member.owner === owner))
      for (const member of pool.members) owners.add(member.owner);
  return owners;
}

/**
 * The drilled tenant against its clean twin: the same contacts routed, each with one Lead, an
 * owner the definition could have picked (the clean run's, another member of its pool, or the
 * fallback queue: rotation order and capacity depend on timing), the same score and tier, one
 * open Task owned by the Lead's owner, HubSpot values matching the Lead, and zero duplicates.
 */
export function expectConverged(
  drilled: RunningSandboxes,
  clean: RunningSandboxes,
  definition: Definition,
  label: string,
): void {
  expect(convergenceProblems(drilled, clean, definition), `${label}: converged state`).toEqual([]);
}

/** What still differs from the clean twin (empty once converged); see `expectConverged`. */
export function convergenceProblems(
  drilled: RunningSandboxes,
  clean: RunningSandboxes,
  definition: Definition,
): string[] {
  const expected = routedContacts(clean);
  const actual = routedContacts(drilled);
  const problems: string[] = [];
  for (const contactId of expected.keys())
    if (!actual.has(contactId)) problems.push(`${contactId}: not routed`);
  for (const contactId of actual.keys())
    if (!expected.has(contactId)) problems.push(`${contactId}: routed, the clean run did not`);
  const leads = [...drilled.salesforce.store.table('Lead').values()].filter(
    (lead) => lead['IsDeleted'] !== true && typeof lead['HubSpot_Contact_Id__c'] === 'string',
  );
  const perContact = new Map<string, number>();
  for (const lead of leads) {
    const key = String(lead['HubSpot_Contact_Id__c']);
    perContact.set(key, (perContact.get(key) ?? 0) + 1);
  }
  for (const [contactId, count] of perContact)
    if (count > 1) problems.push(`${contactId}: ${count} Leads`);
  const tasks = [...drilled.salesforce.store.table('Task').values()].filter(
    (task) => typeof task['Handoff_Decision_Id__c'] === 'string',
  );
  const byDecision = new Map<string, typeof tasks>();
  for (const task of tasks) {
    const key = String(task['Handoff_Decision_Id__c']);
    byDecision.set(key, [...(byDecision.get(key) ?? []), task]);
  }
  const names = new Map<string, string>();
  for (const table of ['User', 'Group'])
    for (const record of drilled.salesforce.store.table(table).values())
      names.set(String(record['Id']), String(record['Name']));
  for (const [contactId, routed] of actual) {
    const twin = expected.get(contactId);
    if (twin === undefined) continue;
    if (!equivalentOwners(definition, twin.ownerId).has(routed.ownerId))
      problems.push(`${contactId}: owner ${routed.ownerId}, clean run ${twin.ownerId}`);
    if (routed.score !== twin.score || routed.tier !== twin.tier)
      problems.push(`${contactId}: score/tier ${String(routed.score)}/${String(routed.tier)}`);
    const lead = drilled.salesforce.store.table('Lead').get(routed.leadId);
    const decision = String(lead?.['Handoff_Decision_Id__c']);
    const open = (byDecision.get(decision) ?? []).filter((task) => task['IsClosed'] !== true);
    if (routed.ownerId.startsWith('005') && open.length !== 1)
      problems.push(`${contactId}: ${open.length} open Tasks for its decision`);
    if (open.some((task) => task['OwnerId'] !== routed.ownerId))
      problems.push(`${contactId}: Task owner differs from the Lead's`);
    if (contactId.startsWith('lead:')) continue;
    const contact = drilled.hubspot.store.objects.contacts.get(contactId);
    const shown = contact?.properties ?? {};
    const due = lead?.['Handoff_Due__c'];
    if (
      shown['handoff_status'] !== 'routed' ||
      shown['handoff_owner'] !== (names.get(routed.ownerId) ?? routed.ownerId) ||
      shown['handoff_score'] !== String(routed.score) ||
      shown['handoff_tier'] !== routed.tier ||
      (typeof due === 'number' && shown['handoff_due'] !== new Date(due).toISOString())
    )
      problems.push(`${contactId}: HubSpot shows ${JSON.stringify(shown['handoff_status'])}`);
  }
  for (const [decision, copies] of byDecision)
    if (copies.length > 1) problems.push(`decision ${decision}: ${copies.length} Tasks`);
  return problems;
}

/** A clean twin: the same seed, one uninterrupted `sync --once`. */
async function cleanTwin(seed: number, contacts: number, config: string): Promise<DrillTenant> {
  const clean = await drillTenant(seed, contacts);
  const run = await syncOnce(clean, config);
  if (run.code !== 0) throw new Error(`clean run failed: ${run.code} ${run.stderr}`);
  return clean;
}

/** One drill's ground: its seed, definition, a clean twin and the tenant to drill. */
export interface DrillSetup {
  readonly seed: number;
  readonly config: string;
  readonly definition: Definition;
  readonly clean: DrillTenant;
  readonly tenant: DrillTenant;
}

/** Sets a drill up; `opened` collects the tenants for the caller to close. */
export async function setUpDrill(
  name: string,
  contacts: number,
  opened: DrillTenant[],
): Promise<DrillSetup> {
  const seed = drillSeed(name);
  const config = await drillConfig();
  const definition = await loadDrillDefinition(config);
  const clean = await cleanTwin(seed, contacts, config);
  opened.push(clean);
  const tenant = await drillTenant(seed, contacts);
  opened.push(tenant);
  return { seed, config, definition, clean, tenant };
}

/** `seed` from DRILL_SEED (to replay a failure) or a fresh one; printed either way. */
function drillSeed(name: string): number {
  const fromEnv = Number(process.env['DRILL_SEED']);
  const seed =
    Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 1 + Math.floor(Math.random() * 1e6);
  process.stdout.write(`drill ${name}: seed ${seed} (replay with DRILL_SEED=${seed})\n`);
  return seed;
}

/** Writes one drill's figures where `npm run test:drills` prints them at the end. */
export function report(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`drill ${name}: ${JSON.stringify(figures)}\n`);
}
