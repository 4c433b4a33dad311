import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { IntegrationError } from '../../platform/errors.js';
import type { DescribedProperty, HubSpotInstallation } from '../../ports/installation.port.js';
import { classifyHubSpotError, hubspotCall } from './hubspot.errors.js';

const PropertiesWire = z.object({
  results: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      options: z.array(z.object({ value: z.string() })).nullish(),
    }),
  ),
});

/** Only `scopes` is read; `userId`, `hubId` and `appId` come with it. */
const TokenInfoWire = z.object({ scopes: z.array(z.string()) });

/** HubSpotInstallation over the CRM properties API and the private-app token info. */
export class HubSpotInstallationInspector implements HubSpotInstallation {
  constructor(
    private readonly client: Client,
    private readonly onRequest: () => void = () => undefined,
  ) {}

  async contactProperties(): Promise<readonly DescribedProperty[]> {
    // https://developers.hubspot.com/docs/api-reference/crm-properties-v3/core/get-crm-v3-properties-objectType
    const page = PropertiesWire.parse(
      await hubspotCall(this.onRequest, () =>
        this.client.crm.properties.coreApi.getAll('contacts', false),
      ),
    );
    return page.results.map((property) => ({
      name: property.name,
      type: property.type,
      options: (property.options ?? []).map((option) => option.value),
    }));
  }

  async tokenScopes(): Promise<readonly string[]> {
    const tokenKey = this.client.config.accessToken;
    if (tokenKey === undefined || tokenKey === '')
      throw new IntegrationError('hubspot', 'auth', 'hubspot client has no access token', {
        code: 'NO_ACCESS_TOKEN',
      });
    // https://developers.hubspot.com/docs/api/private-apps ("View private app access token
    // information"). The SDK has no method for it; apiRequest sends it to the client's base URL
    // (HUBSPOT_BASE_URL), and answers every status instead of throwing, so failures are
    // classified here as the SDK's would be.
    const body = await hubspotCall(this.onRequest, async () => {
      const response = await this.client.apiRequest({
        method: 'POST',
        path: '/oauth/v2/private-apps/get/access-token-info',
        body: { tokenKey },
      });
      const parsed: unknown = await response.json().catch(() => null);
      if (!response.ok)
        throw classifyHubSpotError({
          code: response.status,
          body: parsed,
          headers: Object.fromEntries(response.headers.entries()),
        });
      return parsed;
    });
    return TokenInfoWire.parse(body).scopes;
  }
}
