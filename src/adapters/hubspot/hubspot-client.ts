import { Client } from '@hubspot/api-client';

export interface HubSpotClientOptions {
  readonly accessToken: string;
  /** `HUBSPOT_BASE_URL`; a trailing slash would make the SDK call `//crm/...`. */
  readonly baseUrl: string;
}

/**
 * The one place a HubSpot client is built. SDK retries are off: BullMQ is the single retry owner
 *, and the SDK's own 429 retry would sleep 10 s per attempt inside a job.
 */
export function createHubSpotClient(options: HubSpotClientOptions): Client {
  return new Client({
    accessToken: options.accessToken,
    basePath: options.baseUrl.replace(/\/+$/, ''),
    numberOfApiCallRetries: 0,
  });
}
