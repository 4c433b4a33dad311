import type { Connection } from 'jsforce';
import { z } from 'zod';
import type { AwayPeriod } from '../../domain/routing/availability.js';
import type { SalesDirectory, SalesQueue, SalesUser } from '../../ports/sales-directory.port.js';
import { IntegrationError } from '../../platform/errors.js';
import { queryAllEach } from './salesforce-composite.js';
import { soql } from './soql.js';

const UserWire = z.object({
  Id: z.string(),
  Name: z.string().nullish(),
  IsActive: z.boolean(),
  TimeZoneSidKey: z.string().nullish(),
  ManagerId: z.string().nullish(),
});
const QueueWire = z.object({ Id: z.string(), Name: z.string() });
const CountWire = z.object({ OwnerId: z.string(), open: z.number() });
const AwayWire = z.object({
  UserId: z.string(),
  StartDate: z.string(),
  EndDate: z.string(),
  IsEnabled: z.boolean(),
});

/** SalesDirectory over SOQL: Users, Queues, and one aggregate for open Leads per owner. */
export class SalesforceDirectory implements SalesDirectory {
  constructor(private readonly connection: Connection) {}

  /**
   * Every record of the query, every page (2,000 a page). Users, queues and open-lead counts are
   * asked together (routing, the SLA watch, the doctor): they share one Composite call.
   */
  private async records(query: string): Promise<unknown[]> {
    const [records] = await queryAllEach(this.connection, [query]);
    return records ?? [];
  }

  async users(): Promise<readonly SalesUser[]> {
    const records = await this.records(
      soql`SELECT Id, Name, IsActive, TimeZoneSidKey, ManagerId FROM User`,
    );
    return records.map((record) => {
      const user = UserWire.parse(record);
      return {
        id: user.Id,
        name: user.Name ?? user.Id,
        active: user.IsActive,
        timezone: user.TimeZoneSidKey ?? null,
        managerId: user.ManagerId ?? null,
      };
    });
  }

  async queues(): Promise<readonly SalesQueue[]> {
    const records = await this.records(soql`SELECT Id, Name FROM Group WHERE Type = ${'Queue'}`);
    return records.map((record) => {
      const queue = QueueWire.parse(record);
      return { id: queue.Id, name: queue.Name };
    });
  }

  async openLeadCounts(closedStatuses: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const query =
      closedStatuses.length === 0
        ? soql`SELECT OwnerId, COUNT(Id) open FROM Lead WHERE IsConverted = ${false} GROUP BY OwnerId`
        : soql`SELECT OwnerId, COUNT(Id) open FROM Lead WHERE IsConverted = ${false} AND Status NOT IN ${closedStatuses} GROUP BY OwnerId`;
    const counts = new Map<string, number>();
    for (const record of await this.records(query)) {
      const row = CountWire.parse(record);
      counts.set(row.OwnerId, row.open);
    }
    return counts;
  }

  async awayPeriods(window: {
    readonly from: Date;
    readonly to: Date;
  }): Promise<readonly AwayPeriod[] | null> {
    let records: unknown[];
    try {
      // IsEnabled cannot be filtered in SOQL: it is read and checked here.
      records = await this.records(
        soql`SELECT UserId, StartDate, EndDate, IsEnabled FROM OutOfOffice WHERE EndDate > ${window.from} AND StartDate < ${window.to}`,
      );
    } catch (err) {
      if (err instanceof IntegrationError && err.code === 'INVALID_TYPE') return null;
      throw err;
    }
    return records.flatMap((record) => {
      const away = AwayWire.parse(record);
      return away.IsEnabled
        ? [{ userId: away.UserId, start: new Date(away.StartDate), end: new Date(away.EndDate) }]
        : [];
    });
  }
}
