import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ReplaySummary } from '../domain/backtest/summarize-replay.js';
import type { BacktestReport } from '../usecases/backtest/build-backtest-report.js';

/** Chart.js's UMD build, inlined so the report opens from disk or a mail attachment, offline. */
function chartJs(): string {
  const file = join(
    dirname(createRequire(import.meta.url).resolve('chart.js')),
    'chart.umd.min.js',
  );
  return readFileSync(file, 'utf8').replaceAll('</script', '<\\/script');
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** JSON safe inside a script element: no `<` can close it or open a comment. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

function percent(share: number | null): string {
  return share === null ? '-' : `${Math.round(share * 1000) / 10}%`;
}

function summaryRows(report: BacktestReport): string {
  const sides: [string, ReplaySummary | null][] = [
    ['candidate', report.candidate],
    ['baseline', report.baseline],
  ];
  const shown = sides.filter((side): side is [string, ReplaySummary] => side[1] !== null);
  const row = (label: string, cell: (summary: ReplaySummary) => string): string =>
    `<tr><th>${escapeHtml(label)}</th>${shown.map(([, summary]) => `<td>${escapeHtml(cell(summary))}</td>`).join('')}</tr>`;
  return [
    `<tr><th></th>${shown.map(([name, summary]) => `<th>${escapeHtml(`${name} (${summary.definitionVersion})`)}</th>`).join('')}</tr>`,
    row('MQLs', (s) => `${s.mqls} of ${s.leads}`),
    row('rejected later', (s) => `${s.rejected.count} (${percent(s.rejected.share)})`),
    row('converted', (s) => `${s.converted.count} (${percent(s.converted.share)})`),
    row('won (where readable)', (s) =>
      s.converted.wonReadable === 0
        ? 'not readable'
        : `${s.converted.won} of ${s.converted.wonReadable}`,
    ),
    row('missed conversions', (s) => String(s.missedConversions.length)),
    row('to the fallback owner', (s) => String(s.fallback)),
  ].join('\n');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  return `<table><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

const CHARTS = [
  ['weekly', 'MQLs per week'],
  ['tiers', 'MQLs per tier'],
  ['rejections', 'Rejected later, by reason'],
  ['load', 'Leads per pool member (against max_open)'],
  ['sla', 'First-touch deadlines per day'],
] as const;

/** Draws the charts from the embedded data; every canvas says how many points it drew. */
const PAGE_SCRIPT = `
const report = JSON.parse(document.getElementById('report-data').textContent);
const sides = [['candidate', report.candidate, '#2563eb'], ['baseline', report.baseline, '#f97316']]
  .filter(([, summary]) => summary !== null);
const union = (pick) => [...new Set(sides.flatMap(([, s]) => pick(s)))].sort();
function draw(id, type, labels, datasets) {
  const canvas = document.getElementById(id);
  new Chart(canvas, { type, data: { labels, datasets }, options: { animation: false, responsive: false } });
  canvas.dataset.points = String(datasets.reduce((n, d) => n + d.data.filter((v) => v > 0).length, 0));
}
const weeks = union((s) => s.weeks.map((w) => w.week));
draw('weekly', 'line', weeks, sides.map(([name, s, color]) => ({ label: name, borderColor: color,
  data: weeks.map((week) => s.weeks.find((w) => w.week === week)?.mqls ?? 0) })));
const tiers = union((s) => Object.keys(s.mqlsByTier));
draw('tiers', 'bar', tiers, sides.map(([name, s, color]) => ({ label: name, backgroundColor: color,
  data: tiers.map((tier) => s.mqlsByTier[tier] ?? 0) })));
const reasons = union((s) => Object.keys(s.rejected.byReason));
draw('rejections', 'bar', reasons, sides.map(([name, s, color]) => ({ label: name, backgroundColor: color,
  data: reasons.map((reason) => s.rejected.byReason[reason] ?? 0) })));
const members = union((s) => s.load.flatMap((p) => p.members.map((m) => p.pool + ' ' + m.owner)));
const memberOf = (s, key) => s.load.flatMap((p) => p.members.map((m) => [p.pool + ' ' + m.owner, m])).find(([k]) => k === key)?.[1];
draw('load', 'bar', members, [
  ...sides.map(([name, s, color]) => ({ label: name + ' assigned', backgroundColor: color,
    data: members.map((key) => memberOf(s, key)?.assigned ?? 0) })),
  { type: 'line', label: 'max_open', borderColor: '#dc2626',
    data: members.map((key) => memberOf(report.candidate, key)?.maxOpen ?? null) },
]);
const days = union((s) => s.slaLoad.map((d) => d.day));
draw('sla', 'bar', days, sides.map(([name, s, color]) => ({ label: name, backgroundColor: color,
  data: days.map((day) => s.slaLoad.find((d) => d.day === day)?.due ?? 0) })));
document.body.dataset.rendered = 'true';
`;

/**
 * The backtest as one self-contained HTML file: Chart.js and the report's data inline, no
 * request leaves the page. Every value from the systems is escaped (text in HTML, `<` in the JSON).
 */
export function backtestHtml(report: BacktestReport): string {
  const missed = report.candidate.missedConversions.map((lead) => [
    lead.email ?? '',
    lead.contactId,
    lead.leadId ?? '',
    String(lead.score),
    lead.heldBackBy,
  ]);
  const differences = report.differences.map((d) => [
    d.kind,
    d.contactId,
    d.from ?? '-',
    d.to ?? '-',
    d.rule,
    d.detail,
  ]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Handoff backtest ${escapeHtml(report.window.from)} → ${escapeHtml(report.window.to)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#111}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.charts figure{margin:0}.none{color:#666}
</style></head><body>
<h1>Handoff backtest</h1>
<p>Contacts created ${escapeHtml(report.window.from)} → ${escapeHtml(report.window.to)}: ${report.leads}.
API calls: HubSpot ${report.calls.hubspot}, Salesforce ${report.calls.salesforce}.</p>
<table>${summaryRows(report)}</table>
<div class="charts">
${CHARTS.map(([id, title]) => `<figure><figcaption>${escapeHtml(title)}</figcaption><canvas id="${id}" width="520" height="280"></canvas></figure>`).join('\n')}
</div>
<h2>Conversions the candidate would have missed</h2>
${table(['e-mail', 'contact', 'lead', 'best score', 'held back by'], missed)}
<h2>Differences from the baseline</h2>
${report.baseline === null ? '<p class="none">no baseline given</p>' : table(['kind', 'contact', 'from', 'to', 'rule', 'why'], differences)}
<script type="application/json" id="report-data">${scriptJson(report)}</script>
<script>${chartJs()}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
