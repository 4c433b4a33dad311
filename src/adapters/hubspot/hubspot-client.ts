import { Client } from '@hubspot/api-client';

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

/**
 * Shows `onResponse` the headers of every response the client's API objects receive.
 *
 * The SDK's `middleware` option cannot do it: in @hubspot/api-client 13 the generated API classes
 * run only the middleware passed with each call, never the configured ones (a known SDK defect),
 * and their methods return bodies only. What every
 * generated API object does share is its configuration's HTTP library: each one is wrapped, as
 * the client hands the object out (the SDK builds them lazily, on first use), so that its `send`
 * reports the response context's headers before the SDK reads the answer. The client itself is
 * a proxy that only looks at what is read from it; the objects and methods it returns are the
 * SDK's own.
 */
function observeResponses(client: Client, onResponse: ResponseHeadersListener): Client {
  const proxies = new WeakMap<object, object>();
  const watched = new WeakSet<object>();
  const watch = (configuration: ConfigurationLike): void => {
    if (watched.has(configuration)) return;
    watched.add(configuration);
    const library = configuration.httpApi;
    const send = library.send.bind(library);
    configuration.httpApi = {
      send: (request) => {
        const answer = send(request);
        const toPromise = isObject(answer) ? answer['toPromise'] : undefined;
        if (typeof toPromise === 'function') {
          const response = (toPromise as () => unknown).call(answer);
          if (response instanceof Promise)
            void response.then(
              (context: unknown) => {
                const headers = isObject(context) ? context['headers'] : undefined;
                if (!isObject(headers)) return;
                try {
                  onResponse(headers as Readonly<Record<string, string>>);
                } catch {
                  // Reading usage must never fail or delay the call it came with.
                }
              },
              // The SDK surfaces the failure to the caller itself.
              () => undefined,
            );
        }
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
  return options.onResponse === undefined ? client : observeResponses(client, options.onResponse);
}
