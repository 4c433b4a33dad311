import type { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import type { ResolvedMapping } from '../../domain/mapping.js';
import type { Activity } from '../../domain/model.js';
import type {
  ContactPage,
  ContactSource,
  ContactWindow,
  EngagementKind,
  MarketingContact,
} from '../../ports/contact-source.port.js';
import { hubspotCall } from './hubspot.errors.js';
import { contactProperties, toMarketingContact } from './hubspot.mappers.js';
import { AssociationBatchWire, BatchReadWire, SearchPageWire } from './hubspot.schemas.js';
import { readEngagements } from './hubspot-engagements.js';
import { chunks } from '../../platform/chunks.js';
import { windowSearchRequest } from './hubspot-search.js';

/** Search pages hold at most 200 results. */
const SEARCH_PAGE_LIMIT = 200;
/** Search answers at most 10,000 results per query; the rest waits for the next cycle. */
const SEARCH_RESULTS_CAP = 10_000;
/** Object batch reads take at most 100 ids. */
const BATCH_LIMIT = 100;

/** ContactSource over the HubSpot CRM v3 search and v4 associations APIs. */
export class HubSpotContactSource implements ContactSource {
  private readonly properties: string[];
  constructor(
    private readonly client: Client,
    private readonly mapping: ResolvedMapping,
    /** Called once per API request (the SDK makes exactly one: its retries are off). */
    private readonly onRequest: () => void = () => undefined,
  ) {
    this.properties = contactProperties(mapping);
  }

  private call<T>(request: () => Promise<T>): Promise<T> {
    return hubspotCall(this.onRequest, request);
  }

  /**
   * https://developers.hubspot.com/docs/api-reference/search/guide — at most 10,000 results per
   * query: the caller slices windows so that `total` stays below it.
   */
  async changedContacts(window: ContactWindow, after: string | null): Promise<ContactPage> {
    const page = SearchPageWire.parse(
      await this.call(() =>
        this.client.crm.contacts.searchApi.doSearch(
          windowSearchRequest({
            property: 'lastmodifieddate',
            window,
            properties: this.properties,
            limit: SEARCH_PAGE_LIMIT,
            after,
          }),
        ),
      ),
    );
    return {
      contacts: page.results.map((wire) => toMarketingContact(wire, this.mapping)),
      total: page.total,
      nextAfter: page.paging?.next?.after ?? null,
    };
  }

  async rejectedBefore(instant: Date): Promise<readonly MarketingContact[]> {
    const owned = this.mapping.hubspotProperties;
    const contacts: MarketingContact[] = [];
    let after = '0';
    do {
      const page = SearchPageWire.parse(
        await this.call(() =>
          this.client.crm.contacts.searchApi.doSearch({
            filterGroups: [
              {
                filters: [
                  {
                    propertyName: owned.status,
                    operator: FilterOperatorEnum.Eq,
                    value: 'rejected',
                  },
                  {
                    propertyName: owned.rejected_at,
                    operator: FilterOperatorEnum.Lte,
                    value: String(instant.getTime()),
                  },
                ],
              },
            ],
            sorts: [owned.rejected_at],
            properties: this.properties,
            limit: SEARCH_PAGE_LIMIT,
            after,
          }),
        ),
      );
      contacts.push(...page.results.map((wire) => toMarketingContact(wire, this.mapping)));
      after = page.paging?.next?.after ?? '';
    } while (after !== '' && contacts.length < SEARCH_RESULTS_CAP);
    return contacts;
  }

  async contactIdsByEmail(emails: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const found = new Map<string, string>();
    const wanted = [...new Set(emails.map((email) => email.trim().toLowerCase()))].filter(
      (email) => email !== '',
    );
    for (const batch of chunks(wanted, BATCH_LIMIT)) {
      // https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/batch — `idProperty:
      // email`; emails no contact has come back as errors of a 207, which the SDK resolves.
      const page = BatchReadWire.parse(
        await this.call(() =>
          this.client.crm.contacts.batchApi.read({
            inputs: batch.map((id) => ({ id })),
            idProperty: 'email',
            properties: ['email'],
            propertiesWithHistory: [],
          }),
        ),
      );
      for (const wire of page.results) {
        const email = wire.properties['email'];
        if (typeof email === 'string') found.set(email.toLowerCase(), wire.id);
      }
    }
    return found;
  }

  async contactsByIds(ids: readonly string[]): Promise<readonly MarketingContact[]> {
    const contacts: MarketingContact[] = [];
    for (const batch of chunks(ids, BATCH_LIMIT)) {
      // A batch read answers 207 for missing ids; the SDK resolves it and they are simply absent.
      const page = BatchReadWire.parse(
        await this.call(() =>
          this.client.crm.contacts.batchApi.read({
            inputs: batch.map((id) => ({ id })),
            properties: this.properties,
            propertiesWithHistory: [],
          }),
        ),
      );
      contacts.push(...page.results.map((wire) => toMarketingContact(wire, this.mapping)));
    }
    return contacts;
  }

  /**
   * Engagements through v4 association batch reads (one call per 1,000 contacts and type) and
   * object batch reads (one per 100 engagements).
   */
  async activities(
    contactIds: readonly string[],
    kinds: readonly EngagementKind[],
  ): Promise<ReadonlyMap<string, readonly Activity[]>> {
    return readEngagements(
      contactIds,
      kinds.map((kind) => `${kind}s`),
      {
        associations: async (type, request) =>
          AssociationBatchWire.parse(
            await this.call(() =>
              this.client.crm.associations.v4.batchApi.getPage('contacts', type, {
                inputs: [...request.inputs],
              }),
            ),
          ).results,
        objects: async (type, request) =>
          BatchReadWire.parse(
            await this.call(() =>
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
