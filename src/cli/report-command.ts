import {
  createReportRuntime,
  createShadowReportRuntime,
  RedisUnavailableError,
  SetupError,
} from '../main.js';
import { IntegrationError } from '../platform/errors.js';
import { buildReport, type FunnelReport } from '../usecases/report/build-report.js';
import { buildShadowReport } from '../usecases/shadow/shadow-report.js';
import { EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, type CliIo } from './cli-io.js';
import { shadowText } from './format-shadow-report.js';
import { loadEnvAndDefinition } from './load-runtime.js';
import { parseInstant } from './parse-instant.js';
import { REPORT_USAGE } from './usage.js';

const DEFAULT_DAYS = 30;

export interface ReportFlags {
  readonly since?: string | undefined;
  /** Compare the shadow run's decisions with what happened, instead of the funnel. */
  readonly shadow?: boolean | undefined;
  readonly json?: boolean | undefined;
  readonly config?: string | undefined;
}

function table(title: string, counts: Record<string, number>): string[] {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  if (entries.length === 0) return [`${title}: none`];
  const width = Math.max(...entries.map(([key]) => key.length));
  return [
    `${title}:`,
    ...entries.map(([key, n]) => `  ${key.padEnd(width)}  ${String(n).padStart(5)}`),
  ];
}

function share(part: number, whole: number): string {
  return whole === 0 ? '-' : `${Math.round((part / whole) * 100)}%`;
}

function percent(compliance: number | null): string {
  return compliance === null ? '-' : `${Math.round(compliance * 1000) / 10}%`;
}

/** Only the buckets where something came due: a quiet month is not thirty lines of dashes. */
function slaOverTime(report: FunnelReport): string[] {
  const { bucket, points } = report.sla_over_time;
  const busy = points.filter((point) => point.met + point.breached > 0);
  if (busy.length === 0) return [];
  return [
    `SLA compliance by ${bucket} routed:`,
    ...busy.map(
      (point) =>
        `  ${point.start.slice(0, 10)}  met ${String(point.met).padStart(4)}  breached ${String(point.breached).padStart(4)}  ${percent(point.compliance).padStart(6)}`,
    ),
    '',
  ];
}

function text(report: FunnelReport): string {
  const { sla, time_to_first_touch_minutes: ttft } = report;
  const lines = [
    `Handoff funnel ${report.since} → ${report.until}`,
    '',
    `  MQLs routed        ${String(report.routed).padStart(6)}  (${report.routed_by_origin.hubspot} from HubSpot, ${report.routed_by_origin.salesforce} born in Salesforce)`,
    `  accepted           ${String(report.accepted).padStart(6)}  ${share(report.accepted, report.routed)}`,
    `  rejected           ${String(report.rejected).padStart(6)}  ${share(report.rejected, report.routed)}`,
    `  open               ${String(report.open).padStart(6)}  ${share(report.open, report.routed)}`,
    `  converted          ${String(report.converted).padStart(6)}`,
    '',
    `  SLA due ${sla.due}: met ${sla.met}, breached ${sla.breached}, compliance ${percent(sla.compliance)}`,
    `  time to first touch: median ${ttft.median ?? '-'} min, p90 ${ttft.p90 ?? '-'} min (${ttft.count} touched)`,
    ...(ttft.count === 0
      ? []
      : [
          `    ${report.time_to_first_touch_buckets.map((bucket) => `${bucket.label}: ${bucket.count}`).join(', ')}`,
        ]),
    '',
    ...slaOverTime(report),
    ...table('rejections by reason', report.rejections_by_reason),
    ...table('rejections by lead source', report.rejections_by_source),
    ...(report.rejections_by_campaign === undefined
      ? []
      : table('rejections by campaign', report.rejections_by_campaign)),
    ...table('breaches by owner', report.breaches_by_owner),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `handoff report`: funnel KPIs for the MQLs routed since `--since` (default: 30 days), read
 * from Salesforce alone — no Redis needed. Exit 0, or 2 for a bad flag or configuration.
 */
export async function reportCommand(flags: ReportFlags, io: CliIo): Promise<number> {
  const now = io.now();
  let since = new Date(now.getTime() - DEFAULT_DAYS * 86_400_000);
  if (flags.since !== undefined) {
    const parsed = parseInstant(flags.since);
    if (parsed === null) {
      io.stderr(
        `--since: expected an ISO-8601 date-time with an offset, e.g. 2026-11-01T00:00:00Z, got "${flags.since}"\nusage: ${REPORT_USAGE}\n`,
      );
      return EXIT_INVALID;
    }
    since = parsed;
  }
  const inputs = await loadEnvAndDefinition(flags.config, io);
  if (typeof inputs === 'number') return inputs;
  const { env, definition } = inputs;
  try {
    if (flags.shadow === true) {
      const runtime = await createShadowReportRuntime(env, definition);
      try {
        const report = await buildShadowReport({ definition, ...runtime }, since, now);
        io.stdout(flags.json === true ? `${JSON.stringify(report)}\n` : shadowText(report));
      } finally {
        await runtime.close();
      }
      return EXIT_OK;
    }
    const runtime = await createReportRuntime(env, definition);
    const report = await buildReport({ definition, ...runtime }, since, now);
    io.stdout(flags.json === true ? `${JSON.stringify(report)}\n` : text(report));
    return EXIT_OK;
  } catch (err) {
    if (err instanceof SetupError || (err instanceof IntegrationError && err.kind === 'auth')) {
      io.stderr(`${err.message}\n`);
      return EXIT_INVALID;
    }
    if (err instanceof IntegrationError) {
      io.stderr(`report stopped: ${err.system} ${err.code}\n`);
      return EXIT_PROBLEMS;
    }
    // Only --shadow reads Redis (its journal).
    if (err instanceof RedisUnavailableError) {
      io.stderr(`${err.message}\n`);
      return EXIT_PROBLEMS;
    }
    throw err;
  }
}
