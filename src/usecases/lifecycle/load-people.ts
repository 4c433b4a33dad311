import type { DirectoryUser } from '../../domain/routing/route-lead.js';
import type { SalesDirectory, SalesUser } from '../../ports/sales-directory.port.js';

export interface People {
  readonly users: ReadonlyMap<string, SalesUser>;
  /** Users and queues by id, for names in HubSpot and in history lines. */
  readonly names: ReadonlyMap<string, string>;
  /** Users as routing sees them (open-lead counts come from Redis at decision time). */
  readonly directory: ReadonlyMap<string, DirectoryUser>;
}

export async function loadPeople(directory: SalesDirectory): Promise<People> {
  const [users, queues] = await Promise.all([directory.users(), directory.queues()]);
  return {
    users: new Map(users.map((user) => [user.id, user])),
    names: new Map([
      ...users.map((user) => [user.id, user.name] as const),
      ...queues.map((queue) => [queue.id, queue.name] as const),
    ]),
    directory: new Map(
      users.map((user) => [
        user.id,
        { active: user.active, outOfOffice: false, openLeads: 0, timezone: user.timezone },
      ]),
    ),
  };
}
