import { json, type Route } from '../core/sandbox-http.js';
import { SandboxServer } from '../core/sandbox-server.js';
import { HubSpotApi } from './hubspot-api.js';
import type { HubSpotLimits } from './hubspot-rate-limits.js';
import { HubSpotStore } from './hubspot-store.js';
import { HubSpotWebhooks, type WebhookSettings } from './hubspot-webhooks.js';

export interface HubSpotSandbox {
  readonly server: SandboxServer;
  readonly store: HubSpotStore;
  readonly api: HubSpotApi;
  readonly webhooks: HubSpotWebhooks;
}

export interface HubSpotSandboxOptions {
  readonly tokens: readonly string[];
  readonly limits?: Partial<HubSpotLimits>;
  readonly now?: () => number;
  readonly store?: HubSpotStore;
  readonly faultSeed?: number;
}

/** A HubSpot portal on loopback: store, API, webhooks, control API (`/__sandbox/webhooks`). */
export function createHubSpotSandbox(options: HubSpotSandboxOptions): HubSpotSandbox {
  const store = options.store ?? new HubSpotStore(options.now);
  const webhooks = new HubSpotWebhooks(store, store.now);
  const api = new HubSpotApi({
    store,
    tokens: options.tokens,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const webhookRoutes: Route[] = [
    {
      method: 'PUT',
      path: '/webhooks',
      endpoint: 'control',
      handle: (request) => {
        const body = request.body as Partial<WebhookSettings> | undefined;
        if (typeof body?.targetUrl !== 'string' || typeof body.clientSecret !== 'string') {
          return json(400, { error: 'targetUrl and clientSecret are required' });
        }
        webhooks.configure(body as WebhookSettings);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/webhooks/flush',
      endpoint: 'control',
      handle: async () => {
        await webhooks.flush();
        return json(200, { deliveries: webhooks.deliveries });
      },
    },
  ];
  const server = new SandboxServer(api, {
    faultSeed: options.faultSeed,
    controlRoutes: webhookRoutes,
  });
  return { server, store, api, webhooks };
}
