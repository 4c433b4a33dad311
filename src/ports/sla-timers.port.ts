/**
 * Wakes Handoff at each lead's due instant, so an SLA is checked when it falls due instead of by
 * re-reading every watched lead each cycle. Scheduling again replaces a lead's earlier timer.
 */
export interface SlaTimers {
  schedule(entries: readonly { readonly leadId: string; readonly due: Date }[]): Promise<void>;
}
