import {
  formatBreachedOwners,
  readLifecycle,
  type LeadLifecycle,
  type LifecycleWrite,
} from '../../domain/lifecycle/lead-lifecycle.js';
import type { ResolvedMapping } from '../../domain/mapping.js';
import { text, toDate } from './salesforce-records.js';

type OwnedFields = ResolvedMapping['salesforceFields'];

/** The Lead fields a lifecycle is read from (the reason only matters for older Leads). */
export function lifecycleFieldNames(fields: OwnedFields): string[] {
  return [
    fields.decision_id,
    fields.stage,
    fields.reassignments,
    fields.definition_version,
    fields.breached_owners,
    fields.breached_at,
    fields.reason,
  ];
}

/** A queried Lead's lifecycle; null when Handoff never routed it. */
export function lifecycleOf(
  record: Record<string, unknown>,
  fields: OwnedFields,
): LeadLifecycle | null {
  const reassignments = record[fields.reassignments];
  return readLifecycle({
    decisionId: text(record[fields.decision_id]),
    stage: text(record[fields.stage]),
    reassignments: typeof reassignments === 'number' ? reassignments : null,
    definitionVersion: text(record[fields.definition_version]),
    breachedOwners: text(record[fields.breached_owners]),
    breachedAt: toDate(record[fields.breached_at]),
    reason: text(record[fields.reason]),
  });
}

/** The field values of a lifecycle write. */
export function lifecycleValues(
  write: LifecycleWrite,
  fields: OwnedFields,
): Record<string, string | number | null> {
  const values: Record<string, string | number | null> = {};
  if (write.stage !== undefined) values[fields.stage] = write.stage;
  if (write.reassignments !== undefined) values[fields.reassignments] = write.reassignments;
  if (write.definitionVersion !== undefined)
    values[fields.definition_version] = write.definitionVersion;
  if (write.breachedOwners !== undefined)
    values[fields.breached_owners] = formatBreachedOwners(write.breachedOwners);
  if (write.breachedAt !== undefined)
    values[fields.breached_at] = write.breachedAt === null ? null : write.breachedAt.toISOString();
  return values;
}
