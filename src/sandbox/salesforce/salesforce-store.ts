import { asText } from '../core/sandbox-http.js';
import {
  campaignMemberResponse,
  isPermissionable,
  PERMISSION_OBJECTS,
  SObjectCatalog,
  type FieldSpec,
  type SObjectSpec,
} from './sobject-schema.js';

/** Field values as stored: datetimes as epoch ms, dates as `YYYY-MM-DD`, the rest as JSON values. */
export type StoredValue = string | number | boolean | null;
export type SfRecord = Record<string, StoredValue>;

/** One per-record error, in the collection-result shape (`statusCode`). */
export interface RecordError {
  readonly statusCode: string;
  readonly message: string;
  readonly fields: readonly string[];
}

export type WriteResult =
  | { readonly ok: true; readonly id: string; readonly created: boolean }
  | { readonly ok: false; readonly errors: readonly RecordError[] };

export interface AssignmentRule {
  /** When active, Lead creates and updates without `Sforce-Auto-Assign: FALSE` get this owner. */
  readonly active: boolean;
  readonly ownerId: string;
}

/** The permission set the org's (single) profile owns. */
export const PROFILE_PERMISSION_SET_ID = '0PS5e000000PROFILE';

function isPermissionObject(name: string): boolean {
  return (PERMISSION_OBJECTS as readonly string[]).includes(name);
}

const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function error(statusCode: string, message: string, fields: readonly string[] = []): RecordError {
  return { statusCode, message, fields };
}

function unsupported(object: string): WriteResult {
  return {
    ok: false,
    errors: [error('INVALID_TYPE', `sObject type '${object}' is not supported.`)],
  };
}

/** `2026-05-01T10:00:00.000+0000`: Salesforce's datetime format (no colon, no Z). */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Epoch ms from an ISO datetime with `Z`, `+HH:MM` or `+HHMM`; null otherwise. */
export function parseDateTime(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/.test(text))
    return null;
  const normalised = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * One object's records by id, in insertion order. Writes through the Map methods (`set`,
 * `delete`, `clear`) are reported to the store, so the store's value indexes follow them even
 * when callers (tests, rollbacks) use the table directly. Changing a record object in place
 * bypasses the indexes: write through the store (create, update, delete, restore, …) instead.
 */
class RecordTable extends Map<string, SfRecord> {
  /** Position of each id in insertion order, to give index lookups the order of a scan. */
  private readonly positions = new Map<string, number>();
  private next = 0;

  constructor(
    private readonly hooks: {
      readonly added: (id: string, record: SfRecord, replaced: SfRecord | undefined) => void;
      readonly removed: (id: string, record: SfRecord) => void;
      readonly cleared: () => void;
    },
  ) {
    super();
  }

  override set(id: string, record: SfRecord): this {
    const replaced = super.get(id);
    super.set(id, record);
    if (!this.positions.has(id)) this.positions.set(id, this.next++);
    this.hooks.added(id, record, replaced);
    return this;
  }

  override delete(id: string): boolean {
    const record = super.get(id);
    if (record === undefined) return false;
    super.delete(id);
    this.positions.delete(id);
    this.hooks.removed(id, record);
    return true;
  }

  override clear(): void {
    super.clear();
    this.positions.clear();
    this.hooks.cleared();
  }

  /** Where `id` comes in iteration order (smaller first). */
  position(id: string): number {
    return this.positions.get(id) ?? Number.POSITIVE_INFINITY;
  }
}

/**
 * How an index files a field's values. `unique` is the comparison unique checks and external-id
 * lookups make (`String(value).toLowerCase()`, live records only). The `soql-*` kinds serve SOQL
 * `=` and `IN` (see run-soql): `soql-text` files `String(value).toLowerCase()` and `soql-id` the
 * first 15 characters of `String(value)` (a 15-character id matches an 18-character one on that
 * prefix); both hold deleted records too (queryAll), and both file a superset of the records a
 * condition matches, which the caller then checks.
 */
export type IndexKind = 'unique' | 'soql-text' | 'soql-id';

/** Record ids by key (see {@link IndexKind}), for one field of one object. */
interface ValueIndex {
  readonly field: string;
  readonly kind: IndexKind;
  /** One id, or a set of ids when several records share the key. */
  readonly ids: Map<string, string | Set<string>>;
}

/** The key `kind` files `value` under; null (not filed) for null and absent values. */
export function indexKey(kind: IndexKind, value: StoredValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  return kind === 'soql-id' ? String(value).slice(0, 15) : String(value).toLowerCase();
}

function fileId(index: ValueIndex, key: string, id: string): void {
  const held = index.ids.get(key);
  if (held === undefined) index.ids.set(key, id);
  else if (typeof held === 'string') {
    if (held !== id) index.ids.set(key, new Set([held, id]));
  } else held.add(id);
}

function unfileId(index: ValueIndex, key: string, id: string): void {
  const held = index.ids.get(key);
  if (held === undefined) return;
  if (typeof held === 'string') {
    if (held === id) index.ids.delete(key);
    return;
  }
  held.delete(id);
  if (held.size === 1) index.ids.set(key, held.values().next().value as string);
  else if (held.size === 0) index.ids.delete(key);
}

function filedIds(index: ValueIndex, key: string): Iterable<string> {
  const held = index.ids.get(key);
  return held === undefined ? [] : typeof held === 'string' ? [held] : held;
}

function filedCount(index: ValueIndex, key: string): number {
  const held = index.ids.get(key);
  return held === undefined ? 0 : typeof held === 'string' ? 1 : held.size;
}

/**
 * The key a value is indexed under for unique checks: `String(value).toLowerCase()`; exact
 * (case-sensitive) lookups filter the candidates it gives. Null and absent values are not indexed.
 */
function foldedKey(value: StoredValue | undefined): string | null {
  return indexKey('unique', value);
}

/**
 * Keys that an absent or null value also matches, because the comparisons stringify both sides
 * (`String(null)` is `'null'`); lookups of these keys scan the table instead of the index.
 */
function matchesMissing(key: string): boolean {
  return key === 'null' || key === 'undefined';
}

/** One SOQL index lookup: records whose `field`, filed by `kind`, has one of `keys`. */
export interface IndexLookup {
  readonly field: string;
  readonly kind: Exclude<IndexKind, 'unique'>;
  readonly keys: readonly string[];
}

/**
 * The org's records and the rules Salesforce enforces on writes: required fields, restricted
 * picklists, lengths, unknown and read-only fields, references, inactive owners, converted Leads,
 * deleted records, unique external ids, and an active Lead assignment rule.
 */
export class SalesforceStore {
  /** Replaced, not edited, when a field is deleted (the catalog can only add and replace). */
  catalog: SObjectCatalog;
  private readonly records = new Map<string, RecordTable>();
  /**
   * Value indexes by object, then by field and kind (`field` for unique checks, `kind:field`
   * otherwise): built on an object's first lookup of a field (unique check, external-id upsert,
   * findBy, SOQL equality), then kept by every write to its table.
   */
  private readonly indexes = new Map<string, Map<string, ValueIndex>>();
  /** 15-character id → 18-character id */
  private readonly shortIds = new Map<string, string>();
  private counter = 1;
  assignmentRule: AssignmentRule | null = null;
  /** The integration user that writes (CreatedById / LastModifiedById). */
  integrationUserId = '0055e000000INTEG0';

  /**
   * The user the current request acts as (its session's user); null is system context (seeding,
   * direct store use), where field-level security does not apply.
   */
  actingUserId: string | null = null;
  private permissionsVersion = 0;
  private readonly grantCache = new Map<
    string,
    { version: number; read: ReadonlySet<string>; edit: ReadonlySet<string> }
  >();

  constructor(
    readonly now: () => number = Date.now,
    options: { handoffFields?: boolean; objects?: readonly SObjectSpec[] } = {},
  ) {
    this.catalog = new SObjectCatalog({
      handoffFields: options.handoffFields ?? true,
      ...(options.objects === undefined ? {} : { objects: options.objects }),
    });
    for (const spec of this.catalog.all()) this.records.set(spec.name, this.newTable(spec.name));
    if (this.catalog.object('PermissionSet') !== undefined) this.seedProfilePermissions();
  }

  private newTable(object: string): RecordTable {
    return new RecordTable({
      added: (id, record, replaced) => {
        if (replaced !== undefined) this.unindex(object, id, replaced);
        this.index(object, id, record);
      },
      removed: (id, record) => this.unindex(object, id, record),
      cleared: () => this.indexes.delete(object),
    });
  }

  /** Files a record in the object's indexes, under its current values (unique: live only). */
  private index(object: string, id: string, record: SfRecord): void {
    const fields = this.indexes.get(object);
    if (fields === undefined) return;
    const deleted = record['IsDeleted'] === true;
    for (const index of fields.values()) {
      if (deleted && index.kind === 'unique') continue;
      const key = indexKey(index.kind, record[index.field]);
      if (key !== null) fileId(index, key, id);
    }
  }

  /** Takes a record out of the object's indexes, under its current values. */
  private unindex(object: string, id: string, record: SfRecord): void {
    const fields = this.indexes.get(object);
    if (fields === undefined) return;
    for (const index of fields.values()) {
      const key = indexKey(index.kind, record[index.field]);
      if (key !== null) unfileId(index, key, id);
    }
  }

  /** Changes a stored record in place, keeping the indexes in step (out before, back in after). */
  private rewrite<T>(object: string, id: string, record: SfRecord, change: () => T): T {
    this.unindex(object, id, record);
    try {
      return change();
    } finally {
      this.index(object, id, record);
    }
  }

  /** Forgets one field's indexes (its values changed wholesale); the next lookup rebuilds them. */
  private dropIndex(object: string, field: string): void {
    const fields = this.indexes.get(object);
    if (fields === undefined) return;
    for (const [name, index] of fields) if (index.field === field) fields.delete(name);
  }

  /** The `kind` index of `object.field`, built from the table on first use. */
  private valueIndex(object: string, field: string, kind: IndexKind = 'unique'): ValueIndex {
    let fields = this.indexes.get(object);
    if (fields === undefined) {
      fields = new Map();
      this.indexes.set(object, fields);
    }
    const name = kind === 'unique' ? field : `${kind}:${field}`;
    let index = fields.get(name);
    if (index === undefined) {
      index = { field, kind, ids: new Map() };
      fields.set(name, index);
      for (const [id, record] of this.recordTable(object)) {
        if (kind === 'unique' && record['IsDeleted'] === true) continue;
        const key = indexKey(kind, record[field]);
        if (key !== null) fileId(index, key, id);
      }
    }
    return index;
  }

  /**
   * How many records (deleted ones too) of `object` (its catalog name) a SOQL index files under
   * the lookup's keys: what {@link recordsFiledUnder} would check, at most. Builds the index.
   */
  countFiledUnder(object: string, lookup: IndexLookup): number {
    const index = this.valueIndex(object, lookup.field, lookup.kind);
    let count = 0;
    for (const key of new Set(lookup.keys)) count += filedCount(index, key);
    return count;
  }

  /**
   * The records (deleted ones too) of `object` (its catalog name) that SOQL indexes file under
   * any of the lookups, each once, in table order (the order a scan meets them). They are
   * candidates: the caller checks each against its condition.
   */
  recordsFiledUnder(object: string, lookups: readonly IndexLookup[]): SfRecord[] {
    const table = this.recordTable(object);
    const ids = new Set<string>();
    for (const lookup of lookups) {
      const index = this.valueIndex(object, lookup.field, lookup.kind);
      for (const key of lookup.keys) for (const id of filedIds(index, key)) ids.add(id);
    }
    const found: { position: number; record: SfRecord }[] = [];
    for (const id of ids) {
      const record = table.get(id);
      if (record !== undefined) found.push({ position: table.position(id), record });
    }
    found.sort((a, b) => a.position - b.position);
    return found.map((entry) => entry.record);
  }

  /**
   * Live records of `object` (its catalog name) whose `field` satisfies
   * `String(value).toLowerCase() === key`, in table order: what a scan of the table finds, from
   * the index. Candidates are checked against their current values.
   */
  private liveMatches(object: string, field: string, key: string): SfRecord[] {
    const table = this.recordTable(object);
    if (matchesMissing(key)) {
      return [...table.values()].filter(
        (record) => record['IsDeleted'] !== true && String(record[field]).toLowerCase() === key,
      );
    }
    const found: { id: string; record: SfRecord }[] = [];
    for (const id of filedIds(this.valueIndex(object, field), key)) {
      const record = table.get(id);
      if (record !== undefined && record['IsDeleted'] !== true && foldedKey(record[field]) === key)
        found.push({ id, record });
    }
    if (found.length > 1) found.sort((a, b) => table.position(a.id) - table.position(b.id));
    return found.map((match) => match.record);
  }

  /**
   * Every user of the org has one profile, and a profile stores its field permissions in a
   * permission set it owns (IsOwnedByProfile). The org's profile grants read and edit on every
   * custom field the org starts with; fields created later (Tooling API) are granted by nobody
   * until a FieldPermissions row and an assignment say so (that a field created through the API
   * starts with no grant is unverified). The profile's permission set applies to every user
   * without PermissionSetAssignment rows; whether a real org lists such rows is not emulated.
   * Ids are fixed and do not use the record counter, so record ids elsewhere stay what they were.
   */
  private seedProfilePermissions(): void {
    const parentId = PROFILE_PERMISSION_SET_ID;
    this.insertRaw(
      'PermissionSet',
      {
        Name: 'X00e5e000000PROFILE',
        Label: '00e5e000000PROFILE',
        IsOwnedByProfile: true,
        IsCustom: false,
      },
      parentId,
    );
    let index = 0;
    for (const spec of this.catalog.all()) {
      for (const field of spec.fields) {
        if (field.custom !== true) continue;
        index += 1;
        this.insertRaw(
          'FieldPermissions',
          {
            ParentId: parentId,
            SobjectType: spec.name,
            Field: `${spec.name}.${field.name}`,
            PermissionsRead: true,
            PermissionsEdit: field.updateable !== false,
          },
          `01k5e00000PRF${String(index).padStart(5, '0')}`,
        );
      }
    }
  }

  /** Runs `work` as `userId` (field-level security applies); handlers are synchronous. */
  runAs<T>(userId: string | null | undefined, work: () => T): T {
    const previous = this.actingUserId;
    this.actingUserId = userId ?? null;
    try {
      return work();
    } finally {
      this.actingUserId = previous;
    }
  }

  /** Call after changing permission records other than through insertRaw/create/update/delete. */
  permissionsChanged(): void {
    this.permissionsVersion += 1;
  }

  /**
   * `Object.Field` keys (lower case) the user may read and edit: the field permissions of the
   * profile-owned permission sets (every user) and of the permission sets assigned to the user.
   */
  private grants(userId: string): { read: ReadonlySet<string>; edit: ReadonlySet<string> } {
    const cached = this.grantCache.get(userId);
    if (cached !== undefined && cached.version === this.permissionsVersion) return cached;
    const sets = new Set<string>();
    for (const set of this.table('PermissionSet').values()) {
      if (set['IsDeleted'] !== true && set['IsOwnedByProfile'] === true)
        sets.add(set['Id'] as string);
    }
    for (const assignment of this.table('PermissionSetAssignment').values()) {
      if (assignment['IsDeleted'] !== true && assignment['AssigneeId'] === userId)
        sets.add(String(assignment['PermissionSetId']));
    }
    const read = new Set<string>();
    const edit = new Set<string>();
    for (const row of this.table('FieldPermissions').values()) {
      if (row['IsDeleted'] === true || !sets.has(String(row['ParentId']))) continue;
      const key = String(row['Field']).toLowerCase();
      if (row['PermissionsRead'] === true) read.add(key);
      if (row['PermissionsEdit'] === true) edit.add(key);
    }
    const entry = { version: this.permissionsVersion, read, edit };
    this.grantCache.set(userId, entry);
    return entry;
  }

  /**
   * Field-level security, kept to custom fields: a custom field is readable (editable) by the
   * acting user only through a field permission of one of their permission sets. Standard fields
   * are always accessible; system context sees everything.
   */
  canAccess(object: string, field: FieldSpec, access: 'read' | 'edit'): boolean {
    // Required fields cannot be restricted by field-level security.
    if (this.actingUserId === null || field.custom !== true || field.required === true) return true;
    if (this.catalog.object('PermissionSet') === undefined) return true;
    const spec = this.catalog.object(object);
    const key = `${spec?.name ?? object}.${field.name}`.toLowerCase();
    return this.grants(this.actingUserId)[access].has(key);
  }

  /** The field as the acting user sees it: undefined when absent or not readable (FLS). */
  visibleField(object: string, name: string): FieldSpec | undefined {
    const field = this.catalog.field(object, name);
    return field !== undefined && this.canAccess(object, field, 'read') ? field : undefined;
  }

  /** The object's fields the acting user can read. */
  visibleFields(spec: SObjectSpec): readonly FieldSpec[] {
    return spec.fields.filter((field) => this.canAccess(spec.name, field, 'read'));
  }

  /** Adds a custom field to an object (Tooling API create); existing records get its default. */
  addField(object: string, field: FieldSpec): void {
    this.catalog.putField(object, field);
    const table = this.table(object);
    // Existing records may gain the default, and a field put back may hold old values.
    this.dropIndex(this.catalog.object(object)?.name ?? object, field.name);
    if (field.defaultValue === undefined) return;
    for (const record of table.values()) record[field.name] ??= field.defaultValue;
  }

  /**
   * Deletes a custom field, as an admin would in Setup: it leaves describe, SOQL and every
   * record, and its field permissions go with it. Returns false for a field that is not there.
   */
  removeField(object: string, name: string): boolean {
    const spec = this.catalog.object(object);
    const field = spec === undefined ? undefined : this.catalog.field(spec.name, name);
    if (spec === undefined || field === undefined) return false;
    if (field.custom !== true) throw new Error(`${spec.name}.${field.name} is a standard field`);
    this.catalog = new SObjectCatalog({
      handoffFields: false,
      objects: this.catalog
        .all()
        .map((candidate) =>
          candidate === spec
            ? { ...spec, fields: spec.fields.filter((kept) => kept !== field) }
            : candidate,
        ),
    });
    for (const record of this.table(spec.name).values()) delete record[field.name];
    this.dropIndex(spec.name, field.name);
    const key = `${spec.name}.${field.name}`.toLowerCase();
    if (this.catalog.object('FieldPermissions') !== undefined)
      for (const [id, row] of this.recordTable('FieldPermissions'))
        if (String(row['Field']).toLowerCase() === key)
          this.rewrite('FieldPermissions', id, row, () => (row['IsDeleted'] = true));
    this.permissionsChanged();
    return true;
  }

  /**
   * Changes a custom field's type, as Setup's Change Field Type does (not to a picklist, which
   * needs values). Values become text when the new type holds text and are cleared otherwise
   * (Salesforce converts some pairs and refuses others; the sandbox does not emulate which).
   * Returns the new field, or null when the field is not there.
   */
  changeFieldType(
    object: string,
    name: string,
    type: FieldSpec['type'],
    length?: number,
  ): FieldSpec | null {
    const spec = this.catalog.object(object);
    const current = spec === undefined ? undefined : this.catalog.field(spec.name, name);
    if (spec === undefined || current === undefined) return null;
    if (current.custom !== true)
      throw new Error(`${spec.name}.${current.name} is a standard field`);
    const text = type === 'string' || type === 'textarea';
    // What Salesforce lets an External ID be: Text, Number or Email.
    const keyable = type === 'string' || type === 'double' || type === 'email';
    const changed: FieldSpec = {
      name: current.name,
      type,
      custom: true,
      ...(current.required === true ? { required: true } : {}),
      ...(text ? { length: length ?? 255 } : {}),
      ...(keyable && current.externalId === true ? { externalId: true } : {}),
      ...(keyable && current.unique === true ? { unique: true } : {}),
    };
    this.catalog.putField(spec.name, changed);
    for (const record of this.table(spec.name).values()) {
      const value = record[current.name];
      if (value === undefined || value === null || current.type === type) continue;
      record[current.name] = !text
        ? null
        : current.type === 'datetime' && typeof value === 'number'
          ? formatDateTime(value)
          : String(value);
    }
    this.dropIndex(spec.name, current.name);
    return changed;
  }

  /**
   * The object's records by id. Reading is free; `set`, `delete` and `clear` keep the store's
   * indexes, but a record changed in place does not: change records through the store.
   */
  table(object: string): Map<string, SfRecord> {
    return this.recordTable(object);
  }

  private recordTable(object: string): RecordTable {
    const spec = this.catalog.object(object);
    const table = spec === undefined ? undefined : this.records.get(spec.name);
    if (table === undefined) throw new Error(`unknown sObject ${object}`);
    return table;
  }

  newId(spec: SObjectSpec): string {
    const id = `${spec.keyPrefix}5e${this.counter.toString(36).toUpperCase().padStart(10, '0')}AAA`;
    this.counter += 1;
    return id;
  }

  /** Resolves a 15- or 18-character id to the stored record and its object. */
  get(id: string): { spec: SObjectSpec; record: SfRecord } | undefined {
    const found = this.locate(id);
    return found === undefined ? undefined : { spec: found.spec, record: found.record };
  }

  /** `get`, with the key the record is stored under (the 18-character id). */
  private locate(id: string): { spec: SObjectSpec; key: string; record: SfRecord } | undefined {
    const full = id.length === 15 ? this.shortIds.get(id) : id;
    if (full === undefined) return undefined;
    const spec = this.catalog.objectForId(full);
    const record = spec === undefined ? undefined : this.records.get(spec.name)?.get(full);
    return spec === undefined || record === undefined ? undefined : { spec, key: full, record };
  }

  /**
   * Puts back field values saved before an update (an all-or-none rollback); fields the update
   * added stay. Returns false when the record is not there.
   */
  restore(id: string, saved: Readonly<SfRecord>): boolean {
    const found = this.locate(id);
    if (found === undefined) return false;
    this.rewrite(found.spec.name, found.key, found.record, () =>
      Object.assign(found.record, saved),
    );
    if (isPermissionObject(found.spec.name)) this.permissionsChanged();
    return true;
  }

  /** Removes a record outright, as if never created (an all-or-none rollback). */
  discard(id: string): boolean {
    const found = this.locate(id);
    if (found === undefined) return false;
    this.recordTable(found.spec.name).delete(found.key);
    if (isPermissionObject(found.spec.name)) this.permissionsChanged();
    return true;
  }

  /** Inserts a record as-is (seeding), filling system fields; no validation. */
  insertRaw(object: string, values: SfRecord, id?: string): SfRecord {
    const spec = this.catalog.object(object);
    if (spec === undefined) throw new Error(`unknown sObject ${object}`);
    const at = this.now();
    const recordId = id ?? this.newId(spec);
    const record: SfRecord = {};
    for (const field of spec.fields) {
      if (field.defaultValue !== undefined) record[field.name] = field.defaultValue;
    }
    Object.assign(record, values, { Id: recordId });
    record['CreatedDate'] ??= at;
    record['LastModifiedDate'] ??= record['CreatedDate'];
    record['SystemModstamp'] ??= record['LastModifiedDate'];
    if (spec.fields.some((field) => field.name === 'CreatedById')) {
      record['CreatedById'] ??= this.integrationUserId;
      record['LastModifiedById'] ??= this.integrationUserId;
    }
    this.deriveFields(spec, record);
    this.table(spec.name).set(recordId, record);
    this.shortIds.set(recordId.slice(0, 15), recordId);
    if (isPermissionObject(spec.name)) this.permissionsChanged();
    return record;
  }

  private deriveFields(spec: SObjectSpec, record: SfRecord): void {
    if (
      spec.fields.some((field) => field.name === 'Name') &&
      (spec.name === 'Lead' || spec.name === 'Contact' || spec.name === 'User')
    ) {
      record['Name'] = [record['FirstName'], record['LastName']]
        .filter((part) => typeof part === 'string' && part !== '')
        .join(' ');
    }
    if (spec.name === 'Task') {
      record['IsClosed'] = record['Status'] === 'Completed';
      record['IsHighPriority'] = record['Priority'] === 'High';
    }
    // Read-only in Salesforce: follows the member's Status, however the record was written.
    if (spec.name === 'CampaignMember') {
      const first = record['FirstRespondedDate'];
      Object.assign(
        record,
        campaignMemberResponse(
          record['Status'],
          typeof first === 'string' ? first : null,
          this.now(),
        ),
      );
    }
  }

  /** Coerces and checks one incoming value; returns the stored value or an error. */
  private coerce(
    spec: SObjectSpec,
    field: FieldSpec,
    raw: unknown,
  ): { value: StoredValue } | { error: RecordError } {
    const name = field.name;
    const wrongType = (): { error: RecordError } => ({
      error: error(
        'INVALID_TYPE_ON_FIELD_IN_RECORD',
        `${name}: value not of required type: ${asText(raw)}`,
        [name],
      ),
    });
    if (raw === null || raw === '') {
      if (
        field.type === 'picklist' &&
        field.restricted === true &&
        (field.required === true || name === 'Status')
      ) {
        return {
          error: error(
            'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            `${field.name}: bad value for restricted picklist field: ${String(raw)}`,
            [name],
          ),
        };
      }
      if (field.required === true)
        return {
          error: error('REQUIRED_FIELD_MISSING', `Required fields are missing: [${name}]`, [name]),
        };
      return { value: null };
    }
    switch (field.type) {
      case 'boolean':
        if (typeof raw === 'boolean') return { value: raw };
        if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
        return wrongType();
      case 'double':
      case 'int':
      case 'currency': {
        const number = typeof raw === 'number' ? raw : Number(raw);
        if (!Number.isFinite(number) || (field.type === 'int' && !Number.isInteger(number))) {
          return wrongType();
        }
        return { value: number };
      }
      case 'datetime': {
        const ms = typeof raw === 'string' ? parseDateTime(raw) : null;
        if (ms === null) return wrongType();
        return { value: ms };
      }
      case 'date':
        if (typeof raw !== 'string' || !DATE_PATTERN.test(raw)) {
          return wrongType();
        }
        return { value: raw };
      case 'reference': {
        const id = asText(raw);
        // The seeded integration user's id is 17 characters; ids the org holds are accepted.
        if (!ID_PATTERN.test(id) && this.get(id) === undefined)
          return {
            error: error('MALFORMED_ID', `${spec.name} ID: id value of incorrect type: ${id}`, [
              name,
            ]),
          };
        const target = this.get(id);
        if (target === undefined || !(field.referenceTo ?? []).includes(target.spec.name)) {
          return {
            error: error('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [name]),
          };
        }
        if (
          name === 'OwnerId' &&
          target.spec.name === 'User' &&
          target.record['IsActive'] !== true
        ) {
          return {
            error: error(
              'INACTIVE_OWNER_OR_USER',
              `operation performed with inactive user [${target.record['Id'] as string}] as owner of ${spec.name.toLowerCase()}`,
              [],
            ),
          };
        }
        return { value: target.record['Id'] as string };
      }
      default: {
        const text = asText(raw);
        if (
          field.type === 'picklist' &&
          field.restricted === true &&
          !(field.picklist ?? []).includes(text)
        ) {
          return {
            error: error(
              'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
              `${field.name}: bad value for restricted picklist field: ${text}`,
              [name],
            ),
          };
        }
        if (field.length !== undefined && text.length > field.length) {
          return {
            error: error(
              'STRING_TOO_LONG',
              `${name}: data value too large: ${text.slice(0, 20)}… (max length=${field.length})`,
              [name],
            ),
          };
        }
        if (field.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
          return {
            error: error('INVALID_EMAIL_ADDRESS', `Email: invalid email address: ${text}`, [name]),
          };
        }
        return { value: text };
      }
    }
  }

  private validateValues(
    spec: SObjectSpec,
    values: Readonly<Record<string, unknown>>,
    mode: 'create' | 'update',
  ): { values: SfRecord } | { errors: RecordError[] } {
    const errors: RecordError[] = [];
    const stored: SfRecord = {};
    const readOnly: string[] = [];
    for (const [key, raw] of Object.entries(values)) {
      if (key === 'attributes' || key === 'Id' || key === 'id') continue;
      const field = this.visibleField(spec.name, key);
      if (field === undefined) {
        errors.push(
          error('INVALID_FIELD', `No such column '${key}' on sobject of type ${spec.name}`, [key]),
        );
        continue;
      }
      if (
        (mode === 'create' ? field.createable : field.updateable) === false ||
        !this.canAccess(spec.name, field, 'edit')
      ) {
        readOnly.push(field.name);
        continue;
      }
      const result = this.coerce(spec, field, raw);
      if ('error' in result) errors.push(result.error);
      else stored[field.name] = result.value;
    }
    if (readOnly.length > 0) {
      errors.push(
        error(
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to ${mode} fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          readOnly,
        ),
      );
    }
    return errors.length > 0 ? { errors } : { values: stored };
  }

  private checkUnique(
    spec: SObjectSpec,
    values: SfRecord,
    selfId: string | null,
  ): RecordError | null {
    for (const field of spec.fields) {
      if (field.unique !== true) continue;
      const value = values[field.name];
      if (value === undefined || value === null) continue;
      const record = this.liveMatches(spec.name, field.name, String(value).toLowerCase()).find(
        (match) => match['Id'] !== selfId,
      );
      if (record !== undefined) {
        return error(
          'DUPLICATE_VALUE',
          `duplicate value found: ${field.name} duplicates value on record with id: ${record['Id'] as string}`,
          [field.name],
        );
      }
    }
    return null;
  }

  /**
   * The rules of the permission objects
   * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm
   * and …_permissionsetassignment.htm): `SobjectType` and `Field` are restricted picklists of the org's
   * objects and permissionable fields, edit needs read, and a permission set holds one row per
   * field or object and a user one assignment per permission set. The wording of the errors for a
   * duplicate row or edit-without-read is unverified.
   */
  private checkPermissionRecord(
    spec: SObjectSpec,
    values: SfRecord,
    selfId: string | null,
  ): RecordError | null {
    const live = (object: string): SfRecord[] =>
      [...this.table(object).values()].filter(
        (row) => row['IsDeleted'] !== true && row['Id'] !== selfId,
      );
    const duplicateRow = (): RecordError =>
      error(
        'DUPLICATE_VALUE',
        'duplicate value found: <unknown> duplicates value on record with id: <unknown>',
      );
    const badPicklist = (name: string, value: unknown): RecordError =>
      error(
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `${name}: bad value for restricted picklist field: ${asText(value)}`,
        [name],
      );
    switch (spec.name) {
      case 'FieldPermissions':
      case 'ObjectPermissions': {
        const object = this.catalog.object(String(values['SobjectType']));
        if (object === undefined || isPermissionObject(object.name))
          return badPicklist('SobjectType', values['SobjectType']);
        values['SobjectType'] = object.name;
        if (spec.name === 'FieldPermissions') {
          const text = String(values['Field']);
          const dot = text.indexOf('.');
          const field =
            dot < 0 || text.slice(0, dot).toLowerCase() !== object.name.toLowerCase()
              ? undefined
              : this.catalog.field(object.name, text.slice(dot + 1));
          if (field === undefined || !isPermissionable(field))
            return badPicklist('Field', values['Field']);
          values['Field'] = `${object.name}.${field.name}`;
          if (values['PermissionsEdit'] === true && values['PermissionsRead'] !== true)
            return error(
              'FIELD_INTEGRITY_EXCEPTION',
              'Permission Edit depends on permission(s): Read',
              ['PermissionsEdit'],
            );
          if (
            values['PermissionsEdit'] === true &&
            field.updateable === false &&
            field.createable === false
          )
            return error(
              'FIELD_INTEGRITY_EXCEPTION',
              `Field ${object.name}.${field.name} is read-only; it cannot have Edit permission`,
              ['PermissionsEdit'],
            );
        }
        const key = spec.name === 'FieldPermissions' ? 'Field' : 'SobjectType';
        const clash = live(spec.name).some(
          (row) =>
            row['ParentId'] === values['ParentId'] &&
            String(row[key]).toLowerCase() === String(values[key]).toLowerCase(),
        );
        return clash ? duplicateRow() : null;
      }
      case 'PermissionSetAssignment': {
        const clash = live(spec.name).some(
          (row) =>
            row['AssigneeId'] === values['AssigneeId'] &&
            row['PermissionSetId'] === values['PermissionSetId'],
        );
        return clash ? duplicateRow() : null;
      }
      case 'PermissionSet': {
        const name = String(values['Name']);
        if (!/^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/.test(name) || name.endsWith('_'))
          return error(
            'FIELD_INTEGRITY_EXCEPTION',
            'The API Name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.',
            ['Name'],
          );
        const clash = live(spec.name).some(
          (row) => String(row['Name']).toLowerCase() === name.toLowerCase(),
        );
        return clash
          ? error('DUPLICATE_DEVELOPER_NAME', `The API Name ${name} is already in use.`, ['Name'])
          : null;
      }
      default:
        return null;
    }
  }

  /**
   * A QueueSobject names a queue (a Group of Type Queue) and holds one row per queue and object.
   * The codes and wording of both refusals are unverified.
   */
  private checkQueueSobject(spec: SObjectSpec, values: SfRecord): RecordError | null {
    if (spec.name !== 'QueueSobject') return null;
    const queue = this.get(String(values['QueueId']))?.record;
    if (queue?.['Type'] !== 'Queue')
      return error('FIELD_INTEGRITY_EXCEPTION', 'QueueId: the group is not a queue', ['QueueId']);
    const clash = [...this.table(spec.name).values()].some(
      (row) =>
        row['IsDeleted'] !== true &&
        row['QueueId'] === values['QueueId'] &&
        row['SobjectType'] === values['SobjectType'],
    );
    return clash
      ? error(
          'DUPLICATE_VALUE',
          `duplicate value found: the queue already supports ${asText(values['SobjectType'])}`,
        )
      : null;
  }

  private assign(spec: SObjectSpec, values: SfRecord, autoAssign: boolean): void {
    if (spec.name === 'Lead' && autoAssign && this.assignmentRule?.active === true)
      values['OwnerId'] = this.assignmentRule.ownerId;
  }

  /** Validates and inserts; `autoAssign` is false when the request sent `Sforce-Auto-Assign: FALSE`. */
  create(
    object: string,
    input: Readonly<Record<string, unknown>>,
    autoAssign: boolean,
  ): WriteResult {
    const spec = this.catalog.object(object);
    if (spec === undefined) return unsupported(object);
    const checked = this.validateValues(spec, input, 'create');
    if ('errors' in checked) return { ok: false, errors: checked.errors };
    const missing = spec.fields
      .filter(
        (field) =>
          field.required === true &&
          (checked.values[field.name] === undefined || checked.values[field.name] === null),
      )
      .map((field) => field.name);
    if (missing.length > 0)
      return {
        ok: false,
        errors: [
          error(
            'REQUIRED_FIELD_MISSING',
            `Required fields are missing: [${missing.join(', ')}]`,
            missing,
          ),
        ],
      };
    const duplicate =
      this.checkPermissionRecord(spec, checked.values, null) ??
      this.checkQueueSobject(spec, checked.values) ??
      this.checkUnique(spec, checked.values, null);
    if (duplicate !== null) return { ok: false, errors: [duplicate] };
    if (spec.fields.some((field) => field.name === 'OwnerId'))
      checked.values['OwnerId'] ??= this.integrationUserId;
    this.assign(spec, checked.values, autoAssign);
    const at = this.now();
    const record = this.insertRaw(spec.name, {
      ...checked.values,
      CreatedDate: at,
      LastModifiedDate: at,
      SystemModstamp: at,
    });
    return { ok: true, id: record['Id'] as string, created: true };
  }

  /** Validates and applies an update to an existing record. */
  update(
    object: string,
    id: string,
    input: Readonly<Record<string, unknown>>,
    autoAssign: boolean,
    /** Who makes the change (`LastModifiedById`): the API's user unless a test acts as a rep. */
    actor: string = this.integrationUserId,
  ): WriteResult {
    const spec = this.catalog.object(object);
    if (spec === undefined) return unsupported(object);
    if (!ID_PATTERN.test(id))
      return {
        ok: false,
        errors: [
          error('MALFORMED_ID', `${spec.name} ID: id value of incorrect type: ${id}`, ['Id']),
        ],
      };
    const found = this.locate(id);
    if (found === undefined || found.spec.name !== spec.name) {
      return {
        ok: false,
        errors: [
          error('MALFORMED_ID', `${spec.name} ID: id value of incorrect type: ${id}`, ['Id']),
        ],
      };
    }
    const { record } = found;
    if (record['IsDeleted'] === true)
      return { ok: false, errors: [error('ENTITY_IS_DELETED', 'entity is deleted')] };
    if (spec.name === 'Lead' && record['IsConverted'] === true) {
      return {
        ok: false,
        errors: [error('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead')],
      };
    }
    const checked = this.validateValues(spec, input, 'update');
    if ('errors' in checked) return { ok: false, errors: checked.errors };
    const duplicate =
      this.checkPermissionRecord(spec, { ...record, ...checked.values }, record['Id'] as string) ??
      this.checkUnique(spec, checked.values, record['Id'] as string);
    if (duplicate !== null) return { ok: false, errors: [duplicate] };
    this.assign(spec, checked.values, autoAssign);
    this.rewrite(spec.name, found.key, record, () => {
      Object.assign(record, checked.values);
      // "If a FieldPermissions row has no read permission, it is deleted" (object reference).
      if (spec.name === 'FieldPermissions' && record['PermissionsRead'] !== true)
        record['IsDeleted'] = true;
      const at = Math.max(this.now(), Number(record['SystemModstamp'] ?? 0) + 1);
      record['LastModifiedDate'] = at;
      record['SystemModstamp'] = at;
      record['LastModifiedById'] = actor;
      this.deriveFields(spec, record);
      if (spec.name === 'Task' && record['IsClosed'] === true) record['CompletedDateTime'] ??= at;
    });
    if (isPermissionObject(spec.name)) this.permissionsChanged();
    return { ok: true, id: record['Id'] as string, created: false };
  }

  /**
   * Finds live records whose `field` equals `value` as text, case-sensitively (external-id
   * upsert), in table order. Served from the field's index (built on first use).
   */
  findBy(object: string, field: string, value: string): SfRecord[] {
    const spec = this.catalog.object(object);
    if (spec === undefined) throw new Error(`unknown sObject ${object}`);
    return this.liveMatches(spec.name, field, value.toLowerCase()).filter(
      (record) => record[field] !== undefined && String(record[field]) === value,
    );
  }

  delete(id: string): WriteResult {
    const found = this.locate(id);
    if (found === undefined)
      return { ok: false, errors: [error('ENTITY_IS_DELETED', 'entity is deleted')] };
    if (found.record['IsDeleted'] === true)
      return { ok: false, errors: [error('ENTITY_IS_DELETED', 'entity is deleted')] };
    const at = this.now();
    this.rewrite(found.spec.name, found.key, found.record, () => {
      found.record['IsDeleted'] = true;
      found.record['SystemModstamp'] = at;
    });
    if (isPermissionObject(found.spec.name)) this.permissionsChanged();
    return { ok: true, id: found.record['Id'] as string, created: false };
  }
}
