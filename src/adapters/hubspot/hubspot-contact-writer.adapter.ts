import type { Client } from '@hubspot/api-client';
import type { HubSpotOwnedProperty } from '../../domain/definition.js';
import type { ResolvedMapping } from '../../domain/mapping.js';
import type {
  ContactCreation,
  ContactUpdate,
  ContactWriter,
} from '../../ports/contact-writer.port.js';
import type { WriteOutcome } from '../../ports/lead-store.port.js';
import { chunks } from '../../platform/chunks.js';
import { hubspotCall } from './hubspot.errors.js';
import { BatchWriteWire } from './hubspot.schemas.js';

/** Batch endpoints take at most 100 inputs. */
const BATCH_LIMIT = 100;

/** ContactWriter over `POST /crm/v3/objects/contacts/batch/update` (200, or 207 with errors). */
export class HubSpotContactWriter implements ContactWriter {
  constructor(
    private readonly client: Client,
    private readonly mapping: ResolvedMapping,
    /** Called once per API request. */
    private readonly onRequest: () => void = () => undefined,
  ) {}

  async updateContacts(updates: readonly ContactUpdate[]): Promise<readonly WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(updates, BATCH_LIMIT)) {
      const inputs = batch.map((update) => {
        const properties: Record<string, string> = {};
        for (const [owned, value] of Object.entries(update.properties) as [
          HubSpotOwnedProperty,
          string,
        ][]) {
          properties[this.mapping.hubspotProperties[owned]] = value;
        }
        return { id: update.contactId, properties };
      });
      // https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/batch/post-crm-v3-objects-contacts-batch-update
      const response = BatchWriteWire.parse(
        await hubspotCall(this.onRequest, () =>
          this.client.crm.contacts.batchApi.update({ inputs }),
        ),
      );
      const written = new Map(
        response.results.map((result) => {
          const stamp = result.properties?.['lastmodifieddate'];
          const at = stamp == null || stamp === '' ? result.updatedAt : new Date(stamp);
          return [result.id, at ?? undefined] as const;
        }),
      );
      const failed = new Map<string, string>();
      for (const error of response.errors ?? []) {
        for (const id of error.context?.['ids'] ?? []) failed.set(id, error.category ?? 'UNKNOWN');
      }
      for (const update of batch) {
        const key = update.contactId;
        if (written.has(key))
          outcomes.push({ ok: true, key, id: key, created: false, modifiedAt: written.get(key) });
        else {
          const code = failed.get(key) ?? 'OBJECT_NOT_FOUND';
          outcomes.push({
            ok: false,
            key,
            code,
            kind: code === 'OBJECT_NOT_FOUND' ? 'not_found' : 'permanent',
            message: code,
          });
        }
      }
    }
    return outcomes;
  }

  async upsertContacts(creations: readonly ContactCreation[]): Promise<readonly WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(creations, BATCH_LIMIT)) {
      const inputs = batch.map((creation) => {
        const properties: Record<string, string> = {};
        for (const [attribute, value] of Object.entries(creation.attributes)) {
          const name = this.mapping.hubspot[attribute];
          if (name !== undefined && value !== null && value !== '')
            properties[name] = String(value);
        }
        for (const [owned, value] of Object.entries(creation.properties) as [
          HubSpotOwnedProperty,
          string,
        ][])
          properties[this.mapping.hubspotProperties[owned]] = value;
        return { idProperty: 'email', id: creation.email, properties };
      });
      // https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/batch/post-crm-v3-objects-contacts-batch-upsert
      const response = BatchWriteWire.parse(
        await hubspotCall(this.onRequest, () =>
          this.client.crm.contacts.batchApi.upsert({ inputs }),
        ),
      );
      const byEmail = new Map(
        response.results.map((result) => [
          (result.properties?.['email'] ?? '').toLowerCase(),
          result.id,
        ]),
      );
      const failed = response.errors?.[0]?.category ?? 'UNKNOWN';
      for (const creation of batch) {
        const id = byEmail.get(creation.email.toLowerCase());
        outcomes.push(
          id === undefined
            ? { ok: false, key: creation.key, code: failed, kind: 'permanent', message: failed }
            : { ok: true, key: creation.key, id, created: true },
        );
      }
    }
    return outcomes;
  }
}
