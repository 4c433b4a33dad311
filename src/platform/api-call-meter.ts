import { AsyncLocalStorage } from 'node:async_hooks';
import type { IntegrationSystem } from './errors.js';

export type ApiCallCounts = Record<IntegrationSystem, number>;

/**
 * Counts API calls per system, for the process and for the job that made them. A job's count is
 * kept in async context, so jobs running side by side in one process (a cycle pulling HubSpot
 * while a write-back job writes it) never count each other's calls.
 */
export class ApiCallMeter {
  readonly total: ApiCallCounts = { hubspot: 0, salesforce: 0 };
  private readonly current = new AsyncLocalStorage<ApiCallCounts>();

  count(system: IntegrationSystem): void {
    this.total[system] += 1;
    const job = this.current.getStore();
    if (job !== undefined) job[system] += 1;
  }

  /** Runs `work` and returns its result with the calls made inside it (awaited work included). */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; calls: ApiCallCounts }> {
    const calls: ApiCallCounts = { hubspot: 0, salesforce: 0 };
    const result = await this.current.run(calls, work);
    return { result, calls };
  }
}
