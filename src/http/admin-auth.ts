/**
 * Who may use the admin pages, and how a browser logs in. Two ways in, both checked in constant
 * time against `HANDOFF_ADMIN_TOKEN`: `Authorization: Bearer <token>` (scripts, Prometheus) or
 * the login form, which sets a signed session cookie (`admin-session.ts`). CSRF is enforced here,
 * in one hook over the whole authenticated scope, so an admin plugin cannot forget it:
 *
 * - a state-changing request (not GET/HEAD) authenticated by the cookie must carry
 *   `x-csrf-token` equal to its session's CSRF token (pages embed it through `AdminContext`);
 * - Bull Board's UI sends its mutations (retry, clean, pause) without that header, so under
 *   `/admin/queues` they must come from our own origin instead (`Sec-Fetch-Site: same-origin`,
 *   or an `Origin` equal to this server's), on top of the SameSite=Strict cookie;
 * - a Bearer request needs neither: browsers never attach that header on their own.
 */
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
} from 'fastify';
// Brings the typings of request.cookies and reply.setCookie.
import type {} from '@fastify/cookie';
import type { Logger } from 'pino';
import { ADMIN_SESSION_TTL_MS, type AdminSessions } from './admin-session.js';
import { BULL_BOARD_PATH } from './bull-board.js';
import { LOGIN_PAGE_CSP, loginPage, localPath, ADMIN_OFF_MESSAGE } from './login-page.js';
import type { LoginThrottle } from './login-throttle.js';

export const ADMIN_COOKIE = 'handoff_admin';
export const CSRF_HEADER = 'x-csrf-token';

/** How a request to the admin scope proved itself. */
export type AdminAuth =
  { readonly kind: 'bearer' } | { readonly kind: 'cookie'; readonly cookie: string };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the admin hook on every request it lets through; null elsewhere. */
    adminAuth: AdminAuth | null;
  }
}

export interface AdminAuthOptions {
  readonly sessions: AdminSessions;
  readonly throttle: LoginThrottle;
  /** Epoch ms: judges cookie expiry and the login throttle. */
  readonly now: () => number;
  /** Where a login without `next` lands. */
  readonly home: string;
  readonly log: Logger;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function wantsHtml(request: FastifyRequest): boolean {
  return (
    SAFE_METHODS.has(request.method) && (header(request, 'accept') ?? '').includes('text/html')
  );
}

/**
 * Whether a browser sent this request from one of our own pages. `Sec-Fetch-Site` is set by the
 * browser and cannot be forged by a page; older browsers send `Origin` on every non-GET request.
 * Neither present (not a browser, or a very old one): refused, since the cookie alone proves
 * nothing about who made the request.
 */
export function isSameOrigin(request: FastifyRequest): boolean {
  const site = header(request, 'sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const origin = header(request, 'origin');
  return origin !== undefined && origin === `${request.protocol}://${request.host}`;
}

/** The Bearer header's verdict when one is sent, else the cookie's. */
function authenticate(request: FastifyRequest, options: AdminAuthOptions): AdminAuth | null {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) {
    const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
    return match?.[1] !== undefined && options.sessions.isAdminToken(match[1])
      ? { kind: 'bearer' }
      : null;
  }
  const cookie = request.cookies[ADMIN_COOKIE];
  return cookie !== undefined && options.sessions.isValid(cookie, options.now())
    ? { kind: 'cookie', cookie }
    : null;
}

async function refuse(reply: FastifyReply, status: 401 | 403, error: string): Promise<void> {
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="handoff-admin"');
  await reply.code(status).header('Cache-Control', 'no-store').send({ error });
}

/**
 * The hook of the authenticated scope: lets an admin through (recording how in
 * `request.adminAuth`), sends a browser to the login form, answers 401 to anything else, and
 * holds cookie-authenticated mutations to the CSRF rules above.
 */
export function requireAdmin(options: AdminAuthOptions): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const auth = authenticate(request, options);
    if (auth === null) {
      if (request.cookies[ADMIN_COOKIE] !== undefined)
        reply.clearCookie(ADMIN_COOKIE, { path: '/' });
      if (wantsHtml(request)) {
        await reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
        return;
      }
      await refuse(
        reply,
        401,
        'unauthorized: send Authorization: Bearer <HANDOFF_ADMIN_TOKEN>, or log in at /login',
      );
      return;
    }
    if (auth.kind === 'cookie' && !SAFE_METHODS.has(request.method)) {
      const isBullBoard = (request.routeOptions.url ?? '').startsWith(`${BULL_BOARD_PATH}/`);
      const allowed = isBullBoard
        ? isSameOrigin(request)
        : options.sessions.isCsrfToken(auth.cookie, header(request, CSRF_HEADER) ?? '');
      if (!allowed) {
        options.log.warn(
          { method: request.method, route: request.routeOptions.url },
          isBullBoard ? 'admin request refused: not same-origin' : 'admin request refused: csrf',
        );
        await refuse(
          reply,
          403,
          isBullBoard
            ? 'forbidden: cross-site request'
            : `forbidden: missing or wrong ${CSRF_HEADER} header`,
        );
        return;
      }
    }
    request.adminAuth = auth;
    // Admin pages are never framed (clickjacking on Bull Board's buttons) nor cached.
    reply
      .header('X-Frame-Options', 'DENY')
      .header('Cache-Control', 'no-store')
      .header('Referrer-Policy', 'same-origin');
  };
}

async function sendLoginPage(
  reply: FastifyReply,
  status: number,
  page: { next: string; error?: string },
): Promise<void> {
  await reply
    .code(status)
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('Content-Security-Policy', LOGIN_PAGE_CSP)
    .header('X-Frame-Options', 'DENY')
    .header('Cache-Control', 'no-store')
    .send(loginPage(page));
}

/** `GET /login` (the form), `POST /login` (form-encoded `token`, `next`) and `POST /logout`. */
export function registerLoginRoutes(app: FastifyInstance, options: AdminAuthOptions): void {
  const { log } = options;
  app.get<{ Querystring: { next?: unknown } }>('/login', async (request, reply) => {
    await sendLoginPage(reply, 200, { next: localPath(request.query.next, options.home) });
  });
  app.post<{ Body: unknown }>('/login', async (request, reply) => {
    const body = (
      typeof request.body === 'object' && request.body !== null ? request.body : {}
    ) as {
      token?: unknown;
      next?: unknown;
    };
    const next = localPath(body.next, options.home);
    const now = options.now();
    const waitMs = options.throttle.retryAfterMs(request.ip, now);
    if (waitMs > 0) {
      const minutes = Math.ceil(waitMs / 60_000);
      reply.header('Retry-After', String(Math.ceil(waitMs / 1000)));
      await sendLoginPage(reply, 429, {
        next,
        error: `Too many failed logins from this address: try again in ${String(minutes)} minute${minutes === 1 ? '' : 's'}.`,
      });
      return;
    }
    if (typeof body.token !== 'string' || body.token === '') {
      await sendLoginPage(reply, 400, { next, error: 'token: required' });
      return;
    }
    if (!options.sessions.isAdminToken(body.token)) {
      options.throttle.recordFailure(request.ip, now);
      // The submitted value stays out of the log: it may be a near miss of the real token.
      log.warn({ ip: request.ip }, 'admin login failed');
      await sendLoginPage(reply, 401, { next, error: 'Wrong token.' });
      return;
    }
    options.throttle.recordSuccess(request.ip);
    log.info({ ip: request.ip }, 'admin logged in');
    reply.setCookie(ADMIN_COOKIE, options.sessions.issue(now), {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: request.protocol === 'https',
      maxAge: ADMIN_SESSION_TTL_MS / 1000,
    });
    await reply.redirect(next, 303);
  });
  app.post('/logout', async (request, reply) => {
    // Only our own pages may log an admin out.
    if (!isSameOrigin(request)) {
      await refuse(reply, 403, 'forbidden: cross-site request');
      return;
    }
    reply.clearCookie(ADMIN_COOKIE, { path: '/' });
    await reply.redirect('/login', 303);
  });
}

/** While no admin token is configured: the admin paths say they are off, and how to turn them on. */
export function registerAdminOff(app: FastifyInstance): void {
  const off = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.code(503).header('Cache-Control', 'no-store');
    if (wantsHtml(request)) {
      await reply
        .header('Content-Type', 'text/html; charset=utf-8')
        .send(`<!doctype html><title>Handoff admin</title><p>${ADMIN_OFF_MESSAGE}.</p>\n`);
      return;
    }
    await reply.send({ error: ADMIN_OFF_MESSAGE });
  };
  for (const url of ['/login', '/logout', '/admin', '/admin/*', '/dashboard', '/dashboard/*'])
    app.all(url, off);
}
