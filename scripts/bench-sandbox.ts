/**
 * `npm run bench:sandbox`: how fast the sandboxes seed and serve a large tenant, so benchmarks of
 * Handoff know the sandbox is not their bottleneck. Seeds both tenants, then pages through every
 * HubSpot contact with the real `@hubspot/api-client` (search in `lastmodifieddate` windows
 * below the 10,000-result cap, 200 per page) and every Salesforce Lead with `jsforce`
 * (queryMore, 2,000 per page). Prints times, page counts and calls from the sandbox call log.
 *
 *   npm run bench:sandbox -- --contacts 100000 --seed 7
 */
import { parseArgs } from 'node:util';
import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { Connection } from 'jsforce';
import {
  SANDBOX_HUBSPOT_TOKEN,
  SANDBOX_SALESFORCE_TOKEN,
  startSandboxes,
} from '../src/sandbox/start-sandboxes.js';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '7' },
  },
});
const contacts = Number(values.contacts);
const now = Date.parse('2026-11-26T12:00:00Z');
const WINDOW_RESULTS_MAX = 9_000;

const sandboxes = await startSandboxes({ contacts, seed: Number(values.seed), now: () => now });
const hubspot = new Client({
  accessToken: SANDBOX_HUBSPOT_TOKEN,
  basePath: sandboxes.hubspotUrl,
  numberOfApiCallRetries: 0,
});
const salesforce = new Connection({
  instanceUrl: sandboxes.salesforceUrl,
  accessToken: SANDBOX_SALESFORCE_TOKEN,
  version: '62.0',
});

/** Pages one [from, to) window of lastmodifieddate; halves it when it holds too many results. */
async function pageWindow(
  from: number,
  to: number,
  seen: Set<string>,
  timings: number[],
): Promise<number> {
  let after = '0';
  let pages = 0;
  for (;;) {
    const started = performance.now();
    const page = await hubspot.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            {
              propertyName: 'lastmodifieddate',
              operator: FilterOperatorEnum.Gte,
              value: String(from),
            },
            {
              propertyName: 'lastmodifieddate',
              operator: FilterOperatorEnum.Lt,
              value: String(to),
            },
          ],
        },
      ],
      sorts: ['lastmodifieddate'],
      properties: ['email', 'lastmodifieddate'],
      limit: 200,
      after,
    });
    timings.push(performance.now() - started);
    if (after === '0' && page.total > WINDOW_RESULTS_MAX && to - from > 1) {
      const middle = Math.floor((from + to) / 2);
      return (
        (await pageWindow(from, middle, seen, timings)) +
        (await pageWindow(middle, to, seen, timings)) +
        1
      );
    }
    for (const contact of page.results) seen.add(contact.id);
    pages += 1;
    const next = page.paging?.next?.after;
    if (next === undefined) return pages;
    after = next;
  }
}

const hubspotStarted = performance.now();
const seen = new Set<string>();
const timings: number[] = [];
const hubspotPages = await pageWindow(0, now + 1, seen, timings);
const hubspotMs = performance.now() - hubspotStarted;
timings.sort((a, b) => a - b);

const salesforceStarted = performance.now();
let leads = 0;
let salesforcePages = 0;
let result = await salesforce.query(
  'SELECT Id, Email, OwnerId, Status, SystemModstamp FROM Lead ORDER BY SystemModstamp, Id',
);
for (;;) {
  leads += result.records.length;
  salesforcePages += 1;
  if (result.done || result.nextRecordsUrl === undefined) break;
  result = await salesforce.queryMore(result.nextRecordsUrl);
}
const salesforceMs = performance.now() - salesforceStarted;

const percentile = (p: number): number =>
  timings[Math.min(timings.length - 1, Math.floor((p / 100) * timings.length))] ?? 0;
const report = {
  contacts,
  seed_ms: Math.round(sandboxes.seedMs),
  hubspot: {
    contacts_paged: seen.size,
    search_calls: sandboxes.hubspot.server.log.summary().byEndpoint['contacts.search']?.calls ?? 0,
    pages: hubspotPages,
    total_ms: Math.round(hubspotMs),
    page_ms_median: Number(percentile(50).toFixed(2)),
    page_ms_p99: Number(percentile(99).toFixed(2)),
  },
  salesforce: {
    leads_paged: leads,
    query_calls: salesforcePages,
    total_ms: Math.round(salesforceMs),
  },
  peak_rss_mib: Math.round(process.memoryUsage().rss / 1_048_576),
};
process.stdout.write(
  [
    `sandbox: ${contacts} contacts seeded in ${report.seed_ms} ms (${sandboxes.seeded.leads} leads, ${sandboxes.seeded.engagements} engagements)`,
    `  HubSpot: ${seen.size} contacts paged in ${report.hubspot.total_ms} ms over ${report.hubspot.search_calls} search calls; page median ${report.hubspot.page_ms_median} ms, p99 ${report.hubspot.page_ms_p99} ms (client round trip)`,
    `  Salesforce: ${leads} leads paged in ${report.salesforce.total_ms} ms over ${salesforcePages} query calls`,
    `  ${JSON.stringify(report)}`,
    '',
  ].join('\n'),
);
await sandboxes.close();
