import { awayAt } from '../../domain/routing/availability.js';
import type { DirectoryUser } from '../../domain/routing/route-lead.js';
import type { SalesDirectory, SalesUser } from '../../ports/sales-directory.port.js';

export interface People {
  readonly users: ReadonlyMap<string, SalesUser>;
  /** Users and queues by id, for names in HubSpot and in history lines. */
  readonly names: ReadonlyMap<string, string>;
  /** Users as routing sees them (open-lead counts come from Redis at decision time). */
  readonly directory: ReadonlyMap<string, DirectoryUser>;
}

/**
 * Users, queues and names; with `availableAt`, who is out of office at that instant (Salesforce
 * OutOfOffice, asked in the same turn so it shares the directory's Composite call), for routing.
 */
export async function loadPeople(directory: SalesDirectory, availableAt?: Date): Promise<People> {
  const [users, queues, periods] = await Promise.all([
    directory.users(),
    directory.queues(),
    availableAt === undefined
      ? null
      : directory.awayPeriods({ from: availableAt, to: new Date(availableAt.getTime() + 1) }),
  ]);
  const away =
    availableAt === undefined || periods === null
      ? new Map<string, Date>()
      : awayAt(periods, availableAt);
  return {
    users: new Map(users.map((user) => [user.id, user])),
    names: new Map([
      ...users.map((user) => [user.id, user.name] as const),
      ...queues.map((queue) => [queue.id, queue.name] as const),
    ]),
    directory: new Map(
      users.map((user) => [
        user.id,
        {
          active: user.active,
          outOfOffice: away.has(user.id),
          backAt: away.get(user.id),
          openLeads: 0,
          timezone: user.timezone,
        },
      ]),
    ),
  };
}
