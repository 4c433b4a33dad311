/*
 * The dashboard's script: reads the JSON endpoints and fills the page, charts through Chart.js.
 * Everything from the server is set as text (textContent), never as markup: names, reasons and
 * comments come from reps. Retries carry the session's CSRF token from the page's <meta>.
 */
/* global Chart, document, window */
'use strict';

const CSRF = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
/** Live panels (queues, quarantine, budget) come from Redis: refreshed often. */
const LIVE_REFRESH_MS = 15_000;
/** The report is cached server-side for a minute: asking more often gains nothing. */
const REPORT_REFRESH_MS = 60_000;
const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#475569',
];
const charts = new Map();
let period = new URLSearchParams({ period: '30d' });
let searching = false;

function $(id) {
  return document.getElementById(id);
}

/** An element with text content and attributes; children appended as nodes. */
function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function row(cells) {
  const tr = el('tr');
  for (const cell of cells) {
    const td = el('td');
    if (cell instanceof window.Node) td.append(cell);
    else td.textContent = cell === null || cell === undefined ? '–' : String(cell);
    tr.append(td);
  }
  return tr;
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = message === '';
}

/** `2026-11-24T15:00:00.000Z` → `2026-11-24 15:00 UTC`. */
function when(iso) {
  return iso === null || iso === undefined ? '–' : `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function percent(share) {
  return share === null || share === undefined ? '–' : `${Math.round(share * 1000) / 10}%`;
}

function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    credentials: 'same-origin',
    ...options,
    headers: { accept: 'application/json', ...(options.headers ?? {}) },
  });
  if (response.status === 401 || response.redirected) {
    window.location.assign(`/login?next=${encodeURIComponent('/dashboard')}`);
    throw new Error('the session ended: log in again');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `${path}: HTTP ${response.status}`);
  return body;
}

function numbers(target, pairs) {
  const items = [];
  for (const [label, value, key] of pairs) {
    items.push(el('dt', label), el('dd', value, { 'data-key': key }));
  }
  $(target).replaceChildren(...items);
}

function draw(id, config) {
  charts.get(id)?.destroy();
  config.options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    ...config.options,
  };
  charts.set(id, new Chart($(id), config));
}

/** Stacked bars of `outer → reason → count`: one bar per outer key, one colour per reason. */
function stacked(id, table) {
  const groups = Object.keys(table ?? {}).sort();
  const reasons = [...new Set(groups.flatMap((group) => Object.keys(table[group])))].sort();
  draw(id, {
    type: 'bar',
    data: {
      labels: groups,
      datasets: reasons.map((reason, index) => ({
        label: reason,
        data: groups.map((group) => table[group][reason] ?? 0),
        backgroundColor: PALETTE[index % PALETTE.length],
      })),
    },
    options: {
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  });
}

function renderReport(data) {
  const { report } = data;
  $('as-of').textContent =
    `${report.since.slice(0, 10)} → ${when(report.until)} · as of ${when(data.as_of)} (figures refresh at most once a minute)`;
  numbers('funnel-numbers', [
    ['Routed', report.routed, 'routed'],
    ['Accepted', report.accepted, 'accepted'],
    ['Rejected', report.rejected, 'rejected'],
    ['Open', report.open, 'open'],
    ['Converted', report.converted, 'converted'],
  ]);
  draw('chart-funnel', {
    type: 'bar',
    data: {
      labels: ['Routed', 'Accepted', 'Rejected', 'Open', 'Converted'],
      datasets: [
        {
          label: 'MQLs',
          data: [report.routed, report.accepted, report.rejected, report.open, report.converted],
          backgroundColor: ['#2563eb', '#16a34a', '#dc2626', '#d97706', '#7c3aed'],
        },
      ],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });

  numbers('sla-numbers', [
    ['Due', report.sla.due, 'sla-due'],
    ['Met', report.sla.met, 'sla-met'],
    ['Breached', report.sla.breached, 'sla-breached'],
    ['Compliance', percent(report.sla.compliance), 'sla-compliance'],
  ]);
  const points = report.sla_over_time.points;
  draw('chart-sla', {
    type: 'bar',
    data: {
      labels: points.map((point) => point.start.slice(0, 10)),
      datasets: [
        {
          type: 'line',
          label: 'Compliance %',
          yAxisID: 'share',
          borderColor: '#0f172a',
          spanGaps: true,
          data: points.map((point) =>
            point.compliance === null ? null : Math.round(point.compliance * 1000) / 10,
          ),
        },
        {
          label: 'Met',
          stack: 'sla',
          backgroundColor: '#16a34a',
          data: points.map((point) => point.met),
        },
        {
          label: 'Breached',
          stack: 'sla',
          backgroundColor: '#dc2626',
          data: points.map((point) => point.breached),
        },
      ],
    },
    options: {
      scales: {
        x: {
          stacked: true,
          title: { display: true, text: `by ${report.sla_over_time.bucket} routed` },
        },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        share: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false } },
      },
    },
  });

  stacked('chart-rejections-source', report.rejection_reasons_by_source);
  const campaigns = report.rejection_reasons_by_campaign;
  $('campaign-note').hidden = campaigns !== undefined;
  stacked('chart-rejections-campaign', campaigns ?? {});

  const ttft = report.time_to_first_touch_minutes;
  numbers('ttft-numbers', [
    ['Touched', ttft.count, 'ttft-count'],
    ['Median', ttft.median === null ? '–' : `${ttft.median} min`, 'ttft-median'],
    ['p90', ttft.p90 === null ? '–' : `${ttft.p90} min`, 'ttft-p90'],
  ]);
  draw('chart-ttft', {
    type: 'bar',
    data: {
      labels: report.time_to_first_touch_buckets.map((bucket) => bucket.label),
      datasets: [
        {
          label: 'Leads',
          backgroundColor: '#0891b2',
          data: report.time_to_first_touch_buckets.map((bucket) => bucket.count),
        },
      ],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });

  const owners = Object.entries(report.breaches_by_owner).sort(([, a], [, b]) => b - a);
  draw('chart-breaches', {
    type: 'bar',
    data: {
      labels: owners.map(([name]) => name),
      datasets: [
        { label: 'Breaches', backgroundColor: '#dc2626', data: owners.map(([, count]) => count) },
      ],
    },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });

  if (!searching) renderDecisions(data.recent);
}

function renderDecisions(decisions) {
  const rows = decisions.map((decision) => {
    const open = el('button', 'Explain', { type: 'button', 'data-lead': decision.lead_id });
    open.addEventListener('click', () => showDecision(decision));
    return row([
      when(decision.routed_at),
      decision.name ?? decision.lead_id,
      decision.owner,
      decision.score,
      decision.stage,
      when(decision.due),
      open,
    ]);
  });
  if (rows.length === 0) rows.push(row(['No decisions in this period.']));
  fill($('decisions-table').tBodies[0], rows);
}

function showDecision(decision) {
  const detail = $('decision-detail');
  const facts = el('dl');
  const add = (label, value) => facts.append(el('dt', label), el('dd', value ?? '–'));
  add('Lead', `${decision.name ?? '(no name)'} · ${decision.lead_id}`);
  add('E-mail', decision.email);
  add('Owner', decision.owner);
  add('Score / tier', `${decision.score ?? '–'} / ${decision.tier ?? '–'}`);
  add('Routed', when(decision.routed_at));
  add('First touch due', when(decision.due));
  add('Stage / status', `${decision.stage} / ${decision.status}`);
  add(
    'Decision',
    `${decision.decision_id} (definition ${decision.definition_version ?? '–'}, ${decision.origin === 'salesforce' ? 'born in Salesforce' : 'from HubSpot'})`,
  );
  if (decision.breached_owners.length > 0)
    add('SLA missed by', decision.breached_owners.join(', '));
  if (decision.rejection_reason !== null || decision.rejection_comment !== null)
    add(
      'Rejection',
      [decision.rejection_reason, decision.rejection_comment]
        .filter((part) => part !== null)
        .join(': '),
    );
  const explanation = el(
    'pre',
    decision.explanation ?? 'No explanation was written on this Lead.',
    { class: 'explanation' },
  );
  detail.replaceChildren(el('h3', 'Why this lead went where it went'), facts, explanation);
  detail.hidden = false;
}

function renderLive(data) {
  fill(
    $('queues-table').tBodies[0],
    data.queues.map((queue) =>
      row([
        queue.name,
        queue.waiting,
        queue.active,
        queue.delayed,
        queue.failed,
        duration(queue.oldestWaitingAgeMs),
      ]),
    ),
  );

  const { quarantine } = data;
  $('quarantine-summary').textContent =
    `${quarantine.total} quarantined, ${quarantine.parked} parked${quarantine.entries.length < quarantine.total ? ` (first ${quarantine.entries.length} shown)` : ''}`;
  fill(
    $('quarantine-table').tBodies[0],
    quarantine.entries.map((entry) => {
      let action = el('span', '');
      if (entry.parked) {
        action = el('button', 'Retry', { type: 'button', 'data-key': entry.key });
        action.addEventListener('click', () => void retry(entry.key, action));
      }
      const tr = row([
        entry.key,
        entry.system,
        entry.code,
        entry.reason,
        entry.attempts,
        entry.parked ? 'parked' : 'retried by the next cycle',
        action,
      ]);
      tr.setAttribute('data-key', entry.key);
      return tr;
    }),
  );

  const systems = [
    ['HubSpot', data.budget.hubspot],
    ['Salesforce', data.budget.salesforce],
  ];
  fill(
    $('budget-table').tBodies[0],
    systems.map(([name, usage]) =>
      row([
        name,
        usage.max === null ? 'not seen yet' : `${usage.used} / ${usage.max}`,
        usage.percent === null ? '–' : `${usage.percent}%`,
        `${usage.handoff_calls}${usage.handoff_percent === null ? '' : ` (${usage.handoff_percent}%)`}`,
        `${usage.ceiling_percent}%`,
        usage.paused ? `paused until ${when(usage.paused_until)}` : 'running',
      ]),
    ),
  );
  draw('chart-budget', {
    type: 'bar',
    data: {
      labels: systems.map(([name]) => name),
      datasets: [
        {
          label: 'Used by everyone, % of the limit',
          backgroundColor: '#94a3b8',
          data: systems.map(([, usage]) => usage.percent ?? 0),
        },
        {
          label: "Handoff's calls, % of the limit",
          backgroundColor: '#2563eb',
          data: systems.map(([, usage]) => usage.handoff_percent ?? 0),
        },
        {
          label: "Handoff's ceiling %",
          backgroundColor: '#f59e0b',
          data: systems.map(([, usage]) => usage.ceiling_percent),
        },
      ],
    },
    options: { scales: { y: { beginAtZero: true, max: 100 } } },
  });
}

async function retry(key, button) {
  button.disabled = true;
  try {
    await api('/dashboard/api/quarantine/retry', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': CSRF },
      body: JSON.stringify({ keys: [key] }),
    });
    await loadLive();
  } catch (err) {
    showError(err.message);
    button.disabled = false;
  }
}

async function loadReport() {
  try {
    renderReport(await api(`/dashboard/api/report?${period}`));
    showError('');
  } catch (err) {
    showError(err.message);
  }
}

async function loadLive() {
  try {
    renderLive(await api('/dashboard/api/live'));
  } catch (err) {
    showError(err.message);
  }
}

async function search(query) {
  try {
    const result = await api(`/dashboard/api/decisions?${new URLSearchParams({ q: query })}`);
    searching = true;
    $('search-clear').hidden = false;
    renderDecisions(result.decisions);
    if (result.decisions.length === 1) showDecision(result.decisions[0]);
    showError(result.decisions.length === 0 ? `No routed Lead matches ${query}.` : '');
  } catch (err) {
    showError(err.message);
  }
}

function start() {
  $('period-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = new window.FormData(event.target);
    const value = chosen.get('period');
    const since = chosen.get('since');
    if (value === 'since') {
      if (!since) return showError('since: pick a start date');
      period = new URLSearchParams({ since: `${since}T00:00:00Z` });
    } else period = new URLSearchParams({ period: value });
    void loadReport();
  });
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void search($('search-q').value.trim());
  });
  $('search-clear').addEventListener('click', () => {
    searching = false;
    $('search-clear').hidden = true;
    $('decision-detail').hidden = true;
    void loadReport();
  });
  void loadReport();
  void loadLive();
  window.setInterval(() => void loadLive(), LIVE_REFRESH_MS);
  window.setInterval(() => void loadReport(), REPORT_REFRESH_MS);
}

start();
