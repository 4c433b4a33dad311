import type { Connection } from 'jsforce';
import type { HandoffStage } from '../../domain/lifecycle/lead-lifecycle.js';
import type { ResolvedMapping } from '../../domain/mapping.js';
import type { TouchActivity } from '../../domain/sla/assess-first-touch.js';
import type { HandoffLead, LeadLifecycleStore } from '../../ports/lead-lifecycle.port.js';
import { chunks } from '../../platform/chunks.js';
import { lifecycleFieldNames, lifecycleOf } from './lifecycle-fields.js';
import { mappedAttributes, text, toDate } from './salesforce-records.js';
import { queryAllEach } from './salesforce-composite.js';
import { field, fieldList, soql } from './soql.js';

/**
 * Record ids per IN list: 250 18-character ids, quoted and URL-encoded, stay near 8 KB, half
 * the 16,384-byte query URL limit.
 */
const IN_LIST_LIMIT = 250;
const LEAD_ID_PREFIX = '00Q';

/** LeadLifecycleStore over jsforce: reads through `soql`. */
export class SalesforceLeadLifecycle implements LeadLifecycleStore {
  constructor(
    private readonly connection: Connection,
    private readonly mapping: ResolvedMapping,
    /**
     * The user Handoff writes as: the Tasks it creates or closes itself are no activity of a
     * rep (null when unknown: every change counts).
     */
    private readonly integrationUserId: string | null = null,
  ) {}

  private get fields(): ResolvedMapping['salesforceFields'] {
    return this.mapping.salesforceFields;
  }

  private select(): string {
    const { fields } = this;
    return soql`SELECT ${fieldList([
      'Id',
      'Name',
      'Email',
      'OwnerId',
      'Status',
      'IsConverted',
      'LeadSource',
      'SystemModstamp',
      fields.hubspot_contact_id,
      fields.score,
      fields.tier,
      fields.due,
      fields.routed_at,
      ...lifecycleFieldNames(fields),
      fields.sla_breached,
      fields.rejection_reason,
      fields.rejection_comment,
      ...Object.values(this.mapping.salesforce),
    ])} FROM Lead WHERE ${field(fields.decision_id)} != ${null}`;
  }

  private async leads(where: string): Promise<HandoffLead[]> {
    return this.leadsEach([where]);
  }

  /** Leads matching any of the conditions, the queries sharing Composite calls. */
  private async leadsEach(conditions: readonly string[]): Promise<HandoffLead[]> {
    const results = await queryAllEach(
      this.connection,
      conditions.map((where) => `${this.select()} AND ${where}`),
    );
    return results.flat().flatMap((record) => {
      const lead = this.toLead(record);
      return lead === null ? [] : [lead];
    });
  }

  /** `stage` is null or none of `stages` (an unset stage must be matched explicitly). */
  private stageNotIn(stages: readonly HandoffStage[]): string {
    const stage = field(this.fields.stage);
    return soql`(${stage} = ${null} OR ${stage} NOT IN ${stages})`;
  }

  private toLead(record: Record<string, unknown>): HandoffLead | null {
    const { fields } = this;
    const lifecycle = lifecycleOf(record, fields);
    if (lifecycle === null) return null;
    const score = record[fields.score];
    const attributes = mappedAttributes(record, this.mapping.salesforce);
    return {
      id: String(record['Id']),
      name: text(record['Name']),
      email: text(record['Email']),
      ownerId: String(record['OwnerId']),
      status: String(record['Status']),
      isConverted: record['IsConverted'] === true,
      hubspotContactId: text(record[fields.hubspot_contact_id]),
      leadSource: text(record['LeadSource']),
      modifiedAt: toDate(record['SystemModstamp']) ?? new Date(0),
      lifecycle,
      score: typeof score === 'number' ? score : null,
      tier: text(record[fields.tier]),
      due: toDate(record[fields.due]),
      routedAt: toDate(record[fields.routed_at]),
      reason: text(record[fields.reason]),
      slaBreached: record[fields.sla_breached] === true,
      rejectionReason: text(record[fields.rejection_reason]),
      rejectionComment: text(record[fields.rejection_comment]),
      attributes,
    };
  }

  watchedLeads(query: {
    changedSince: Date;
    overdueSince: Date;
    now: Date;
    routedStatus: string;
  }): Promise<readonly HandoffLead[]> {
    const due = field(this.fields.due);
    // Only a lead still waiting for its first touch can breach: one touched (accepted, working,
    // even with its status left open), returned, or whose breach is handled has nothing left to
    // do until it changes, and re-reading it every reconciliation would cost its Tasks and Events.
    // A Lead Handoff itself wrote last, still in its routed status and not yet due, has no news
    // for the watch (a backfill's thousands of fresh routes): a rep's status change, a deadline
    // passing, or a rep's own edit brings it back.
    const changed =
      this.integrationUserId === null
        ? soql`SystemModstamp >= ${query.changedSince}`
        : soql`(SystemModstamp >= ${query.changedSince} AND (LastModifiedById != ${this.integrationUserId} OR Status != ${query.routedStatus} OR ${due} = ${null} OR ${due} <= ${query.now}))`;
    return this.leads(
      `${soql`IsConverted = ${false} AND (`}${changed}${soql` OR (Status = ${query.routedStatus} AND ${due} < ${query.now} AND ${due} >= ${query.overdueSince}`} AND ${this.stageNotIn(['accepted', 'working', 'breached', 'escalated', 'rejected', 'returned'])}))`,
    );
  }

  async routedLeadsByIds(ids: readonly string[]): Promise<readonly HandoffLead[]> {
    return this.leadsEach(
      chunks([...new Set(ids)], IN_LIST_LIMIT).map((group) => soql`Id IN ${group}`),
    );
  }

  routedLeadsByEmail(email: string): Promise<readonly HandoffLead[]> {
    return this.leads(soql`Email = ${email}`);
  }

  async leadsWithActivitySince(since: Date): Promise<readonly string[]> {
    const ids = new Set<string>();
    // Tasks and Events in one Composite call (with whatever else is asked in the same turn).
    const answers = await queryAllEach(
      this.connection,
      ['Task', 'Event'].map(
        (object) =>
          soql`SELECT WhoId FROM ${field(object)} WHERE SystemModstamp >= ${since} AND WhoId != ${null} AND LastModifiedById != ${this.integrationUserId}`,
      ),
    );
    for (const records of answers) {
      for (const record of records) {
        const id = text(record['WhoId']);
        if (id?.startsWith(LEAD_ID_PREFIX) === true) ids.add(id);
      }
    }
    return [...ids];
  }

  async touches(
    leadIds: readonly string[],
  ): Promise<ReadonlyMap<string, readonly TouchActivity[]>> {
    const byLead = new Map<string, TouchActivity[]>();
    const add = (leadId: string, activity: TouchActivity): void => {
      const list = byLead.get(leadId) ?? [];
      list.push(activity);
      byLead.set(leadId, list);
    };
    const groups = chunks([...new Set(leadIds)], IN_LIST_LIMIT);
    // Each group's Tasks and Events, five queries to a Composite call.
    const answers = await queryAllEach(
      this.connection,
      groups.flatMap((group) => [
        soql`SELECT WhoId, OwnerId, IsClosed, TaskSubtype, CompletedDateTime, CreatedDate, SystemModstamp FROM Task WHERE WhoId IN ${group}`,
        soql`SELECT WhoId, OwnerId, CreatedDate FROM Event WHERE WhoId IN ${group}`,
      ]),
    );
    for (let index = 0; index < answers.length; index += 2) {
      const tasks = answers[index] ?? [];
      const events = answers[index + 1] ?? [];
      for (const task of tasks) {
        const call = task['TaskSubtype'] === 'Call';
        add(String(task['WhoId']), {
          kind: call ? 'call' : 'task',
          ownerId: String(task['OwnerId']),
          // A logged call counts when logged; a Task when completed.
          at:
            (call ? toDate(task['CreatedDate']) : null) ??
            toDate(task['CompletedDateTime']) ??
            toDate(task['SystemModstamp']) ??
            new Date(0),
          completed: call || task['IsClosed'] === true,
        });
      }
      for (const event of events)
        add(String(event['WhoId']), {
          kind: 'event',
          ownerId: String(event['OwnerId']),
          at: toDate(event['CreatedDate']) ?? new Date(0),
          completed: true,
        });
    }
    return byLead;
  }

  rejectedLeads(query: {
    changedSince: Date;
    statuses: readonly string[];
  }): Promise<readonly HandoffLead[]> {
    if (query.statuses.length === 0) return Promise.resolve([]);
    // `~j` marks a rejection an earlier version returned, before the stage field existed.
    return this.leads(
      `${soql`Status IN ${query.statuses} AND SystemModstamp >= ${query.changedSince} AND (NOT ${field(this.fields.decision_id)} LIKE ${'%~j'})`} AND ${this.stageNotIn(['rejected', 'returned'])}`,
    );
  }

  routedSince(since: Date): Promise<readonly HandoffLead[]> {
    const routedAt = field(this.fields.routed_at);
    return this.leads(
      soql`(${routedAt} >= ${since} OR (${routedAt} = ${null} AND ${field(this.fields.due)} >= ${since}))`,
    );
  }
}
