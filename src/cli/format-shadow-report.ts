import type { ShadowReport } from '../usecases/shadow/shadow-report.js';

function percent(value: number | null): string {
  return value === null ? '-' : `${Math.round(value * 100)}%`;
}

/** Leads listed by id at most this many; `--json` has them all. */
const LISTED = 20;

/** `handoff report --shadow` for a terminal. */
export function shadowText(report: ShadowReport): string {
  const listed = report.not_routed.slice(0, LISTED);
  return `${[
    `Shadow mode, ${report.since} → ${report.until}`,
    '',
    `  decisions journaled   ${String(report.decisions).padStart(6)}  (${report.would_create} would have created a Lead)`,
    `  compared with today   ${String(report.compared).padStart(6)}`,
    `  same owner            ${String(report.same_owner).padStart(6)}  ${percent(report.same_owner_share)}`,
    `  breaches by Handoff's deadlines ${report.breaches}: Handoff would have escalated ${report.caught}; ${report.pending} still due`,
    `  Leads created that Handoff would not have routed: ${report.not_routed.length}`,
    ...listed.map((lead) => `    ${lead.id}  owner ${lead.owner_id}`),
    ...(report.not_routed.length > LISTED
      ? [`    … and ${report.not_routed.length - LISTED} more (--json lists them all)`]
      : []),
    '',
    `  --json lists each compared Lead: Handoff's owner and deadline, today's owner, first touch`,
  ].join('\n')}\n`;
}
