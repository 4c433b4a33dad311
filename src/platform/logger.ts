import { pino, type Bindings, type DestinationStream, type LogFn, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

/**
 * Log redaction (security review): nothing that authenticates, and no personal data, reaches a
 * log line, whoever builds the line.
 *
 * - Values under secret-looking keys (token, access_token, clientSecret, password, privateKey,
 *   assertion, authorization, cookie, api_key, x-hubspot-signature…) and under `email` and
 *   `phone` keys become `[redacted]`, at any depth and in any letter case or spelling
 *   (`ACCESS_TOKEN`, `accessToken`, `access-token`).
 * - Inside any string (messages, format arguments, values, keys): `Bearer …` / `OAuth …` /
 *   `Basic …` credentials, `access_token=…` and other `secret-key=…` parameters, `"secret-key":
 *   …` JSON members, `Secret-Key: …` header lines, `user:pass@` in URLs and the `Body:`/`Headers:`
 *   tail of an ApiException message are censored, and e-mail addresses keep their domain only
 *   (`j***@example.com`).
 * - Errors, wherever they appear and whatever sits under an `err` or `error` key, are reduced
 *   to safe fields (`serializeLogError`): never `cause`, `body`, `headers`, `response`,
 *   `request`, `config` or a stack, and an ApiException-style message is cut to its first line.
 *
 * The walk copies (the caller's object is never touched), stops at a depth, a node budget and
 * string, array and key caps, and marks cycles.
 */

export const LOG_CENSOR = '[redacted]';

const MAX_DEPTH = 10;
const MAX_NODES = 2_000;
const MAX_ITEMS = 100;
const MAX_KEYS = 200;
const MAX_STRING = 8_192;
/** Censoring looks at this much of a string at most; only the first MAX_STRING are kept. */
const MAX_SCANNED = 65_536;
const MAX_ERROR_MESSAGE = 1_000;

/** Keys compared lower-cased with everything but letters and digits removed. */
const SECRET_KEYS = new Set([
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'clientsecret',
  'secret',
  'password',
  'passwd',
  'pwd',
  'privatekey',
  'assertion',
  'clientassertion',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'apikey',
  'hapikey',
  'xapikey',
  'signature',
  'sig',
  'sessionid',
  'credentials',
  'jwt',
  // Personal data: the whole value, not just a mask.
  'email',
  'phone',
  'mobilephone',
]);
const SECRET_SUFFIXES = [
  'token',
  'secret',
  'password',
  'apikey',
  'privatekey',
  'authorization',
  'cookie',
  'signature',
  'email',
  'phone',
];
const SECRET_PREFIXES = ['xhubspotsignature'];

/** True for a key whose value must never be logged (any case, `_`/`-` or camelCase). */
export function isSecretKey(key: string): boolean {
  const normalised = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalised === '') return false;
  return (
    SECRET_KEYS.has(normalised) ||
    SECRET_SUFFIXES.some((suffix) => normalised.endsWith(suffix)) ||
    SECRET_PREFIXES.some((prefix) => normalised.startsWith(prefix))
  );
}

/**
 * HubSpot's ApiException message, however it got into a string (`${err}`): everything from the
 * `Body:` or `Headers:` line on is the raw response.
 */
const API_EXCEPTION = /HTTP-Code: \d{3}\b/;
const API_EXCEPTION_TAIL = /\r?\n(?:Body|Headers|HTTP-Headers):[^]*$/;
/** Credentials after an auth scheme; short words ("OAuth 2.0", "Bearer token") are prose. */
const AUTH_SCHEME = /\b(Bearer|OAuth|Basic)(\s+)[^\s"'<>\\,;]{8,}/gi;
/** `"name": "value"` (JSON inside a string): censored when the name is a secret key. */
const JSON_MEMBER = /"((?:[^"\\\r\n]|\\.){1,100})"(\s*:\s*)(?:"(?:[^"\\]|\\.)*"|[^\s"{}[\],]+)/g;
/** `name=value` (queries, forms, cookies): censored when the name is a secret key. */
const PARAMETER = /(?<![\p{L}\p{N}_-])([\p{L}\p{N}_-]{1,64})=[^&#\s"'<>;,]*/gu;
/** `Name: value` (headers, inspected objects): censored to the end of the line. */
const HEADER_NAME = /(?<![\p{L}\p{N}_"'-])([\p{L}\p{N}_-]{1,64}):(?!\/\/)[ \t]*/gu;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#@]+)@/gi;
/** An address (or a URL-encoded one, `%40`); the local part is bounded to keep matching linear. */
const EMAIL =
  /([\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]{1,64})(@|%40)([\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?)*)/giu;

/** `john.doe@example.com` → `j***@example.com`: the domain stays, the local part does not. */
function maskEmail(_match: string, local: string, at: string, domain: string): string {
  return `${Array.from(local)[0] ?? ''}***${at}${domain}`;
}

function cutApiException(text: string): string {
  return API_EXCEPTION.test(text) ? text.replace(API_EXCEPTION_TAIL, ' …') : text;
}

/** Censors the value of every `Secret-Name: …` up to the end of its line. */
function censorHeaders(text: string): string {
  let censored = '';
  let from = 0;
  HEADER_NAME.lastIndex = 0;
  for (let match = HEADER_NAME.exec(text); match !== null; match = HEADER_NAME.exec(text)) {
    if (!isSecretKey(match[1] ?? '')) continue;
    const start = match.index + match[0].length;
    const newline = /[\r\n]/.exec(text.slice(start));
    const end = newline === null ? text.length : start + newline.index;
    censored += `${text.slice(from, start)}${LOG_CENSOR}`;
    from = end;
    HEADER_NAME.lastIndex = end;
  }
  return censored + text.slice(from);
}

/** Censors credentials and masks e-mail addresses inside a string; long strings are cut. */
export function censorString(text: string): string {
  const censored = censorHeaders(cutApiException(text.slice(0, MAX_SCANNED)))
    .replace(AUTH_SCHEME, `$1$2${LOG_CENSOR}`)
    .replace(URL_USERINFO, `$1$2:${LOG_CENSOR}@`)
    .replace(JSON_MEMBER, (member, name: string, colon: string) =>
      isSecretKey(name) ? `"${name}"${colon}"${LOG_CENSOR}"` : member,
    )
    .replace(PARAMETER, (parameter, name: string) =>
      isSecretKey(name) ? `${name}=${LOG_CENSOR}` : parameter,
    )
    .replace(EMAIL, maskEmail);
  return censored.length > MAX_STRING ? `${censored.slice(0, MAX_STRING)}…[truncated]` : censored;
}

function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

function read(source: object, key: string): unknown {
  try {
    return (source as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** Codes, kinds, systems and policies are identifiers, never free text. */
const STABLE = /^[A-Za-z0-9_.:-]{1,64}$/;

function stable(value: unknown): string | number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return typeof value === 'string' && STABLE.test(value) ? value : undefined;
}

/**
 * An error message fit for a log: HubSpot's ApiException message carries the whole response
 * (`HTTP-Code: 400\nMessage: …\nBody: {…}\nHeaders: {…}`), so a message that looks like that is
 * cut to its first line and before any `Body:`/`Headers:`; then censored like any string.
 */
export function safeErrorMessage(message: string): string {
  let text = message;
  if (/HTTP-Code:|Headers:|Body:/i.test(text)) {
    text = text.split(/\r?\n|\r/, 1)[0] ?? '';
    const marker = /\b(?:HTTP-)?(?:Headers|Body):/i.exec(text);
    if (marker !== null) text = text.slice(0, marker.index).trimEnd();
  }
  const censored = censorString(text);
  return censored.length > MAX_ERROR_MESSAGE
    ? `${censored.slice(0, MAX_ERROR_MESSAGE)}…[truncated]`
    : censored;
}

/**
 * pino's `err` serializer: only `name`, `message`, a stable `code`, `kind`, `system`, `status`
 * and `policy` survive. A thrown string is censored; a thrown object is treated as an error.
 */
export function serializeLogError(value: unknown): unknown {
  if (typeof value === 'string') return safeErrorMessage(value);
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  const safe: Record<string, unknown> = {};
  const name = read(value, 'name');
  if (typeof name === 'string' && name !== '') safe['name'] = censorString(name.slice(0, 200));
  const message = read(value, 'message');
  if (typeof message === 'string') safe['message'] = safeErrorMessage(message);
  const code = stable(read(value, 'code')) ?? stable(read(value, 'errorCode'));
  if (code !== undefined) safe['code'] = code;
  for (const key of ['kind', 'system', 'policy']) {
    const field = stable(read(value, key));
    if (typeof field === 'string') safe[key] = field;
  }
  const status = read(value, 'status') ?? read(value, 'statusCode');
  if (typeof status === 'number' && Number.isInteger(status)) safe['status'] = status;
  return safe;
}

interface Walk {
  nodes: number;
  readonly ancestors: Set<object>;
}

const ERROR_KEYS = new Set(['err', 'error']);

function walk(value: unknown, key: string | undefined, depth: number, state: Walk): unknown {
  if (key !== undefined && isSecretKey(key)) return value === undefined ? undefined : LOG_CENSOR;
  switch (typeof value) {
    case 'string':
      return censorString(value);
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return value;
    case 'symbol':
    case 'function':
      return undefined;
    case 'object':
      break;
  }
  if (value === null) return null;
  const object: object = value;
  if (isError(object) || (key !== undefined && ERROR_KEYS.has(key.toLowerCase())))
    return serializeLogError(object);
  state.nodes += 1;
  if (depth > MAX_DEPTH || state.nodes > MAX_NODES) return '[truncated]';
  if (state.ancestors.has(object)) return '[circular]';
  if (object instanceof ArrayBuffer || ArrayBuffer.isView(object))
    return `[binary ${object.byteLength} bytes]`;
  state.ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      const items = object
        .slice(0, MAX_ITEMS)
        .map((item) => walk(item, undefined, depth + 1, state));
      if (object.length > MAX_ITEMS) items.push(`[+${object.length - MAX_ITEMS} more]`);
      return items;
    }
    if (object instanceof Set) return walk([...(object as Set<unknown>)], key, depth + 1, state);
    if (object instanceof Map) {
      const entries = [...(object as Map<unknown, unknown>)].map(
        ([entryKey, entryValue]): [string, unknown] => [String(entryKey), entryValue],
      );
      return walk(Object.fromEntries(entries), key, depth + 1, state);
    }
    const toJSON = read(object, 'toJSON');
    if (typeof toJSON === 'function') {
      // Dates, URLs and the like log as JSON.stringify would show them.
      let json: unknown;
      try {
        json = toJSON.call(object, key ?? '');
      } catch {
        return '[unserializable]';
      }
      return json === object ? '[unserializable]' : walk(json, undefined, depth + 1, state);
    }
    const copy: Record<string, unknown> = {};
    let keys: string[];
    try {
      keys = Object.keys(object);
    } catch {
      return '[unserializable]';
    }
    for (const name of keys.slice(0, MAX_KEYS)) {
      const item = walk(read(object, name), name, depth + 1, state);
      // defineProperty, so a `__proto__` key is just a key.
      if (item !== undefined)
        Object.defineProperty(copy, censorString(name), {
          value: item,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    if (keys.length > MAX_KEYS) copy['[truncated]'] = `${keys.length - MAX_KEYS} more keys`;
    return copy;
  } finally {
    state.ancestors.delete(object);
  }
}

/** A redacted copy of anything about to be logged (see the top of this file). */
export function sanitizeLogValue(value: unknown): unknown {
  return walk(value, undefined, 0, { nodes: 0, ancestors: new Set() });
}

function sanitizeArgument(value: unknown): unknown {
  return typeof value === 'string' ? censorString(value) : sanitizeLogValue(value);
}

/**
 * Every log call passes through here before pino sees it: the merging object is replaced by a
 * redacted copy (a bare Error becomes `{ err }`, so pino's message falls back to the safe
 * message), and the message and its interpolation arguments are censored.
 */
function redactArguments(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [first, ...rest] = args as unknown[];
  const merged =
    first !== null && typeof first === 'object'
      ? isError(first)
        ? { err: serializeLogError(first) }
        : sanitizeLogValue(first)
      : sanitizeArgument(first);
  const clean = [merged, ...rest.map(sanitizeArgument)];
  method.apply(this, clean as Parameters<LogFn>);
}

/** `json`: one object per line, for log shippers; `pretty`: readable lines, for a person. */
export type LogFormat = 'json' | 'pretty';

/**
 * The one rule every command follows: `LOG_FORMAT` when set, else readable lines on a terminal
 * and JSON anywhere else (a pipe, a file, a container's log driver).
 */
export function logFormat(
  env: { readonly LOG_FORMAT?: LogFormat | undefined },
  isTty: boolean | undefined,
): LogFormat {
  return env.LOG_FORMAT ?? (isTty === true ? 'pretty' : 'json');
}

export interface LoggerOptions {
  readonly level: string;
  /** Where lines go; stdout by default (tests pass a sink). */
  readonly destination?: DestinationStream;
  /** JSON unless told otherwise: see `logFormat`. */
  readonly format?: LogFormat;
  /** Colours in pretty lines (only where a terminal shows them). */
  readonly colorize?: boolean;
}

/**
 * pino formats a child's bindings without the root's `formatters.bindings`, so `child` and
 * `setBindings` redact their argument themselves; children inherit both from the root.
 */
function redactBindings(logger: Logger): Logger {
  // The prototype's methods, called with the child (or root) they are invoked on as `this`.
  const pinoMethods = Object.getPrototypeOf(logger) as Logger;
  logger.child = function (this: Logger, bindings, options) {
    return pinoMethods.child.call(this, sanitizeLogValue(bindings) as Bindings, options);
  } as Logger['child'];
  logger.setBindings = function (this: Logger, bindings: Bindings) {
    pinoMethods.setBindings.call(this, sanitizeLogValue(bindings) as Bindings);
  };
  return logger;
}

/**
 * Readable lines are made from the JSON line pino has already redacted, in-process and
 * synchronously (no transport thread): what reaches the terminal is never more than the JSON
 * would have shown, and nothing is lost when the process exits right after a line.
 */
function prettyDestination(destination: DestinationStream, colorize: boolean): DestinationStream {
  const format = prettyFactory({
    colorize,
    ignore: 'pid,hostname,service',
    translateTime: 'SYS:HH:MM:ss.l',
  });
  return { write: (line: string) => destination.write(format(line)) };
}

/** The root logger: `service: handoff`, redaction on, JSON or readable lines. Built once, passed in. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  return redactBindings(
    pino(
      {
        level: options.level,
        base: { service: 'handoff' },
        hooks: { logMethod: redactArguments },
        formatters: { bindings: (bindings: Bindings) => sanitizeLogValue(bindings) as Bindings },
        serializers: { err: serializeLogError, error: serializeLogError },
      },
      options.format === 'pretty'
        ? prettyDestination(destination, options.colorize === true)
        : destination,
    ),
  );
}
