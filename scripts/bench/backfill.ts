/**
 * Backfill: `handoff sync --once` as its own process (`node dist/cli.js`) on freshly seeded
 * sandboxes, which run in this process. Wall time, contacts decided per second, Handoff's peak
 * RSS (its own getrusage maxrss), the sandboxes' calls against the batched floor and, with the
 * vendors' rate limits enforced, the wall time against the rate-limit floor.
 */
import type { CallLog } from '../../src/sandbox/core/call-log.js';
import { startSandboxes } from '../../src/sandbox/start-sandboxes.js';
import type { SeedSummary } from '../../src/sandbox/seed/seed-tenants.js';
import { DEFAULT_HUBSPOT_LIMITS } from '../../src/sandbox/hubspot/hubspot-rate-limits.js';
import { routingFloor, type Floor } from './floor.js';
import { runHandoff } from './handoff-process.js';
import {
  EXAMPLE_CONFIG,
  MIB,
  REDIS_URL,
  allCalls,
  installation,
  progress,
  round,
  sampleOwnRss,
  type SystemCalls,
} from './support.js';

interface Calls {
  readonly hubspot: number;
  readonly salesforce: number;
}

/** The fields of `sync --once --json` this benchmark reads. */
interface SyncJson {
  readonly pulled: { readonly contacts: number; readonly leads_matched: number };
  readonly decided: number;
  readonly qualified: number;
  readonly routed: number;
  readonly tasks_created: number;
  readonly quarantined: number;
  readonly written: { readonly salesforce: number; readonly hubspot: number };
  readonly api_calls: Calls;
  readonly sla?: { readonly calls: Calls };
  readonly feedback?: { readonly calls: Calls };
}

export interface RateLimitFloor {
  /** HubSpot's published limits the sandbox enforced. */
  readonly limits: { readonly search_per_second: number; readonly burst_per_10s: number };
  /** Calls HubSpot answered (429s left out: a client that never trips a limit makes none). */
  readonly search_calls: number;
  readonly other_calls: number;
  readonly rejected_429: number;
  /**
   * The least time those calls need: n calls under "at most L per window W" span at least
   * floor((n − 1) / L) × W. Search and the rest have separate limits, so the larger counts.
   * Salesforce's limit is a daily allocation, which the sandbox does not enforce: none here.
   */
  readonly floor_ms: number;
  readonly ratio: number;
}

export interface BackfillResult {
  readonly contacts: number;
  readonly seed: number;
  readonly realistic_limits: boolean;
  readonly seeded: SeedSummary;
  readonly seed_ms: number;
  readonly exit_code: number | null;
  readonly wall_ms: number;
  readonly decided: number;
  readonly qualified: number;
  readonly routed: number;
  readonly tasks_created: number;
  readonly quarantined: number;
  /** Contacts decided per second of wall time. */
  readonly leads_per_second: number;
  readonly rss: {
    /** Handoff's own peak, from its getrusage maxrss at exit (it ran as `node dist/cli.js`). */
    readonly handoff_peak_mib: number | null;
    /** This process (the sandboxes holding the tenants, and the harness), sampled every 100 ms. */
    readonly sandbox_process_peak_mib: number;
  };
  /**
   * Time the sandboxes spent answering (the sum of their call logs' durations): the part of the
   * wall time that is the emulated vendors', not Handoff's.
   */
  readonly sandbox_service_ms: { readonly hubspot: number; readonly salesforce: number };
  /** Counted by the sandboxes' call logs. */
  readonly calls: { readonly hubspot: SystemCalls; readonly salesforce: SystemCalls };
  /** Handoff's own count of the routing's calls: its total less the SLA watch and rejection scan. */
  readonly routing_calls: Calls;
  readonly floor: Floor;
  /** All calls served / the batched floor. */
  readonly ratio: { readonly hubspot: number; readonly salesforce: number };
  /** The routing's calls / the batched floor. */
  readonly routing_ratio: { readonly hubspot: number; readonly salesforce: number };
  readonly rate_limit: RateLimitFloor | null;
}

function rateLimitFloor(log: CallLog, wallMs: number): RateLimitFloor {
  const { searchPerSecond, burstPer10s } = DEFAULT_HUBSPOT_LIMITS;
  let search = 0;
  let other = 0;
  let rejected = 0;
  for (const entry of log.list()) {
    if (entry.status === 429) rejected += 1;
    else if (entry.endpoint.endsWith('.search')) search += 1;
    else other += 1;
  }
  const minimum = (calls: number, limit: number, windowMs: number): number =>
    calls <= 0 ? 0 : Math.floor((calls - 1) / limit) * windowMs;
  const floorMs = Math.max(
    minimum(search, searchPerSecond, 1_000),
    minimum(other, burstPer10s, 10_000),
  );
  return {
    limits: { search_per_second: searchPerSecond, burst_per_10s: burstPer10s },
    search_calls: search,
    other_calls: other,
    rejected_429: rejected,
    floor_ms: floorMs,
    ratio: floorMs === 0 ? 0 : round(wallMs / floorMs, 2),
  };
}

const serviceMs = (log: CallLog): number =>
  Math.round(log.list().reduce((total, entry) => total + entry.durationMs, 0));

export async function benchBackfill(options: {
  contacts: number;
  seed: number;
  realisticLimits: boolean;
}): Promise<BackfillResult> {
  const label = `backfill ${options.contacts}${options.realisticLimits ? ' with rate limits' : ''}`;
  progress(`${label}: seeding`);
  // The tenants' clock is the real one, as Handoff's is in its own process.
  const sandboxes = await startSandboxes({
    contacts: options.contacts,
    seed: options.seed,
    realisticLimits: options.realisticLimits,
    now: Date.now,
  });
  const redis = installation();
  const sampler = sampleOwnRss();
  try {
    progress(`${label}: sync --once (${sandboxes.seeded.leads} Leads in Salesforce)`);
    const exit = await runHandoff(['sync', '--once', '--json', '--config', EXAMPLE_CONFIG], {
      ...sandboxes.env,
      REDIS_URL,
      HANDOFF_REDIS_PREFIX: redis.prefix,
      LOG_LEVEL: 'warn',
    });
    const sandboxPeak = sampler.stop();
    const jsonLine = exit.stdout.split('\n').find((line) => line.startsWith('{'));
    if (jsonLine === undefined)
      throw new Error(
        `${label}: sync --once printed no summary (exit ${exit.code})\n${exit.stderr}`,
      );
    const summary = JSON.parse(jsonLine) as SyncJson;
    const hubspotLog = sandboxes.hubspot.server.log;
    const hubspot = allCalls(hubspotLog);
    const salesforce = allCalls(sandboxes.salesforce.server.log);
    const lifecycle = (system: keyof Calls): number =>
      (summary.sla?.calls[system] ?? 0) + (summary.feedback?.calls[system] ?? 0);
    const routing = {
      hubspot: summary.api_calls.hubspot - lifecycle('hubspot'),
      salesforce: summary.api_calls.salesforce - lifecycle('salesforce'),
    };
    const floor = routingFloor(
      {
        changedContacts: summary.pulled.contacts,
        routed: summary.routed,
        hubspotWrites: summary.written.hubspot,
      },
      hubspotLog.summary(),
    );
    const result: BackfillResult = {
      contacts: options.contacts,
      seed: options.seed,
      realistic_limits: options.realisticLimits,
      seeded: sandboxes.seeded,
      seed_ms: Math.round(sandboxes.seedMs),
      exit_code: exit.code,
      wall_ms: Math.round(exit.wallMs),
      decided: summary.decided,
      qualified: summary.qualified,
      routed: summary.routed,
      tasks_created: summary.tasks_created,
      quarantined: summary.quarantined,
      leads_per_second: Math.round(summary.decided / (exit.wallMs / 1_000)),
      rss: {
        handoff_peak_mib: exit.maxRssBytes === null ? null : round(exit.maxRssBytes / MIB, 1),
        sandbox_process_peak_mib: round(sandboxPeak / MIB, 1),
      },
      sandbox_service_ms: {
        hubspot: serviceMs(hubspotLog),
        salesforce: serviceMs(sandboxes.salesforce.server.log),
      },
      calls: { hubspot, salesforce },
      routing_calls: routing,
      floor,
      ratio: {
        hubspot: round(hubspot.total / floor.hubspot.total, 2),
        salesforce: round(salesforce.total / floor.salesforce.total, 2),
      },
      routing_ratio: {
        hubspot: round(routing.hubspot / floor.hubspot.total, 2),
        salesforce: round(routing.salesforce / floor.salesforce.total, 2),
      },
      rate_limit: options.realisticLimits ? rateLimitFloor(hubspotLog, exit.wallMs) : null,
    };
    progress(
      `${label}: ${result.wall_ms} ms, HubSpot ${hubspot.total} calls (${result.ratio.hubspot}× floor), Salesforce ${salesforce.total} (${result.ratio.salesforce}×), Handoff RSS ${result.rss.handoff_peak_mib} MiB`,
    );
    return result;
  } finally {
    sampler.stop();
    await sandboxes.close();
    await redis.wipe();
  }
}
