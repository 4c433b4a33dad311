import type { Connection } from 'jsforce';
import { z } from 'zod';
import { IntegrationError } from '../../platform/errors.js';
import { classifySalesforceError } from './salesforce.errors.js';
import { queryAll } from './salesforce-records.js';

/**
 * Query subrequests per Composite request. Composite takes 25 subrequests, but Salesforce
 * documents at most 5 of them as queries or sObject Collections.
 */
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
  const base = `/services/data/v${connection.version}/query`;
  let raw: unknown;
  try {
    raw = await connection.requestPost('/composite', {
      allOrNone: false,
      compositeRequest: queries.map((query, index) => ({
        method: 'GET',
        url: `${base}?q=${encodeURIComponent(query)}`,
        referenceId: `q${index}`,
      })),
    });
  } catch (err) {
    throw classifySalesforceError(err);
  }
  const answers = new Map(
    CompositeWire.parse(raw).compositeResponse.map((answer) => [answer.referenceId, answer]),
  );
  return queries.map((_query, index) => {
    const answer = answers.get(`q${index}`);
    if (answer === undefined)
      throw new IntegrationError('salesforce', 'transient', 'salesforce composite incomplete', {
        code: 'COMPOSITE_INCOMPLETE',
      });
    if (answer.httpStatusCode !== 200) return subrequestError(answer.httpStatusCode, answer.body);
    return QueryWire.parse(answer.body);
  });
}

interface Waiting {
  readonly query: string;
  readonly resolve: (records: Record<string, unknown>[]) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Queries asked in the same turn of the event loop on one connection, whoever asks them (Lead
 * lookups and account owners started together, say), share Composite requests: five per API
 * call instead of one each.
 */
class CoalescedQueries {
  private waiting: Waiting[] = [];

  constructor(private readonly connection: Connection) {}

  ask(query: string): Promise<Record<string, unknown>[]> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => void this.flush());
      this.waiting.push({ query, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const asked = this.waiting;
    this.waiting = [];
    for (let start = 0; start < asked.length; start += QUERIES_PER_COMPOSITE) {
      const group = asked.slice(start, start + QUERIES_PER_COMPOSITE);
      try {
        const answers = await answer(
          this.connection,
          group.map((each) => each.query),
        );
        // A failed subrequest fails only the query that asked it.
        group.forEach((each, index) => {
          const result = answers[index];
          if (result instanceof IntegrationError) each.reject(result);
          else each.resolve(result ?? []);
        });
      } catch (err) {
        for (const each of group) each.reject(err);
      }
    }
  }
}

/**
 * Every record of each query, or its own error: one plain query alone, else one Composite
 * request. A whole-call failure throws.
 */
async function answer(
  connection: Connection,
  queries: readonly string[],
): Promise<(Record<string, unknown>[] | IntegrationError)[]> {
  if (queries.length === 1) return [await queryAll(connection, queries[0] as string)];
  const results: (Record<string, unknown>[] | IntegrationError)[] = [];
  for (const page of await settledQueryPages(connection, queries)) {
    if (page instanceof IntegrationError) {
      results.push(page);
      continue;
    }
    const records = [...page.records];
    if (!page.done && typeof page.nextRecordsUrl === 'string')
      records.push(...(await queryRest(connection, page.nextRecordsUrl)));
    results.push(records);
  }
  return results;
}

const coalescers = new WeakMap<Connection, CoalescedQueries>();

/**
 * Every record of each query, in the queries' order. Five queries share one Composite call (one
 * API call instead of five), together with any other query asked on the connection in the same
 * turn; a query with more than a page follows its own `nextRecordsUrl`; a lone query goes as a
 * plain query.
 */
export function queryAllEach(
  connection: Connection,
  queries: readonly string[],
): Promise<Record<string, unknown>[][]> {
  let coalescer = coalescers.get(connection);
  if (coalescer === undefined) {
    coalescer = new CoalescedQueries(connection);
    coalescers.set(connection, coalescer);
  }
  const asking = coalescer;
  return Promise.all(queries.map((query) => asking.ask(query)));
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
