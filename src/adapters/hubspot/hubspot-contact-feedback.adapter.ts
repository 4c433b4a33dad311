import type { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/notes/index.js';
import type { ContactFeedbackWriter, FeedbackNote } from '../../ports/contact-feedback.port.js';
import type { WriteOutcome } from '../../ports/lead-store.port.js';
import { chunks } from '../../platform/chunks.js';
import { hubspotCall } from './hubspot.errors.js';
import { BatchReadWire, BatchWriteWire } from './hubspot.schemas.js';

/** Batch endpoints take at most 100 inputs. */
const BATCH_LIMIT = 100;
/** note → contact, HUBSPOT_DEFINED. */
const NOTE_TO_CONTACT = 202;
/** Notes hold at most 65,536 characters. */
const NOTE_MAX_CHARS = 65_536;
const LIFECYCLE = 'lifecyclestage';

/** Note bodies are HTML: a rep's comment must show as text, not markup. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** ContactFeedbackWriter over the CRM v3 batch, lists and notes endpoints. */
export class HubSpotContactFeedback implements ContactFeedbackWriter {
  constructor(
    private readonly client: Client,
    /** Called once per API request. */
    private readonly onRequest: () => void = () => undefined,
  ) {}

  private call<T>(request: () => Promise<T>, idempotent = true): Promise<T> {
    return hubspotCall(this.onRequest, request, { idempotent });
  }

  async lifecycleStages(
    contactIds: readonly string[],
  ): Promise<ReadonlyMap<string, string | null>> {
    const stages = new Map<string, string | null>();
    for (const batch of chunks([...new Set(contactIds)], BATCH_LIMIT)) {
      // Missing ids come back as a 207 the SDK resolves; they are simply absent.
      const page = BatchReadWire.parse(
        await this.call(() =>
          this.client.crm.contacts.batchApi.read({
            inputs: batch.map((id) => ({ id })),
            properties: [LIFECYCLE],
            propertiesWithHistory: [],
          }),
        ),
      );
      for (const contact of page.results)
        stages.set(contact.id, contact.properties[LIFECYCLE] ?? null);
    }
    return stages;
  }

  private async updateBatch(
    inputs: readonly { id: string; properties: Record<string, string> }[],
  ): Promise<WriteOutcome[]> {
    const response = BatchWriteWire.parse(
      await this.call(() => this.client.crm.contacts.batchApi.update({ inputs: [...inputs] })),
    );
    const written = new Set(response.results.map((result) => result.id));
    return inputs.map(({ id }): WriteOutcome =>
      written.has(id)
        ? { ok: true, key: id, id, created: false }
        : {
            ok: false,
            key: id,
            code: 'OBJECT_NOT_FOUND',
            kind: 'not_found',
            message: 'OBJECT_NOT_FOUND',
          },
    );
  }

  async setLifecycleStages(
    updates: readonly { contactId: string; stage: string }[],
  ): Promise<readonly WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(updates, BATCH_LIMIT)) {
      // "" clears a property; only a cleared stage can be set to an earlier one.
      await this.updateBatch(
        batch.map((update) => ({ id: update.contactId, properties: { [LIFECYCLE]: '' } })),
      );
      outcomes.push(
        ...(await this.updateBatch(
          batch.map((update) => ({
            id: update.contactId,
            properties: { [LIFECYCLE]: update.stage },
          })),
        )),
      );
    }
    return outcomes;
  }

  async addToList(listId: string, contactIds: readonly string[]): Promise<void> {
    for (const batch of chunks([...new Set(contactIds)], BATCH_LIMIT)) {
      // https://developers.hubspot.com/docs/api-reference/crm-lists-v3 — PUT memberships/add, a bare id array
      await this.call(() => this.client.crm.lists.membershipsApi.add(listId, batch));
    }
  }

  async createNotes(notes: readonly FeedbackNote[]): Promise<readonly WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(notes, BATCH_LIMIT)) {
      const response = BatchWriteWire.parse(
        await this.call(
          () =>
            this.client.crm.objects.notes.batchApi.create({
              inputs: batch.map((note) => ({
                properties: {
                  hs_timestamp: note.at.toISOString(),
                  hs_note_body: escapeHtml(note.body)
                    .replace(/\n/g, '<br>')
                    .slice(0, NOTE_MAX_CHARS),
                },
                associations: [
                  {
                    to: { id: note.contactId },
                    types: [
                      {
                        associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
                        associationTypeId: NOTE_TO_CONTACT,
                      },
                    ],
                  },
                ],
                // Ties a batch error back to its note: results come back in no set order.
                objectWriteTraceId: note.key,
              })),
            }),
          // A note has no external id: a failure that may have created it is not sent again.
          false,
        ),
      );
      const failed = new Map<string, string>();
      for (const error of response.errors ?? [])
        for (const key of error.context?.['objectWriteTraceId'] ?? [])
          failed.set(key, error.category ?? 'UNKNOWN');
      for (const note of batch) {
        const code = failed.get(note.key);
        outcomes.push(
          code === undefined
            ? { ok: true, key: note.key, id: note.key, created: true }
            : { ok: false, key: note.key, code, kind: 'permanent', message: code },
        );
      }
    }
    return outcomes;
  }
}
