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
    if (answer.httpStatusCode !== 200) throw subrequestError(answer.httpStatusCode, answer.body);
    return QueryWire.parse(answer.body);
  });
}

/**
 * Every record of each query, in the queries' order: five queries share one Composite call
 * (one API call instead of five), and a query with more than a page follows its own
 * `nextRecordsUrl`. A lone query goes as a plain query.
 */
export async function queryAllEach(
  connection: Connection,
  queries: readonly string[],
): Promise<Record<string, unknown>[][]> {
  const results: Record<string, unknown>[][] = [];
  for (let start = 0; start < queries.length; start += QUERIES_PER_COMPOSITE) {
    const group = queries.slice(start, start + QUERIES_PER_COMPOSITE);
    if (group.length === 1) {
      results.push(await queryAll(connection, group[0] as string));
      continue;
    }
    for (const page of await compositeQueryPages(connection, group)) {
      const records = [...page.records];
      if (!page.done && typeof page.nextRecordsUrl === 'string')
        records.push(...(await queryRest(connection, page.nextRecordsUrl)));
      results.push(records);
    }
  }
  return results;
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
