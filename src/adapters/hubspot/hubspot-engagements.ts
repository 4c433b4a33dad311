import type { Activity } from '../../domain/model.js';
import { chunks } from '../../platform/chunks.js';
import { engagementActivity } from './hubspot.mappers.js';
import type { AssociationBatchWire, HubSpotObjectWire } from './hubspot.schemas.js';
import type { z } from 'zod';

/** Associations v4 batch read takes up to 1,000 ids per request. */
const ASSOCIATION_BATCH_LIMIT = 1_000;
/** Object batch reads take at most 100 ids. */
const BATCH_LIMIT = 100;

/** A v4 association batch read's request, and an object batch read's. */
export interface AssociationRequest {
  readonly inputs: readonly { readonly id: string }[];
}
export interface ObjectReadRequest extends AssociationRequest {
  readonly properties: readonly string[];
  readonly propertiesWithHistory: readonly string[];
}

/** How an adapter sends the two reads: straight, or through the backtest's page cache. */
export interface EngagementReads {
  associations(
    type: string,
    request: AssociationRequest,
  ): Promise<z.infer<typeof AssociationBatchWire>['results']>;
  objects(
    type: string,
    request: ObjectReadRequest,
  ): Promise<readonly Pick<HubSpotObjectWire, 'id' | 'properties'>[]>;
}

/**
 * Each contact's engagements of `types` (`calls`, `meetings`…) at their `hs_timestamp`: v4
 * association batch reads of 1,000 contacts, then object batch reads of 100 engagements, never a
 * call per contact. https://developers.hubspot.com/docs/api-reference/crm-associations-v4
 */
export async function readEngagements(
  contactIds: readonly string[],
  types: readonly string[],
  reads: EngagementReads,
): Promise<Map<string, Activity[]>> {
  const result = new Map<string, Activity[]>(contactIds.map((id) => [id, []]));
  for (const type of types) {
    const owners = new Map<string, string[]>();
    for (const ids of chunks(contactIds, ASSOCIATION_BATCH_LIMIT))
      for (const entry of await reads.associations(type, { inputs: ids.map((id) => ({ id })) }))
        for (const target of entry.to)
          owners.set(target.toObjectId, [...(owners.get(target.toObjectId) ?? []), entry._from.id]);
    for (const ids of chunks([...owners.keys()], BATCH_LIMIT)) {
      const objects = await reads.objects(type, {
        inputs: ids.map((id) => ({ id })),
        properties: ['hs_timestamp'],
        propertiesWithHistory: [],
      });
      for (const object of objects) {
        const activity = engagementActivity(type, object);
        if (activity === null) continue;
        for (const contactId of owners.get(object.id) ?? []) result.get(contactId)?.push(activity);
      }
    }
  }
  return result;
}
