import type { SalesforceChangeProbe } from '../../ports/change-probe.port.js';
import type { SyncState } from '../../ports/sync-state.port.js';
import { finishScan, scanStart } from './scan-window.js';

export const PROBE_STREAM = 'salesforce.probe';

export interface ProbeDeps {
  readonly probe: SalesforceChangeProbe;
  readonly state: SyncState;
  readonly now: () => Date;
  /** Handoff's own Salesforce user: its writes are not news to it (null when unknown). */
  readonly integrationUserId: string | null;
}

/** What the cycle has to do in Salesforce besides deciding contacts. */
export interface ProbeResult {
  /**
   * Leads whose SLA to check now (a Task or an Event on them, or a change to a routed Lead);
   * `all` when more changed than one probe lists: run the full watch.
   */
  readonly slaLeads: readonly string[] | 'all';
  /** A routed Lead changed: a rep may have rejected it, so the rejection scan runs. */
  readonly rejections: boolean;
  /** Salesforce-born Leads to decide; `scan` when more changed than one probe lists. */
  readonly bornLeads: readonly string[] | 'scan';
  /** Moves the probe's cursor once the follow-up work is safely queued. */
  commit(): Promise<void>;
}

/**
 * Asks Salesforce in one call whether anything Handoff cares about changed since the last probe,
 * leaving out Handoff's own writes. A quiet org costs this call and nothing else; whatever the
 * probe names is read next, and nothing else. Without a cursor (first run, Redis lost) the probe
 * looks back as far as the scans do and, finding much, asks for the full scans.
 */
export async function probeSalesforce(deps: ProbeDeps): Promise<ProbeResult> {
  const now = deps.now();
  const since = await scanStart(deps.state, PROBE_STREAM, now);
  const changes = await deps.probe.changesSince(since, deps.integrationUserId ?? undefined);
  const slaLeads =
    changes.routedLeads === null || changes.activityLeads === null
      ? 'all'
      : [...new Set([...changes.routedLeads, ...changes.activityLeads])];
  return {
    slaLeads,
    rejections: changes.routedLeads === null || changes.routedLeads.length > 0,
    bornLeads: changes.bornLeads ?? 'scan',
    commit: () => finishScan(deps.state, PROBE_STREAM, now, []),
  };
}
