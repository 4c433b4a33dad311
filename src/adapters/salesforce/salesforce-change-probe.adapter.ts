import type { Connection } from 'jsforce';
import { z } from 'zod';
import type { ResolvedMapping } from '../../domain/mapping.js';
import type { SalesforceChangeProbe, SalesforceChanges } from '../../ports/change-probe.port.js';
import { IntegrationError } from '../../platform/errors.js';
import { classifySalesforceError } from './salesforce.errors.js';
import { field, soql } from './soql.js';

/** Rows one query subrequest returns at most (one query page): more means "read the long way". */
const PROBE_ROWS = 2_000;
const LEAD_ID_PREFIX = '00Q';

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
});

const ErrorWire = z.array(
  z.object({ errorCode: z.string().optional(), message: z.string().optional() }),
);

/**
 * The change probe over Salesforce's Composite resource: three queries in one request, which
 * Salesforce counts as one API call
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm).
 * jsforce has no Composite helper, so the request is posted as is; failed subrequests do not
 * throw there, so each answer is checked here.
 */
export class SalesforceChangeProbeAdapter implements SalesforceChangeProbe {
  constructor(
    private readonly connection: Connection,
    private readonly mapping: ResolvedMapping,
  ) {}

  async changesSince(since: Date, ignoreUserId?: string): Promise<SalesforceChanges> {
    const decision = field(this.mapping.salesforceFields.decision_id);
    // `LastModifiedById != null` matches every record: no user to leave out.
    const by = ignoreUserId ?? null;
    const queries = {
      leads: soql`SELECT Id FROM Lead WHERE ${decision} != ${null} AND SystemModstamp >= ${since} AND LastModifiedById != ${by} ORDER BY SystemModstamp LIMIT ${PROBE_ROWS}`,
      tasks: soql`SELECT WhoId FROM Task WHERE SystemModstamp >= ${since} AND WhoId != ${null} AND LastModifiedById != ${by} ORDER BY SystemModstamp LIMIT ${PROBE_ROWS}`,
      events: soql`SELECT WhoId FROM Event WHERE SystemModstamp >= ${since} AND WhoId != ${null} AND LastModifiedById != ${by} ORDER BY SystemModstamp LIMIT ${PROBE_ROWS}`,
    };
    const base = `/services/data/v${this.connection.version}/query`;
    let raw: unknown;
    try {
      raw = await this.connection.requestPost('/composite', {
        allOrNone: false,
        compositeRequest: Object.entries(queries).map(([referenceId, query]) => ({
          method: 'GET',
          url: `${base}?q=${encodeURIComponent(query)}`,
          referenceId,
        })),
      });
    } catch (err) {
      throw classifySalesforceError(err);
    }
    const answers = new Map(
      CompositeWire.parse(raw).compositeResponse.map((answer) => [answer.referenceId, answer]),
    );
    const rows = (referenceId: string): Record<string, unknown>[] | null => {
      const answer = answers.get(referenceId);
      if (answer === undefined)
        throw new IntegrationError('salesforce', 'transient', 'salesforce composite incomplete', {
          code: 'COMPOSITE_INCOMPLETE',
        });
      if (answer.httpStatusCode !== 200) throw subrequestError(answer.httpStatusCode, answer.body);
      const page = QueryWire.parse(answer.body);
      return !page.done || page.records.length >= PROBE_ROWS ? null : page.records;
    };
    const leads = rows('leads');
    const tasks = rows('tasks');
    const events = rows('events');
    return {
      routedLeads: leads === null ? null : leads.map((record) => String(record['Id'])),
      activityLeads:
        tasks === null || events === null
          ? null
          : [
              ...new Set(
                [...tasks, ...events]
                  .map((record) => String(record['WhoId']))
                  .filter((id) => id.startsWith(LEAD_ID_PREFIX)),
              ),
            ],
    };
  }
}

/** A failed subrequest as the error its own request would have raised. */
function subrequestError(status: number, body: unknown): IntegrationError {
  const first = ErrorWire.safeParse(body).data?.[0];
  return classifySalesforceError({
    errorCode: first?.errorCode ?? `ERROR_HTTP_${status}`,
    message: first?.message,
  });
}
