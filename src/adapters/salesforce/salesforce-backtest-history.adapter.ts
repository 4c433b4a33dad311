import type { Connection } from 'jsforce';
import { z } from 'zod';
import type { ReplayUser } from '../../domain/backtest/replay-definition.js';
import type { ResolvedMapping } from '../../domain/mapping.js';
import type { AwayPeriod } from '../../domain/routing/availability.js';
import type { TouchActivity } from '../../domain/sla/assess-first-touch.js';
import { chunks } from '../../platform/chunks.js';
import { IntegrationError } from '../../platform/errors.js';
import type {
  BornLeadRecord,
  HistoryWindow,
  SalesHistory,
  SalesLeadRecord,
} from '../../ports/backtest-history.port.js';
import type { PageCache } from '../../ports/page-cache.port.js';
import type { LeadStore } from '../../ports/lead-store.port.js';
import type { SalesforceLeadSource } from '../../ports/salesforce-lead-source.port.js';
import type { Activity, SalesforceActivityType } from '../../domain/model.js';
import type { SalesDirectory } from '../../ports/sales-directory.port.js';
import type { LeadAccount } from '../../domain/model.js';
import { queryAllEach } from './salesforce-composite.js';
import { mappedAttributes, text, toDate } from './salesforce-records.js';
import { field, fieldList, soql } from './soql.js';

/**
 * Values per IN list: 250 quoted 18-character ids stay near 8 KB of the 16,384-byte query URL;
 * e-mail addresses run longer, so fewer of them.
 */
const IDS_PER_QUERY = 250;
const EMAILS_PER_QUERY = 100;

const RecordsWire = z.array(z.array(z.record(z.string(), z.unknown())));
const UsersWire = z.array(
  z.object({ id: z.string(), active: z.boolean(), timezone: z.string().nullable() }),
);
const ActivitiesWire = z.array(
  z.object({
    leadId: z.string(),
    activities: z.array(
      z.object({
        type: z.enum(['campaign_response', 'call', 'meeting', 'email', 'task']),
        at: z.coerce.date(),
      }),
    ),
  }),
);
const AccountsWire = z.array(z.object({ domain: z.string(), id: z.string(), owner: z.string() }));
const AwayWire = z
  .array(z.object({ userId: z.string(), start: z.coerce.date(), end: z.coerce.date() }))
  .nullable();

/** `ConvertedOpportunity.IsWon`: null when not asked, or the Lead became no Opportunity. */
function wonOf(record: Record<string, unknown>): boolean | null {
  const opportunity = record['ConvertedOpportunity'];
  if (typeof opportunity !== 'object' || opportunity === null) return null;
  const won = (opportunity as Record<string, unknown>)['IsWon'];
  return typeof won === 'boolean' ? won : null;
}

/**
 * SalesHistory over SOQL (five queries to a Composite call) and the SalesDirectory. Built for one
 * window: each group of queries is filed in the page cache under it, as one answer.
 */
export class SalesforceBacktestHistory implements SalesHistory {
  private readonly window: { from: string; to: string };

  constructor(
    private readonly connection: Connection,
    private readonly directory: SalesDirectory,
    private readonly accounts: Pick<LeadStore, 'accountOwnersByDomain'>,
    /** Reads Salesforce activities as the live sync counts them for engagement. */
    private readonly source: Pick<SalesforceLeadSource, 'activities'>,
    private readonly mapping: ResolvedMapping,
    private readonly cache: PageCache,
    window: HistoryWindow,
  ) {
    this.window = { from: window.from.toISOString(), to: window.to.toISOString() };
  }

  private cached(request: unknown, fetch: () => Promise<unknown>): Promise<unknown> {
    return this.cache.through({ system: 'salesforce', request, window: this.window }, fetch);
  }

  private async queries(queries: readonly string[]): Promise<Record<string, unknown>[][]> {
    if (queries.length === 0) return [];
    return RecordsWire.parse(
      await this.cached({ soql: queries }, () => queryAllEach(this.connection, queries)),
    );
  }

  /** The fields every Lead read selects, `extra` after them. */
  private leadFields(extra: readonly string[]): string[] {
    const fields = this.mapping.salesforceFields;
    return [
      'Id',
      'Email',
      'Status',
      'IsConverted',
      'ConvertedDate',
      'CreatedDate',
      'LastModifiedDate',
      fields.hubspot_contact_id,
      fields.rejection_reason,
      ...extra,
    ];
  }

  /**
   * Leads matching each `where`, with whether their Opportunity was won. An integration user who
   * may not read Opportunities gets INVALID_FIELD for the relationship: the Leads are then read
   * without it, and the report counts those outcomes as not readable.
   */
  private async leadRecords(
    extra: readonly string[],
    wheres: readonly string[],
  ): Promise<Record<string, unknown>[]> {
    const select = (fields: readonly string[]): string[] =>
      wheres.map((where) => `${soql`SELECT ${fieldList(fields)} FROM Lead WHERE`} ${where}`);
    try {
      return (
        await this.queries(select(this.leadFields([...extra, 'ConvertedOpportunity.IsWon'])))
      ).flat();
    } catch (err) {
      if (!(err instanceof IntegrationError) || err.code !== 'INVALID_FIELD') throw err;
      return (await this.queries(select(this.leadFields(extra)))).flat();
    }
  }

  private toRecord(record: Record<string, unknown>): SalesLeadRecord {
    const fields = this.mapping.salesforceFields;
    return {
      id: String(record['Id']),
      hubspotContactId: text(record[fields.hubspot_contact_id]),
      email: text(record['Email']),
      status: text(record['Status']) ?? '',
      isConverted: record['IsConverted'] === true,
      convertedOn: toDate(record['ConvertedDate']),
      createdAt: toDate(record['CreatedDate']) ?? new Date(0),
      modifiedAt: toDate(record['LastModifiedDate']) ?? new Date(0),
      rejectionReason: text(record[fields.rejection_reason]),
      won: wonOf(record),
    };
  }

  async leadsFor(
    contactIds: readonly string[],
    emails: readonly string[],
  ): Promise<readonly SalesLeadRecord[]> {
    const byId = field(this.mapping.salesforceFields.hubspot_contact_id);
    const records = await this.leadRecords(
      [],
      [
        ...chunks([...new Set(contactIds)], IDS_PER_QUERY).map(
          (group) => soql`${byId} IN ${group}`,
        ),
        ...chunks([...new Set(emails)], EMAILS_PER_QUERY).map((group) => soql`Email IN ${group}`),
      ],
    );
    const leads = new Map<string, SalesLeadRecord>();
    for (const record of records) {
      const lead = this.toRecord(record);
      leads.set(lead.id, lead);
    }
    return [...leads.values()];
  }

  async bornLeads(window: HistoryWindow): Promise<readonly BornLeadRecord[]> {
    const byId = field(this.mapping.salesforceFields.hubspot_contact_id);
    const records = await this.leadRecords(Object.values(this.mapping.salesforce), [
      soql`${byId} = ${null} AND CreatedDate >= ${window.from} AND CreatedDate < ${window.to} ORDER BY CreatedDate, Id`,
    ]);
    return records.map((record) => ({
      ...this.toRecord(record),
      attributes: mappedAttributes(record, this.mapping.salesforce),
    }));
  }

  async salesforceActivities(
    leadIds: readonly string[],
    types: readonly SalesforceActivityType[],
  ): Promise<ReadonlyMap<string, readonly Activity[]>> {
    if (leadIds.length === 0 || types.length === 0) return new Map();
    const wanted = [...types].sort();
    const answer = ActivitiesWire.parse(
      await this.cached({ activities: [...new Set(leadIds)].sort(), types: wanted }, async () =>
        [...(await this.source.activities(leadIds, wanted))].map(([leadId, list]) => ({
          leadId,
          activities: list.map((activity) => ({ type: activity.type, at: activity.at })),
        })),
      ),
    );
    return new Map(
      answer.map(({ leadId, activities }) => [
        leadId,
        activities.map((activity) => ({ ...activity, source: 'salesforce' as const })),
      ]),
    );
  }

  /** As `LeadLifecycleStore.touches` reads them: a Task counts once completed, a call when logged. */
  async touches(
    leadIds: readonly string[],
  ): Promise<ReadonlyMap<string, readonly TouchActivity[]>> {
    const groups = chunks([...new Set(leadIds)], IDS_PER_QUERY);
    const answers = await this.queries(
      groups.flatMap((group) => [
        soql`SELECT WhoId, OwnerId, IsClosed, TaskSubtype, CompletedDateTime, CreatedDate, SystemModstamp FROM Task WHERE WhoId IN ${group}`,
        soql`SELECT WhoId, OwnerId, CreatedDate FROM Event WHERE WhoId IN ${group}`,
      ]),
    );
    const byLead = new Map<string, TouchActivity[]>();
    const add = (leadId: unknown, activity: TouchActivity): void => {
      const key = String(leadId);
      byLead.set(key, [...(byLead.get(key) ?? []), activity]);
    };
    answers.forEach((records, index) => {
      const events = index % 2 === 1;
      for (const record of records) {
        if (events) {
          add(record['WhoId'], {
            kind: 'event',
            ownerId: String(record['OwnerId']),
            at: toDate(record['CreatedDate']) ?? new Date(0),
            completed: true,
          });
          continue;
        }
        const call = record['TaskSubtype'] === 'Call';
        add(record['WhoId'], {
          kind: call ? 'call' : 'task',
          ownerId: String(record['OwnerId']),
          at:
            (call ? toDate(record['CreatedDate']) : null) ??
            toDate(record['CompletedDateTime']) ??
            toDate(record['SystemModstamp']) ??
            new Date(0),
          completed: call || record['IsClosed'] === true,
        });
      }
    });
    return byLead;
  }

  async users(): Promise<ReadonlyMap<string, ReplayUser>> {
    const users = UsersWire.parse(
      await this.cached('users', async () =>
        (await this.directory.users()).map((user) => ({
          id: user.id,
          active: user.active,
          timezone: user.timezone,
        })),
      ),
    );
    return new Map(users.map(({ id, ...user }) => [id, user]));
  }

  async awayPeriods(window: HistoryWindow): Promise<readonly AwayPeriod[]> {
    const periods = AwayWire.parse(
      await this.cached({ away: [window.from.toISOString(), window.to.toISOString()] }, () =>
        this.directory.awayPeriods(window),
      ),
    );
    // An org with Out of Office switched off has nobody away.
    return periods ?? [];
  }

  async accountsByDomain(domains: readonly string[]): Promise<ReadonlyMap<string, LeadAccount>> {
    const wanted = [...new Set(domains)].sort();
    if (wanted.length === 0) return new Map();
    const answer = AccountsWire.parse(
      await this.cached({ accounts: wanted }, async () =>
        [...(await this.accounts.accountOwnersByDomain(wanted))].map(([domain, owner]) => ({
          domain,
          id: owner.accountId,
          owner: owner.ownerId,
        })),
      ),
    );
    return new Map(
      answer.map((account) => [account.domain, { id: account.id, owner: account.owner }]),
    );
  }
}
