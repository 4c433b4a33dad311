import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import type { AttributeChange } from '../../domain/backtest/historic-lead.js';
import type { Activity } from '../../domain/model.js';
import { chunks } from '../../platform/chunks.js';
import type {
  CreatedContact,
  CreatedContactPage,
  HistoryWindow,
  MarketingHistory,
} from '../../ports/backtest-history.port.js';
import { ENGAGEMENT_KINDS } from '../../ports/contact-source.port.js';
import type { PageCache } from '../../ports/page-cache.port.js';
import { hubspotCall } from './hubspot.errors.js';
import { windowSearchRequest } from './hubspot-search.js';
import { activityTypeOfConversion } from './hubspot.mappers.js';
import { AssociationBatchWire } from './hubspot.schemas.js';
import { readEngagements } from './hubspot-engagements.js';

/** The backtest reads search pages of 100, the batch-read size, so each page is one batch read. */
const SEARCH_PAGE_LIMIT = 100;
const BATCH_LIMIT = 100;
const CONVERSION_DATE = 'recent_conversion_date';
const CONVERSION_NAME = 'recent_conversion_event_name';

/** Answers after the page cache: plain JSON, dates as ISO strings. */
const SearchWire = z.object({
  results: z.array(
    z.object({ id: z.string(), properties: z.record(z.string(), z.string().nullish()) }),
  ),
  paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
});

const VersionWire = z.object({ value: z.string().nullish(), timestamp: z.coerce.date() });

const HistoryReadWire = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      properties: z.record(z.string(), z.string().nullish()),
      propertiesWithHistory: z.record(z.string(), z.array(VersionWire)).nullish(),
    }),
  ),
});

const ObjectReadWire = z.object({
  results: z.array(
    z.object({ id: z.string(), properties: z.record(z.string(), z.string().nullish()) }),
  ),
});

type Versions = readonly z.infer<typeof VersionWire>[];

function blankToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}

/** Oldest first; without history, the current value stands for all time. */
function changesOf(current: string | null, versions: Versions | undefined): AttributeChange[] {
  if (versions === undefined || versions.length === 0) return [{ value: current, at: new Date(0) }];
  return [...versions]
    .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime())
    .map((version) => ({
      value: blankToNull(version.value),
      at: version.timestamp,
    }));
}

/** One form conversion per value the conversion date took, named as the event was then. */
function conversionsOf(history: Readonly<Record<string, Versions>>): Activity[] {
  const names = [...(history[CONVERSION_NAME] ?? [])].sort(
    (a, b) => a.timestamp.getTime() - b.timestamp.getTime(),
  );
  return (history[CONVERSION_DATE] ?? []).flatMap((version) => {
    if (blankToNull(version.value) === null) return [];
    const name = names.filter((entry) => entry.timestamp <= version.timestamp).at(-1)?.value;
    const type = blankToNull(name);
    // Dated when HubSpot recorded it, which is never before the conversion happened.
    return type === null ? [] : [{ type: activityTypeOfConversion(type), at: version.timestamp }];
  });
}

/**
 * MarketingHistory over the HubSpot CRM v3 search and batch APIs and the v4 associations API.
 * Built for one window: every request is filed in the page cache under it.
 */
export class HubSpotHistory implements MarketingHistory {
  private readonly window: { from: string; to: string };
  private readonly properties: string[];

  constructor(
    private readonly client: Client,
    private readonly cache: PageCache,
    window: HistoryWindow,
    /** Canonical attribute → contact property, every definition's mapping merged. */
    private readonly attributes: Readonly<Record<string, string>>,
    /** Called once per API request actually sent (cached answers send none). */
    private readonly onRequest: () => void = () => undefined,
  ) {
    this.window = { from: window.from.toISOString(), to: window.to.toISOString() };
    this.properties = [
      ...new Set([...Object.values(attributes), 'email', CONVERSION_DATE, CONVERSION_NAME]),
    ].sort();
  }

  private cached(request: unknown, send: () => Promise<unknown>): Promise<unknown> {
    return this.cache.through({ system: 'hubspot', request, window: this.window }, () =>
      hubspotCall(this.onRequest, send),
    );
  }

  /**
   * https://developers.hubspot.com/docs/api-reference/search/guide — at most 10,000 results per
   * query, so the caller moves `from` forward (keyset) rather than paging one query past it.
   */
  async createdContacts(window: HistoryWindow, after: string | null): Promise<CreatedContactPage> {
    const request = windowSearchRequest({
      property: 'createdate',
      window,
      properties: ['createdate'],
      limit: SEARCH_PAGE_LIMIT,
      after,
    });
    const page = SearchWire.parse(
      await this.cached(request, () => this.client.crm.contacts.searchApi.doSearch(request)),
    );
    return {
      contacts: page.results.map((wire) => ({
        id: wire.id,
        createdAt: new Date(blankToNull(wire.properties['createdate']) ?? 0),
      })),
      nextAfter: page.paging?.next?.after ?? null,
    };
  }

  /** https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/batch — read, with history. */
  async contactsWithHistory(ids: readonly string[]): Promise<readonly CreatedContact[]> {
    const contacts: CreatedContact[] = [];
    for (const batch of chunks(ids, BATCH_LIMIT)) {
      const request = {
        inputs: batch.map((id) => ({ id })),
        properties: [...this.properties, 'createdate'],
        propertiesWithHistory: this.properties,
      };
      const page = HistoryReadWire.parse(
        await this.cached(request, () => this.client.crm.contacts.batchApi.read(request)),
      );
      for (const wire of page.results) {
        const history = wire.propertiesWithHistory ?? {};
        const attributes: Record<string, AttributeChange[]> = {};
        for (const [attribute, property] of Object.entries(this.attributes))
          attributes[attribute] = changesOf(
            blankToNull(wire.properties[property]),
            history[property],
          );
        contacts.push({
          id: wire.id,
          email: blankToNull(wire.properties['email']),
          createdAt: new Date(blankToNull(wire.properties['createdate']) ?? 0),
          attributes,
          conversions: conversionsOf(history),
        });
      }
    }
    return contacts;
  }

  /**
   * Every engagement kind, whatever the definitions weight, so that another definition finds its
   * answers in the cache: v4 association batch reads of 1,000 contacts, object batch reads of 100.
   */
  async engagements(ids: readonly string[]): Promise<ReadonlyMap<string, readonly Activity[]>> {
    return readEngagements(
      ids,
      ENGAGEMENT_KINDS.map((kind) => `${kind}s`),
      {
        associations: async (type, request) =>
          AssociationBatchWire.parse(
            await this.cached({ associations: type, ...request }, () =>
              this.client.crm.associations.v4.batchApi.getPage('contacts', type, {
                inputs: [...request.inputs],
              }),
            ),
          ).results,
        objects: async (type, request) =>
          ObjectReadWire.parse(
            await this.cached({ objects: type, ...request }, () =>
              this.client.crm.objects.batchApi.read(type, {
                inputs: [...request.inputs],
                properties: [...request.properties],
                propertiesWithHistory: [...request.propertiesWithHistory],
              }),
            ),
          ).results,
      },
    );
  }
}
