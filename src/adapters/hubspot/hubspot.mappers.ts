import type { HubSpotOwnedProperty } from '../../domain/definition.js';
import type { ResolvedMapping } from '../../domain/mapping.js';
import type { Activity, AttributeValue } from '../../domain/model.js';
import type { MarketingContact } from '../../ports/contact-source.port.js';
import type { HubSpotObjectWire } from './hubspot.schemas.js';

/** Contact properties the sync always reads, besides mapped attributes and owned properties. */
export const SYSTEM_CONTACT_PROPERTIES = [
  'lastmodifieddate',
  'salesforceleadid',
  'salesforcecontactid',
  'recent_conversion_event_name',
  'recent_conversion_date',
] as const;

/** Every contact property the sync reads. */
export function contactProperties(mapping: ResolvedMapping): string[] {
  return [
    ...new Set([
      ...Object.values(mapping.hubspot),
      ...Object.values(mapping.hubspotProperties),
      ...SYSTEM_CONTACT_PROPERTIES,
    ]),
  ];
}

function blankToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}

/** HubSpot numbers arrive as text; attributes keep them text (conditions compare numerically). */
export function toMarketingContact(
  wire: HubSpotObjectWire,
  mapping: ResolvedMapping,
): MarketingContact {
  const properties = wire.properties;
  const attributes: Record<string, AttributeValue> = {};
  for (const [attribute, property] of Object.entries(mapping.hubspot))
    attributes[attribute] = blankToNull(properties[property]);
  const handoff: Partial<Record<HubSpotOwnedProperty, string | null>> = {};
  for (const [owned, property] of Object.entries(mapping.hubspotProperties) as [
    HubSpotOwnedProperty,
    string,
  ][]) {
    handoff[owned] = blankToNull(properties[property]);
  }
  const modified = blankToNull(properties['lastmodifieddate']);
  return {
    id: wire.id,
    attributes,
    modifiedAt: modified === null ? (wire.updatedAt ?? new Date(0)) : new Date(modified),
    salesforceLeadId: blankToNull(properties['salesforceleadid']),
    salesforceContactId: blankToNull(properties['salesforcecontactid']),
    latestConversion: conversionActivity(wire),
    handoff,
  };
}

/** `Demo request` → `demo_request`. */
export function activityTypeOfConversion(eventName: string): string {
  return eventName
    .normalize('NFKD')
    .replace(/[^\w\s]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '_');
}

/** The latest form conversion of a contact as an activity, when HubSpot recorded one. */
export function conversionActivity(wire: HubSpotObjectWire): Activity | null {
  const name = blankToNull(wire.properties['recent_conversion_event_name']);
  const at = blankToNull(wire.properties['recent_conversion_date']);
  if (name === null || at === null) return null;
  return { type: activityTypeOfConversion(name), at: new Date(at) };
}

/** An engagement (call, email, meeting, note, task) at its `hs_timestamp`. */
export function engagementActivity(objectType: string, wire: HubSpotObjectWire): Activity | null {
  const at =
    blankToNull(wire.properties['hs_timestamp']) ?? blankToNull(wire.properties['hs_createdate']);
  return at === null ? null : { type: objectType.replace(/s$/, ''), at: new Date(at) };
}
