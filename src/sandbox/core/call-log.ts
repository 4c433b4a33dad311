import type { SandboxSystem } from './sandbox-http.js';

/** One request as the sandbox served it. */
export interface CallLogEntry {
  readonly seq: number;
  readonly at: string;
  readonly system: SandboxSystem;
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  readonly status: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly durationMs: number;
  /** The injected fault that answered this call, if any. */
  readonly fault: string | null;
  /** Request headers tests assert on (e.g. `sforce-auto-assign`), lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface EndpointCounts {
  calls: number;
  errors: number;
  recordsIn: number;
  recordsOut: number;
}

export interface CallCounts {
  readonly total: number;
  /** Calls that answered 2xx/3xx. */
  readonly ok: number;
  readonly errors: number;
  readonly byEndpoint: Readonly<Record<string, EndpointCounts>>;
}

/** Keeps the most recent entries; counters cover every call since the last reset. */
const MAX_ENTRIES = 50_000;
const RECORDED_HEADERS = [
  'sforce-auto-assign',
  'sforce-call-options',
  'sforce-query-options',
  'user-agent',
];

/**
 * The sandbox's record of every API call, per system. Benchmarks and tests count calls here,
 * programmatically or over the control API (`GET /__sandbox/calls`).
 */
export class CallLog {
  private entries: CallLogEntry[] = [];
  private seq = 0;
  private counts = new Map<string, EndpointCounts>();

  record(
    entry: Omit<CallLogEntry, 'seq' | 'at' | 'headers'> & {
      headers: Record<string, string | string[] | undefined>;
    },
  ): void {
    this.seq += 1;
    const headers: Record<string, string> = {};
    for (const name of RECORDED_HEADERS) {
      const value = entry.headers[name];
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    this.entries.push({ ...entry, seq: this.seq, at: new Date().toISOString(), headers });
    if (this.entries.length > MAX_ENTRIES)
      this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    const counts = this.counts.get(entry.endpoint) ?? {
      calls: 0,
      errors: 0,
      recordsIn: 0,
      recordsOut: 0,
    };
    counts.calls += 1;
    if (entry.status >= 400) counts.errors += 1;
    counts.recordsIn += entry.recordsIn;
    counts.recordsOut += entry.recordsOut;
    this.counts.set(entry.endpoint, counts);
  }

  /** Entries after `sinceSeq` (all by default), oldest first. */
  list(sinceSeq = 0): readonly CallLogEntry[] {
    return this.entries.filter((entry) => entry.seq > sinceSeq);
  }

  /** Sequence number of the latest call; pass it to `list` to see only later calls. */
  get lastSeq(): number {
    return this.seq;
  }

  summary(): CallCounts {
    let total = 0;
    let errors = 0;
    const byEndpoint: Record<string, EndpointCounts> = {};
    for (const [endpoint, counts] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      total += counts.calls;
      errors += counts.errors;
      byEndpoint[endpoint] = { ...counts };
    }
    return { total, ok: total - errors, errors, byEndpoint };
  }

  reset(): void {
    this.entries = [];
    this.counts.clear();
  }
}
