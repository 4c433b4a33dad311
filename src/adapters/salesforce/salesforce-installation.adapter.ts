import type { Connection } from 'jsforce';
import { z } from 'zod';
import type { SalesforceFieldKind } from '../../domain/installation/owned-fields.js';
import type {
  ApiAllowance,
  DescribedField,
  SalesforceInstallation,
  SalesforceLeadQueues,
} from '../../ports/installation.port.js';
import { classifySalesforceError } from './salesforce.errors.js';
import { coalescedGet, queryAllEach } from './salesforce-composite.js';
import { responseSignals } from './salesforce-response-signals.js';
import { soql } from './soql.js';

const DescribeWire = z.object({
  fields: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      length: z.number().nullish(),
      updateable: z.boolean().nullish(),
      externalId: z.boolean().nullish(),
      picklistValues: z
        .array(z.object({ value: z.string(), active: z.boolean().nullish() }))
        .nullish(),
    }),
  ),
});

const QueueSobjectWire = z.object({ QueueId: z.string() });

const LimitsWire = z.object({
  DailyApiRequests: z.object({ Max: z.number(), Remaining: z.number() }),
});

/** Describe's field types, as the kinds an admin creates. */
const KINDS: Readonly<Record<string, SalesforceFieldKind>> = {
  double: 'number',
  int: 'number',
  currency: 'number',
  percent: 'number',
  string: 'text',
  textarea: 'long_text',
  datetime: 'datetime',
  boolean: 'checkbox',
  picklist: 'picklist',
};

/**
 * How old the usage and clock of an earlier answer may be to stand in for a call of their own:
 * Salesforce itself says `/limits` may lag by as much.
 */
const SIGNAL_FRESH_MS = 5 * 60_000;

/**
 * SalesforceInstallation over describe, the usage and clock every answer carries (`/limits` and
 * the versions resource when no recent answer did) and `QueueSobject`.
 */
export class SalesforceInstallationInspector
  implements SalesforceInstallation, SalesforceLeadQueues
{
  constructor(private readonly connection: Connection) {}

  async fields(object: 'Lead' | 'Task'): Promise<readonly DescribedField[]> {
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
    // Both describes and the directory's reads, asked together at start-up, share one call.
    const raw = await coalescedGet(this.connection, `/sobjects/${object}/describe`);
    return DescribeWire.parse(raw).fields.map((field) => ({
      name: field.name,
      kind: Object.hasOwn(KINDS, field.type) ? (KINDS[field.type] ?? 'other') : 'other',
      length: field.length ?? null,
      updateable: field.updateable === true,
      externalId: field.externalId === true,
      picklistValues: (field.picklistValues ?? [])
        .filter((value) => value.active !== false)
        .map((value) => value.value),
    }));
  }

  async dailyApiRequests(): Promise<ApiAllowance> {
    // Every answer carries the usage: a recent one spares the /limits call.
    const { usage } = responseSignals(this.connection, SIGNAL_FRESH_MS);
    if (usage !== null) return { max: usage.max, remaining: Math.max(0, usage.max - usage.used) };
    let raw: unknown;
    try {
      // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
      raw = await this.connection.limits();
    } catch (err) {
      throw classifySalesforceError(err);
    }
    const limits = LimitsWire.parse(raw).DailyApiRequests;
    return { max: limits.Max, remaining: limits.Remaining };
  }

  async serverTime(): Promise<Date> {
    // A recent answer's Date header, moved on by the time since it arrived.
    const { serverTime } = responseSignals(this.connection, SIGNAL_FRESH_MS);
    if (serverTime !== null) return serverTime;
    // The versions resource needs no session; its Date header is the server's clock.
    const response = await fetch(`${this.connection.instanceUrl}/services/data/`);
    const date = Date.parse(response.headers.get('date') ?? '');
    if (Number.isNaN(date)) throw new Error('Salesforce sent no Date header');
    return new Date(date);
  }

  async queuesAcceptingLeads(): Promise<ReadonlySet<string>> {
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_queuesobject.htm
    // One row per queue and object it supports; an org has few queues, but page anyway. Asked
    // with the directory's users and queues (the doctor), it shares their Composite call.
    const [records = []] = await queryAllEach(this.connection, [
      soql`SELECT QueueId FROM QueueSobject WHERE SobjectType = ${'Lead'}`,
    ]);
    return new Set(records.map((record) => QueueSobjectWire.parse(record).QueueId));
  }
}
