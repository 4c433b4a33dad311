import type { Redis } from 'ioredis';
import type { RedisInspector, RedisSettings } from '../../ports/installation.port.js';

/** RedisInspector over `CONFIG GET`; a Redis that refuses CONFIG (managed services) says null. */
export class RedisConfigInspector implements RedisInspector {
  constructor(private readonly redis: Redis) {}

  private async setting(name: string): Promise<string | null> {
    try {
      const pair = await this.redis.config('GET', name);
      return Array.isArray(pair) && typeof pair[1] === 'string' ? pair[1] : null;
    } catch {
      // CONFIG renamed or disabled: the setting is unknown, not wrong.
      return null;
    }
  }

  async settings(): Promise<RedisSettings> {
    await this.redis.ping();
    const [policy, appendOnly, save] = await Promise.all([
      this.setting('maxmemory-policy'),
      this.setting('appendonly'),
      this.setting('save'),
    ]);
    return {
      evictionPolicy: policy,
      appendOnly: appendOnly === null ? null : appendOnly === 'yes',
      snapshots: save === null ? null : save.trim() !== '',
    };
  }
}
