import { HUBSPOT_OWNED_PROPERTIES, SALESFORCE_OWNED_FIELDS } from '../definition.js';
import {
  HUBSPOT_PROPERTY_CATALOGUE,
  SALESFORCE_FIELD_CATALOGUE,
  salesforceTypeLabel,
} from './owned-fields.js';

/**
 * `docs/fields.md`: every Salesforce field and HubSpot property Handoff owns, rendered from the
 * catalogue `handoff doctor` checks against, so the reference cannot drift from the checks.
 */
export function renderFieldReference(): string {
  const lines = [
    '# Fields and properties Handoff owns',
    '',
    '<!-- Generated from src/domain/installation/owned-fields.ts by `npm run docs:fields`; do not edit. -->',
    '',
    '`handoff doctor` checks each of these: it exists, has this type, and the integration user can',
    'read and write it (field-level security). Each name can be changed in the definition under the',
    'mapping key shown, for an org that already has such a field.',
    '',
    '## Salesforce',
    '',
    '| field | type | mapping key | holds |',
    '| --- | --- | --- | --- |',
    ...SALESFORCE_FIELD_CATALOGUE.map(
      (spec) =>
        `| \`${spec.object}.${SALESFORCE_OWNED_FIELDS[spec.key]}\` | ${salesforceTypeLabel(spec)} | \`mapping.salesforce_fields.${spec.key}\` | ${spec.purpose} |`,
    ),
    '',
    'The Lead `Status` picklist must also hold `Open - Not Contacted` (a routed lead) and every',
    'value of `feedback.rejected_statuses`; `Rejection_Reason__c` holds every key of',
    '`feedback.reasons` and `feedback.default_reason`. Grant the integration user Read and Edit on',
    'every field above (a permission set named `Handoff_Integration`).',
    '',
    '## HubSpot (contact properties, group `handoff`)',
    '',
    '| property | type | mapping key | options |',
    '| --- | --- | --- | --- |',
    ...HUBSPOT_PROPERTY_CATALOGUE.map(
      (spec) =>
        `| \`${HUBSPOT_OWNED_PROPERTIES[spec.key]}\` | ${spec.type} | \`mapping.hubspot_properties.${spec.key}\` | ${(spec.options ?? []).map((option) => `\`${option}\``).join(', ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
