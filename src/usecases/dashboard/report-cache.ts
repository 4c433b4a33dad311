import { readReport, type ReportDeps, type ReportReading } from '../report/build-report.js';

/** How long a computed report is served before Salesforce is read again. */
export const REPORT_TTL_MS = 60_000;
/** Periods kept at once: the three presets and a few custom ones. */
const MAX_PERIODS = 8;

export interface CachedReading extends ReportReading {
  /** When the report was computed: the page says "as of" this instant. */
  readonly asOf: Date;
  readonly freshUntil: Date;
}

/**
 * The dashboard's report (the same use case as `handoff report`), computed at most once per
 * period and `ttlMs`. Each computation reads every Lead routed in the period with its Tasks and
 * Events from Salesforce, and that API allowance is shared with the whole org: a dashboard left
 * open in a few tabs, refreshing on a timer, must not spend it. Concurrent requests for one period
 * share one computation; a failed one is forgotten, so the next request tries again.
 */
export class ReportCache {
  private readonly entries = new Map<string, { at: number; reading: Promise<CachedReading> }>();

  constructor(
    private readonly deps: ReportDeps,
    private readonly now: () => Date,
    private readonly ttlMs: number = REPORT_TTL_MS,
  ) {}

  /** The report of `period` (a cache key), computed from `since(now)` when none is fresh. */
  read(period: string, since: (now: Date) => Date): Promise<CachedReading> {
    const now = this.now();
    const cached = this.entries.get(period);
    const age = cached === undefined ? Infinity : now.getTime() - cached.at;
    if (cached !== undefined && age >= 0 && age < this.ttlMs) return cached.reading;
    const reading = readReport(this.deps, since(now), now).then((result) => ({
      ...result,
      asOf: now,
      freshUntil: new Date(now.getTime() + this.ttlMs),
    }));
    // Re-inserted last, so the oldest period is the first to go.
    this.entries.delete(period);
    this.entries.set(period, { at: now.getTime(), reading });
    reading.catch(() => {
      if (this.entries.get(period)?.reading === reading) this.entries.delete(period);
    });
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_PERIODS) break;
      this.entries.delete(key);
    }
    return reading;
  }
}
