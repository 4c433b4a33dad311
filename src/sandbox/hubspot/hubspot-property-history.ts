/**
 * Every value each property of a record took, for batch reads asking `propertiesWithHistory`
 * (https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/batch — each version is
 * `{ value, timestamp, sourceType }`, newest first). A backtest reads it to take attributes as
 * they stood when a lead would have been decided.
 */

export interface PropertyVersion {
  readonly value: string;
  readonly timestamp: number;
  readonly sourceType: string;
}

export class PropertyHistory {
  private readonly versions = new Map<string, PropertyVersion[]>();

  /** A value set at `at` (a cleared property is recorded as the empty string, as HubSpot does). */
  record(type: string, id: string, name: string, value: string | null, at: number): void {
    const key = `${type}:${id}:${name}`;
    const list = this.versions.get(key) ?? [];
    list.push({ value: value ?? '', timestamp: at, sourceType: 'API' });
    this.versions.set(key, list);
  }

  /**
   * Newest first. Seeded records carry no recorded versions (bulk seeding skips the bookkeeping):
   * their current value stands as set at creation, as an import would show.
   */
  of(
    type: string,
    record: {
      readonly id: string;
      readonly properties: Readonly<Record<string, string>>;
      readonly createdAt: number;
    },
    name: string,
  ): PropertyVersion[] {
    const list = this.versions.get(`${type}:${record.id}:${name}`);
    if (list !== undefined) return [...list].reverse();
    const current = record.properties[name];
    return current === undefined
      ? []
      : [{ value: current, timestamp: record.createdAt, sourceType: 'IMPORT' }];
  }
}
