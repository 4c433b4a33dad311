import { diffReplays, type LeadDifference } from '../../domain/backtest/diff-replays.js';
import { replayDefinition } from '../../domain/backtest/replay-definition.js';
import { summarizeReplay, type ReplaySummary } from '../../domain/backtest/summarize-replay.js';
import type { Definition } from '../../domain/definition.js';
import type { ApiCallCounts } from '../../platform/api-call-meter.js';
import type { HistoryWindow } from '../../ports/backtest-history.port.js';
import type { BacktestHistory } from './read-backtest-history.js';

/** What `handoff backtest` prints: one JSON object. */
export interface BacktestReport {
  readonly window: { readonly from: string; readonly to: string };
  /** Contacts created in the window. */
  readonly leads: number;
  /** API calls this run made (zero when every answer came from the page cache). */
  readonly calls: ApiCallCounts;
  readonly candidate: ReplaySummary;
  readonly baseline: ReplaySummary | null;
  /** Baseline → candidate, lead by lead; empty without a baseline. */
  readonly differences: readonly LeadDifference[];
}

/** Replays the candidate (and the baseline, when given) over one history and compares them. */
export function buildBacktestReport(input: {
  readonly history: BacktestHistory;
  readonly candidate: Definition;
  readonly baseline: Definition | null;
  readonly window: HistoryWindow;
  readonly calls: ApiCallCounts;
}): BacktestReport {
  const { history, window } = input;
  const replay = (definition: Definition) =>
    replayDefinition({
      leads: history.leads,
      definition,
      users: history.users,
      away: history.away,
      windowEnd: window.to,
    });
  const candidate = replay(input.candidate);
  const baseline = input.baseline === null ? null : replay(input.baseline);
  return {
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    leads: history.leads.length,
    calls: input.calls,
    candidate: summarizeReplay({ replayed: candidate, definition: input.candidate, window }),
    baseline:
      input.baseline === null || baseline === null
        ? null
        : summarizeReplay({ replayed: baseline, definition: input.baseline, window }),
    differences:
      input.baseline === null || baseline === null
        ? []
        : diffReplays({
            baseline,
            candidate,
            baselineDefinition: input.baseline,
            candidateDefinition: input.candidate,
          }),
  };
}
