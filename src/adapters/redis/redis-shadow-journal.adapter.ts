import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ShadowDecision } from '../../domain/shadow/compare-shadow.js';
import type { ShadowJournal } from '../../ports/shadow-journal.port.js';

const DecisionWire = z.object({
  decisionId: z.string(),
  contactId: z.string().nullable(),
  leadId: z.string().nullable(),
  ownerId: z.string(),
  due: z.string().nullable(),
  decidedAt: z.string(),
});

/** A hash of decisions by Lead (or contact) and a sorted set of the same keys by decision time. */
export class RedisShadowJournal implements ShadowJournal {
  private readonly decisionsKey: string;
  private readonly byTimeKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.decisionsKey = `${prefix}:shadow:decisions`;
    this.byTimeKey = `${prefix}:shadow:by-time`;
  }

  async record(decisions: readonly ShadowDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    const multi = this.redis.multi();
    for (const decision of decisions) {
      const key = decision.leadId ?? `contact:${decision.contactId ?? decision.decisionId}`;
      multi.hset(
        this.decisionsKey,
        key,
        JSON.stringify({
          ...decision,
          due: decision.due?.toISOString() ?? null,
          decidedAt: decision.decidedAt.toISOString(),
        }),
      );
      multi.zadd(this.byTimeKey, decision.decidedAt.getTime(), key);
    }
    await multi.exec();
  }

  async since(since: Date): Promise<readonly ShadowDecision[]> {
    const keys = await this.redis.zrangebyscore(this.byTimeKey, since.getTime(), '+inf');
    if (keys.length === 0) return [];
    const values = await this.redis.hmget(this.decisionsKey, ...keys);
    return values.flatMap((value) => {
      if (value === null) return [];
      const wire = DecisionWire.parse(JSON.parse(value));
      return [
        {
          ...wire,
          due: wire.due === null ? null : new Date(wire.due),
          decidedAt: new Date(wire.decidedAt),
        },
      ];
    });
  }
}
