/**
 * The batched floor of a sync: the fewest API calls that could move the same records with each
 * vendor's batch sizes, against which a run's calls are judged. Shared by `npm run bench` and
 * `npm run bench:sync`.
 */
import type { CallCounts } from '../../src/sandbox/core/call-log.js';

/** HubSpot CRM search answers at most 200 results a page. */
export const SEARCH_PAGE = 200;
/** HubSpot object batch reads and writes take at most 100 inputs. */
export const HUBSPOT_BATCH = 100;
/** HubSpot v4 association batch reads take at most 1,000 inputs. */
export const ASSOCIATION_BATCH = 1_000;
/** A Salesforce query page returns up to 2,000 rows. */
export const QUERY_PAGE = 2_000;
/** A Salesforce sObject Collections request takes at most 200 records. */
export const COLLECTION = 200;
/**
 * Collections writes per routed lead in the model: the new Lead, its follow-up Task, and the
 * Lead's decision fields once the Task exists (the write order that leaves no routed Lead without
 * its Task if the process dies between two calls). Generous for Leads that already existed.
 */
export const SALESFORCE_WRITE_KINDS = 3;

export interface RoutingWork {
  /** Contacts the search returned (each changed contact once). */
  readonly changedContacts: number;
  /** Leads routed (each one written as every kind in SALESFORCE_WRITE_KINDS). */
  readonly routed: number;
  /** Contacts written back to HubSpot. */
  readonly hubspotWrites: number;
}

export interface Floor {
  readonly hubspot: {
    readonly total: number;
    readonly searchPages: number;
    readonly batchReads: number;
    readonly batchWrites: number;
  };
  readonly salesforce: {
    readonly total: number;
    readonly queries: number;
    readonly collections: number;
  };
}

/**
 * Batch reads the run needed, packed full: the records it asked each batch-read endpoint for
 * (engagement associations per contact, engagement objects, contacts by id), divided by that
 * endpoint's batch size. Which records need reading is the product's choice (it reads the
 * engagements only of contacts that could still qualify); the floor asks only that each was
 * read in full batches.
 */
export function batchReadFloor(hubspot: CallCounts): number {
  let calls = 0;
  for (const [endpoint, counts] of Object.entries(hubspot.byEndpoint)) {
    if (endpoint === 'associations.batch.read')
      calls += Math.ceil(counts.recordsIn / ASSOCIATION_BATCH);
    else if (endpoint.endsWith('.batch.read')) calls += Math.ceil(counts.recordsIn / HUBSPOT_BATCH);
  }
  return calls;
}

export function routingFloor(work: RoutingWork, hubspot: CallCounts): Floor {
  const searchPages = Math.ceil(work.changedContacts / SEARCH_PAGE);
  const batchReads = batchReadFloor(hubspot);
  const batchWrites = Math.ceil(work.hubspotWrites / HUBSPOT_BATCH);
  const queries = Math.ceil(work.routed / QUERY_PAGE);
  const collections = SALESFORCE_WRITE_KINDS * Math.ceil(work.routed / COLLECTION);
  return {
    hubspot: {
      total: searchPages + batchReads + batchWrites,
      searchPages,
      batchReads,
      batchWrites,
    },
    salesforce: { total: queries + collections, queries, collections },
  };
}
