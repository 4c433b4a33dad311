import { randomUUID } from 'node:crypto';
import type { SandboxResponse } from '../core/sandbox-http.js';

/**
 * HubSpot's limits for a private app. Off by default so unit-speed tests never wait; on with
 * the published numbers for realistic benchmarks.
 */
export interface HubSpotLimits {
  readonly enabled: boolean;
  /** Requests per rolling 10 seconds, search excluded (Professional/Enterprise: 190). */
  readonly burstPer10s: number;
  /** Search requests per second (5). */
  readonly searchPerSecond: number;
  readonly daily: number;
}

export const DEFAULT_HUBSPOT_LIMITS: HubSpotLimits = {
  enabled: false,
  burstPer10s: 190,
  searchPerSecond: 5,
  daily: 1_000_000,
};

const TEN_SECONDS_MS = 10_000;

/** The exact 429 bodies; the SDK's retry keys off `policyName` and `message`. */
export function rateLimitBody(variant: string): Record<string, string> {
  const correlationId = randomUUID();
  switch (variant) {
    case 'secondly':
      return {
        status: 'error',
        message: 'You have reached your secondly limit.',
        correlationId,
        category: 'RATE_LIMITS',
      };
    case 'daily':
      return {
        status: 'error',
        message: 'You have reached your daily limit.',
        errorType: 'RATE_LIMIT',
        correlationId,
        policyName: 'DAILY',
        requestId: randomUUID(),
      };
    default:
      return {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        correlationId,
        policyName: 'TEN_SECONDLY_ROLLING',
        groupName: 'publicapi:private_app-api-calls-ten-secondly:sandbox',
      };
  }
}

/** Sliding-window counters for the burst, search and daily limits, plus the headers they imply. */
export class HubSpotRateLimiter {
  private burst: number[] = [];
  private search: number[] = [];
  private dailyUsed = 0;

  constructor(
    private limits: HubSpotLimits,
    private readonly now: () => number = Date.now,
  ) {}

  configure(limits: Partial<HubSpotLimits>): HubSpotLimits {
    this.limits = { ...this.limits, ...limits };
    return this.limits;
  }

  get settings(): HubSpotLimits {
    return this.limits;
  }

  /** Counts the call; returns the 429 when a limit is exceeded (the call still counts, as at HubSpot). */
  admit(isSearch: boolean): SandboxResponse | null {
    const at = this.now();
    this.dailyUsed += 1;
    this.burst = this.burst.filter((time) => time > at - TEN_SECONDS_MS);
    this.search = this.search.filter((time) => time > at - 1_000);
    if (!this.limits.enabled) return null;
    if (this.dailyUsed > this.limits.daily) return { status: 429, body: rateLimitBody('daily') };
    if (isSearch) {
      this.search.push(at);
      if (this.search.length > this.limits.searchPerSecond)
        return { status: 429, body: rateLimitBody('secondly') };
      return null;
    }
    this.burst.push(at);
    if (this.burst.length > this.limits.burstPer10s)
      return { status: 429, body: rateLimitBody('ten_secondly') };
    return null;
  }

  /** Search answers carry only the daily headers. */
  headers(isSearch: boolean): Record<string, string> {
    const daily = {
      'X-HubSpot-RateLimit-Daily': String(this.limits.daily),
      'X-HubSpot-RateLimit-Daily-Remaining': String(
        Math.max(0, this.limits.daily - this.dailyUsed),
      ),
    };
    if (isSearch) return daily;
    return {
      ...daily,
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(TEN_SECONDS_MS),
      'X-HubSpot-RateLimit-Max': String(this.limits.burstPer10s),
      'X-HubSpot-RateLimit-Remaining': String(
        Math.max(0, this.limits.burstPer10s - this.burst.length),
      ),
    };
  }
}
