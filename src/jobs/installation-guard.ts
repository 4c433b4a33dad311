import type { Queue } from 'bullmq';
import type { Logger } from 'pino';

/** A failing check of the installation, as the doctor names it. */
export interface InstallationProblem {
  readonly check: string;
  readonly fix?: string | undefined;
}

export interface InstallationGuardOptions {
  readonly queues: readonly Queue[];
  /** The Redis hash that records which queues Handoff paused, and why. */
  readonly key: string;
  /** The doctor's failing checks now; empty when the installation is whole again. */
  readonly problems: () => Promise<readonly InstallationProblem[]>;
  /** How often a paused installation is checked again. */
  readonly intervalMs: number;
  /** Under `sync --once` nothing pauses: the cycle fails with the problem and the command exits. */
  readonly pauses: boolean;
  readonly log: Logger;
}

export interface InstallationGuard {
  /** Pauses `queue` for `problem`; true when it did (or it already was). */
  pause(queue: string, problem: string): Promise<boolean>;
  /** Resumes what an installation problem paused (the installation was just checked). */
  resumeAll(): Promise<string[]>;
  close(): void;
}

/**
 * A field or property that disappears while Handoff runs fails every job that touches it, the
 * same way, until an admin fixes the tenant. Instead of failing each job (and each poll) with
 * the same error, the guard pauses the affected queue once, logs one error naming the problem
 * and its `handoff doctor` fix, keeps the failed job in the paused queue (nothing is lost), and
 * checks the installation again every poll interval; once the doctor passes, the queues resume
 * and the parked jobs run. Which queues are paused lives in Redis, so a restarted worker whose
 * start-up check passes resumes them too.
 */
export function startInstallationGuard(options: InstallationGuardOptions): InstallationGuard {
  const { log } = options;
  const byName = new Map(options.queues.map((queue) => [queue.name, queue]));
  const client = async () => {
    const first = options.queues[0];
    if (first === undefined) throw new Error('no queues to guard');
    return first.client;
  };
  const resumeAll = async (): Promise<string[]> => {
    const redis = await client();
    const paused = Object.keys(await redis.hgetall(options.key));
    for (const name of paused) {
      await byName.get(name)?.resume();
      await redis.hdel(options.key, name);
    }
    return paused;
  };
  let checking = false;
  const recheck = async (): Promise<void> => {
    const redis = await client();
    if (Object.keys(await redis.hgetall(options.key)).length === 0) return;
    const problems = await options.problems();
    if (problems.length > 0) {
      log.warn(
        { problems: problems.map((problem) => problem.check) },
        'installation still has problems; queues stay paused (run handoff doctor)',
      );
      return;
    }
    const resumed = await resumeAll();
    if (resumed.length > 0) log.info({ queues: resumed }, 'installation fixed; queues resumed');
  };
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    recheck()
      .catch((err: unknown) =>
        log.warn(
          { err: { name: (err as Error).name, message: (err as Error).message } },
          'installation check failed; tried again next interval',
        ),
      )
      .finally(() => {
        checking = false;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    async pause(name, problem) {
      if (!options.pauses) return false;
      const queue = byName.get(name);
      if (queue === undefined) return false;
      // HSET counts new fields only: 1 the first time this queue is paused for a problem.
      const first = (await (await client()).hset(options.key, { [name]: problem })) === 1;
      await queue.pause();
      // One error per queue and problem, not one per job or per poll.
      if (first)
        log.error(
          { queue: name, problem },
          'installation problem: queue paused until it is fixed (run handoff doctor)',
        );
      return true;
    },
    resumeAll,
    close: () => clearInterval(timer),
  };
}
