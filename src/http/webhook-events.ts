import { z } from 'zod';

/** HubSpot sends ids as JSON numbers; strings are accepted too, as digits only. */
const Id = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)])
  .transform((id) => String(id));

/**
 * One event of a HubSpot webhook delivery. Loose: HubSpot adds fields over time (`changeFlag`,
 * `sourceId`, `isSensitive`) and a delivery must not fail for them. `objectId` is absent only
 * from association changes, which name both ends instead.
 */
const EventSchema = z
  .looseObject({
    eventId: Id,
    subscriptionId: z.number().int(),
    portalId: z.number().int(),
    appId: z.number().int(),
    occurredAt: z.number().int().nonnegative(),
    subscriptionType: z.string().min(1).max(100),
    attemptNumber: z.number().int().nonnegative(),
    objectId: Id.optional(),
    changeSource: z.string().optional(),
    propertyName: z.string().optional(),
    propertyValue: z.unknown().optional(),
    /** Merges: the surviving record and the ids merged into it. */
    primaryObjectId: Id.optional(),
    newObjectId: Id.optional(),
    mergedObjectIds: z.array(Id).optional(),
    /** Association changes: `CONTACT_TO_COMPANY` and the two ends. */
    associationType: z.string().optional(),
    fromObjectId: Id.optional(),
    toObjectId: Id.optional(),
  })
  .refine(
    (event) =>
      event.objectId !== undefined ||
      (event.fromObjectId !== undefined && event.toObjectId !== undefined),
    { message: 'objectId is required', path: ['objectId'] },
  );

export type HubSpotWebhookEvent = z.infer<typeof EventSchema>;

/** A delivery: HubSpot batches under 100 events; the bound only keeps one request's work small. */
export const WebhookDeliverySchema = z.array(EventSchema).min(1).max(1_000);

/**
 * What identifies one event across HubSpot's retries (each retry has a new `attemptNumber` and
 * timestamp): HubSpot does not promise `eventId` alone is unique, so the object and the instant
 * go with it.
 */
export function eventKey(event: HubSpotWebhookEvent): string {
  const object = event.objectId ?? `${event.fromObjectId ?? ''}>${event.toObjectId ?? ''}`;
  return `${event.eventId}:${object}:${event.occurredAt}`;
}

/**
 * The contacts an event asks Handoff to decide again: ids only, never the value that changed.
 * A creation, a restore or a change of a property the decision may read: the contact. A merge:
 * the record that survives (`objectId`, and `newObjectId` / `primaryObjectId` when HubSpot names
 * them; one that no longer exists is simply not found). A deletion: nobody, there is nothing
 * left to route. Changes to Handoff's own properties (`ownProperties`) are its own write-backs
 * coming back: deciding again would only repeat the decision. Other objects' events: nobody.
 */
export function contactsToDecide(
  event: HubSpotWebhookEvent,
  ownProperties: ReadonlySet<string>,
): string[] {
  const type = event.subscriptionType;
  if (!type.startsWith('contact.')) return [];
  switch (type) {
    case 'contact.deletion':
    case 'contact.privacyDeletion':
      return [];
    case 'contact.propertyChange':
      return event.propertyName !== undefined && ownProperties.has(event.propertyName)
        ? []
        : idsOf(event.objectId);
    case 'contact.merge':
      return [...new Set(idsOf(event.objectId, event.newObjectId, event.primaryObjectId))];
    case 'contact.associationChange':
      // Associations to companies, deals or tickets: the decision reads none of them.
      return [];
    default:
      return idsOf(event.objectId);
  }
}

function idsOf(...ids: (string | undefined)[]): string[] {
  return ids.filter((id): id is string => id !== undefined);
}
