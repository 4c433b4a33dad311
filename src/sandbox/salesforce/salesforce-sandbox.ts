import { SandboxServer } from '../core/sandbox-server.js';
import { SalesforceApi } from './salesforce-api.js';
import { SalesforceAuth, type ConnectedApp } from './salesforce-auth.js';
import { SalesforceStore } from './salesforce-store.js';

export interface SalesforceSandbox {
  readonly server: SandboxServer;
  readonly store: SalesforceStore;
  readonly api: SalesforceApi;
  readonly auth: SalesforceAuth;
}

export interface SalesforceSandboxOptions {
  /** Access tokens accepted from the start (a static `SALESFORCE_ACCESS_TOKEN`). */
  readonly tokens: readonly string[];
  readonly apps?: readonly ConnectedApp[];
  readonly dailyApiRequests?: number;
  readonly now?: () => number;
  readonly store?: SalesforceStore;
  readonly faultSeed?: number;
}

/** A Salesforce org on loopback: store, OAuth, REST API and control API. */
export function createSalesforceSandbox(options: SalesforceSandboxOptions): SalesforceSandbox {
  const store = options.store ?? new SalesforceStore(options.now);
  const auth = new SalesforceAuth(store, options.tokens);
  for (const app of options.apps ?? []) auth.addApp(app);
  const api = new SalesforceApi({
    store,
    auth,
    ...(options.dailyApiRequests === undefined
      ? {}
      : { dailyApiRequests: options.dailyApiRequests }),
  });
  const server = new SandboxServer(api, { faultSeed: options.faultSeed });
  return { server, store, api, auth };
}
