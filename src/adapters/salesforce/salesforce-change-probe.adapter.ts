import type { Connection } from 'jsforce';
import type { ResolvedMapping } from '../../domain/mapping.js';
import type { SalesforceChangeProbe, SalesforceChanges } from '../../ports/change-probe.port.js';
import { compositeQueryPages, type QueryPage } from './salesforce-composite.js';
import { field, soql } from './soql.js';

/** Rows one query subrequest returns at most (one query page): more means "read the long way". */
const PROBE_ROWS = 2_000;
const LEAD_ID_PREFIX = '00Q';

/** The change probe: four queries in one Composite request, one API call. */
export class SalesforceChangeProbeAdapter implements SalesforceChangeProbe {
  constructor(
    private readonly connection: Connection,
    private readonly mapping: ResolvedMapping,
  ) {}

  async changesSince(since: Date, ignoreUserId?: string): Promise<SalesforceChanges> {
    const fields = this.mapping.salesforceFields;
    const decision = field(fields.decision_id);
    // `LastModifiedById != null` matches every record: no user to leave out.
    const by = ignoreUserId ?? null;
    const queries = {
      leads: soql`SELECT Id FROM Lead WHERE ${decision} != ${null} AND SystemModstamp >= ${since} AND LastModifiedById != ${by} ORDER BY SystemModstamp LIMIT ${PROBE_ROWS}`,
      tasks: soql`SELECT WhoId FROM Task WHERE SystemModstamp >= ${since} AND WhoId != ${null} AND LastModifiedById != ${by} ORDER BY SystemModstamp LIMIT ${PROBE_ROWS}`,
      events: soql`SELECT WhoId FROM Event WHERE SystemModstamp >= ${since} AND WhoId != ${null} AND LastModifiedById != ${by} ORDER BY SystemModstamp LIMIT ${PROBE_ROWS}`,
      born: soql`SELECT Id FROM Lead WHERE ${decision} = ${null} AND ${field(fields.hubspot_contact_id)} = ${null} AND IsConverted = ${false} AND SystemModstamp >= ${since} ORDER BY SystemModstamp LIMIT ${PROBE_ROWS}`,
    };
    const [leadPage, taskPage, eventPage, bornPage] = await compositeQueryPages(this.connection, [
      queries.leads,
      queries.tasks,
      queries.events,
      queries.born,
    ]);
    // More than one page changed: too much to list, read the long way.
    const rows = (page: QueryPage | undefined): Record<string, unknown>[] | null =>
      page === undefined || !page.done || page.records.length >= PROBE_ROWS ? null : page.records;
    const leads = rows(leadPage);
    const tasks = rows(taskPage);
    const events = rows(eventPage);
    const born = rows(bornPage);
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
      bornLeads: born === null ? null : born.map((record) => String(record['Id'])),
    };
  }
}
