/**
 * The dashboard's HTML shell. Everything it shows is filled in by its own script from the JSON
 * endpoints (as text, never as markup: names, reasons and comments come from reps); the server
 * renders only the CSRF token, escaped, into a `<meta>` the script reads for its POSTs.
 */

/**
 * Only this origin's script (the page's and Chart.js) runs: no inline script or style, no other
 * origin, no framing. Chart.js sizes its canvases through the style properties, which CSP allows.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function panel(id: string, title: string, body: string): string {
  return `<section class="panel" id="${id}"><h2>${title}</h2>${body}</section>`;
}

function chart(id: string, label: string): string {
  return `<div class="chart"><canvas id="${id}" role="img" aria-label="${label}"></canvas></div>`;
}

export function renderDashboardPage(input: { readonly csrfToken: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${escapeHtml(input.csrfToken)}">
<title>Handoff dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/app.css">
<script src="/dashboard/chart.umd.min.js" defer></script>
<script src="/dashboard/app.js" defer></script>
</head>
<body>
<header>
  <h1>Handoff</h1>
  <form id="period-form" class="period">
    <label><input type="radio" name="period" value="7d"> 7 days</label>
    <label><input type="radio" name="period" value="30d" checked> 30 days</label>
    <label><input type="radio" name="period" value="90d"> 90 days</label>
    <label><input type="radio" name="period" value="since"> since
      <input type="date" id="period-since" name="since"></label>
    <button type="submit">Show</button>
  </form>
  <p class="as-of" id="as-of">loading…</p>
  <p class="error" id="error" role="alert" hidden></p>
  <nav><a href="/admin/queues">Bull Board</a> · <a href="/logout">Log out</a></nav>
</header>
<main>
${panel(
  'funnel',
  'Funnel',
  `<dl class="numbers" id="funnel-numbers"></dl>${chart('chart-funnel', 'Funnel: routed, accepted, rejected, open, converted')}`,
)}
${panel(
  'sla',
  'SLA compliance',
  `<dl class="numbers" id="sla-numbers"></dl>${chart('chart-sla', 'SLA met and breached over time')}`,
)}
${panel('rejections-source', 'Rejection reasons by lead source', chart('chart-rejections-source', 'Rejection reasons by lead source'))}
${panel(
  'rejections-campaign',
  'Rejection reasons by campaign',
  `<p class="note" id="campaign-note" hidden>No campaign field is mapped (mapping.salesforce.campaign).</p>${chart('chart-rejections-campaign', 'Rejection reasons by campaign')}`,
)}
${panel(
  'ttft',
  'Time to first touch',
  `<dl class="numbers" id="ttft-numbers"></dl>${chart('chart-ttft', 'Time to first touch')}`,
)}
${panel('breaches', 'Breaches by owner', chart('chart-breaches', 'SLA breaches by owner'))}
${panel(
  'budget',
  'API budget (daily allowance)',
  `<table id="budget-table"><thead><tr><th>System</th><th>Used / limit</th><th>Share</th><th>Handoff's calls</th><th>Ceiling</th><th>State</th></tr></thead><tbody></tbody></table>${chart('chart-budget', 'API budget used per system')}`,
)}
${panel(
  'queues',
  'Queues',
  `<table id="queues-table"><thead><tr><th>Queue</th><th>Waiting</th><th>Active</th><th>Delayed</th><th>Failed</th><th>Oldest waiting</th></tr></thead><tbody></tbody></table><p><a href="/admin/queues">Open Bull Board</a></p>`,
)}
${panel(
  'quarantine',
  'Quarantine',
  `<p id="quarantine-summary"></p><table id="quarantine-table"><thead><tr><th>Record</th><th>System</th><th>Code</th><th>Reason</th><th>Attempts</th><th>State</th><th></th></tr></thead><tbody></tbody></table>`,
)}
${panel(
  'decisions',
  'Recent decisions',
  `<form id="search-form" class="search"><input type="search" id="search-q" name="q" placeholder="e-mail or Lead id (00Q…)" maxlength="200" required><button type="submit">Search</button><button type="button" id="search-clear" hidden>Show recent</button></form>
<table id="decisions-table"><thead><tr><th>Routed</th><th>Lead</th><th>Owner</th><th>Score</th><th>Stage</th><th>Due</th><th></th></tr></thead><tbody></tbody></table>
<article id="decision-detail" hidden></article>`,
)}
</main>
</body>
</html>
`;
}
