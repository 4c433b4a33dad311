import type { Definition, HubSpotOwnedProperty } from '../../domain/definition.js';
import type { MarketingContact } from '../../ports/contact-source.port.js';
import type { ContactUpdate } from '../../ports/contact-writer.port.js';

export type OwnedProperties = Partial<Record<HubSpotOwnedProperty, string>>;

/** What a routed contact shows a marketer: Handoff's properties in HubSpot. */
export function routedProperties(
  definition: Definition,
  routed: {
    readonly score: number | null;
    readonly tier: string | null;
    readonly ownerId: string;
    readonly due: Date | null;
  },
  names: ReadonlyMap<string, string>,
): OwnedProperties {
  return {
    status: 'routed',
    ...(routed.score === null ? {} : { score: String(routed.score) }),
    ...(routed.tier === null ? {} : { tier: routed.tier }),
    owner: names.get(routed.ownerId) ?? routed.ownerId,
    ...(routed.due === null ? {} : { due: routed.due.toISOString() }),
    definition_version: definition.version,
  };
}

/** Diff-based: the update for the properties whose value differs, or null when none does. */
export function contactUpdate(
  contact: MarketingContact,
  desired: OwnedProperties,
): ContactUpdate | null {
  const changed = Object.fromEntries(
    Object.entries(desired).filter(
      ([owned, value]) => contact.handoff[owned as HubSpotOwnedProperty] !== value,
    ),
  );
  return Object.keys(changed).length === 0 ? null : { contactId: contact.id, properties: changed };
}
