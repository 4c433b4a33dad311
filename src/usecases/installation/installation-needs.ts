import type { Definition } from '../../domain/definition.js';
import {
  SALESFORCE_FIELD_CATALOGUE,
  type SalesforceFieldSpec,
} from '../../domain/installation/owned-fields.js';
import { resolveMapping } from '../../domain/mapping.js';
import { ROUTED_STATUS } from '../assignment/write-assignments.js';

/*
 * What an installation must hold for this definition, as `handoff setup` creates it and
 * `handoff doctor` checks it.
 */

/** Every owned field under its configured name, as `Object.Name`. */
export function ownedFields(
  definition: Definition,
): { spec: SalesforceFieldSpec; name: string; key: string }[] {
  const names = resolveMapping(definition.mapping).salesforceFields;
  return SALESFORCE_FIELD_CATALOGUE.map((spec) => ({
    spec,
    name: names[spec.key],
    key: `${spec.object}.${names[spec.key]}`,
  }));
}

/** Nurture lists named by name rather than id (a list id is digits). */
export function namedNurtureLists(definition: Definition): string[] {
  return [
    ...new Set(
      Object.values(definition.feedback.reasons)
        .map((reason) => reason.nurture_list)
        .filter((list): list is string => typeof list === 'string' && !/^\d+$/.test(list)),
    ),
  ];
}

/** The values `Rejection_Reason__c` must offer: every configured reason and the default. */
export function rejectionReasonValues(definition: Definition): string[] {
  return [
    ...new Set([...Object.keys(definition.feedback.reasons), definition.feedback.default_reason]),
  ];
}

/** The values an owned picklist must offer: Handoff's own, or the definition's rejection reasons. */
export function picklistValues(definition: Definition, spec: SalesforceFieldSpec): string[] {
  return spec.key === 'rejection_reason'
    ? rejectionReasonValues(definition)
    : [...(spec.values ?? [])];
}

/** The Lead statuses the definition writes or reads: a routed lead's and the rejected ones. */
export function requiredLeadStatuses(definition: Definition): string[] {
  return [...new Set([ROUTED_STATUS, ...definition.feedback.rejected_statuses])];
}
