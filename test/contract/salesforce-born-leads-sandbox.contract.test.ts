import { readFile } from 'node:fs/promises';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDefinition } from '../../src/config/load-definition.js';
import type { Definition } from '../../src/domain/definition.js';
import { resolveMapping } from '../../src/domain/mapping.js';
import type { Activity, AttributeValue } from '../../src/domain/model.js';
import { qualify } from '../../src/domain/qualification/qualify.js';
import { HubSpotStore } from '../../src/sandbox/hubspot/hubspot-store.js';
import { SalesforceStore } from '../../src/sandbox/salesforce/salesforce-store.js';
import {
  INTEGRATION_USER_ID,
  LEAD_QUEUE_ID,
  SALESFORCE_BORN_LEADS,
  SEEDED_CAMPAIGNS,
  seedTenants,
} from '../../src/sandbox/seed/seed-tenants.js';
import {
  SANDBOX_SALESFORCE_TOKEN,
  startSandboxes,
  type RunningSandboxes,
} from '../../src/sandbox/start-sandboxes.js';

const NOW = Date.parse('2026-11-20T15:30:00Z');
const DAY_MS = 86_400_000;
const CONTACTS = 400;
const EXAMPLE = new URL('../../config/handoff.example.yaml', import.meta.url);
const BORN = Object.values(SALESFORCE_BORN_LEADS);
const BORN_IDS = BORN.map((lead) => `'${lead.id}'`).join(', ');

let sandboxes: RunningSandboxes;
let conn: Connection;
let definition: Definition;
/** `qualification.engagement.salesforce_activities` of the example, when it has one. */
let salesforceWeights: Readonly<Record<string, number>>;

interface SfError {
  errorCode?: string;
  message: string;
}

async function sfError(promise: PromiseLike<unknown>): Promise<SfError> {
  try {
    await promise;
  } catch (err) {
    return err as SfError;
  }
  throw new Error('expected the call to fail');
}

async function query(soql: string): Promise<Record<string, unknown>[]> {
  return (await conn.query<Record<string, unknown>>(soql)).records;
}

/** The Lead's definition attributes, read through SOQL as the pipeline reads them. */
async function attributesOf(id: string): Promise<Record<string, AttributeValue>> {
  const mapping = resolveMapping(definition.mapping).salesforce;
  const fields = [...new Set(Object.values(mapping))];
  const [record] = await query(`SELECT ${fields.join(', ')} FROM Lead WHERE Id = '${id}'`);
  expect(record).toBeDefined();
  const attributes: Record<string, AttributeValue> = {};
  for (const [attribute, field] of Object.entries(mapping)) {
    const value = record?.[field];
    attributes[attribute] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : null;
  }
  return attributes;
}

async function qualifyLead(id: string, activities: readonly Activity[], using = definition) {
  return qualify({
    lead: { attributes: await attributesOf(id) },
    activities,
    definition: using,
    now: new Date(NOW),
  });
}

beforeAll(async () => {
  const text = await readFile(EXAMPLE, 'utf8');
  const parsed = parseDefinition(text);
  if (!parsed.ok) throw new Error('config/handoff.example.yaml does not parse');
  definition = parsed.value;
  const raw = parse(text) as {
    qualification?: { engagement?: { salesforce_activities?: Record<string, number> } };
  };
  salesforceWeights = raw.qualification?.engagement?.salesforce_activities ?? {};
  sandboxes = await startSandboxes({ seed: 3, contacts: CONTACTS, now: () => NOW });
  conn = new Connection({
    instanceUrl: sandboxes.salesforceUrl,
    accessToken: SANDBOX_SALESFORCE_TOKEN,
    version: '62.0',
  });
});

afterAll(async () => {
  await sandboxes.close();
});

describe('Campaign and CampaignMember in the Salesforce sandbox', () => {
  it('are described like other objects, with read-only response fields', async () => {
    const global = await conn.describeGlobal();
    const listed = global.sobjects.filter((sobject) =>
      ['Campaign', 'CampaignMember'].includes(sobject.name),
    );
    expect(listed.map((sobject) => [sobject.name, sobject.keyPrefix, sobject.queryable])).toEqual([
      ['Campaign', '701', true],
      ['CampaignMember', '00v', true],
    ]);

    const campaign = await conn.sobject('Campaign').describe();
    const type = campaign.fields.find((field) => field.name === 'Type');
    expect(type?.type).toBe('picklist');
    const values = (type?.picklistValues ?? []) as readonly { value: string }[];
    expect(values.map((value) => value.value)).toEqual(
      expect.arrayContaining(['Webinar', 'Conference', 'Email', 'Advertisement', 'Partners']),
    );
    expect(campaign.fields.find((field) => field.name === 'IsActive')?.type).toBe('boolean');

    const member = await conn.sobject('CampaignMember').describe();
    const byName = new Map(member.fields.map((field) => [field.name, field]));
    expect(byName.get('CampaignId')).toMatchObject({
      type: 'reference',
      referenceTo: ['Campaign'],
      relationshipName: 'Campaign',
      nillable: false,
      updateable: false,
    });
    expect(byName.get('LeadId')).toMatchObject({
      referenceTo: ['Lead'],
      relationshipName: 'Lead',
    });
    expect(byName.get('ContactId')).toMatchObject({ referenceTo: ['Contact'] });
    for (const name of ['HasResponded', 'FirstRespondedDate', 'CreatedDate', 'SystemModstamp'])
      expect(byName.get(name)).toMatchObject({ createable: false, updateable: false });
    expect(byName.get('HasResponded')?.type).toBe('boolean');
    expect(byName.get('FirstRespondedDate')?.type).toBe('date');
    expect(byName.get('LastModifiedById')?.relationshipName).toBe('LastModifiedBy');
  });

  it('answers the responded-members query the pipeline asks, with Campaign.Type', async () => {
    const { campaign } = SALESFORCE_BORN_LEADS;
    const ordinary = await query(
      `SELECT LeadId FROM CampaignMember WHERE CampaignId = '${SEEDED_CAMPAIGNS.newsletter.id}' AND LeadId != '${campaign.id}'`,
    );
    expect(ordinary).toHaveLength(1);
    const ids = [campaign.id, String(ordinary[0]?.['LeadId']), ...BORN.map((lead) => lead.id)];
    const inList = ids.map((id) => `'${id}'`).join(', ');

    const responded = await query(
      `SELECT LeadId, HasResponded, FirstRespondedDate, CreatedDate, Campaign.Type FROM CampaignMember WHERE LeadId IN (${inList}) AND HasResponded = true`,
    );
    expect(responded).toEqual([
      {
        attributes: expect.objectContaining({ type: 'CampaignMember' }) as unknown,
        LeadId: campaign.id,
        HasResponded: true,
        FirstRespondedDate: new Date(NOW - 36 * 3_600_000).toISOString().slice(0, 10),
        CreatedDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*\+0000$/) as unknown,
        Campaign: {
          attributes: expect.objectContaining({ type: 'Campaign' }) as unknown,
          Type: 'Webinar',
        },
      },
    ]);

    // Without the filter the Email campaign's members (sent, no response) come back too.
    const all = await query(
      `SELECT LeadId, HasResponded, Status, Campaign.Type, Campaign.IsActive FROM CampaignMember WHERE LeadId IN (${inList})`,
    );
    expect(all.map((row) => [row['LeadId'], row['Status'], row['HasResponded']])).toEqual(
      expect.arrayContaining([
        [campaign.id, 'Attended', true],
        [campaign.id, 'Sent', false],
        [ordinary[0]?.['LeadId'], 'Sent', false],
      ]),
    );
    expect(all).toHaveLength(3);
    const notResponded = await query(
      `SELECT Id FROM CampaignMember WHERE HasResponded = false AND Campaign.Type = 'Email'`,
    );
    expect(notResponded).toHaveLength(2);
  });

  it('follows the Lead relationship and filters on the Campaign', async () => {
    const rows = await query(
      "SELECT Lead.Email, Lead.Status, Campaign.Name FROM CampaignMember WHERE Campaign.Type = 'Webinar' AND Campaign.IsActive = true",
    );
    expect(rows.map((row) => (row['Lead'] as Record<string, unknown>)['Email'])).toEqual([
      SALESFORCE_BORN_LEADS.campaign.email,
    ]);
    expect((rows[0]?.['Campaign'] as Record<string, unknown>)['Name']).toBe(
      SEEDED_CAMPAIGNS.webinar.name,
    );
    const campaigns = await query(
      'SELECT Id, Name, Type, IsActive, Status FROM Campaign ORDER BY Name',
    );
    expect(campaigns.map((row) => [row['Id'], row['Type'], row['IsActive']])).toEqual([
      [SEEDED_CAMPAIGNS.webinar.id, 'Webinar', true],
      [SEEDED_CAMPAIGNS.newsletter.id, 'Email', true],
    ]);
  });

  it('refuses writes to the derived fields and needs a Campaign', async () => {
    const members = conn.sobject('CampaignMember');
    const lead = SALESFORCE_BORN_LEADS.fit.id;
    const readOnly = await sfError(
      members.create({
        CampaignId: SEEDED_CAMPAIGNS.webinar.id,
        LeadId: lead,
        Status: 'Responded',
        HasResponded: true,
      }),
    );
    expect(readOnly.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    const missing = await sfError(members.create({ LeadId: lead, Status: 'Sent' }));
    expect(missing.errorCode).toBe('REQUIRED_FIELD_MISSING');
    const notACampaign = await sfError(
      members.create({ CampaignId: SALESFORCE_BORN_LEADS.campaign.id, LeadId: lead }),
    );
    expect(notACampaign.errorCode).toBe('INVALID_CROSS_REFERENCE_KEY');

    const created = await members.create({
      CampaignId: SEEDED_CAMPAIGNS.newsletter.id,
      LeadId: lead,
    });
    expect(created.success).toBe(true);
    const id = created.success ? created.id : '';
    try {
      const [row] = await query(
        `SELECT Status, HasResponded, FirstRespondedDate, CreatedById FROM CampaignMember WHERE Id = '${id}'`,
      );
      expect(row).toMatchObject({
        Status: 'Sent',
        HasResponded: false,
        FirstRespondedDate: null,
        CreatedById: INTEGRATION_USER_ID,
      });
      const moved = await sfError(
        members.update({ Id: id, CampaignId: SEEDED_CAMPAIGNS.webinar.id }),
      );
      expect(moved.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    } finally {
      await members.destroy(id);
    }
    const error = await sfError(conn.query('SELECT Id, Campaign.Nope FROM CampaignMember'));
    expect(error.errorCode).toBe('INVALID_FIELD');
  });
});

describe('Leads born in Salesforce, in every seeded org', () => {
  it('are open, unconverted, unknown to HubSpot and carry no Handoff field', async () => {
    const rows = await query(
      `SELECT Id, Email, Status, IsConverted, OwnerId, LeadSource, HubSpot_Contact_Id__c, Handoff_Decision_Id__c, Handoff_Score__c, Handoff_Stage__c, CreatedDate, SystemModstamp FROM Lead WHERE Id IN (${BORN_IDS}) ORDER BY Id`,
    );
    expect(rows.map((row) => [row['Id'], row['Email']])).toEqual(
      BORN.map((lead) => [lead.id, lead.email]),
    );
    for (const row of rows) {
      expect(row).toMatchObject({
        Status: 'Open - Not Contacted',
        IsConverted: false,
        HubSpot_Contact_Id__c: null,
        Handoff_Decision_Id__c: null,
        Handoff_Score__c: null,
        Handoff_Stage__c: null,
      });
      expect([LEAD_QUEUE_ID, INTEGRATION_USER_ID]).toContain(row['OwnerId']);
      for (const field of ['CreatedDate', 'SystemModstamp']) {
        const at = Date.parse(String(row[field]).replace('+0000', 'Z'));
        expect(at).toBeLessThan(NOW);
        expect(at).toBeGreaterThan(NOW - 5 * DAY_MS);
      }
    }
    const stored = BORN.map((lead) => sandboxes.salesforce.store.get(lead.id)?.record ?? {});
    for (const record of stored) {
      const handoffValues = Object.entries(record).filter(
        ([key, value]) => /^(Handoff_|HubSpot_|Rejection_)/.test(key) && value != null,
      );
      // The checkbox's default is the only Handoff value a Lead nobody touched has.
      expect(handoffValues).toEqual([['Handoff_SLA_Breached__c', false]]);
    }

    const emails = new Set(BORN.map((lead) => lead.email.toLowerCase()));
    const ids = new Set<string>(BORN.map((lead) => lead.id));
    const contacts = [...sandboxes.hubspot.store.objects.contacts.values()];
    expect(contacts).toHaveLength(CONTACTS);
    expect(
      contacts.filter(
        (contact) =>
          emails.has(String(contact.properties['email']).toLowerCase()) ||
          ids.has(String(contact.properties['salesforceleadid'])),
      ),
    ).toEqual([]);
    // Nor does any other Lead share their emails.
    const sameEmail = await query(
      `SELECT Id FROM Lead WHERE Email IN (${BORN.map((lead) => `'${lead.email}'`).join(', ')})`,
    );
    expect(sameEmail).toHaveLength(4);
  });

  it('are counted in the seeded summary', () => {
    expect(sandboxes.seeded).toMatchObject({
      leads: CONTACTS / 2 + 4,
      salesforceBornLeads: 4,
      events: 1,
      campaigns: 2,
      campaignMembers: 3,
    });
    const leads = [...sandboxes.salesforce.store.table('Lead').values()];
    expect(leads).toHaveLength(sandboxes.seeded.leads);
    expect(sandboxes.salesforce.store.table('Task').size).toBe(sandboxes.seeded.tasks);
  });

  it('score under the example definition as intended: fit alone, fit short of 60, a freemail', async () => {
    const { fit, activity, campaign, freemail } = SALESFORCE_BORN_LEADS;
    const byFit = await qualifyLead(fit.id, []);
    expect(byFit).toMatchObject({ qualified: true, fit: fit.fitPoints, tier: 'A' });
    expect(byFit.fit).toBeGreaterThanOrEqual(70);
    for (const lead of [activity, campaign]) {
      const alone = await qualifyLead(lead.id, []);
      expect(alone).toMatchObject({ qualified: false, fit: lead.fitPoints });
      expect(alone.fit).toBeGreaterThanOrEqual(35);
      expect(alone.reasons.filter((reason) => reason.kind === 'gate_failed')).toEqual([]);
    }
    expect(activity.fitPoints).toBeGreaterThanOrEqual(30);
    const gmail = await qualifyLead(freemail.id, []);
    expect(gmail.qualified).toBe(false);
    expect(gmail.fit).toBe(freemail.fitPoints);
    expect(gmail.fit).toBeGreaterThanOrEqual(60);
    expect(
      gmail.reasons.filter((reason) => reason.kind === 'gate_failed').map((reason) => reason.rule),
    ).toEqual(['business-email']);
  });

  it('give the activity Lead a rep’s completed call and a meeting that lift it past 60', async () => {
    const { activity } = SALESFORCE_BORN_LEADS;
    const tasks = await query(
      `SELECT Id, WhoId, TaskSubtype, Status, IsClosed, CreatedDate, Owner.IsActive FROM Task WHERE WhoId IN (${BORN_IDS}) AND IsClosed = true`,
    );
    expect(tasks).toEqual([
      expect.objectContaining({
        Id: activity.taskId,
        WhoId: activity.id,
        TaskSubtype: 'Call',
        Status: 'Completed',
        Owner: expect.objectContaining({ IsActive: true }) as unknown,
      }),
    ]);
    const events = await query(
      `SELECT Id, WhoId, StartDateTime, EndDateTime, OwnerId FROM Event WHERE WhoId IN (${BORN_IDS})`,
    );
    expect(events).toEqual([expect.objectContaining({ Id: activity.eventId, WhoId: activity.id })]);
    const at = (value: unknown): Date => new Date(Date.parse(String(value).replace('+0000', 'Z')));
    const callAt = at(tasks[0]?.['CreatedDate']);
    const meetingAt = at(events[0]?.['StartDateTime']);
    for (const when of [callAt, meetingAt]) {
      expect(when.getTime()).toBeLessThan(NOW);
      expect(when.getTime()).toBeGreaterThan(NOW - 4 * DAY_MS);
    }
    expect(at(events[0]?.['EndDateTime']).getTime()).toBeLessThan(NOW);
    // The example weighs Salesforce calls and meetings as it does HubSpot's (call 8, meeting 30).
    const weights = {
      call: salesforceWeights['call'] ?? 8,
      meeting: salesforceWeights['meeting'] ?? 30,
    };
    expect(weights).toEqual({ call: 8, meeting: 30 });
    const scored = await qualifyLead(activity.id, [
      { type: 'call', at: callAt },
      { type: 'meeting', at: meetingAt },
    ]);
    expect(scored.qualified).toBe(true);
    expect(scored.engagement).toBeGreaterThan(30);
    expect(scored.score).toBeGreaterThanOrEqual(60);
  });

  it('give the campaign Lead one response that lifts it past 60', async () => {
    const { campaign } = SALESFORCE_BORN_LEADS;
    const [member] = await query(
      `SELECT FirstRespondedDate, CreatedDate FROM CampaignMember WHERE LeadId = '${campaign.id}' AND HasResponded = true`,
    );
    const respondedAt = new Date(`${String(member?.['FirstRespondedDate'])}T00:00:00Z`);
    expect(NOW - respondedAt.getTime()).toBeGreaterThan(DAY_MS);
    expect(NOW - respondedAt.getTime()).toBeLessThan(3 * DAY_MS);
    // Whatever the example weighs a response (the brief said 30; it may say less), down to 15.
    for (const weight of new Set([salesforceWeights['campaign_response'] ?? 30, 15, 30])) {
      const engagement = definition.qualification.engagement;
      const weighted: Definition = {
        ...definition,
        qualification: {
          ...definition.qualification,
          engagement: {
            ...engagement,
            activities: { ...engagement.activities, campaign_response: weight },
          },
        },
      };
      const scored = await qualifyLead(
        campaign.id,
        [{ type: 'campaign_response', at: respondedAt }],
        weighted,
      );
      expect(scored.qualified).toBe(true);
    }
  });

  it('are there whatever the seed and contact count, with the same ids', () => {
    for (const [seed, contacts] of [
      [1, 0],
      [7, 3],
      [11, 60],
    ] as const) {
      const salesforce = new SalesforceStore(() => NOW);
      const summary = seedTenants(new HubSpotStore(() => NOW), salesforce, {
        seed,
        contacts,
        now: NOW,
      });
      expect(summary.salesforceBornLeads).toBe(4);
      expect(summary.leads).toBe(Math.max(1, Math.floor(contacts / 2)) + 4);
      for (const lead of BORN) expect(salesforce.get(lead.id)?.record['Email']).toBe(lead.email);
      const members = [...salesforce.table('CampaignMember').values()];
      expect(members.length).toBe(summary.campaignMembers);
      expect(
        members.filter((row) => row['HasResponded'] === true).map((row) => row['LeadId']),
      ).toEqual([SALESFORCE_BORN_LEADS.campaign.id]);
    }
  });
});
