/**
 * The worker's one HTTP server (one port, `PORT`): probes for orchestrators, `/metrics` for
 * Prometheus, the HubSpot webhook, and the admin pages (Bull Board and the plugins the
 * composition root hands in, such as the dashboard) behind `HANDOFF_ADMIN_TOKEN`.
 *
 * The webhook never passes through fastify: its signature covers the exact bytes HubSpot sent, and
 * its route reads them itself with its own size limit, so the server hands that path to it before
 * fastify could parse or consume the body.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Queue } from 'bullmq';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import {
  registerAdminOff,
  registerLoginRoutes,
  requireAdmin,
  type AdminAuthOptions,
} from './admin-auth.js';
import { adminSessions } from './admin-session.js';
import { BULL_BOARD_PATH, registerBullBoard } from './bull-board.js';
import { LoginThrottle } from './login-throttle.js';
import { registerProbes, type ReadinessReport } from './probes.js';

export type { ReadinessReport } from './probes.js';

export const WEBHOOK_PATH = '/webhooks/hubspot';

export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** Given to every admin plugin. */
export interface AdminContext {
  /**
   * The CSRF token of this (cookie-authenticated) request's session, to embed in pages; the
   * empty string for a Bearer request, which needs none.
   */
  csrfToken(request: FastifyRequest): string;
}

/** Registered inside the authenticated scope (the dashboard registers its routes under /dashboard). */
export type AdminPlugin = (app: FastifyInstance, context: AdminContext) => Promise<void>;

export interface HttpServerOptions {
  readonly port: number;
  /** Loopback unless set (`HOST`); the Docker image sets 0.0.0.0. */
  readonly host: string;
  /** `TRUST_PROXY`: one reverse proxy in front; its `X-Forwarded-*` headers are believed. */
  readonly trustProxy: boolean;
  readonly readiness: () => Promise<ReadinessReport>;
  /** `POST /webhooks/hubspot`, given the untouched request (it handles every method itself). */
  readonly webhook: (request: IncomingMessage, response: ServerResponse) => void;
  /** `/metrics`; absent → 404 saying metrics are off. */
  readonly metrics?: MetricsSource;
  /** `METRICS_PUBLIC`: `/metrics` without the admin token. */
  readonly metricsPublic: boolean;
  /** `HANDOFF_ADMIN_TOKEN`; absent → the admin pages are off and say so. */
  readonly adminToken: string | undefined;
  /** Shown in Bull Board. */
  readonly queues: readonly Queue[];
  readonly adminPlugins?: readonly AdminPlugin[];
  /** The detailed status JSON, admin only (`GET /admin/status`). */
  readonly status?: () => Promise<Record<string, unknown>>;
  /** Epoch ms. */
  readonly now: () => number;
  readonly log: Logger;
}

export interface HttpServer {
  /** Where the server really listens, from the socket: `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The bound address and port, as the operating system reports them. */
  readonly address: { readonly host: string; readonly port: number; readonly family: string };
  /** Stops accepting connections and waits for the requests in flight. */
  close(): Promise<void>;
}

/** `host:port` for a URL: IPv6 addresses go in brackets. */
function urlHost(address: AddressInfo): string {
  return address.family === 'IPv6' || address.address.includes(':')
    ? `[${address.address}]`
    : address.address;
}

function metricsRoute(
  metrics: MetricsSource,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (_request, reply) => {
    await reply.header('Content-Type', metrics.contentType).send(await metrics.metrics());
  };
}

/** `/metrics` outside the admin scope: off, public, or off until a token exists. */
function registerPublicMetrics(app: FastifyInstance, options: HttpServerOptions): void {
  const { metrics } = options;
  if (metrics === undefined) {
    app.get('/metrics', async (_request, reply) => {
      await reply.code(404).send({ error: 'metrics are off in this process' });
    });
  } else if (options.metricsPublic) {
    app.get('/metrics', metricsRoute(metrics));
  } else if (options.adminToken === undefined) {
    app.get('/metrics', async (_request, reply) => {
      await reply.code(503).send({
        error:
          'metrics need the admin token: set HANDOFF_ADMIN_TOKEN (and send it as a Bearer token), or METRICS_PUBLIC=true',
      });
    });
  }
}

/** Everything behind the admin token: one hook authenticates and enforces CSRF for all of it. */
async function registerAdminScope(
  app: FastifyInstance,
  options: HttpServerOptions,
  auth: AdminAuthOptions,
): Promise<void> {
  registerLoginRoutes(app, auth);
  const context: AdminContext = {
    csrfToken: (request) =>
      request.adminAuth?.kind === 'cookie' ? auth.sessions.csrfToken(request.adminAuth.cookie) : '',
  };
  await app.register(async (scope) => {
    scope.addHook('onRequest', requireAdmin(auth));
    const { status, metrics } = options;
    if (status !== undefined) scope.get('/admin/status', () => status());
    if (metrics !== undefined && !options.metricsPublic)
      scope.get('/metrics', metricsRoute(metrics));
    await registerBullBoard(scope, options.queues);
    for (const plugin of options.adminPlugins ?? [])
      await scope.register(async (child) => plugin(child, context));
  });
}

/**
 * Starts the server on `host`/`port` and resolves once it listens; rejects with the system
 * error (`EADDRINUSE`, `EADDRNOTAVAIL`) when it cannot.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { webhook } = options;
  // Typed as fastify's logger so the instance keeps fastify's default type parameters. Warnings
  // and errors only: the worker logs its own address once ('worker started').
  const loggerInstance: FastifyBaseLogger = options.log.child(
    { component: 'http' },
    { level: options.log.isLevelEnabled('warn') ? 'warn' : options.log.level },
  );
  const app = Fastify({
    loggerInstance,
    // Probes arrive every few seconds; a line per request would drown the worker's own log.
    logController: new LogController({ disableRequestLogging: true }),
    // One hop: the client address is the one our proxy saw, not what the client claims.
    trustProxy: options.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    serverFactory: (handler) =>
      createServer((request, response) => {
        if ((request.url ?? '').split('?')[0] === WEBHOOK_PATH) webhook(request, response);
        else handler(request, response);
      }),
  });
  await app.register(cookie);
  await app.register(formbody);
  app.decorateRequest('adminAuth', null);
  app.setNotFoundHandler(async (_request, reply) => {
    await reply.code(404).send({ error: 'not found' });
  });
  app.setErrorHandler(
    async (err: { statusCode?: number; message: string; name: string }, request, reply) => {
      const status = err.statusCode ?? 500;
      if (status >= 500) {
        request.log.error({ err: { name: err.name, message: err.message } }, 'http request failed');
        await reply.code(status).send({ error: 'internal error' });
        return;
      }
      await reply.code(status).send({ error: err.message });
    },
  );
  registerProbes(app, options.readiness);
  registerPublicMetrics(app, options);
  if (options.adminToken === undefined) registerAdminOff(app);
  else
    await registerAdminScope(app, options, {
      sessions: adminSessions(options.adminToken),
      throttle: new LoginThrottle(),
      now: options.now,
      // The dashboard is the admin's home once it is plugged in; Bull Board until then.
      home: (options.adminPlugins?.length ?? 0) > 0 ? '/dashboard' : BULL_BOARD_PATH,
      log: options.log.child({ component: 'admin-auth' }),
    });
  await app.listen({ port: options.port, host: options.host });
  const bound = app.server.address() as AddressInfo;
  return {
    url: `http://${urlHost(bound)}:${String(bound.port)}`,
    address: { host: bound.address, port: bound.port, family: bound.family },
    close: () => app.close(),
  };
}
