import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** A Redis the demo can use, and how to let go of it. */
export interface DemoRedis {
  readonly url: string;
  /** Stops the private `redis-server` the demo started, if it started one. */
  readonly stop: () => Promise<void>;
  /** Set when the demo started its own Redis (nothing was listening at REDIS_URL). */
  readonly privateServer: boolean;
}

/** Thrown when no Redis answers and none can be started: its message is the one-line fix. */
export class NoRedisError extends Error {
  override readonly name = 'NoRedisError';
}

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const hasRedisServer = (): boolean =>
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * Redis at `url` when it answers; otherwise a private `redis-server` on a free loopback port
 * (no persistence: the demo's state is thrown away with it), when the binary is on the PATH.
 */
export async function demoRedis(url: string): Promise<DemoRedis> {
  if (await answers(url)) return { url, privateServer: false, stop: () => Promise.resolve() };
  if (!hasRedisServer())
    throw new NoRedisError(
      `Redis is not reachable at ${url}: start one (redis-server --daemonize yes, or docker run -d -p 6379:6379 redis:7) or set REDIS_URL`,
    );
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; attempt < 50 && !(await answers(privateUrl)); attempt += 1)
    await sleep(100);
  if (!(await answers(privateUrl))) {
    child.kill('SIGTERM');
    throw new NoRedisError(
      `Redis is not reachable at ${url}, and a private redis-server did not start`,
    );
  }
  return {
    url: privateUrl,
    privateServer: true,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Removes every key under the demo's prefix (queues, cursors, rotation, quarantine). */
export async function removePrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    await redis.quit();
  }
}
