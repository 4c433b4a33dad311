import { WaitingChildrenError, type Job } from 'bullmq';
import type { ApiCallCounts, ApiCallMeter } from '../../platform/api-call-meter.js';
import { withRetryBudget } from '../../platform/retry-in-place.js';

/** What every job returns: its kind, its counts, and the API calls it and its children made. */
export interface JobValue {
  readonly kind: string;
  readonly calls: ApiCallCounts;
  readonly [count: string]: unknown;
}

/**
 * Runs one job's work with its API calls counted and its own budget of in-place retries (every
 * call the job makes draws on the same budget).
 */
export function measureJob<T>(
  meter: ApiCallMeter,
  work: () => Promise<T>,
): Promise<{ result: T; calls: ApiCallCounts }> {
  return meter.measure(() => withRetryBudget(work));
}

/**
 * Two steps for a job that queues children. Step one runs `work` (metered), keeps its result on
 * the job and, if children are pending, parks the job until they finish; BullMQ then runs the
 * job again and step two returns the kept result with the children's values. A crash in step
 * one reruns it (the work is idempotent); a crash while waiting loses nothing.
 */
export async function workThenChildren<R extends Record<string, unknown>>(
  job: Job,
  token: string | undefined,
  meter: ApiCallMeter,
  work: () => Promise<R>,
): Promise<{ result: R; calls: ApiCallCounts; children: JobValue[] }> {
  const data = job.data as { done?: { result: R; calls: ApiCallCounts } };
  let done = data.done;
  if (done === undefined) {
    done = await measureJob(meter, work);
    await job.updateData({ ...data, done });
    if (token !== undefined && (await job.moveToWaitingChildren(token)))
      throw new WaitingChildrenError();
  }
  const children = Object.values(await job.getChildrenValues<JobValue>());
  return { result: done.result, calls: done.calls, children };
}

/** `calls` plus every child's (children report their own children's calls). */
export function totalCalls(calls: ApiCallCounts, children: readonly JobValue[]): ApiCallCounts {
  return children.reduce(
    (total, child) => ({
      hubspot: total.hubspot + child.calls.hubspot,
      salesforce: total.salesforce + child.calls.salesforce,
    }),
    calls,
  );
}

/** The sum of one count over the children of one kind. */
export function sumOf(children: readonly JobValue[], kind: string, count: string): number {
  return children
    .filter((child) => child.kind === kind)
    .reduce((total, child) => total + (typeof child[count] === 'number' ? child[count] : 0), 0);
}
