/**
 * Liveness and readiness. Both are unauthenticated (orchestrators and load balancers call them
 * without credentials), so they answer a status and named checks only: no counts, no queue
 * names, no ids. The detail lives behind the admin token (`GET /admin/status`).
 */
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { queueStats } from '../jobs/queue-stats.js';

export interface ReadinessChecks {
  /** Redis answered PING in time. */
  readonly redis: 'ok' | 'unreachable';
  /** Every worker of this process is running. */
  readonly workers: 'ok' | 'stopped';
  /** No job has waited longer than the threshold; `unknown` when the queues did not answer. */
  readonly queues: 'ok' | 'stuck' | 'unknown';
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: ReadinessChecks;
}

/** How long one readiness check may take before it counts as failed (ms). */
export const READINESS_TIMEOUT_MS = 2_000;

export interface ReadinessOptions {
  /** PING over the worker's Redis connection. */
  readonly ping: () => Promise<unknown>;
  /** `Workers.running()`. */
  readonly workersRunning: () => boolean;
  readonly queues: readonly Queue[];
  /** `HANDOFF_READY_MAX_JOB_AGE_MS`. */
  readonly maxWaitingAgeMs: number;
  /** Epoch ms. */
  readonly now: () => number;
  readonly timeoutMs?: number;
}

/** `work`'s value, or `undefined` when it fails or takes longer than `ms`. */
async function within<T>(work: () => Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(work)
        .catch(() => undefined),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ready means this process can do its work now: Redis answers, its workers run, and no queue's
 * oldest waiting job is older than the threshold (a stuck or overwhelmed worker pool). The
 * worker connection queues commands while Redis is away rather than fail them, so every check
 * has a deadline: a probe must answer, not hang.
 */
export function checkReadiness(options: ReadinessOptions): () => Promise<ReadinessReport> {
  const ms = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  return async () => {
    const now = options.now();
    const [pong, stats] = await Promise.all([
      within(options.ping, ms),
      within(() => Promise.all(options.queues.map((queue) => queueStats(queue, now))), ms),
    ]);
    const checks: ReadinessChecks = {
      redis: pong === 'PONG' ? 'ok' : 'unreachable',
      workers: options.workersRunning() ? 'ok' : 'stopped',
      queues:
        stats === undefined
          ? 'unknown'
          : stats.some((each) => (each.oldestWaitingAgeMs ?? 0) > options.maxWaitingAgeMs)
            ? 'stuck'
            : 'ok',
    };
    return { ready: Object.values(checks).every((state) => state === 'ok'), checks };
  };
}

/** `GET /healthz` (the process answers) and `GET /readyz` (200 ready, 503 not). */
export function registerProbes(
  app: FastifyInstance,
  readiness: () => Promise<ReadinessReport>,
): void {
  app.get('/healthz', async (_request, reply) => {
    await reply.header('Cache-Control', 'no-store').send({ status: 'ok' });
  });
  app.get('/readyz', async (request, reply) => {
    let report: ReadinessReport;
    try {
      report = await readiness();
    } catch (err) {
      request.log.warn({ err: { name: (err as Error).name } }, 'readiness check failed');
      await reply.code(503).header('Cache-Control', 'no-store').send({ status: 'not_ready' });
      return;
    }
    await reply
      .code(report.ready ? 200 : 503)
      .header('Cache-Control', 'no-store')
      .send({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
  });
}
