import { createConnection } from 'node:net';

/**
 * e2e global setup: fail fast, with the fix, when Redis is not reachable at REDIS_URL
 * (BullMQ suites need a real one; `.ci/run` starts it).
 */
export default async function checkRedis(): Promise<void> {
  const url = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  const port = Number(url.port || 6379);
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = createConnection({ host: url.hostname, port }, () => socket.write('PING\r\n'));
    socket.setTimeout(2_000, () => socket.destroy(new Error('timed out')));
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString());
    });
    socket.once('error', reject);
  }).catch((err: unknown) => {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Redis is not reachable at ${url.hostname}:${port} (${why}); start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
    );
  });
  if (!reply.startsWith('+PONG') && !reply.startsWith('-NOAUTH')) {
    throw new Error(`unexpected answer from Redis at ${url.hostname}:${port}: ${reply.trim()}`);
  }
}
