/**
 * Bull Board, BullMQ's own queue UI, for the admin: jobs, failures and retries without a Redis
 * shell. It is registered inside the authenticated scope, so its pages, its JSON API and its
 * static assets all need the admin token. Its UI sends mutations (retry, clean, pause) without
 * our CSRF header; the admin hook holds them to a same-origin check instead (see
 * `admin-auth.ts`).
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

export const BULL_BOARD_PATH = '/admin/queues';

export async function registerBullBoard(
  scope: FastifyInstance,
  queues: readonly Queue[],
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Handoff queues' } },
  });
  await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
}
