import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotClient } from '../../src/adapters/hubspot/hubspot-client.js';
import { HubSpotContactFeedback } from '../../src/adapters/hubspot/hubspot-contact-feedback.adapter.js';
import { IntegrationError } from '../../src/platform/errors.js';
import {
  createHubSpotSandbox,
  type HubSpotSandbox,
} from '../../src/sandbox/hubspot/hubspot-sandbox.js';
import { SalesforceStore } from '../../src/sandbox/salesforce/salesforce-store.js';
import { seedTenants } from '../../src/sandbox/seed/seed-tenants.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
let sandbox: HubSpotSandbox;
let feedback: HubSpotContactFeedback;
let calls = 0;

beforeAll(async () => {
  sandbox = createHubSpotSandbox({ tokens: ['tok'], now: () => NOW });
  seedTenants(sandbox.store, new SalesforceStore(() => NOW), { seed: 12, contacts: 150, now: NOW });
  const url = await sandbox.server.listen();
  feedback = new HubSpotContactFeedback(
    createHubSpotClient({ accessToken: 'tok', baseUrl: url }),
    () => void (calls += 1),
  );
});

afterAll(async () => {
  await sandbox.server.close();
});

const contactIds = (count: number): string[] =>
  [...sandbox.store.objects.contacts.keys()].slice(0, count);

describe('HubSpotContactFeedback (real @hubspot/api-client against the sandbox)', () => {
  it('reads lifecycle stages in batches of 100, leaving out missing contacts', async () => {
    const ids = [...contactIds(120), '999999999'];
    const before = calls;
    const stages = await feedback.lifecycleStages(ids);
    expect(calls - before).toBe(2);
    expect(stages.size).toBe(120);
    expect(stages.has('999999999')).toBe(false);
    const [first] = ids;
    expect(stages.get(first ?? '')).toBe(
      sandbox.store.objects.contacts.get(first ?? '')?.properties['lifecyclestage'] ?? null,
    );
  });

  it('moves a lifecycle stage backwards by clearing it first', async () => {
    const [id] = contactIds(1);
    const record = sandbox.store.objects.contacts.get(id ?? '');
    if (record === undefined) throw new Error('no contact');
    sandbox.store.update('contacts', record, { lifecyclestage: 'opportunity' });
    const outcomes = await feedback.setLifecycleStages([{ contactId: record.id, stage: 'lead' }]);
    expect(outcomes).toEqual([{ ok: true, key: record.id, id: record.id, created: false }]);
    expect(record.properties['lifecyclestage']).toBe('lead');
  });

  it('adds list members with one call per 100 and ignores members already in', async () => {
    const ids = contactIds(130);
    const before = calls;
    await feedback.addToList('101', ids);
    await feedback.addToList('101', ids.slice(0, 10));
    expect(calls - before).toBe(3);
    expect(sandbox.store.lists.get('101')?.members.size).toBe(130);
    await expect(feedback.addToList('424242', ids.slice(0, 1))).rejects.toBeInstanceOf(
      IntegrationError,
    );
  });

  it('creates notes associated with their contacts, escaping markup in the text', async () => {
    const [a, b] = contactIds(2);
    const outcomes = await feedback.createNotes([
      {
        key: 'e1',
        contactId: a ?? '',
        body: 'Lead returned by sales: No budget\nComment: <b>not</b> now & later',
        at: new Date(NOW),
      },
      {
        key: 'e2',
        contactId: b ?? '',
        body: 'Lead returned by sales: Bad timing',
        at: new Date(NOW),
      },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true]);
    const notes = sandbox.store
      .associated('contacts', a ?? '', 'notes')
      .map((id) => sandbox.store.objects.notes.get(id)?.properties['hs_note_body']);
    expect(notes).toContain(
      'Lead returned by sales: No budget<br>Comment: &#60;b&#62;not&#60;/b&#62; now &#38; later',
    );
  });
});
