import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Connection } from 'jsforce';
import { z } from 'zod';
import { IntegrationError } from '../../platform/errors.js';
import { classifySalesforceError } from './salesforce.errors.js';
import { recordResponseSignals } from './salesforce-response-signals.js';

/** How Handoff authenticates to Salesforce. */
export type SalesforceAuthConfig =
  | { readonly kind: 'token'; readonly instanceUrl: string; readonly accessToken: string }
  | {
      readonly kind: 'client_credentials';
      readonly loginUrl: string;
      readonly clientId: string;
      readonly clientSecret: string;
    }
  | {
      readonly kind: 'jwt_bearer';
      readonly loginUrl: string;
      readonly clientId: string;
      readonly username: string;
      readonly privateKeyFile: string;
    };

export interface SalesforceConnectionOptions {
  readonly auth: SalesforceAuthConfig;
  /** `SALESFORCE_API_VERSION`, e.g. `62.0`; jsforce would default to 50.0. */
  readonly version: string;
  /** JWT `exp` is this many seconds ahead (Salesforce allows about three minutes). */
  readonly jwtLifetimeSeconds?: number;
  readonly now?: () => number;
  /**
   * Sees the headers of every REST response the connection receives, error answers included
   * (header names lower-cased): `Sforce-Limit-Info` carries the org's API usage on each of them.
   */
  readonly onResponse?: (headers: Readonly<Record<string, string>>) => void;
}

const JWT_LIFETIME_SECONDS = 180;

/**
 * The JWT bearer flow's signing key, read on every grant (a rotated key file is picked up).
 * Failures are `auth` errors that name the file, never its content: `PRIVATE_KEY_UNREADABLE`
 * (with the file system's code) or `PRIVATE_KEY_INVALID` (not a PEM private key, or not RSA).
 */
async function readPrivateKey(file: string): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    const code =
      typeof err === 'object' &&
      err !== null &&
      typeof (err as { code?: unknown }).code === 'string'
        ? (err as { code: string }).code
        : 'unreadable';
    throw new IntegrationError('salesforce', 'auth', `cannot read ${file} (${code})`, {
      code: 'PRIVATE_KEY_UNREADABLE',
    });
  }
  const invalid = (what: string): IntegrationError =>
    new IntegrationError('salesforce', 'auth', `${file} is not ${what}`, {
      code: 'PRIVATE_KEY_INVALID',
    });
  if (!/-----BEGIN [A-Z ]{0,24}PRIVATE KEY-----/.test(pem)) throw invalid('a PEM private key');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED/m.test(pem))
    throw invalid('an unencrypted PEM private key (it is encrypted)');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // OpenSSL's own message is left out on purpose: nothing of the file reaches an error.
    throw invalid('a PEM private key');
  }
  if (key.asymmetricKeyType !== 'rsa') throw invalid('an RSA private key (RS256 needs one)');
  return key;
}

async function jwtAssertion(
  auth: Extract<SalesforceAuthConfig, { kind: 'jwt_bearer' }>,
  now: number,
  lifetime: number,
): Promise<string> {
  const key = await readPrivateKey(auth.privateKeyFile);
  const encode = (value: unknown): string =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256' })}.${encode({ iss: auth.clientId, sub: auth.username, aud: auth.loginUrl, exp: Math.floor(now / 1000) + lifetime })}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
}

interface Session {
  readonly accessToken: string;
  readonly instanceUrl: string;
  /** The token response's `id` (`…/id/<org id>/<user id>`), parsed by jsforce; absent for a static token. */
  readonly userInfo?: {
    readonly id: string;
    readonly organizationId: string;
    readonly url: string;
  };
}

/** Obtains a fresh session through the configured grant; the refresh delegate calls it again. */
async function grant(options: SalesforceConnectionOptions): Promise<Session> {
  const { auth } = options;
  if (auth.kind === 'token')
    throw new IntegrationError(
      'salesforce',
      'auth',
      'salesforce session expired and a static token cannot be refreshed',
      { code: 'INVALID_SESSION_ID' },
    );
  const connection = new Connection({
    loginUrl: auth.loginUrl,
    version: options.version,
    oauth2: {
      clientId: auth.clientId,
      ...(auth.kind === 'client_credentials' ? { clientSecret: auth.clientSecret } : {}),
      loginUrl: auth.loginUrl,
    },
  });
  // The key is read and checked before any call: a bad file never reaches Salesforce.
  const assertion =
    auth.kind === 'jwt_bearer'
      ? await jwtAssertion(
          auth,
          (options.now ?? Date.now)(),
          options.jwtLifetimeSeconds ?? JWT_LIFETIME_SECONDS,
        )
      : undefined;
  try {
    if (assertion === undefined) await connection.authorize({ grant_type: 'client_credentials' });
    else
      await connection.authorize({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      });
  } catch (err) {
    throw classifySalesforceError(err);
  }
  return {
    accessToken: connection.accessToken ?? '',
    instanceUrl: connection.instanceUrl,
    ...(connection.userInfo?.id === undefined ? {} : { userInfo: connection.userInfo }),
  };
}

/**
 * Shows `onResponse` the headers of every HTTP answer the connection's transport receives. jsforce
 * has no connection-wide response event (its `response` event belongs to each request's own
 * HttpApi), but every REST call of a Connection goes through its one transport. The caller still
 * awaits the transport's own promise; this only looks at its outcome on the side.
 */
function watchResponses(
  connection: Connection,
  onResponse: (headers: Readonly<Record<string, string>>) => void,
): void {
  const transport = connection._transport;
  const httpRequest = transport.httpRequest.bind(transport);
  transport.httpRequest = (request, options) => {
    const pending = httpRequest(request, options);
    void pending.then(
      (response) => {
        try {
          onResponse(response.headers);
        } catch {
          // Reading usage must never fail or delay the request it came with.
        }
      },
      // The request's own caller receives the failure.
      () => undefined,
    );
    return pending;
  };
}

/**
 * The one place a jsforce Connection is built. OAuth grants run here, and an expired session
 * (401 `INVALID_SESSION_ID`) is refreshed once by re-running the grant, then the request replays
 * (jsforce's refresh delegate). A static token cannot be refreshed: its 401 is `auth`. With
 * `onResponse`, every REST answer's headers are shown to it (the OAuth grants' are not: they
 * carry no usage).
 */
export async function createSalesforceConnection(
  options: SalesforceConnectionOptions,
): Promise<Connection> {
  const session: Session =
    options.auth.kind === 'token'
      ? { accessToken: options.auth.accessToken, instanceUrl: options.auth.instanceUrl }
      : await grant(options);
  const connection = new Connection({
    instanceUrl: session.instanceUrl.replace(/\/+$/, ''),
    accessToken: session.accessToken,
    version: options.version,
    ...(options.auth.kind === 'token'
      ? {}
      : {
          refreshFn: (_connection, callback) => {
            grant(options).then(
              (fresh) => {
                callback(null, fresh.accessToken);
              },
              (err: unknown) => {
                callback(err instanceof Error ? err : new Error(String(err)));
              },
            );
          },
        }),
  });
  // The grant named the user: integrationUserId needs no call (a refresh keeps the same user).
  if (session.userInfo !== undefined) connection.userInfo = { ...session.userInfo };
  const { onResponse } = options;
  watchResponses(connection, (headers) => {
    recordResponseSignals(connection, headers, options.now ?? Date.now);
    onResponse?.(headers);
  });
  return connection;
}

const RootWire = z.object({ identity: z.string() });

/**
 * The Salesforce user Handoff acts as. An OAuth grant's token response named it (no call); a
 * static token costs one call to the REST root, whose `identity` URL ends in the user id
 * (jsforce's `identity()` would make that call and one more to the identity service).
 */
export async function integrationUserId(connection: Connection): Promise<string> {
  const known = connection.userInfo?.id;
  if (known !== undefined && known !== '') return known;
  let raw: unknown;
  try {
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_discoveryresource.htm
    raw = await connection.request(`/services/data/v${connection.version}`);
  } catch (err) {
    throw classifySalesforceError(err);
  }
  const parsed = RootWire.safeParse(raw);
  const userId = parsed.success ? parsed.data.identity.split('/').at(-1) : undefined;
  if (userId === undefined || userId === '')
    throw new IntegrationError(
      'salesforce',
      'permanent',
      'salesforce REST root named no identity URL ending in a user id',
      { code: 'IDENTITY_UNKNOWN' },
    );
  return userId;
}
