import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { SalesforceStore } from './salesforce-store.js';

/** A connected app the org trusts. */
export interface ConnectedApp {
  readonly clientId: string;
  /** For the client-credentials flow. */
  readonly clientSecret?: string;
  /** PEM public key (or certificate) for the JWT bearer flow. */
  readonly publicKeyPem?: string;
  /** The run-as user of the client-credentials flow. */
  readonly runAsUserId?: string;
}

export type TokenOutcome =
  | { readonly ok: true; readonly accessToken: string; readonly userId: string }
  | { readonly ok: false; readonly error: string; readonly description: string };

interface JwtClaims {
  readonly iss?: unknown;
  readonly sub?: unknown;
  readonly aud?: unknown;
  readonly exp?: unknown;
}

/** Allowed clock skew on `exp`, as Salesforce allows about three minutes. */
const CLOCK_SKEW_MS = 3 * 60_000;

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
}

/**
 * Sessions of the sandbox org: static tokens given at start, and tokens issued by the OAuth
 * token endpoint for the client-credentials and JWT-bearer grants. `expireAll` is what an
 * expired session looks like to a client: every token so far answers 401 INVALID_SESSION_ID.
 */
export class SalesforceAuth {
  /** token → user id; static tokens belong to the integration user. */
  private readonly valid = new Map<string, string | null>();
  private readonly apps = new Map<string, { app: ConnectedApp; key: KeyObject | null }>();
  readonly orgId = '00D5e0000000SBXEAA';

  constructor(
    private readonly store: SalesforceStore,
    staticTokens: readonly string[],
  ) {
    for (const token of staticTokens) this.valid.set(token, null);
  }

  addApp(app: ConnectedApp): void {
    this.apps.set(app.clientId, {
      app,
      key: app.publicKeyPem === undefined ? null : createPublicKey(app.publicKeyPem),
    });
  }

  /** The user a valid token acts as (static tokens: the org's integration user). */
  userOf(token: string): string | undefined {
    if (!this.valid.has(token)) return undefined;
    return this.valid.get(token) ?? this.store.integrationUserId;
  }

  isValid(token: string): boolean {
    return this.valid.has(token);
  }

  expireAll(): void {
    this.valid.clear();
  }

  /** Adds a token the org accepts (for a static `SALESFORCE_ACCESS_TOKEN`). */
  allow(token: string): void {
    this.valid.set(token, null);
  }

  private issue(userId: string): TokenOutcome {
    const accessToken = `${this.orgId}!${randomBytes(24).toString('base64url')}`;
    this.valid.set(accessToken, userId);
    return { ok: true, accessToken, userId };
  }

  grant(form: Readonly<Record<string, string>>): TokenOutcome {
    const grantType = form['grant_type'];
    if (grantType === 'client_credentials') {
      const entry = this.apps.get(form['client_id'] ?? '');
      if (entry === undefined)
        return { ok: false, error: 'invalid_client_id', description: 'client identifier invalid' };
      if (
        entry.app.clientSecret === undefined ||
        entry.app.clientSecret !== form['client_secret']
      ) {
        return { ok: false, error: 'invalid_client', description: 'invalid client credentials' };
      }
      if (entry.app.runAsUserId === undefined)
        return {
          ok: false,
          error: 'invalid_grant',
          description: 'no client credentials user enabled',
        };
      return this.issue(entry.app.runAsUserId);
    }
    if (grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return this.jwtBearer(form['assertion'] ?? '');
    return { ok: false, error: 'unsupported_grant_type', description: 'grant type not supported' };
  }

  private jwtBearer(assertion: string): TokenOutcome {
    const [header, payload, signature] = assertion.split('.');
    if (header === undefined || payload === undefined || signature === undefined) {
      return { ok: false, error: 'invalid_grant', description: 'invalid assertion' };
    }
    let claims: JwtClaims;
    try {
      const decodedHeader = decodeSegment(header) as { alg?: unknown };
      if (decodedHeader.alg !== 'RS256')
        return { ok: false, error: 'invalid_grant', description: 'invalid assertion' };
      claims = decodeSegment(payload) as JwtClaims;
    } catch {
      return { ok: false, error: 'invalid_grant', description: 'invalid assertion' };
    }
    const entry = this.apps.get(String(claims.iss));
    if (entry?.key === null || entry === undefined)
      return { ok: false, error: 'invalid_client_id', description: 'client identifier invalid' };
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      entry.key,
      Buffer.from(signature, 'base64url'),
    );
    if (!signed) return { ok: false, error: 'invalid_grant', description: 'invalid assertion' };
    if (typeof claims.exp !== 'number' || claims.exp * 1000 + CLOCK_SKEW_MS < this.store.now()) {
      return { ok: false, error: 'invalid_grant', description: 'expired authorization code' };
    }
    const user = this.store.findBy('User', 'Username', String(claims.sub))[0];
    if (user === undefined || user['IsActive'] !== true)
      return {
        ok: false,
        error: 'invalid_grant',
        description: "user hasn't approved this consumer",
      };
    return this.issue(String(user['Id']));
  }
}
