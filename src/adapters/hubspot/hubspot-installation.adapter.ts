import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import type { DescribedProperty, HubSpotInstallation } from '../../ports/installation.port.js';
import { hubspotCall } from './hubspot.errors.js';

const PropertiesWire = z.object({
  results: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      options: z.array(z.object({ value: z.string() })).nullish(),
    }),
  ),
});

/** HubSpotInstallation over the CRM properties API. */
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
}
