import type { Connection } from 'jsforce';
import { z } from 'zod';
import type { ResolvedMapping } from '../../domain/mapping.js';
import type {
  AccountOwner,
  FollowUpTask,
  LeadKeys,
  LeadStore,
  LeadUpdate,
  NewLead,
  OpenTask,
  SalesLead,
  WriteOutcome,
} from '../../ports/lead-store.port.js';
import { collection, openTasksOf, openTasksSubquery, text, toDate } from './salesforce-records.js';
import { lifecycleFieldNames, lifecycleOf, lifecycleValues } from './lifecycle-fields.js';
import { queryAllEach } from './salesforce-composite.js';
import { field, fieldList, likeContains, soql } from './soql.js';
import { chunks } from '../../platform/chunks.js';

/** sObject Collections take at most 200 records. */
const COLLECTION_LIMIT = 200;
/**
 * Values per IN list, at most. SOQL itself limits only each string (4,000 characters) and the
 * statement (100,000): the request URI (below) is what cuts lists, well before this.
 */
const IN_LIST_LIMIT = 1_000;
/** Decision ids per IN list: 250 80-character ids, quoted and encoded, stay well under the URL limit. */
const TASK_IN_LIST_LIMIT = 250;
/** Lead.Email and Contact.Email hold 80 characters; a longer value cannot be a Lead's email. */
const EMAIL_MAX_LENGTH = 80;
/** 15- or 18-character record ids: anything else cannot identify a record. */
const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
/** A DNS name has at most 253 characters. */
const DOMAIN_MAX_LENGTH = 253;
/** HubSpot object ids are short numeric strings; anything else cannot be one. */
const HUBSPOT_ID = /^[A-Za-z0-9-]{1,64}$/;
/**
 * WHERE clause budget in URL-encoded bytes: the request URI plus headers must stay under 16,384
 * bytes (Salesforce answers 414 or 431 beyond), and the path, SELECT list and headers need the rest.
 */
const WHERE_MAX_BYTES = 13_000;
/** What Salesforce shows for a required field the contact does not have. */
const NOT_PROVIDED = '[not provided]';
/** Every Lead write says so: assignment rules must not undo the owner Handoff sets. */
const NO_AUTO_ASSIGN = { 'Sforce-Auto-Assign': 'FALSE' } as const;

const AccountWire = z.object({
  Id: z.string(),
  OwnerId: z.string(),
  Website: z.string().nullish(),
});

const ContactWire = z.object({ Id: z.string(), OwnerId: z.string() });

/**
 * Bytes `text` takes in a query URL. jsforce sends `?q=` through encodeURIComponent and then the
 * WHATWG URL parser, which also escapes `'` (every SOQL literal has two); `(`, `)`, `!` and `*`
 * are counted escaped too, to be safe.
 */
function urlBytes(text: string): number {
  return encodeURIComponent(text).replace(/['()!*]/g, '%XX').length;
}

/**
 * Packs items in order into groups whose sizes add up to at most `maxBytes` (an item larger
 * than that stands alone) and that hold at most `maxCount` items.
 */
function packBySize<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxBytes: number,
  maxCount = Number.POSITIVE_INFINITY,
): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let length = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxCount || length + size > maxBytes)) {
      groups.push(current);
      current = [];
      length = 0;
    }
    current.push(item);
    length += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Groups conditions so that each group, joined with OR, stays within `maxBytes` once URL-encoded
 * (`conn.query` sends the SOQL as `?q=`; see `urlBytes`).
 */
function byEncodedLength(conditions: readonly string[], maxBytes: number): string[][] {
  const separator = urlBytes(' OR ');
  return packBySize(conditions, (condition) => urlBytes(condition) + separator, maxBytes);
}

/**
 * `<field> IN (…)` conditions for `values`, each list cut so that it fits `maxBytes` encoded,
 * so a handful of long values never makes one oversized query.
 */
function inLists(column: string, values: readonly string[], maxBytes: number): string[] {
  return packBySize(values, (value) => urlBytes(soql`${value}, `), maxBytes, IN_LIST_LIMIT).map(
    (list) => `${column} IN ${soql`${list}`}`,
  );
}

/**
 * WHERE clauses of `<column> IN (…)` lists joined with OR, each filled up to `maxBytes` once
 * URL-encoded: a list that does not fit the rest of one clause goes on in the next, so every
 * query but the last is full (lists cut at a fixed size left queries half empty, and five
 * queries fill a Composite call). At most IN_LIST_LIMIT values per list.
 */
function packedInLists(
  lists: readonly { readonly column: string; readonly values: readonly string[] }[],
  maxBytes: number,
): string[] {
  const separator = urlBytes(' OR ');
  const clauses: string[] = [];
  let conditions: string[] = [];
  let used = 0;
  const close = (): void => {
    if (conditions.length > 0) clauses.push(conditions.join(' OR '));
    conditions = [];
    used = 0;
  };
  for (const { column, values } of lists) {
    // `<column> IN (` and `)`, as soql renders them, plus the OR before the next condition.
    const overhead = urlBytes(`${column} IN ()`) + separator;
    let list: string[] = [];
    let listBytes = 0;
    const flush = (): void => {
      if (list.length > 0) conditions.push(`${column} IN ${soql`${list}`}`);
      used += listBytes;
      list = [];
      listBytes = 0;
    };
    for (const value of values) {
      const size = urlBytes(soql`${value}, `);
      const opening = list.length === 0 ? overhead : 0;
      if (list.length >= IN_LIST_LIMIT) flush();
      if (used + listBytes + opening + size > maxBytes && (list.length > 0 || used > 0)) {
        flush();
        close();
      }
      listBytes += (list.length === 0 ? overhead : 0) + size;
      list.push(value);
    }
    flush();
  }
  close();
  return clauses;
}

/** `https://www.Acme.com/about` → `acme.com`. */
export function websiteDomain(website: string): string | null {
  const host = website
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .split(/[/?#:]/)[0];
  return host === undefined || host === '' || !host.includes('.') ? null : host;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** LeadStore over jsforce: SOQL through `soql`, writes through sObject Collections. */
export class SalesforceLeadStore implements LeadStore {
  constructor(
    private readonly connection: Connection,
    private readonly mapping: ResolvedMapping,
  ) {}

  private get fields(): ResolvedMapping['salesforceFields'] {
    return this.mapping.salesforceFields;
  }

  private toLead(record: Record<string, unknown>): SalesLead {
    const score = record[this.fields.score];
    return {
      id: String(record['Id']),
      ownerId: String(record['OwnerId']),
      status: String(record['Status']),
      email: text(record['Email']),
      isConverted: record['IsConverted'] === true,
      convertedContactId: text(record['ConvertedContactId']),
      convertedContactOwnerId: text(
        (record['ConvertedContact'] as Record<string, unknown> | null | undefined)?.['OwnerId'],
      ),
      hubspotContactId: text(record[this.fields.hubspot_contact_id]),
      modifiedAt: toDate(record['SystemModstamp']) ?? new Date(0),
      openTasks: openTasksOf(record['Tasks'], this.fields.task_decision_id),
      rejection: {
        reason: text(record[this.fields.rejection_reason]),
        comment: text(record[this.fields.rejection_comment]),
      },
      handoff: {
        score: typeof score === 'number' ? score : null,
        tier: text(record[this.fields.tier]),
        due: toDate(record[this.fields.due]),
        reason: text(record[this.fields.reason]),
        lifecycle: lifecycleOf(record, this.fields),
      },
    };
  }

  emailProblem(email: string): string | null {
    return email.length > EMAIL_MAX_LENGTH
      ? `email has ${email.length} characters; Salesforce's Email field holds at most ${EMAIL_MAX_LENGTH}`
      : null;
  }

  async findLeads(keys: LeadKeys): Promise<readonly SalesLead[]> {
    const { fields } = this;
    const select = fieldList([
      'Id',
      'OwnerId',
      'Status',
      'Email',
      'IsConverted',
      'ConvertedContactId',
      // Where a converted Lead went, and who owns it now, without a second query.
      'ConvertedContact.OwnerId',
      'SystemModstamp',
      fields.hubspot_contact_id,
      fields.score,
      fields.tier,
      fields.due,
      ...lifecycleFieldNames(fields),
      fields.rejection_reason,
      fields.rejection_comment,
    ]);
    // Handoff's open Tasks ride along, so that closing one an interrupted attempt left needs
    // no query of its own.
    const tasks = openTasksSubquery(fields.task_decision_id);
    // A key that cannot identify a Lead is not sent: it could only make the query too long.
    const clauses = packedInLists(
      [
        { column: 'Id', values: unique(keys.leadIds.filter((id) => RECORD_ID.test(id))) },
        {
          column: field(fields.hubspot_contact_id).name,
          values: unique(keys.hubspotContactIds.filter((id) => HUBSPOT_ID.test(id))),
        },
        {
          column: 'Email',
          values: unique(keys.emails.filter((email) => this.emailProblem(email) === null)),
        },
      ],
      WHERE_MAX_BYTES,
    );
    if (clauses.length === 0) return [];
    const found = new Map<string, SalesLead>();
    // As many keys per query as fit the URL limit, five queries per Composite call; results
    // are merged by Id.
    const queries = clauses.map(
      (where) => `${soql`SELECT ${select}`}, ${tasks} FROM Lead WHERE ${where}`,
    );
    for (const record of (await queryAllEach(this.connection, queries)).flat()) {
      const lead = this.toLead(record);
      found.set(lead.id, lead);
    }
    return [...found.values()];
  }

  async accountOwnersByDomain(
    domains: readonly string[],
  ): Promise<ReadonlyMap<string, AccountOwner>> {
    // A blank domain would match every Account, a longer one than DNS allows none.
    const wanted = new Set(
      domains
        .map((domain) => domain.trim().toLowerCase())
        .filter((domain) => domain !== '' && domain.length <= DOMAIN_MAX_LENGTH),
    );
    const owners = new Map<string, AccountOwner>();
    const likes = [...wanted].map((domain) => soql`Website LIKE ${likeContains(domain)}`);
    const queries = byEncodedLength(likes, WHERE_MAX_BYTES).map(
      (group) => `SELECT Id, OwnerId, Website FROM Account WHERE ${group.join(' OR ')}`,
    );
    for (const records of await queryAllEach(this.connection, queries)) {
      for (const record of records) {
        const account = AccountWire.parse(record);
        const domain =
          account.Website === null || account.Website === undefined
            ? null
            : websiteDomain(account.Website);
        if (domain !== null && wanted.has(domain) && !owners.has(domain))
          owners.set(domain, { accountId: account.Id, ownerId: account.OwnerId });
      }
    }
    return owners;
  }

  async contactOwners(contactIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const owners = new Map<string, string>();
    const ids = unique(contactIds.filter((id) => RECORD_ID.test(id)));
    const queries = inLists('Id', ids, WHERE_MAX_BYTES).map(
      (condition) => `SELECT Id, OwnerId FROM Contact WHERE ${condition}`,
    );
    for (const record of (await queryAllEach(this.connection, queries)).flat()) {
      const contact = ContactWire.parse(record);
      owners.set(contact.Id, contact.OwnerId);
    }
    return owners;
  }

  private ownedFields(
    update: Omit<LeadUpdate, 'leadId'>,
  ): Record<string, string | number | boolean | null> {
    const { fields } = this;
    const values: Record<string, string | number | boolean | null> = {};
    if (update.ownerId !== undefined) values['OwnerId'] = update.ownerId;
    if (update.status !== undefined) values['Status'] = update.status;
    if (update.score !== undefined) values[fields.score] = update.score;
    if (update.tier !== undefined) values[fields.tier] = update.tier;
    if (update.due !== undefined) values[fields.due] = update.due.toISOString();
    if (update.reason !== undefined) values[fields.reason] = update.reason;
    if (update.decisionId !== undefined) values[fields.decision_id] = update.decisionId;
    if (update.routedAt !== undefined) values[fields.routed_at] = update.routedAt.toISOString();
    if (update.slaBreached !== undefined) values[fields.sla_breached] = update.slaBreached;
    if (update.clearRejection === true) {
      values[fields.rejection_reason] = null;
      values[fields.rejection_comment] = null;
    }
    if (update.hubspotContactId !== undefined)
      values[fields.hubspot_contact_id] = update.hubspotContactId;
    if (update.lifecycle !== undefined)
      Object.assign(values, lifecycleValues(update.lifecycle, fields));
    return values;
  }

  async updateLeads(updates: readonly LeadUpdate[]): Promise<readonly WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(updates, COLLECTION_LIMIT)) {
      const records = batch.map((update) => ({ Id: update.leadId, ...this.ownedFields(update) }));
      // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
      outcomes.push(
        ...(await collection(
          records,
          batch.map((update) => update.leadId),
          (subset) =>
            this.connection
              .sobject('Lead')
              .update([...subset], { allOrNone: false, headers: NO_AUTO_ASSIGN }),
        )),
      );
    }
    return outcomes;
  }

  async createLeads(leads: readonly NewLead[]): Promise<readonly WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(leads, COLLECTION_LIMIT)) {
      const records = batch.map((lead) => {
        const values: Record<string, string | number | boolean | null> = {};
        for (const [attribute, value] of Object.entries(lead.attributes)) {
          const target = this.mapping.salesforce[attribute];
          if (target !== undefined && value !== null) values[target] = value;
        }
        // Lead requires LastName and Company; HubSpot's own connector fills the same gaps so.
        values['LastName'] ??= NOT_PROVIDED;
        values['Company'] ??= NOT_PROVIDED;
        return {
          ...values,
          ...this.ownedFields(lead),
          [this.fields.hubspot_contact_id]: lead.hubspotContactId,
        };
      });
      // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
      outcomes.push(
        ...(await collection(
          records,
          batch.map((lead) => lead.hubspotContactId),
          (subset) =>
            this.connection.sobject('Lead').upsert([...subset], this.fields.hubspot_contact_id, {
              allOrNone: false,
              headers: NO_AUTO_ASSIGN,
            }),
        )),
      );
    }
    return outcomes;
  }

  async closeTasks(decisionIds: readonly string[]): Promise<readonly WriteOutcome[]> {
    const externalId = field(this.fields.task_decision_id);
    const open: OpenTask[] = [];
    const queries = chunks([...new Set(decisionIds)], TASK_IN_LIST_LIMIT).map(
      (group) =>
        soql`SELECT Id, ${externalId} FROM Task WHERE ${externalId} IN ${group} AND IsClosed = ${false}`,
    );
    for (const record of (await queryAllEach(this.connection, queries)).flat())
      open.push({ taskId: String(record['Id']), decisionId: String(record[externalId.name]) });
    return this.completeTasks(open);
  }

  async completeTasks(tasks: readonly OpenTask[]): Promise<readonly WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(tasks, COLLECTION_LIMIT)) {
      outcomes.push(
        ...(await collection(
          batch.map((task) => ({ Id: task.taskId, Status: 'Completed' })),
          batch.map((task) => task.decisionId),
          (subset) => this.connection.sobject('Task').update([...subset], { allOrNone: false }),
        )),
      );
    }
    return outcomes;
  }
  async upsertTasks(tasks: readonly FollowUpTask[]): Promise<readonly WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    const externalId = this.fields.task_decision_id;
    for (const batch of chunks(tasks, COLLECTION_LIMIT)) {
      const records = batch.map((task) => ({
        [externalId]: task.decisionId,
        WhoId: task.leadId,
        OwnerId: task.ownerId,
        Subject: task.subject,
        ActivityDate: task.dueDate,
        ReminderDateTime: task.reminderAt.toISOString(),
        IsReminderSet: true,
        Priority: task.priority,
        Description: task.description,
      }));
      outcomes.push(
        ...(await collection(
          records,
          batch.map((task) => task.decisionId),
          (subset) =>
            this.connection.sobject('Task').upsert([...subset], externalId, { allOrNone: false }),
        )),
      );
    }
    return outcomes;
  }
}
