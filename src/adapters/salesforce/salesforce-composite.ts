import type { Connection } from 'jsforce';
import { z } from 'zod';
import { IntegrationError } from '../../platform/errors.js';
import { classifySalesforceError } from './salesforce.errors.js';
import { queryAll } from './salesforce-records.js';

/**
 * Subrequests per Composite request: 25, of which Salesforce documents at most 5 as queries or
 * sObject Collections.
 */
const SUBREQUESTS_PER_COMPOSITE = 25;
const QUERIES_PER_COMPOSITE = 5;

const CompositeWire = z.object({
  compositeResponse: z.array(
    z.object({
      referenceId: z.string(),
      httpStatusCode: z.number(),
      body: z.unknown(),
    }),
  ),
});

const QueryWire = z.object({
  done: z.boolean(),
  records: z.array(z.record(z.string(), z.unknown())),
  nextRecordsUrl: z.string().nullish(),
});

const ErrorWire = z.array(
  z.object({ errorCode: z.string().optional(), message: z.string().optional() }),
);

export type QueryPage = z.infer<typeof QueryWire>;

/** A failed subrequest as the error its own request would have raised. */
function subrequestError(status: number, body: unknown): IntegrationError {
  const first = ErrorWire.safeParse(body).data?.[0];
  return classifySalesforceError({
    errorCode: first?.errorCode ?? `ERROR_HTTP_${status}`,
    message: first?.message,
  });
}

/**
 * The first page of each query, asked in one Composite request, which Salesforce counts as one
 * API call
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm).
 * jsforce has no Composite helper, so the request is posted as is; a failed subrequest does not
 * fail the envelope, so each answer is checked here and thrown as its own request's error.
 */
export async function compositeQueryPages(
  connection: Connection,
  queries: readonly string[],
): Promise<QueryPage[]> {
  return (await settledQueryPages(connection, queries)).map((page) => {
    if (page instanceof IntegrationError) throw page;
    return page;
  });
}

/** Each query's first page, or the error its own request would have raised. */
async function settledQueryPages(
  connection: Connection,
  queries: readonly string[],
): Promise<(QueryPage | IntegrationError)[]> {
  const answers = await settledSubrequests(
    connection,
    queries.map((query) => ({ kind: 'query', query })),
  );
  return answers.map((body) => (body instanceof IntegrationError ? body : QueryWire.parse(body)));
}

/** A GET a Composite request can carry: a query, or another resource under the versioned root. */
type Subrequest =
  | { readonly kind: 'query'; readonly query: string }
  | { readonly kind: 'get'; readonly path: SobjectPath };

/** An sObject resource under the versioned root: what Composite carries besides queries. */
export type SobjectPath = `/sobjects/${string}`;

/**
 * Each subrequest's body, or (as an IntegrationError value) the error its own request would have
 * raised, in one call.
 */
async function settledSubrequests(
  connection: Connection,
  subrequests: readonly Subrequest[],
): Promise<unknown[]> {
  const base = `/services/data/v${connection.version}`;
  let raw: unknown;
  try {
    raw = await connection.requestPost('/composite', {
      allOrNone: false,
      compositeRequest: subrequests.map((subrequest, index) => ({
        method: 'GET',
        url:
          subrequest.kind === 'query'
            ? `${base}/query?q=${encodeURIComponent(subrequest.query)}`
            : `${base}${subrequest.path}`,
        referenceId: `q${index}`,
      })),
    });
  } catch (err) {
    throw classifySalesforceError(err);
  }
  const answers = new Map(
    CompositeWire.parse(raw).compositeResponse.map((answer) => [answer.referenceId, answer]),
  );
  return subrequests.map((_subrequest, index) => {
    const answer = answers.get(`q${index}`);
    if (answer === undefined)
      throw new IntegrationError('salesforce', 'transient', 'salesforce composite incomplete', {
        code: 'COMPOSITE_INCOMPLETE',
      });
    if (answer.httpStatusCode !== 200) return subrequestError(answer.httpStatusCode, answer.body);
    return answer.body;
  });
}

interface Waiting {
  readonly subrequest: Subrequest;
  /** A query's every record, or another resource's body. */
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Reads asked in the same turn of the event loop on one connection, whoever asks them (Lead
 * lookups and account owners started together, the start-up checks' describes and directory
 * queries), share Composite requests: up to 25 subrequests, five of them queries, per API call
 * instead of one each.
 */
class CoalescedReads {
  private waiting: Waiting[] = [];

  constructor(private readonly connection: Connection) {}

  ask(subrequest: Subrequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => void this.flush());
      this.waiting.push({ subrequest, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const asked = this.waiting;
    this.waiting = [];
    for (const group of packed(asked)) {
      try {
        const answers = await answer(
          this.connection,
          group.map((each) => each.subrequest),
        );
        // A failed subrequest fails only the read that asked it.
        group.forEach((each, index) => {
          const result = answers[index];
          if (result instanceof IntegrationError) each.reject(result);
          else each.resolve(result);
        });
      } catch (err) {
        for (const each of group) each.reject(err);
      }
    }
  }
}

/** Composite-sized groups, in asking order: at most 25 subrequests, five of them queries. */
function packed(asked: readonly Waiting[]): Waiting[][] {
  const groups: Waiting[][] = [];
  let group: Waiting[] = [];
  let queries = 0;
  for (const each of asked) {
    const query = each.subrequest.kind === 'query';
    if (group.length >= SUBREQUESTS_PER_COMPOSITE || (query && queries >= QUERIES_PER_COMPOSITE)) {
      groups.push(group);
      group = [];
      queries = 0;
    }
    group.push(each);
    if (query) queries += 1;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Each read's answer (every record of a query), or its own error: one read alone goes as its
 * plain request, more as one Composite request. A whole-call failure throws.
 */
async function answer(
  connection: Connection,
  subrequests: readonly Subrequest[],
): Promise<unknown[]> {
  const [only] = subrequests;
  if (subrequests.length === 1 && only !== undefined) {
    if (only.kind === 'query') return [await queryAll(connection, only.query)];
    try {
      return [await connection.request(`/services/data/v${connection.version}${only.path}`)];
    } catch (err) {
      throw classifySalesforceError(err);
    }
  }
  const answers = await settledSubrequests(connection, subrequests);
  const results: unknown[] = [];
  for (const [index, body] of answers.entries()) {
    if (body instanceof IntegrationError || subrequests[index]?.kind !== 'query') {
      results.push(body);
      continue;
    }
    // A query's later pages failing fails that query only, not the reads it travelled with.
    try {
      const page = QueryWire.parse(body);
      const records = [...page.records];
      if (!page.done && typeof page.nextRecordsUrl === 'string')
        records.push(...(await queryRest(connection, page.nextRecordsUrl)));
      results.push(records);
    } catch (err) {
      results.push(classifySalesforceError(err));
    }
  }
  return results;
}

const coalescers = new WeakMap<Connection, CoalescedReads>();

function coalescerOf(connection: Connection): CoalescedReads {
  let coalescer = coalescers.get(connection);
  if (coalescer === undefined) {
    coalescer = new CoalescedReads(connection);
    coalescers.set(connection, coalescer);
  }
  return coalescer;
}

/**
 * Every record of each query, in the queries' order. Five queries share one Composite call (one
 * API call instead of five), together with any other read asked on the connection in the same
 * turn; a query with more than a page follows its own `nextRecordsUrl`; a lone query goes as a
 * plain query.
 */
export function queryAllEach(
  connection: Connection,
  queries: readonly string[],
): Promise<Record<string, unknown>[][]> {
  const coalescer = coalescerOf(connection);
  return Promise.all(
    queries.map(
      (query) => coalescer.ask({ kind: 'query', query }) as Promise<Record<string, unknown>[]>,
    ),
  );
}

/**
 * The body of a GET under the versioned REST root (`/sobjects/Lead/describe`), sharing a
 * Composite call with whatever else is read on the connection in the same turn.
 */
export function coalescedGet(connection: Connection, path: SobjectPath): Promise<unknown> {
  return coalescerOf(connection).ask({ kind: 'get', path });
}

/** The remaining pages of a query from its `nextRecordsUrl`. */
async function queryRest(connection: Connection, next: string): Promise<Record<string, unknown>[]> {
  try {
    const result = await connection.queryMore(next).run({ autoFetch: true, maxFetch: 1_000_000 });
    return result.records;
  } catch (err) {
    throw classifySalesforceError(err);
  }
}
