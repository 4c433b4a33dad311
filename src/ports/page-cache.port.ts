/** What one cached API answer is filed under: the system, the exact request, and the window read. */
export interface PageKey {
  readonly system: 'hubspot' | 'salesforce';
  /** The request as sent (search body, batch body, SOQL text): a different request is a miss. */
  readonly request: unknown;
  /** The backtest window the request belongs to, as ISO instants. */
  readonly window: { readonly from: string; readonly to: string };
}

/**
 * API answers kept between runs, so that replaying another definition over the same window reads
 * nothing again. Values are JSON: the caller parses what comes back as it parses a fresh answer.
 */
export interface PageCache {
  /** The cached answer under `key`, else `fetch()`'s, stored before it is returned. */
  through(key: PageKey, fetch: () => Promise<unknown>): Promise<unknown>;
}
