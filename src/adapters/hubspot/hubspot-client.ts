import { Client } from '@hubspot/api-client';
import { RollingWindowLimiter } from '../../platform/rolling-window-limiter.js';
import { HubSpotBurstPacer } from './hubspot-burst-pacer.js';

/** CRM search: five requests per second per account, on top of the burst allowance. */
const SEARCHES_PER_SECOND = 5;
/**
 * HubSpot's count is to the millisecond at best: a few more keep a search clear of the one five
 * before it (the window runs from answers, so network jitter needs no room here).
 */
const SEARCH_MARGIN_MS = 5;

export type ResponseHeadersListener = (headers: Readonly<Record<string, string>>) => void;

export interface HubSpotClientOptions {
  readonly accessToken: string;
  /** `HUBSPOT_BASE_URL`; a trailing slash would make the SDK call `//crm/...`. */
  readonly baseUrl: string;
  /**
   * Sees the headers of every answer the SDK's API classes receive, errors included (names
   * lower-cased): HubSpot's `X-HubSpot-RateLimit-*` usage headers travel on each of them.
   * `client.apiRequest` (a raw fetch) is not seen.
   */
  readonly onResponse?: ResponseHeadersListener;
  /** Paces the client's calls under the burst allowance; one per client unless shared. */
  readonly pacer?: HubSpotBurstPacer;
}

/** The SDK's HTTP library (`configuration.httpApi`): `send` answers an Observable stub. */
interface HttpLibraryLike {
  send(request: unknown): unknown;
}

interface ConfigurationLike {
  httpApi: HttpLibraryLike;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The configuration of one of the SDK's API objects (`client.crm.contacts.batchApi` and alike). */
function configurationOf(api: Record<string, unknown>): ConfigurationLike | undefined {
  const observable = api['api'];
  const configuration = isObject(observable) ? observable['configuration'] : undefined;
  if (!isObject(configuration)) return undefined;
  const httpApi = configuration['httpApi'];
  return isObject(httpApi) && typeof httpApi['send'] === 'function'
    ? (configuration as unknown as ConfigurationLike)
    : undefined;
}

/** The SDK's Observable stub (`rxjsStub`): a promise with `pipe` and `toPromise`. */
class Deferred {
  constructor(private readonly promise: Promise<unknown>) {}
  toPromise(): Promise<unknown> {
    return this.promise;
  }
  pipe(next: (value: unknown) => unknown): Deferred {
    return new Deferred(this.promise.then(next));
  }
}

function promiseOf(answer: unknown): Promise<unknown> | null {
  const toPromise = isObject(answer) ? answer['toPromise'] : undefined;
  if (typeof toPromise !== 'function') return null;
  const promise: unknown = (toPromise as () => unknown).call(answer);
  return promise instanceof Promise ? promise : null;
}

/** Searches have a limit of their own (five a second) and leave the burst allowance alone. */
function isSearch(request: unknown): boolean {
  const getUrl = isObject(request) ? request['getUrl'] : undefined;
  if (typeof getUrl !== 'function') return false;
  const url: unknown = (getUrl as () => unknown).call(request);
  return typeof url === 'string' && /\/search\/?(\?|$)/.test(url);
}

/**
 * Sends every request in its turn — a search under the five a second, counted from the answers
 * (a search starts once the one five before it answered and a second has passed: HubSpot,
 * which counted that one before answering, never sees six in a second, whatever the network
 * delayed), any other under the burst allowance — and shows `onResponse` (and the pacer) the
 * headers of every response the client's API objects receive. Per client, so per process: the
 * workers sharing an account may still meet a limit now and then, and retry.
 *
 * The SDK's `middleware` option cannot do it: in @hubspot/api-client 13 the generated API classes
 * run only the middleware passed with each call, never the configured ones (a known SDK defect),
 * and their methods return bodies only. What every
 * generated API object does share is its configuration's HTTP library: each one is wrapped, as
 * the client hands the object out (the SDK builds them lazily, on first use), so that its `send`
 * waits its turn, then reports the response context's headers before the SDK reads the answer.
 * The client itself is a proxy that only looks at what is read from it; the objects and methods
 * it returns are the SDK's own.
 */
function instrument(
  client: Client,
  pacer: HubSpotBurstPacer,
  onResponse: ResponseHeadersListener | undefined,
): Client {
  const searches = new RollingWindowLimiter(SEARCHES_PER_SECOND, 1_000, SEARCH_MARGIN_MS);
  const proxies = new WeakMap<object, object>();
  const watched = new WeakSet<object>();
  const report = (context: unknown): void => {
    const headers = isObject(context) ? context['headers'] : undefined;
    if (!isObject(headers)) return;
    try {
      const seen = headers as Readonly<Record<string, string>>;
      pacer.observe(seen);
      onResponse?.(seen);
    } catch {
      // Reading usage must never fail or delay the call it came with.
    }
  };
  const watch = (configuration: ConfigurationLike): void => {
    if (watched.has(configuration)) return;
    watched.add(configuration);
    const library = configuration.httpApi;
    const send = library.send.bind(library);
    configuration.httpApi = {
      send: (request) => {
        const sent = (): Promise<unknown> => {
          const answer = promiseOf(send(request));
          // The SDK's HTTP library always answers its Observable stub; anything else is a
          // library change this wrapper must not hide behind an empty response.
          if (answer === null) throw new TypeError('HubSpot SDK send() returned no promise');
          return answer;
        };
        const answer = new Deferred(
          isSearch(request) ? searches.run(sent) : pacer.take().then(sent),
        );
        // The SDK surfaces a failure to the caller itself.
        void promiseOf(answer)?.then(report, () => undefined);
        return answer;
      },
    };
  };
  const wrap = <T extends object>(target: T): T => {
    const known = proxies.get(target);
    if (known !== undefined) return known as T;
    const proxy = new Proxy(target, {
      get(object, property) {
        // Getters run on the SDK's own object; only what they return is looked at.
        const value: unknown = Reflect.get(object, property, object);
        if (!isObject(value) || Array.isArray(value) || value instanceof Promise) return value;
        const configuration = configurationOf(value);
        if (configuration === undefined) return wrap(value);
        watch(configuration);
        return value;
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  return wrap(client);
}

/**
 * The one place a HubSpot client is built. SDK retries are off: BullMQ is the single retry owner,
 * and the SDK's own 429 retry would sleep 10 s per attempt inside a job.
 */
export function createHubSpotClient(options: HubSpotClientOptions): Client {
  const client = new Client({
    accessToken: options.accessToken,
    basePath: options.baseUrl.replace(/\/+$/, ''),
    numberOfApiCallRetries: 0,
  });
  return instrument(client, options.pacer ?? new HubSpotBurstPacer(), options.onResponse);
}
