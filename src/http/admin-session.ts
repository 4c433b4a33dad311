/**
 * The admin session cookie and its CSRF token, derived from `HANDOFF_ADMIN_TOKEN` alone: no
 * session store, so every worker holding the same token (two behind one load balancer) accepts
 * a cookie another one issued, and changing the token logs everyone out. The cookie is never the
 * token itself: it is an expiry and a nonce, MAC'd with a key derived from the token, so a stolen
 * cookie expires and does not reveal the token.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a login lasts (ms): a working day, then the form again. */
export const ADMIN_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const COOKIE_VERSION = 'v1';
const SESSION_KEY_LABEL = 'handoff admin session v1';
const CSRF_KEY_LABEL = 'handoff admin csrf v1';

/**
 * Compares two strings in constant time whatever their lengths: both are hashed first, so
 * `timingSafeEqual` always sees two 32-byte digests and the length of a guess leaks nothing.
 */
export function safeEqual(a: string, b: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Signs and checks session cookies and their CSRF tokens for one admin token. */
export interface AdminSessions {
  /** Whether `candidate` is the admin token (a Bearer header, the login form). */
  isAdminToken(candidate: string): boolean;
  /** A new cookie value valid until `now + ADMIN_SESSION_TTL_MS`. */
  issue(now: number): string;
  /** Whether the cookie was issued with this token and has not expired at `now`. */
  isValid(cookie: string, now: number): boolean;
  /** The CSRF token of a session: pages embed it, state-changing requests send it back. */
  csrfToken(cookie: string): string;
  /** Whether `candidate` is the CSRF token of the session `cookie`. */
  isCsrfToken(cookie: string, candidate: string): boolean;
}

export function adminSessions(token: string): AdminSessions {
  // Separate keys for separate purposes: a cookie MAC can never pass as a CSRF token.
  const sessionKey = hmac(token, SESSION_KEY_LABEL);
  const csrfKey = hmac(token, CSRF_KEY_LABEL);
  const mac = (payload: string): string => hmac(sessionKey, payload).toString('base64url');
  const csrfToken = (cookie: string): string => hmac(csrfKey, cookie).toString('base64url');
  return {
    isAdminToken: (candidate) => safeEqual(candidate, token),
    issue: (now) => {
      const payload = `${COOKIE_VERSION}.${String(now + ADMIN_SESSION_TTL_MS)}.${randomBytes(16).toString('base64url')}`;
      return `${payload}.${mac(payload)}`;
    },
    isValid: (cookie, now) => {
      const parts = cookie.split('.');
      if (parts.length !== 4 || parts[0] !== COOKIE_VERSION) return false;
      const payload = parts.slice(0, 3).join('.');
      if (!safeEqual(parts[3] ?? '', mac(payload))) return false;
      const expiresAt = Number(parts[1]);
      return Number.isSafeInteger(expiresAt) && now < expiresAt;
    },
    csrfToken,
    isCsrfToken: (cookie, candidate) => safeEqual(candidate, csrfToken(cookie)),
  };
}
