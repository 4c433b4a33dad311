import type { ShadowDecision } from '../domain/shadow/compare-shadow.js';

/**
 * Where a shadow run keeps the decisions it did not write. The latest decision per Lead (or per
 * contact, when it would have created one) wins. Lives in Redis under the shadow prefix; losing
 * it loses only the comparison, which the next shadow cycles rebuild from both systems.
 */
export interface ShadowJournal {
  record(decisions: readonly ShadowDecision[]): Promise<void>;
  /** Decisions made at or after `since`, oldest first. */
  since(since: Date): Promise<readonly ShadowDecision[]>;
}
