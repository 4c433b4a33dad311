import type { Logger } from 'pino';
import { createHubSpotClient } from './adapters/hubspot/hubspot-client.js';
import { HubSpotHistory } from './adapters/hubspot/hubspot-history.adapter.js';
import { SalesforceBacktestHistory } from './adapters/salesforce/salesforce-backtest-history.adapter.js';
import { SalesforceLeadSourceAdapter } from './adapters/salesforce/salesforce-lead-source.adapter.js';
import { SalesforceLeadStore } from './adapters/salesforce/salesforce-lead-store.adapter.js';
import { SalesforceDirectory } from './adapters/salesforce/salesforce-directory.adapter.js';
import type { Env } from './config/env.js';
import type { Definition } from './domain/definition.js';
import { resolveMapping } from './domain/mapping.js';
import { connectSalesforce, SetupError } from './main.js';
import { ApiCallMeter } from './platform/api-call-meter.js';
import { FilePageCache } from './platform/file-page-cache.js';
import type { HistoryWindow } from './ports/backtest-history.port.js';
import type { BacktestHistoryDeps } from './usecases/backtest/read-backtest-history.js';
import { ROUTED_STATUS } from './usecases/assignment/write-assignments.js';

/**
 * What `handoff backtest` reads, built for one window: both systems read-only through the page
 * cache in `cacheDir`, every call sent counted by the meter. The HubSpot properties read are those
 * of every definition compared, so each finds its attributes. Connecting with an access token
 * sends no request, so a run answered wholly from the cache makes no API call at all.
 */
export async function createBacktestRuntime(input: {
  readonly env: Env;
  readonly definitions: readonly Definition[];
  readonly window: HistoryWindow;
  readonly cacheDir: string;
  readonly log: Logger;
}): Promise<{ deps: BacktestHistoryDeps; meter: ApiCallMeter }> {
  const { env, definitions, window } = input;
  const [primary] = definitions;
  if (primary === undefined) throw new Error('a backtest needs a definition');
  if (env.HUBSPOT_ACCESS_TOKEN === undefined)
    throw new SetupError('HUBSPOT_ACCESS_TOKEN is required');
  const meter = new ApiCallMeter();
  const cache = new FilePageCache(input.cacheDir);
  const attributes: Record<string, string> = {};
  for (const definition of definitions)
    Object.assign(attributes, resolveMapping(definition.mapping).hubspot);
  const hubspot = createHubSpotClient({
    accessToken: env.HUBSPOT_ACCESS_TOKEN,
    baseUrl: env.HUBSPOT_BASE_URL,
  });
  const salesforce = await connectSalesforce(env, meter);
  const mapping = resolveMapping(primary.mapping);
  return {
    deps: {
      marketing: new HubSpotHistory(hubspot, cache, window, attributes, () =>
        meter.count('hubspot'),
      ),
      sales: new SalesforceBacktestHistory(
        salesforce,
        new SalesforceDirectory(salesforce),
        new SalesforceLeadStore(salesforce, mapping),
        new SalesforceLeadSourceAdapter(salesforce, mapping),
        mapping,
        cache,
        window,
      ),
      feedback: primary.feedback,
      openStatus: ROUTED_STATUS,
      log: input.log,
    },
    meter,
  };
}
