/**
 * Webhook latency: `handoff run` as its own process, polling every 10 minutes so that only a
 * webhook can explain a quick route, with the HubSpot sandbox delivering its signed webhooks to
 * the worker's `/webhooks/hubspot`. Contacts that qualify are created at a steady rate; each one's
 * latency runs from the sandbox's change to the moment its Salesforce Lead carries an owner, a
 * due date and the decision, with the rep's Task (queues get no Task by design).
 */
import { startSandboxes, SANDBOX_HUBSPOT_TOKEN } from '../../src/sandbox/start-sandboxes.js';
import { startHandoff, type LogLine } from './handoff-process.js';
import {
  MIB,
  REDIS_URL,
  callsSince,
  exampleConfigWith,
  installation,
  percentile,
  progress,
  round,
  waitUntil,
  type SystemCalls,
} from './support.js';

const SECRET = 'bench-webhook-client-secret';
/** How often the Salesforce sandbox's records are looked at for finished routes. */
const POLL_MS = 20;

/**
 * Profiles the example definition qualifies on fit alone, one per routing rule (NA and EMEA,
 * enterprise and inbound), so the contacts spread over four pools' reps instead of filling one
 * pool's `max_open` and falling to the queue.
 */
const PROFILES: readonly Readonly<Record<string, string>>[] = [
  { country: 'US', numberofemployees: '2400', jobtitle: 'VP Data Platform' },
  { country: 'GB', numberofemployees: '1800', jobtitle: 'Head of Analytics' },
  { country: 'DE', numberofemployees: '450', jobtitle: 'Director of Data' },
  { country: 'US', numberofemployees: '600', jobtitle: 'VP Analytics' },
];

interface Percentiles {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number | null => {
    const value = percentile(sorted, p);
    return value === null ? null : Math.round(value);
  };
  return { p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

export interface WebhookResult {
  readonly contacts_created: number;
  readonly rate_per_second: number;
  /** What the seeded tenant held before (routed by the worker's first poll). */
  readonly tenant_contacts: number;
  readonly poll_interval: string;
  readonly debounce_ms: number;
  readonly routed: number;
  readonly to_a_rep: number;
  readonly to_a_queue: number;
  readonly not_routed: number;
  readonly latency_ms: Percentiles;
  /** The same for the leads a rep got (the Task is part of their route). */
  readonly latency_ms_to_a_rep: Percentiles;
  /** `contact sync finished` lines: the webhook-triggered runs that decided them. */
  readonly runs: number;
  readonly polls_during: number;
  readonly deliveries: { readonly total: number; readonly failed: number; readonly events: number };
  /** Handoff's calls while the contacts were created and routed (the creations left out). */
  readonly calls: { readonly hubspot: SystemCalls; readonly salesforce: SystemCalls };
  readonly handoff_peak_rss_mib: number | null;
}

export async function benchWebhook(options: {
  contacts: number;
  ratePerSecond: number;
  seed: number;
  tenantContacts: number;
}): Promise<WebhookResult> {
  const sandboxes = await startSandboxes({
    contacts: options.tenantContacts,
    seed: options.seed,
    now: Date.now,
  });
  const redis = installation();
  const config = await exampleConfigWith({ poll_interval: '10m' });
  progress(`webhook: starting handoff run (${options.tenantContacts}-contact tenant)`);
  const worker = await startHandoff(['run', '--config', config], {
    ...sandboxes.env,
    REDIS_URL,
    HANDOFF_REDIS_PREFIX: redis.prefix,
    HUBSPOT_WEBHOOK_SECRET: SECRET,
    LOG_LEVEL: 'info',
    PORT: '0',
  });
  let stopped = false;
  try {
    const started = await worker.waitForLine((line) => line.msg === 'worker started', 30_000);
    const targetUrl = String(started['webhooks']);
    if (!targetUrl.startsWith('http')) throw new Error(`webhooks are ${targetUrl}`);
    sandboxes.hubspot.webhooks.configure({ targetUrl, clientSecret: SECRET });
    // The first poll routes the seeded tenant; its write-backs come back as webhooks, which the
    // worker ignores as its own. Measured from a quiet start.
    await worker.waitForLine((line) => line.msg === 'sync cycle finished', 120_000);
    await quiet(sandboxes.hubspot.server.log, sandboxes.salesforce.server.log, 1_500);
    const cyclesBefore = cycles(worker.lines());
    const deliveriesBefore = sandboxes.hubspot.webhooks.deliveries.length;
    const hubspotSeq = sandboxes.hubspot.server.log.lastSeq;
    const salesforceSeq = sandboxes.salesforce.server.log.lastSeq;

    // When each contact changed, as the portal's store saw it (the webhook's occurredAt).
    const changedAt = new Map<string, number>();
    sandboxes.hubspot.store.onContactChange((change) => {
      if (change.kind === 'creation') changedAt.set(change.contactId, performance.now());
    });
    const done = new Map<string, { ms: number; queue: boolean }>();
    const watching = new Set<string>();
    const poller = setInterval(() => {
      if (watching.size === 0) return;
      const tasks = new Set<string>();
      for (const task of sandboxes.salesforce.store.table('Task').values()) {
        const decision = task['Handoff_Decision_Id__c'];
        if (typeof decision === 'string') tasks.add(decision);
      }
      const at = performance.now();
      for (const lead of sandboxes.salesforce.store.table('Lead').values()) {
        const contactId = lead['HubSpot_Contact_Id__c'];
        if (typeof contactId !== 'string' || !watching.has(contactId)) continue;
        const decision = lead['Handoff_Decision_Id__c'];
        const owner = lead['OwnerId'];
        if (typeof decision !== 'string' || typeof owner !== 'string') continue;
        // The sandbox org keeps datetimes as epoch milliseconds.
        if (typeof lead['Handoff_Due__c'] !== 'number') continue;
        const queue = !owner.startsWith('005');
        if (!queue && !tasks.has(decision)) continue;
        done.set(contactId, { ms: at - (changedAt.get(contactId) ?? at), queue });
        watching.delete(contactId);
      }
    }, POLL_MS);

    progress(
      `webhook: creating ${options.contacts} qualifying contacts at ${options.ratePerSecond}/s`,
    );
    const creations: Promise<void>[] = [];
    const startedAt = performance.now();
    for (let index = 0; index < options.contacts; index += 1) {
      const due = startedAt + (index * 1_000) / options.ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      creations.push(
        createContact(sandboxes.hubspotUrl, index).then((id) => void watching.add(id)),
      );
    }
    await Promise.all(creations);
    const rate = options.contacts / ((performance.now() - startedAt) / 1_000);
    await waitUntil(() => watching.size === 0, 60_000, 'every contact routed').catch(
      () => undefined,
    );
    clearInterval(poller);
    // Handoff's own calls only: the benchmark's contact creations are left out.
    const hubspot = callsSince(sandboxes.hubspot.server.log, hubspotSeq, undefined, [
      'contacts.create',
    ]);
    const salesforce = callsSince(sandboxes.salesforce.server.log, salesforceSeq);
    const deliveries = sandboxes.hubspot.webhooks.deliveries.slice(deliveriesBefore);
    const lines = worker.lines();
    stopped = true;
    const exit = await worker.stop();
    const result: WebhookResult = {
      contacts_created: options.contacts,
      rate_per_second: round(rate, 1),
      tenant_contacts: options.tenantContacts,
      poll_interval: '10m',
      debounce_ms: 1_000,
      routed: done.size,
      to_a_rep: [...done.values()].filter((entry) => !entry.queue).length,
      to_a_queue: [...done.values()].filter((entry) => entry.queue).length,
      not_routed: options.contacts - done.size,
      latency_ms: percentiles([...done.values()].map((entry) => entry.ms)),
      latency_ms_to_a_rep: percentiles(
        [...done.values()].filter((entry) => !entry.queue).map((entry) => entry.ms),
      ),
      runs: lines.filter((line) => line.msg === 'contact sync finished').length,
      polls_during: cycles(lines) - cyclesBefore,
      deliveries: {
        total: deliveries.length,
        failed: deliveries.filter((entry) => entry.status !== 200).length,
        events: deliveries.reduce((sum, entry) => sum + entry.events, 0),
      },
      calls: { hubspot, salesforce },
      handoff_peak_rss_mib: exit.maxRssBytes === null ? null : round(exit.maxRssBytes / MIB, 1),
    };
    progress(
      `webhook: ${result.routed}/${options.contacts} routed, p50 ${result.latency_ms.p50} ms, p95 ${result.latency_ms.p95} ms, p99 ${result.latency_ms.p99} ms`,
    );
    return result;
  } finally {
    if (!stopped) await worker.stop();
    await sandboxes.close();
    await redis.wipe();
  }
}

const cycles = (lines: readonly LogLine[]): number =>
  lines.filter((line) => line.msg === 'sync cycle finished').length;

/** Waits until neither sandbox has served a call for `forMs`. */
async function quiet(
  hubspot: { lastSeq: number },
  salesforce: { lastSeq: number },
  forMs: number,
): Promise<void> {
  let seen = hubspot.lastSeq + salesforce.lastSeq;
  let since = performance.now();
  await waitUntil(
    () => {
      const now = hubspot.lastSeq + salesforce.lastSeq;
      if (now !== seen) {
        seen = now;
        since = performance.now();
      }
      return performance.now() - since >= forMs;
    },
    120_000,
    'the sandboxes to go quiet',
    100,
  );
}

/** A new contact through the HubSpot API, as a form or an import would make it. */
async function createContact(hubspotUrl: string, index: number): Promise<string> {
  const profile = PROFILES[index % PROFILES.length] ?? {};
  const response = await fetch(`${hubspotUrl}/crm/v3/objects/contacts`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${SANDBOX_HUBSPOT_TOKEN}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      properties: {
        email: `bench.${index}@webhook-bench-${index}.example`,
        firstname: 'Bench',
        lastname: `Contact ${index}`,
        company: `Webhook Bench ${index}`,
        industry: 'Software',
        annualrevenue: '90000000',
        phone: '+1 555 0100',
        ...profile,
      },
    }),
  });
  if (response.status !== 201) throw new Error(`contact create answered ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}
