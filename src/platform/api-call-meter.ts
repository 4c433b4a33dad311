import { AsyncLocalStorage } from 'node:async_hooks';
import type { IntegrationSystem } from './errors.js';

export type ApiCallCounts = Record<IntegrationSystem, number>;

/** What may refuse a call before it is sent, and is told of every call sent (the API budget). */
export interface CallGate {
  /** Throws (an `IntegrationError`) when the call must not be made now. */
  admit(system: IntegrationSystem): void;
  record(system: IntegrationSystem): void;
}

/**
 * Counts API calls per system, for the process and for the job that made them. A job's count is
 * kept in async context, so jobs running side by side in one process (a cycle pulling HubSpot
 * while a write-back job writes it) never count each other's calls.
 */
export class ApiCallMeter {
  readonly total: ApiCallCounts = { hubspot: 0, salesforce: 0 };
  private readonly current = new AsyncLocalStorage<ApiCallCounts>();

  constructor(private readonly gate?: CallGate) {}

  /**
   * One call about to be sent. Only a job's calls may be refused by the gate: the job machinery
   * turns the refusal into a pause of that system's queue. The few calls made outside jobs (the
   * start-up checks, the installation re-check of a paused worker) always go through, so that a
   * worker over its budget still starts and reports why it waits.
   */
  count(system: IntegrationSystem): void {
    const job = this.current.getStore();
    if (job !== undefined) this.gate?.admit(system);
    this.total[system] += 1;
    if (job !== undefined) job[system] += 1;
    this.gate?.record(system);
  }

  /** Runs `work` and returns its result with the calls made inside it (awaited work included). */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; calls: ApiCallCounts }> {
    const calls: ApiCallCounts = { hubspot: 0, salesforce: 0 };
    const result = await this.current.run(calls, work);
    return { result, calls };
  }
}
