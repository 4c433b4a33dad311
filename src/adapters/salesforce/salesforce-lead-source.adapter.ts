import type { Connection } from 'jsforce';
import type { ResolvedMapping } from '../../domain/mapping.js';
import type { Activity, SalesforceActivityType } from '../../domain/model.js';
import { chunks } from '../../platform/chunks.js';
import type {
  SalesforceBornLead,
  SalesforceLeadSource,
} from '../../ports/salesforce-lead-source.port.js';
import { queryAllEach } from './salesforce-composite.js';
import {
  mappedAttributes,
  openTasksOf,
  openTasksSubquery,
  text,
  toDate,
} from './salesforce-records.js';
import { field, fieldList, soql } from './soql.js';

/** Record ids per IN list: 250 quoted ids stay near 8 KB of the 16,384-byte query URL. */
const IN_LIST_LIMIT = 250;

/** SalesforceLeadSource over jsforce: SOQL through `soql`, five queries per Composite call. */
export class SalesforceLeadSourceAdapter implements SalesforceLeadSource {
  constructor(
    private readonly connection: Connection,
    private readonly mapping: ResolvedMapping,
  ) {}

  private born(where: string): string {
    const { salesforceFields: fields, salesforce } = this.mapping;
    return `${soql`SELECT ${fieldList([
      'Id',
      'OwnerId',
      'Status',
      'Email',
      'LeadSource',
      'SystemModstamp',
      ...Object.values(salesforce),
    ])}`}, ${openTasksSubquery(fields.task_decision_id)} ${soql`FROM Lead WHERE IsConverted = ${false} AND ${field(fields.hubspot_contact_id)} = ${null} AND ${field(fields.decision_id)} = ${null}`} AND ${where}`;
  }

  private toLead(record: Record<string, unknown>): SalesforceBornLead {
    const attributes = mappedAttributes(record, this.mapping.salesforce);
    return {
      id: String(record['Id']),
      ownerId: String(record['OwnerId']),
      status: String(record['Status']),
      email: text(record['Email']),
      leadSource: text(record['LeadSource']),
      modifiedAt: toDate(record['SystemModstamp']) ?? new Date(0),
      attributes,
      openTasks: openTasksOf(record['Tasks'], this.mapping.salesforceFields.task_decision_id),
    };
  }

  async bornLeads(
    query: { readonly since: Date } | { readonly ids: readonly string[] },
  ): Promise<readonly SalesforceBornLead[]> {
    const queries =
      'since' in query
        ? [this.born(soql`SystemModstamp >= ${query.since} ORDER BY SystemModstamp, Id`)]
        : chunks([...new Set(query.ids)], IN_LIST_LIMIT).map((ids) =>
            this.born(soql`Id IN ${ids}`),
          );
    const answers = await queryAllEach(this.connection, queries);
    return answers.flat().map((record) => this.toLead(record));
  }

  async activities(
    leadIds: readonly string[],
    types: readonly SalesforceActivityType[],
  ): Promise<ReadonlyMap<string, readonly Activity[]>> {
    const result = new Map<string, Activity[]>(leadIds.map((id) => [id, []]));
    const wanted = new Set(types);
    const add = (leadId: unknown, type: SalesforceActivityType, at: Date | null): void => {
      if (typeof leadId !== 'string' || at === null || !wanted.has(type)) return;
      result.get(leadId)?.push({ type, at, source: 'salesforce' });
    };
    const taskDecision = field(this.mapping.salesforceFields.task_decision_id);
    const reads: {
      object: 'Task' | 'Event' | 'CampaignMember';
      query: (ids: string[]) => string;
    }[] = [
      ...(['call', 'email', 'task'].some((type) => wanted.has(type as SalesforceActivityType))
        ? [
            {
              object: 'Task' as const,
              // Handoff's own follow-up Tasks (they carry its external id) are no engagement.
              query: (ids: string[]) =>
                soql`SELECT WhoId, TaskSubtype, CompletedDateTime, CreatedDate FROM Task WHERE WhoId IN ${ids} AND IsClosed = ${true} AND ${taskDecision} = ${null}`,
            },
          ]
        : []),
      ...(wanted.has('meeting')
        ? [
            {
              object: 'Event' as const,
              query: (ids: string[]) =>
                soql`SELECT WhoId, StartDateTime, CreatedDate FROM Event WHERE WhoId IN ${ids}`,
            },
          ]
        : []),
      ...(wanted.has('campaign_response')
        ? [
            {
              object: 'CampaignMember' as const,
              query: (ids: string[]) =>
                soql`SELECT LeadId, FirstRespondedDate, CreatedDate FROM CampaignMember WHERE LeadId IN ${ids} AND HasResponded = ${true}`,
            },
          ]
        : []),
    ];
    const groups = chunks([...new Set(leadIds)], IN_LIST_LIMIT);
    const asked = groups.flatMap((ids) =>
      reads.map((read) => ({ object: read.object, query: read.query(ids) })),
    );
    // Every group's reads share Composite calls, five queries each.
    const answers = await queryAllEach(
      this.connection,
      asked.map((each) => each.query),
    );
    asked.forEach(({ object }, index) => {
      for (const record of answers[index] ?? []) {
        if (object === 'Task') {
          const subtype = record['TaskSubtype'];
          const type = subtype === 'Call' ? 'call' : subtype === 'Email' ? 'email' : 'task';
          // A logged call or email counts when logged; a Task when completed.
          add(
            record['WhoId'],
            type,
            (type === 'task' ? toDate(record['CompletedDateTime']) : null) ??
              toDate(record['CreatedDate']),
          );
        } else if (object === 'Event')
          add(
            record['WhoId'],
            'meeting',
            toDate(record['StartDateTime']) ?? toDate(record['CreatedDate']),
          );
        else
          add(
            record['LeadId'],
            'campaign_response',
            toDate(record['FirstRespondedDate']) ?? toDate(record['CreatedDate']),
          );
      }
    });
    return result;
  }
}
