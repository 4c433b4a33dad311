import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../../src/config/load-definition.js';
import { resolveMapping } from '../../src/domain/mapping.js';
import type { Activity, AttributeValue } from '../../src/domain/model.js';
import { INTEGRATION_USER_ID, LEAD_QUEUE_ID } from '../../src/sandbox/seed/seed-tenants.js';
import { explainLead } from '../../src/usecases/explain-lead.js';
import { RETRY_LIMITS } from '../../src/platform/retry-in-place.js';
import { startSandboxes, type RunningSandboxes } from '../../src/sandbox/start-sandboxes.js';
import { runCliInProcess } from '../support/run-cli-in-process.js';
import { routedForContact } from '../support/routed-leads.js';

const NOW = '2026-11-24T15:00:00Z';
const CONFIG = new URL('../../config/handoff.example.yaml', import.meta.url).pathname;
const WRITE_ENDPOINTS =
  /^(collections\.(create|update|upsert|delete)|sobjects\.(create|update|upsert|delete)|contacts\.batch\.(update|create|upsert)|contacts\.(update|create))$/;

let sandboxes: RunningSandboxes | null = null;

afterEach(async () => {
  await sandboxes?.close();
  sandboxes = null;
});

async function start(contacts: number): Promise<RunningSandboxes> {
  sandboxes = await startSandboxes({ contacts, seed: 21, now: () => Date.parse(NOW) });
  return sandboxes;
}

function envFor(running: RunningSandboxes): Record<string, string> {
  return {
    ...running.env,
    SALESFORCE_ACCESS_TOKEN: running.env['SALESFORCE_ACCESS_TOKEN'] ?? '',
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    HANDOFF_REDIS_PREFIX: `test-${randomUUID()}`,
    LOG_LEVEL: 'silent',
  };
}

/** What `handoff explain` decides for a contact, rebuilt from the sandbox's own records. */
async function explainContact(
  running: RunningSandboxes,
  contactId: string,
): Promise<{ score: number; tier: string | null }> {
  const loaded = await loadDefinitionFile(CONFIG);
  if (!loaded.ok) throw new Error('example definition invalid');
  const definition = loaded.value;
  const contact = running.hubspot.store.objects.contacts.get(contactId);
  const attributes: Record<string, AttributeValue> = {};
  for (const [attribute, property] of Object.entries(resolveMapping(definition.mapping).hubspot))
    attributes[attribute] = contact?.properties[property] ?? null;
  const activities: Activity[] = [];
  const conversion = contact?.properties['recent_conversion_event_name'];
  if (conversion !== undefined)
    activities.push({
      type: conversion.toLowerCase().replace(/\s+/g, '_'),
      at: new Date(contact?.properties['recent_conversion_date'] ?? ''),
    });
  for (const type of ['calls', 'emails', 'meetings', 'notes', 'tasks'] as const) {
    for (const id of running.hubspot.store.associated('contacts', contactId, type)) {
      activities.push({
        type: type.slice(0, -1),
        at: new Date(running.hubspot.store.objects[type].get(id)?.epochs['hs_timestamp'] ?? 0),
      });
    }
  }
  const { qualification } = explainLead({
    lead: { attributes },
    activities,
    definition,
    now: new Date(NOW),
    routedAt: new Date(NOW),
  });
  return { score: qualification.score, tier: qualification.tier };
}

function writeCalls(running: RunningSandboxes, sinceHubSpot = 0, sinceSalesforce = 0): string[] {
  return [
    ...running.hubspot.server.log.list(sinceHubSpot),
    ...running.salesforce.server.log.list(sinceSalesforce),
  ]
    .map((call) => call.endpoint)
    .filter((endpoint) => WRITE_ENDPOINTS.test(endpoint));
}

describe('handoff sync --once against the sandboxes', () => {
  it('routes every qualified lead once, with one Task per decision, and writes nothing the second time', async () => {
    const running = await start(300);
    const env = envFor(running);
    const first = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as {
      routed: number;
      qualified: number;
      tasks_created: number;
      quarantined: number;
      written: { salesforce: number; hubspot: number };
      api_calls: { hubspot: number; salesforce: number };
    };
    expect(summary.routed).toBeGreaterThan(20);
    expect(summary.api_calls.hubspot).toBeGreaterThan(5);
    expect(summary.api_calls.salesforce).toBeGreaterThan(5);
    expect(summary.quarantined).toBe(0);

    const leads = [...running.salesforce.store.table('Lead').values()];
    const routed = leads.filter((lead) => routedForContact(lead));
    expect(routed).toHaveLength(summary.routed);
    const tasks = [...running.salesforce.store.table('Task').values()].filter(
      (task) => typeof task['Handoff_Decision_Id__c'] === 'string',
    );
    for (const lead of routed) {
      expect(lead['IsConverted']).toBe(false);
      expect(lead['Handoff_Due__c']).toEqual(expect.any(Number));
      expect(String(lead['Handoff_Reason__c'])).toMatch(/^Qualified as tier [ABC] with score \d+/);
      expect(lead['Status']).toBe('Open - Not Contacted');
      const owner = String(lead['OwnerId']);
      expect(owner).not.toBe(INTEGRATION_USER_ID);
      const leadTasks = tasks.filter(
        (task) => task['Handoff_Decision_Id__c'] === lead['Handoff_Decision_Id__c'],
      );
      expect(leadTasks).toHaveLength(owner.startsWith('005') ? 1 : 0);
      if (owner.startsWith('005')) {
        expect(leadTasks[0]).toMatchObject({
          WhoId: lead['Id'],
          OwnerId: owner,
          IsReminderSet: true,
          ReminderDateTime: lead['Handoff_Due__c'],
        });
        expect(running.salesforce.store.get(owner)?.record['IsActive']).toBe(true);
      } else expect(owner).toBe(LEAD_QUEUE_ID);
      // The Lead carries exactly what `handoff explain` says for its contact.
      expect(await explainContact(running, String(lead['HubSpot_Contact_Id__c']))).toEqual({
        score: lead['Handoff_Score__c'],
        tier: lead['Handoff_Tier__c'],
      });
      const contact = running.hubspot.store.objects.contacts.get(
        String(lead['HubSpot_Contact_Id__c']),
      );
      expect(contact?.properties).toMatchObject({
        handoff_status: 'routed',
        handoff_score: String(lead['Handoff_Score__c']),
        handoff_tier: lead['Handoff_Tier__c'],
        handoff_definition_version: '2026-11-01',
      });
    }
    expect(tasks).toHaveLength(summary.tasks_created);
    // One Lead, one Task, even where two contacts point at the same Lead.
    const tasksPerLead = new Map<unknown, number>();
    for (const task of tasks)
      tasksPerLead.set(task['WhoId'], (tasksPerLead.get(task['WhoId']) ?? 0) + 1);
    expect([...tasksPerLead.values()].filter((count) => count > 1)).toEqual([]);
    // Existing accounts keep their owner: some Leads went by the existing-account rule, to it.
    const byAccount = routed.filter((lead) =>
      String(lead['Handoff_Reason__c']).includes('by rule existing-account'),
    );
    expect(byAccount.length).toBeGreaterThan(0);
    for (const lead of byAccount) {
      const domain = String(lead['Email']).split('@')[1] ?? '';
      const account = [...running.salesforce.store.table('Account').values()].find((candidate) =>
        String(candidate['Website']).endsWith(domain),
      );
      expect(lead['OwnerId']).toBe(account?.['OwnerId']);
    }
    // Inactive reps get nothing, even when their pool rule matches.
    const inactive = [...running.salesforce.store.table('User').values()]
      .filter((user) => user['IsActive'] === false)
      .map((user) => user['Id']);
    expect(
      routed.filter(
        (lead) =>
          inactive.includes(lead['OwnerId']) &&
          String(lead['Handoff_Reason__c']).includes('Routed'),
      ),
    ).toEqual([]);
    // Free-mail addresses fail the business-email gate: none of them was handed to sales.
    expect(
      routed.filter((lead) =>
        /@(gmail|yahoo|hotmail|outlook|icloud)\./.test(String(lead['Email'])),
      ),
    ).toEqual([]);

    // Converted Leads are followed to their Contact: accepted, owned by the Contact's owner,
    // and never written (converted Leads are read-only).
    const converted = leads.filter((lead) => lead['IsConverted'] === true);
    expect(converted.filter((lead) => lead['Handoff_Decision_Id__c'] != null)).toEqual([]);
    const accepted = [...running.hubspot.store.objects.contacts.values()].filter(
      (contact) => contact.properties['handoff_status'] === 'accepted',
    );
    expect(accepted.length).toBeGreaterThan(0);
    for (const contact of accepted) {
      const email = contact.properties['email']?.toLowerCase();
      const lead = converted.find(
        (candidate) =>
          candidate['ConvertedContactId'] === contact.properties['salesforcecontactid'] ||
          String(candidate['Email']).toLowerCase() === email,
      );
      const salesforceContact = running.salesforce.store.get(String(lead?.['ConvertedContactId']));
      const owner = running.salesforce.store.get(String(salesforceContact?.record['OwnerId']));
      expect(contact.properties['handoff_owner']).toBe(owner?.record['Name']);
    }

    const hubspotSeq = running.hubspot.server.log.lastSeq;
    const salesforceSeq = running.salesforce.server.log.lastSeq;
    const second = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    expect(second.code).toBe(0);
    expect(writeCalls(running, hubspotSeq, salesforceSeq)).toEqual([]);
    const again = JSON.parse(second.stdout) as {
      routed: number;
      decided: number;
      pulled: { contacts: number };
      skipped: { own_write: number };
    };
    expect(again).toMatchObject({
      routed: 0,
      written: { salesforce: 0, hubspot: 0 },
      tasks_created: 0,
    });
    // The contacts read back only because Handoff wrote them are not decided again.
    expect(again.skipped.own_write).toBeGreaterThanOrEqual(summary.written.hubspot);
    expect(again.decided).toBe(again.pulled.contacts - again.skipped.own_write);
  });

  it('marks qualified contacts without a Lead as MQLs when Leads are not created', async () => {
    const running = await start(150);
    const example = await readFile(CONFIG, 'utf8');
    const config = join(await mkdtemp(join(tmpdir(), 'handoff-')), 'handoff.yaml');
    await writeFile(
      config,
      example.replace('create_missing_leads: true', 'create_missing_leads: false'),
    );
    const run = await runCliInProcess(['sync', '--once', '--json', '--config', config], {
      env: envFor(running),
      now: NOW,
    });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { skipped: { no_lead: number } };
    const mqls = [...running.hubspot.store.objects.contacts.values()].filter(
      (contact) => contact.properties['handoff_status'] === 'mql',
    );
    expect(mqls.length).toBe(summary.skipped.no_lead);
    expect(mqls.length).toBeGreaterThan(0);
    const leadContacts = new Set(
      [...running.salesforce.store.table('Lead').values()].map(
        (lead) => lead['HubSpot_Contact_Id__c'],
      ),
    );
    for (const contact of mqls) {
      expect(leadContacts.has(contact.id)).toBe(false);
      expect(Number(contact.properties['handoff_score'])).toBeGreaterThanOrEqual(60);
      expect(contact.properties['handoff_definition_version']).toBe('2026-11-01');
    }
  });

  it('writes nothing in --dry-run and prints the planned changes', async () => {
    const running = await start(200);
    const dry = await runCliInProcess(
      ['sync', '--once', '--dry-run', '--json', '--config', CONFIG],
      { env: envFor(running), now: NOW },
    );
    expect(dry.code).toBe(0);
    const result = JSON.parse(dry.stdout) as {
      dry_run: boolean;
      planned: { contactId: string; action: string; ownerId: string; decisionId: string }[];
    };
    expect(result.dry_run).toBe(true);
    expect(result.planned.length).toBeGreaterThan(5);
    expect(result.planned[0]).toMatchObject({
      action: expect.stringMatching(/route|keep_owner|create_lead/) as unknown,
      decisionId: expect.stringMatching(/^d-/) as unknown,
    });
    expect(writeCalls(running)).toEqual([]);
    const text = await runCliInProcess(['sync', '--once', '--dry-run', '--config', CONFIG], {
      env: envFor(running),
      now: NOW,
    });
    expect(text.stdout).toContain('planned changes (nothing was written):');

    // The dry run is the real cycle over recording ports: the same decisions, owners (the
    // rotation moved in memory only) and deadlines as the run that then writes them.
    const env = envFor(running);
    const rehearsal = await runCliInProcess(
      ['sync', '--once', '--dry-run', '--json', '--config', CONFIG],
      { env, now: NOW },
    );
    const rehearsed = (
      JSON.parse(rehearsal.stdout) as {
        planned: {
          contactId: string;
          leadId: string | null;
          action: string;
          ownerId: string;
          decisionId: string;
          due: string;
        }[];
      }
    ).planned.filter((entry) => entry.action !== 'update_hubspot');
    expect(writeCalls(running)).toEqual([]);
    const real = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    expect(real.code).toBe(0);
    const realSummary = JSON.parse(real.stdout) as {
      routed: number;
      salesforce_born: { routed: number };
    };
    expect(realSummary.routed + realSummary.salesforce_born.routed).toBe(rehearsed.length);
    const leads = [...running.salesforce.store.table('Lead').values()];
    for (const entry of rehearsed) {
      const lead = leads.find((each) =>
        entry.leadId === null
          ? each['HubSpot_Contact_Id__c'] === entry.contactId
          : each['Id'] === entry.leadId,
      );
      expect(lead, entry.contactId).toMatchObject({
        OwnerId: entry.ownerId,
        Handoff_Decision_Id__c: entry.decisionId,
      });
      // The sandbox keeps datetimes as epoch milliseconds.
      expect(new Date(Number(lead?.['Handoff_Due__c'])).toISOString()).toBe(entry.due);
    }
  });

  it('exits 2 naming what is missing when credentials are absent', async () => {
    const run = await runCliInProcess(['sync', '--once', '--config', CONFIG], {
      env: { HUBSPOT_ACCESS_TOKEN: 'x', LOG_LEVEL: 'silent' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Salesforce credentials are missing');
    const noOnce = await runCliInProcess(['sync', '--config', CONFIG]);
    expect(noOnce.code).toBe(2);
  });

  it('exits 1 with a clear message when Redis is unreachable', async () => {
    const running = await start(20);
    const env = { ...envFor(running), REDIS_URL: 'redis://127.0.0.1:1' };
    const run = await runCliInProcess(['sync', '--once', '--config', CONFIG], { env, now: NOW });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Redis is not reachable at REDIS_URL \(/);
  });
});

describe('handoff sync --once under injected faults', () => {
  it('refuses to start on an installation the doctor fails, naming the field and its fix', async () => {
    const running = await start(60);
    const example = await readFile(CONFIG, 'utf8');
    // A field the org does not have: every cycle would fail on it.
    const config = join(await mkdtemp(join(tmpdir(), 'handoff-')), 'handoff.yaml');
    await writeFile(
      config,
      example.replace(
        /^mapping:\n/m,
        'mapping:\n  salesforce_fields: { routed_at: Routed_At_Missing__c }\n',
      ),
    );
    const run = await runCliInProcess(['sync', '--once', '--json', '--config', config], {
      env: envFor(running),
      now: NOW,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      [
        'Handoff cannot start: the installation is not ready (handoff doctor shows every check).',
        'FAIL  salesforce Lead.Routed_At_Missing__c: Lead.Routed_At_Missing__c is missing or not visible to the integration user',
        '      fix: create Lead.Routed_At_Missing__c as Date/Time and grant the integration user Read and Edit on it (permission set), or run handoff setup --apply',
        '',
      ].join('\n'),
    );
    // Nothing was read from HubSpot or written anywhere.
    expect(
      running.hubspot.server.log.list(0).filter((call) => call.endpoint.startsWith('contacts.')),
    ).toEqual([]);
    expect(
      running.salesforce.server.log
        .list(0)
        .filter((call) => /collections|sobject\.(create|update|upsert)/.test(call.endpoint)),
    ).toEqual([]);
  });

  it('retries single transient failures in place: a 503, a 429 and locked rows cost no run', async () => {
    const running = await start(200);
    running.hubspot.server.faults.add({
      kind: 'server_error',
      endpoint: 'contacts.search',
      times: 1,
    });
    running.hubspot.server.faults.add({
      kind: 'rate_limit',
      variant: 'secondly',
      endpoint: 'contacts.batch.update',
      times: 1,
    });
    running.salesforce.server.faults.add({ kind: 'server_error', endpoint: 'query', times: 2 });
    running.salesforce.server.faults.add({
      kind: 'partial_batch',
      endpoint: 'collections.update',
      fraction: 0.25,
      code: 'UNABLE_TO_LOCK_ROW',
      times: 1,
    });
    const run = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env: { ...envFor(running), LOG_LEVEL: 'warn' },
      now: NOW,
    });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { routed: number; quarantined: number };
    expect(summary.quarantined).toBe(0);
    expect(summary.routed).toBeGreaterThan(0);
    // Only the locked records were sent again, not their whole batch.
    const updates = running.salesforce.server.log
      .list()
      .filter((call) => call.endpoint === 'collections.update');
    expect(updates.length).toBeGreaterThan(1);
    const failures = running.hubspot.server.log.list().filter((call) => call.status >= 400);
    expect(failures).toHaveLength(2);
  });

  it('a HubSpot 429 that outlasts the in-place retries pauses the hubspot queue only, then everything is written', async () => {
    const running = await start(200);
    running.hubspot.server.faults.add({
      kind: 'rate_limit',
      variant: 'secondly',
      endpoint: 'contacts.batch.update',
      times: RETRY_LIMITS.attemptsPerCall,
    });
    const run = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env: { ...envFor(running), LOG_LEVEL: 'warn' },
      now: NOW,
    });
    expect(run.code).toBe(0);
    const limited = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; paused?: string[] })
      .filter((line) => line.msg === 'hubspot rate limited');
    expect(limited).toEqual([expect.objectContaining({ paused: ['hubspot'] })]);
    const summary = JSON.parse(run.stdout) as { routed: number; written: { hubspot: number } };
    expect(summary.written.hubspot).toBeGreaterThanOrEqual(summary.routed);
    for (const lead of running.salesforce.store.table('Lead').values()) {
      if (!routedForContact(lead)) continue;
      const contact = running.hubspot.store.objects.contacts.get(
        String(lead['HubSpot_Contact_Id__c']),
      );
      expect(contact?.properties['handoff_status']).toBe('routed');
    }
  });

  it('quarantines per-record failures, stops cleanly on outages, and converges to the clean result', async () => {
    const clean = await start(250);
    const cleanRun = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env: envFor(clean),
      now: NOW,
    });
    expect(cleanRun.code).toBe(0);
    const cleanDecisions = new Set(
      [...clean.salesforce.store.table('Lead').values()]
        .map((lead) => lead['Handoff_Decision_Id__c'])
        .filter((id) => typeof id === 'string'),
    );
    await clean.close();
    sandboxes = null;

    const running = await start(250);
    const env = envFor(running);
    // A per-record refusal no retry in place can fix (a validation rule, since changed).
    running.salesforce.server.faults.add({
      kind: 'partial_batch',
      endpoint: 'collections.update',
      fraction: 0.25,
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      times: 1,
    });
    const first = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    expect(first.code).toBe(1);
    expect((JSON.parse(first.stdout) as { quarantined: number }).quarantined).toBeGreaterThan(0);

    // An outage longer than the in-place retries.
    running.hubspot.server.faults.add({
      kind: 'server_error',
      endpoint: 'contacts.search',
      times: RETRY_LIMITS.attemptsPerCall,
    });
    const outage = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    expect(outage.code).toBe(1);
    expect(outage.stderr).toContain('sync stopped: hubspot 503');

    const second = await runCliInProcess(['sync', '--once', '--json', '--config', CONFIG], {
      env,
      now: NOW,
    });
    expect(second.code).toBe(0);
    expect((JSON.parse(second.stdout) as { quarantined: number }).quarantined).toBe(0);
    const decisions = new Set(
      [...running.salesforce.store.table('Lead').values()]
        .map((lead) => lead['Handoff_Decision_Id__c'])
        .filter((id) => typeof id === 'string'),
    );
    expect(decisions).toEqual(cleanDecisions);
    const tasks = [...running.salesforce.store.table('Task').values()].filter(
      (task) => typeof task['Handoff_Decision_Id__c'] === 'string',
    );
    expect(new Set(tasks.map((task) => task['Handoff_Decision_Id__c'])).size).toBe(tasks.length);
  });
});
