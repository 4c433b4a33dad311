import type { Connection } from 'jsforce';
import { z } from 'zod';
import { chunks } from '../../platform/chunks.js';
import type { LeadHistory, LeadOwnership } from '../../ports/lead-history.port.js';
import { queryAllEach } from './salesforce-composite.js';
import { soql } from './soql.js';

const OwnershipWire = z.object({ Id: z.string(), OwnerId: z.string(), CreatedDate: z.string() });
/** Ids per IN list: 18-character ids stay well inside the query URL. */
const IDS_PER_QUERY = 300;

function toOwnership(record: unknown): LeadOwnership {
  const wire = OwnershipWire.parse(record);
  return { id: wire.Id, ownerId: wire.OwnerId, createdAt: new Date(wire.CreatedDate) };
}

/** LeadHistory over SOQL; id lists share Composite calls, five queries to a call. */
export class SalesforceLeadHistory implements LeadHistory {
  constructor(private readonly connection: Connection) {}

  async createdSince(since: Date): Promise<readonly LeadOwnership[]> {
    const [records] = await queryAllEach(this.connection, [
      soql`SELECT Id, OwnerId, CreatedDate FROM Lead WHERE CreatedDate >= ${since} ORDER BY CreatedDate`,
    ]);
    return (records ?? []).map(toOwnership);
  }

  async byIds(ids: readonly string[]): Promise<readonly LeadOwnership[]> {
    if (ids.length === 0) return [];
    const answers = await queryAllEach(
      this.connection,
      chunks([...new Set(ids)], IDS_PER_QUERY).map(
        (group) => soql`SELECT Id, OwnerId, CreatedDate FROM Lead WHERE Id IN ${group}`,
      ),
    );
    return answers.flatMap((records) => records.map(toOwnership));
  }
}
