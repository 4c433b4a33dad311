import {
  CANONICAL_ATTRIBUTES,
  DEFAULT_HUBSPOT_MAPPING,
  DEFAULT_SALESFORCE_MAPPING,
  HUBSPOT_OWNED_PROPERTIES,
  SALESFORCE_OWNED_FIELDS,
  type HubSpotOwnedProperty,
  type MappingDefinition,
  type SalesforceOwnedField,
} from './definition.js';

/** Every attribute and owned field with its system name: the definition's overrides on the defaults. */
export interface ResolvedMapping {
  /** Attribute (canonical or custom) → HubSpot property. */
  readonly hubspot: Readonly<Record<string, string>>;
  /** Attribute (canonical or custom) → Salesforce Lead field. */
  readonly salesforce: Readonly<Record<string, string>>;
  readonly salesforceFields: Readonly<Record<SalesforceOwnedField, string>>;
  readonly hubspotProperties: Readonly<Record<HubSpotOwnedProperty, string>>;
}

const resolved = new WeakMap<MappingDefinition, ResolvedMapping>();

/**
 * The defaults with the definition's overrides, in an object without a prototype: looking up an
 * attribute the mapping does not name (`constructor`, `toString`) finds nothing, not a function.
 */
function merged<T extends object>(defaults: T, overrides: Partial<T>): T {
  const target = Object.create(null) as T;
  Object.assign(target, defaults, overrides);
  return target;
}

/** Resolves (once per definition) where each attribute and owned field lives. */
export function resolveMapping(mapping: MappingDefinition): ResolvedMapping {
  let result = resolved.get(mapping);
  if (result === undefined) {
    result = {
      hubspot: merged<Readonly<Record<string, string>>>(DEFAULT_HUBSPOT_MAPPING, mapping.hubspot),
      salesforce: merged<Readonly<Record<string, string>>>(
        DEFAULT_SALESFORCE_MAPPING,
        mapping.salesforce,
      ),
      salesforceFields: merged<Readonly<Record<SalesforceOwnedField, string>>>(
        SALESFORCE_OWNED_FIELDS,
        mapping.salesforce_fields,
      ),
      hubspotProperties: merged<Readonly<Record<HubSpotOwnedProperty, string>>>(
        HUBSPOT_OWNED_PROPERTIES,
        mapping.hubspot_properties,
      ),
    };
    resolved.set(mapping, result);
  }
  return result;
}

/** Canonical attributes plus custom keys the mapping names. */
export function attributeNames(mapping: MappingDefinition): readonly string[] {
  return [
    ...new Set([
      ...CANONICAL_ATTRIBUTES,
      ...Object.keys(mapping.hubspot),
      ...Object.keys(mapping.salesforce),
    ]),
  ];
}
