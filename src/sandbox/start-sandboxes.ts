import { createHubSpotSandbox, type HubSpotSandbox } from './hubspot/hubspot-sandbox.js';
import {
  createSalesforceSandbox,
  type SalesforceSandbox,
} from './salesforce/salesforce-sandbox.js';
import { SalesforceStore } from './salesforce/salesforce-store.js';
import { INTEGRATION_USER_ID, seedTenants, type SeedSummary } from './seed/seed-tenants.js';

/** Credentials of the sandbox tenants; fixed so scripts and env files can name them. */
export const SANDBOX_HUBSPOT_TOKEN = 'pat-sandbox-hubspot-0000';
export const SANDBOX_SALESFORCE_TOKEN = '00D5e0000000SBXEAA!sandbox-session';
export const SANDBOX_CLIENT_ID = 'handoff-sandbox-client';
export const SANDBOX_CLIENT_SECRET = 'handoff-sandbox-secret';

export interface StartSandboxesOptions {
  /** HubSpot listens here and Salesforce on the next port; 0 picks free ports. */
  readonly port?: number;
  readonly host?: string;
  readonly seed?: number;
  /** HubSpot contacts in the seeded tenant (Salesforce gets about half as many Leads). */
  readonly contacts?: number;
  /** Enforce HubSpot's published rate limits (off by default, for speed). */
  readonly realisticLimits?: boolean;
  /** Clock of both tenants (records are dated before it). */
  readonly now?: () => number;
  /** Seed of the fault injectors, so a fault rate hits the same calls on every run. */
  readonly faultSeed?: number;
  /**
   * Whether Handoff's own fields, properties and lists already exist (default true). False
   * gives bare tenants, as before `handoff setup`: an org without Handoff's Lead and Task
   * fields and a portal without `handoff_*` properties, the `handoff` group or nurture lists.
   */
  readonly handoffSetup?: boolean;
}

export interface RunningSandboxes {
  readonly hubspot: HubSpotSandbox;
  readonly salesforce: SalesforceSandbox;
  readonly hubspotUrl: string;
  readonly salesforceUrl: string;
  readonly seeded: SeedSummary;
  readonly seedMs: number;
  /** The environment that points Handoff at these sandboxes. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** Seeds both tenants from one seed and serves them on loopback. */
export async function startSandboxes(
  options: StartSandboxesOptions = {},
): Promise<RunningSandboxes> {
  const now = options.now ?? Date.now;
  const faultSeed = options.faultSeed === undefined ? {} : { faultSeed: options.faultSeed };
  const hubspot = createHubSpotSandbox({
    tokens: [SANDBOX_HUBSPOT_TOKEN],
    now,
    limits: { enabled: options.realisticLimits === true },
    ...faultSeed,
  });
  const salesforce = createSalesforceSandbox({
    store: new SalesforceStore(now, { handoffFields: options.handoffSetup !== false }),
    tokens: [SANDBOX_SALESFORCE_TOKEN],
    apps: [
      {
        clientId: SANDBOX_CLIENT_ID,
        clientSecret: SANDBOX_CLIENT_SECRET,
        runAsUserId: INTEGRATION_USER_ID,
      },
    ],
    now,
    ...faultSeed,
  });
  const started = performance.now();
  const seeded = seedTenants(hubspot.store, salesforce.store, {
    seed: options.seed ?? 1,
    contacts: options.contacts ?? 1_000,
    now: now(),
    ...(options.handoffSetup === undefined ? {} : { handoffSetup: options.handoffSetup }),
  });
  const seedMs = performance.now() - started;
  const port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';
  const hubspotUrl = await hubspot.server.listen(port, host);
  let salesforceUrl: string;
  try {
    salesforceUrl = await salesforce.server.listen(port === 0 ? 0 : port + 1, host);
  } catch (err) {
    await hubspot.server.close();
    throw err;
  }
  return {
    hubspot,
    salesforce,
    hubspotUrl,
    salesforceUrl,
    seeded,
    seedMs,
    env: {
      HUBSPOT_BASE_URL: hubspotUrl,
      HUBSPOT_ACCESS_TOKEN: SANDBOX_HUBSPOT_TOKEN,
      SALESFORCE_INSTANCE_URL: salesforceUrl,
      SALESFORCE_ACCESS_TOKEN: SANDBOX_SALESFORCE_TOKEN,
      SALESFORCE_LOGIN_URL: salesforceUrl,
      SALESFORCE_CLIENT_ID: SANDBOX_CLIENT_ID,
      SALESFORCE_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
    },
    close: async () => {
      await Promise.all([hubspot.server.close(), salesforce.server.close()]);
    },
  };
}
