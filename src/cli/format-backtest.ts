import type { ReplaySummary } from '../domain/backtest/summarize-replay.js';
import type { BacktestReport } from '../usecases/backtest/build-backtest-report.js';

function percent(share: number | null): string {
  return share === null ? '-' : `${Math.round(share * 1000) / 10}%`;
}

function counts(record: Readonly<Record<string, number>>): string {
  const entries = Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([key, n]) => `${key} ${n}`).join(', ');
}

function summaryLines(title: string, summary: ReplaySummary): string[] {
  const { rejected, converted } = summary;
  return [
    `${title} (version ${summary.definitionVersion})`,
    `  MQLs              ${summary.mqls} of ${summary.leads}  (${counts(summary.mqlsByTier)})`,
    `  rejected later    ${rejected.count}  ${percent(rejected.share)}  (${counts(rejected.byReason)})`,
    `  converted         ${converted.count}  ${percent(converted.share)}${converted.wonReadable === 0 ? '' : `  won ${converted.won} of ${converted.wonReadable}`}`,
    `  missed conversions ${summary.missedConversions.length}`,
    ...summary.missedConversions.map(
      (missed) =>
        `    ${missed.email ?? '(no e-mail)'}  contact ${missed.contactId}  lead ${missed.leadId ?? '-'}  score ${missed.score}, held back by ${missed.heldBackBy}`,
    ),
    '  MQLs per week:',
    ...summary.weeks.map(
      (week) => `    ${week.week}  ${String(week.mqls).padStart(4)}  ${counts(week.byTier)}`,
    ),
    '  load per pool member (assigned, peak open / max_open):',
    ...summary.load.flatMap(({ pool, members }) =>
      members.map(
        (member) =>
          `    ${pool}  ${member.owner}  ${String(member.assigned).padStart(4)}  ${member.peakOpen}/${member.maxOpen ?? '-'}`,
      ),
    ),
    `    fallback owner  ${summary.fallback}`,
    '  first-touch deadlines per day:',
    ...(summary.slaLoad.length === 0
      ? ['    none']
      : summary.slaLoad.map((day) => `    ${day.day}  ${day.due}`)),
    '',
  ];
}

/** `handoff backtest`'s terminal output. E-mail addresses appear only for missed conversions. */
export function backtestText(report: BacktestReport): string {
  const lines = [
    `Handoff backtest ${report.window.from} → ${report.window.to}: ${report.leads} contacts created`,
    `API calls: HubSpot ${report.calls.hubspot}, Salesforce ${report.calls.salesforce}`,
    '',
    ...summaryLines('candidate', report.candidate),
    ...(report.baseline === null ? [] : summaryLines('baseline', report.baseline)),
  ];
  if (report.baseline !== null) {
    lines.push(`differences (baseline → candidate): ${report.differences.length}`);
    for (const difference of report.differences)
      lines.push(
        `  ${difference.kind.padEnd(15)} contact ${difference.contactId}  ${difference.from ?? '-'} → ${difference.to ?? '-'}  [${difference.rule}] ${difference.detail}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
