/**
 * Handles on the three queues for readers and operators (the HTTP server's Bull Board, readiness
 * and status), opened without workers: `handoff run` binds its port with them before any worker
 * takes a job, so a taken HOST/PORT stops the process before it touched a tenant.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { DECISIONS_QUEUE, HUBSPOT_QUEUE, SALESFORCE_QUEUE } from './catalog.js';

export function openQueueHandles(connection: ConnectionOptions, prefix: string): Queue[] {
  return [DECISIONS_QUEUE, HUBSPOT_QUEUE, SALESFORCE_QUEUE].map(
    (name) => new Queue(name, { connection, prefix }),
  );
}
