import type { Connection } from 'jsforce';
import type { ResolvedMapping } from '../../domain/mapping.js';
import type { Activity, AttributeValue } from '../../domain/model.js';
import { chunks } from '../../platform/chunks.js';
import type {
  SalesforceBornLead,
  SalesforceLeadSource,
} from '../../ports/salesforce-lead-source.port.js';
import { queryAllEach } from './salesforce-composite.js';
import { attributeValue, text, toDate } from './salesforce-records.js';
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
    ])} FROM Lead WHERE IsConverted = ${false} AND ${field(fields.hubspot_contact_id)} = ${null} AND ${field(fields.decision_id)} = ${null}`} AND ${where}`;
  }

  private toLead(record: Record<string, unknown>): SalesforceBornLead {
    const attributes: Record<string, AttributeValue> = {};
    for (const [attribute, name] of Object.entries(this.mapping.salesforce))
      attributes[attribute] = attributeValue(record[name]);
    return {
      id: String(record['Id']),
      ownerId: String(record['OwnerId']),
      status: String(record['Status']),
      email: text(record['Email']),
      leadSource: text(record['LeadSource']),
      modifiedAt: toDate(record['SystemModstamp']) ?? new Date(0),
      attributes,
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

  async activities(leadIds: readonly string[]): Promise<ReadonlyMap<string, readonly Activity[]>> {
    const result = new Map<string, Activity[]>(leadIds.map((id) => [id, []]));
    const add = (leadId: unknown, type: string, at: Date | null): void => {
      if (typeof leadId !== 'string' || at === null) return;
      result.get(leadId)?.push({ type, at, source: 'salesforce' });
    };
    const groups = chunks([...new Set(leadIds)], IN_LIST_LIMIT);
    // Each group's Tasks, Events and campaign responses: three queries, shared Composite calls.
    const answers = await queryAllEach(
      this.connection,
      groups.flatMap((ids) => [
        // Handoff's own follow-up Tasks (they carry its external id) are no engagement.
        soql`SELECT WhoId, TaskSubtype, CompletedDateTime, CreatedDate FROM Task WHERE WhoId IN ${ids} AND IsClosed = ${true} AND ${field(this.mapping.salesforceFields.task_decision_id)} = ${null}`,
        soql`SELECT WhoId, StartDateTime, CreatedDate FROM Event WHERE WhoId IN ${ids}`,
        soql`SELECT LeadId, FirstRespondedDate, CreatedDate FROM CampaignMember WHERE LeadId IN ${ids} AND HasResponded = ${true}`,
      ]),
    );
    for (let index = 0; index < answers.length; index += 3) {
      for (const task of answers[index] ?? []) {
        const subtype = task['TaskSubtype'];
        const type = subtype === 'Call' ? 'call' : subtype === 'Email' ? 'email' : 'task';
        // A logged call or email counts when logged; a Task when completed.
        add(
          task['WhoId'],
          type,
          (type === 'task' ? toDate(task['CompletedDateTime']) : null) ??
            toDate(task['CreatedDate']),
        );
      }
      for (const event of answers[index + 1] ?? [])
        add(
          event['WhoId'],
          'meeting',
          toDate(event['StartDateTime']) ?? toDate(event['CreatedDate']),
        );
      for (const member of answers[index + 2] ?? [])
        add(
          member['LeadId'],
          'campaign_response',
          toDate(member['FirstRespondedDate']) ?? toDate(member['CreatedDate']),
        );
    }
    return result;
  }
}
