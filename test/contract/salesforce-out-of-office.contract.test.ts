import type { Connection } from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { createSalesforceConnection } from '../../src/adapters/salesforce/salesforce-connection.js';
import { SalesforceDirectory } from '../../src/adapters/salesforce/salesforce-directory.adapter.js';
import {
  createSalesforceSandbox,
  type SalesforceSandbox,
} from '../../src/sandbox/salesforce/salesforce-sandbox.js';
import { SalesforceStore } from '../../src/sandbox/salesforce/salesforce-store.js';
import { SOBJECTS } from '../../src/sandbox/salesforce/sobject-schema.js';
import { HubSpotStore } from '../../src/sandbox/hubspot/hubspot-store.js';
import {
  INTEGRATION_USER_ID,
  SEEDED_USERS,
  seedTenants,
} from '../../src/sandbox/seed/seed-tenants.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const [ALICE, BOB, CAROL] = SEEDED_USERS.map((user) => user.id);
const opened: SalesforceSandbox[] = [];

afterEach(async () => {
  for (const sandbox of opened.splice(0)) await sandbox.server.close();
});

async function connect(store?: SalesforceStore): Promise<Connection> {
  const sandbox = createSalesforceSandbox({
    tokens: ['tok'],
    now: () => NOW,
    apps: [{ clientId: 'app', clientSecret: 'secret', runAsUserId: INTEGRATION_USER_ID }],
    ...(store === undefined ? {} : { store }),
  });
  opened.push(sandbox);
  const url = await sandbox.server.listen();
  seedTenants(new HubSpotStore(() => NOW), sandbox.store, { seed: 1, contacts: 10, now: NOW });
  return createSalesforceConnection({
    auth: { kind: 'client_credentials', loginUrl: url, clientId: 'app', clientSecret: 'secret' },
    version: '62.0',
  });
}

const iso = (offsetHours: number): string => new Date(NOW + offsetHours * 3_600_000).toISOString();

describe('SalesforceDirectory.awayPeriods (OutOfOffice)', () => {
  it('reads the enabled periods overlapping the window, written through the API', async () => {
    const connection = await connect();
    await connection.sobject('OutOfOffice').create([
      { UserId: ALICE, StartDate: iso(-24), EndDate: iso(48), Message: 'Conference' },
      { UserId: BOB, StartDate: iso(-72), EndDate: iso(-1) },
      { UserId: CAROL, StartDate: iso(-1), EndDate: iso(1), IsEnabled: false },
    ]);
    const periods = await new SalesforceDirectory(connection).awayPeriods({
      from: new Date(NOW),
      to: new Date(NOW + 1),
    });
    // Bob is back already; Carol's period is switched off.
    expect(periods).toEqual([{ userId: ALICE, start: new Date(iso(-24)), end: new Date(iso(48)) }]);
  });

  it('is refused by Salesforce when IsEnabled is filtered in SOQL, as the object reference says', async () => {
    const connection = await connect();
    await expect(
      connection.query('SELECT Id FROM OutOfOffice WHERE IsEnabled = true'),
    ).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
  });

  it('is null in an org with Out of Office switched off (no such object)', async () => {
    const store = new SalesforceStore(() => NOW, {
      objects: SOBJECTS.filter((spec) => spec.name !== 'OutOfOffice'),
    });
    const connection = await connect(store);
    expect(
      await new SalesforceDirectory(connection).awayPeriods({
        from: new Date(NOW),
        to: new Date(NOW + 1),
      }),
    ).toBeNull();
  });
});
