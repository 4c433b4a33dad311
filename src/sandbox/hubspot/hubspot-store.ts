import { asText } from '../core/sandbox-http.js';
import { PropertyHistory } from './hubspot-property-history.js';
import { SortedIndex } from './sorted-index.js';
/**
 * The in-memory HubSpot portal behind the sandbox: CRM objects, property definitions, v4
 * associations, lists and owners. Values are stored as strings, as HubSpot does.
 */

export const HUBSPOT_OBJECT_TYPES = [
  'contacts',
  'calls',
  'emails',
  'meetings',
  'notes',
  'tasks',
] as const;
export type HubSpotObjectType = (typeof HUBSPOT_OBJECT_TYPES)[number];

const OBJECT_TYPE_ALIASES: Readonly<Record<string, HubSpotObjectType>> = {
  contact: 'contacts',
  contacts: 'contacts',
  '0-1': 'contacts',
  call: 'calls',
  calls: 'calls',
  '0-48': 'calls',
  email: 'emails',
  emails: 'emails',
  '0-49': 'emails',
  meeting: 'meetings',
  meetings: 'meetings',
  '0-47': 'meetings',
  note: 'notes',
  notes: 'notes',
  '0-46': 'notes',
  task: 'tasks',
  tasks: 'tasks',
  '0-27': 'tasks',
};

/** `contact`, `contacts` and `0-1` all name the contacts object. */
export function toObjectType(name: string): HubSpotObjectType | null {
  return OBJECT_TYPE_ALIASES[name.toLowerCase()] ?? null;
}

/** HUBSPOT_DEFINED association type ids (the SDK's AssociationTypes enum), from → to. */
const ASSOCIATION_TYPE_IDS: Readonly<Record<string, number>> = {
  'contacts>calls': 193,
  'calls>contacts': 194,
  'contacts>emails': 197,
  'emails>contacts': 198,
  'contacts>meetings': 199,
  'meetings>contacts': 200,
  'contacts>notes': 201,
  'notes>contacts': 202,
  'contacts>tasks': 203,
  'tasks>contacts': 204,
};

export function associationTypeId(from: HubSpotObjectType, to: HubSpotObjectType): number | null {
  return ASSOCIATION_TYPE_IDS[`${from}>${to}`] ?? null;
}
export interface HubSpotRecord {
  readonly id: string;
  properties: Record<string, string>;
  /** Datetime properties as epoch ms, kept beside the strings so search never re-parses them. */
  epochs: Record<string, number>;
  readonly createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt: number | null;
}

export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';

export interface PropertyDefinition {
  readonly name: string;
  readonly label: string;
  readonly type: PropertyType;
  readonly fieldType: string;
  readonly groupName: string;
  readonly description: string;
  readonly options: readonly {
    label: string;
    value: string;
    displayOrder: number;
    hidden: boolean;
  }[];
  readonly hubspotDefined: boolean;
  readonly hasUniqueValue: boolean;
  /** The API cannot write it (system-maintained). */
  readonly readOnlyValue: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface PropertyGroup {
  readonly name: string;
  readonly label: string;
  readonly displayOrder: number;
  readonly archived: boolean;
}

export interface HubSpotList {
  readonly listId: string;
  readonly name: string;
  readonly objectTypeId: string;
  readonly processingType: 'MANUAL' | 'SNAPSHOT' | 'DYNAMIC';
  readonly createdAt: number;
  updatedAt: number;
  listVersion: number;
  /** record id → membership timestamp */
  readonly members: Map<string, number>;
}

export interface HubSpotOwner {
  readonly id: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly userId: number;
  readonly archived: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A change to a contact, for webhook subscribers. */
export interface ContactChange {
  readonly contactId: string;
  readonly kind: 'creation' | 'propertyChange' | 'deletion';
  readonly propertyName?: string;
  readonly propertyValue?: string;
  readonly occurredAt: number;
}

/** Lifecycle stages in HubSpot's forward order; the API does not move a contact backwards. */
export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
] as const;

type Def = [
  name: string,
  type: PropertyType,
  fieldType?: string,
  extra?: Partial<PropertyDefinition>,
];

const CONTACT_PROPERTIES: readonly Def[] = [
  ['email', 'string', 'text', { hasUniqueValue: true }],
  ['firstname', 'string'],
  ['lastname', 'string'],
  ['company', 'string'],
  ['jobtitle', 'string'],
  ['country', 'string'],
  ['state', 'string'],
  ['city', 'string'],
  ['phone', 'string', 'phonenumber'],
  ['website', 'string'],
  ['industry', 'string'],
  ['numberofemployees', 'number', 'number'],
  ['annualrevenue', 'number', 'number'],
  ['hs_analytics_source', 'enumeration', 'select'],
  ['hs_email_domain', 'string', 'text', { readOnlyValue: true }],
  ['lifecyclestage', 'enumeration', 'radio'],
  ['hs_lead_status', 'enumeration', 'select'],
  ['hubspot_owner_id', 'enumeration', 'select'],
  ['salesforceleadid', 'string'],
  ['salesforcecontactid', 'string'],
  ['hs_object_id', 'number', 'number', { readOnlyValue: true }],
  ['createdate', 'datetime', 'date'],
  ['lastmodifieddate', 'datetime', 'date', { readOnlyValue: true }],
  ['notes_last_updated', 'datetime', 'date', { readOnlyValue: true }],
  ['recent_conversion_event_name', 'string', 'text', { readOnlyValue: true }],
  ['recent_conversion_date', 'datetime', 'date', { readOnlyValue: true }],
  ['num_conversion_events', 'number', 'number', { readOnlyValue: true }],
  ['hs_analytics_num_page_views', 'number', 'number', { readOnlyValue: true }],
];

const ENGAGEMENT_PROPERTIES: readonly Def[] = [
  ['hs_timestamp', 'datetime', 'date'],
  ['hubspot_owner_id', 'enumeration', 'select'],
  ['hs_object_id', 'number', 'number', { readOnlyValue: true }],
  ['hs_createdate', 'datetime', 'date', { readOnlyValue: true }],
  ['hs_lastmodifieddate', 'datetime', 'date', { readOnlyValue: true }],
];

const TYPE_PROPERTIES: Readonly<Record<Exclude<HubSpotObjectType, 'contacts'>, readonly Def[]>> = {
  calls: [
    ['hs_call_title', 'string'],
    ['hs_call_body', 'string', 'textarea'],
    ['hs_call_direction', 'enumeration', 'select'],
    ['hs_call_disposition', 'string'],
    ['hs_call_duration', 'number', 'number'],
    ['hs_call_status', 'enumeration', 'select'],
  ],
  emails: [
    ['hs_email_subject', 'string'],
    ['hs_email_text', 'string', 'textarea'],
    ['hs_email_direction', 'enumeration', 'select'],
    ['hs_email_status', 'enumeration', 'select'],
  ],
  meetings: [
    ['hs_meeting_title', 'string'],
    ['hs_meeting_body', 'string', 'textarea'],
    ['hs_meeting_start_time', 'datetime', 'date'],
    ['hs_meeting_end_time', 'datetime', 'date'],
    ['hs_meeting_outcome', 'enumeration', 'select'],
  ],
  notes: [['hs_note_body', 'string', 'html']],
  tasks: [
    ['hs_task_subject', 'string'],
    ['hs_task_body', 'string', 'textarea'],
    ['hs_task_status', 'enumeration', 'select'],
  ],
};

function definition(def: Def, at: number): PropertyDefinition {
  const [name, type, fieldType, extra] = def;
  return {
    name,
    label: name,
    type,
    fieldType: fieldType ?? 'text',
    groupName: 'contactinformation',
    description: '',
    options: [],
    hubspotDefined: true,
    hasUniqueValue: false,
    readOnlyValue: false,
    createdAt: at,
    updatedAt: at,
    ...extra,
  };
}

/** Properties that come back when a read names none. */
export function defaultProperties(type: HubSpotObjectType): readonly string[] {
  return type === 'contacts'
    ? ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']
    : ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'];
}

/** A write HubSpot refuses, per property. */
export interface PropertyProblem {
  readonly name: string;
  readonly error:
    'PROPERTY_DOESNT_EXIST' | 'READ_ONLY_VALUE' | 'INVALID_INTEGER' | 'INVALID_DATETIME';
  readonly message: string;
}

/**
 * One object type's records by id. Deleting through the Map (an undone create) or clearing it is
 * reported to the store, which takes the records out of its datetime indexes, so a search never
 * meets an id without a record; replacing a record with another object marks them for rebuild.
 */
class RecordMap extends Map<string, HubSpotRecord> {
  constructor(
    private readonly hooks: {
      readonly replaced: (previous: HubSpotRecord, next: HubSpotRecord) => void;
      readonly removed: (record: HubSpotRecord) => void;
      readonly cleared: () => void;
    },
  ) {
    super();
  }

  override set(id: string, record: HubSpotRecord): this {
    const previous = super.get(id);
    super.set(id, record);
    if (previous !== undefined && previous !== record) this.hooks.replaced(previous, record);
    return this;
  }

  override delete(id: string): boolean {
    const record = super.get(id);
    if (record === undefined) return false;
    super.delete(id);
    this.hooks.removed(record);
    return true;
  }

  override clear(): void {
    super.clear();
    this.hooks.cleared();
  }
}

export class HubSpotStore {
  readonly objects: Record<HubSpotObjectType, Map<string, HubSpotRecord>>;
  readonly properties: Record<HubSpotObjectType, Map<string, PropertyDefinition>>;
  readonly groups: Record<HubSpotObjectType, Map<string, PropertyGroup>>;
  /** `type:id` → target type → target ids */
  private readonly associations = new Map<string, Map<HubSpotObjectType, Set<string>>>();
  readonly lists = new Map<string, HubSpotList>();
  readonly owners: HubSpotOwner[] = [];
  /** Values set through `create` and `update`, for `propertiesWithHistory`. */
  readonly history = new PropertyHistory();
  private readonly emails = new Map<string, string>();
  private readonly listeners: ((change: ContactChange) => void)[] = [];
  private nextObjectId = 100_001;
  private nextListId = 1;
  /** Bumped on every write; search caches key on it. */
  version = 0;
  /** `type:property` → ids ordered by that datetime property (the sync's search windows). */
  private readonly indexes = new Map<string, SortedIndex>();
  /**
   * Ids of archived records, by type. Archived records keep their place in the indexes; index
   * windows count them out. Archive through {@link archive}, not by setting the flag.
   */
  private readonly archived = new Map<HubSpotObjectType, Set<string>>(
    HUBSPOT_OBJECT_TYPES.map((type) => [type, new Set<string>()]),
  );

  constructor(readonly now: () => number = Date.now) {
    const at = now();
    const empty = <V>(): Record<HubSpotObjectType, Map<string, V>> => ({
      contacts: new Map(),
      calls: new Map(),
      emails: new Map(),
      meetings: new Map(),
      notes: new Map(),
      tasks: new Map(),
    });
    const recordMap = (type: HubSpotObjectType): RecordMap =>
      new RecordMap({
        replaced: (previous, next) => {
          this.staleIndexes(type);
          this.archivedSet(type).delete(previous.id);
          if (next.archived) this.archivedSet(type).add(next.id);
        },
        removed: (record) => {
          for (const [key, index] of this.indexes) {
            const name = key.slice(type.length + 1);
            if (key.startsWith(`${type}:`)) index.move(record.id, record.epochs[name], undefined);
          }
          this.archivedSet(type).delete(record.id);
        },
        cleared: () => {
          this.staleIndexes(type);
          this.archivedSet(type).clear();
        },
      });
    this.objects = {
      contacts: recordMap('contacts'),
      calls: recordMap('calls'),
      emails: recordMap('emails'),
      meetings: recordMap('meetings'),
      notes: recordMap('notes'),
      tasks: recordMap('tasks'),
    };
    this.properties = empty();
    this.groups = empty();
    for (const type of HUBSPOT_OBJECT_TYPES) {
      const names =
        type === 'contacts' ? ['lastmodifieddate', 'createdate'] : ['hs_lastmodifieddate'];
      for (const name of names) {
        const records = this.objects[type];
        this.indexes.set(
          `${type}:${name}`,
          new SortedIndex(function* () {
            for (const record of records.values()) yield [record.id, record.epochs[name]] as const;
          }),
        );
      }
    }
    for (const type of HUBSPOT_OBJECT_TYPES) {
      const defs =
        type === 'contacts'
          ? CONTACT_PROPERTIES
          : [...ENGAGEMENT_PROPERTIES, ...TYPE_PROPERTIES[type]];
      for (const def of defs) this.properties[type].set(def[0], definition(def, at));
      this.groups[type].set('contactinformation', {
        name: 'contactinformation',
        label: 'Contact information',
        displayOrder: 0,
        archived: false,
      });
    }
  }

  onContactChange(listener: (change: ContactChange) => void): void {
    this.listeners.push(listener);
  }

  private emit(change: ContactChange): void {
    for (const listener of this.listeners) listener(change);
  }

  newId(): string {
    const id = String(this.nextObjectId);
    this.nextObjectId += 1;
    return id;
  }

  findByEmail(email: string): HubSpotRecord | undefined {
    const id = this.emails.get(email.trim().toLowerCase());
    const record = id === undefined ? undefined : this.objects.contacts.get(id);
    return record?.archived === false ? record : undefined;
  }

  /** Resolves an id or a unique property value (`idProperty`) to a live record. */
  find(
    type: HubSpotObjectType,
    id: string,
    idProperty?: string | null,
    archived = false,
  ): HubSpotRecord | undefined {
    if (idProperty !== undefined && idProperty !== null && idProperty !== 'hs_object_id') {
      if (type === 'contacts' && idProperty === 'email') return this.findByEmail(id);
      for (const record of this.objects[type].values()) {
        if (!record.archived && record.properties[idProperty] === id) return record;
      }
      return undefined;
    }
    const record = this.objects[type].get(id);
    return record !== undefined && record.archived === archived ? record : undefined;
  }

  /** Problems with writing `values` to `type`; empty when the write is valid. */
  validate(type: HubSpotObjectType, values: Readonly<Record<string, unknown>>): PropertyProblem[] {
    const problems: PropertyProblem[] = [];
    for (const [name, value] of Object.entries(values)) {
      const def = this.properties[type].get(name);
      if (def === undefined) {
        problems.push({
          name,
          error: 'PROPERTY_DOESNT_EXIST',
          message: `Property "${name}" does not exist`,
        });
      } else if (def.readOnlyValue) {
        problems.push({
          name,
          error: 'READ_ONLY_VALUE',
          message: `"${name}" is a read only property; its value cannot be set.`,
        });
      } else if (
        value !== null &&
        value !== '' &&
        def.type === 'number' &&
        !Number.isFinite(Number(value))
      ) {
        problems.push({
          name,
          error: 'INVALID_INTEGER',
          message: `${JSON.stringify(value)} was not a valid number.`,
        });
      } else if (
        value !== null &&
        value !== '' &&
        (def.type === 'datetime' || def.type === 'date') &&
        toEpochMs(asText(value)) === null
      ) {
        problems.push({
          name,
          error: 'INVALID_DATETIME',
          message: `${JSON.stringify(value)} was not a valid date.`,
        });
      }
    }
    return problems;
  }

  create(
    type: HubSpotObjectType,
    values: Readonly<Record<string, unknown>>,
    at = this.now(),
  ): HubSpotRecord {
    const id = this.newId();
    const record: HubSpotRecord = {
      id,
      properties: {},
      epochs: {},
      createdAt: at,
      updatedAt: at,
      archived: false,
      archivedAt: null,
    };
    record.properties['hs_object_id'] = id;
    this.setDatetime(type, record, type === 'contacts' ? 'createdate' : 'hs_createdate', at);
    this.setDatetime(
      type,
      record,
      type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate',
      at,
    );
    for (const name of this.applyValues(type, record, values))
      this.history.record(type, id, name, record.properties[name] ?? null, at);
    this.objects[type].set(id, record);
    if (type === 'contacts') {
      const email = record.properties['email'];
      if (email !== undefined) this.emails.set(email.toLowerCase(), id);
      this.emit({ contactId: id, kind: 'creation', occurredAt: at });
    }
    this.version += 1;
    return record;
  }

  /** Applies a validated write; returns the names whose value changed. */
  update(
    type: HubSpotObjectType,
    record: HubSpotRecord,
    values: Readonly<Record<string, unknown>>,
    at = this.now(),
  ): string[] {
    const changed = this.applyValues(type, record, values);
    if (changed.length === 0) return changed;
    record.updatedAt = Math.max(at, record.updatedAt + 1);
    for (const name of changed)
      this.history.record(type, record.id, name, record.properties[name] ?? null, record.updatedAt);
    this.setDatetime(
      type,
      record,
      type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate',
      record.updatedAt,
    );
    this.version += 1;
    if (type === 'contacts') {
      for (const name of changed) {
        this.emit({
          contactId: record.id,
          kind: 'propertyChange',
          propertyName: name,
          propertyValue: record.properties[name] ?? '',
          occurredAt: record.updatedAt,
        });
      }
    }
    return changed;
  }

  private applyValues(
    type: HubSpotObjectType,
    record: HubSpotRecord,
    values: Readonly<Record<string, unknown>>,
  ): string[] {
    const changed: string[] = [];
    for (const [name, raw] of Object.entries(values)) {
      const def = this.properties[type].get(name);
      let value = raw === null || raw === '' ? null : asText(raw);
      const isDatetime = def !== undefined && (def.type === 'datetime' || def.type === 'date');
      if (value !== null && isDatetime) value = new Date(toEpochMs(value) ?? 0).toISOString();
      if (
        name === 'lifecyclestage' &&
        value !== null &&
        isBackwards(record.properties[name], value)
      ) {
        // HubSpot keeps the later stage unless the property is cleared first [UNVERIFIED: whether
        // the API answers an error instead; the documented workaround is clear, then set].
        continue;
      }
      const previous = record.properties[name];
      if ((previous ?? null) === value) continue;
      if (value === null) {
        this.indexes.get(`${type}:${name}`)?.move(record.id, record.epochs[name], undefined);
        delete record.properties[name];
        delete record.epochs[name];
      } else if (isDatetime) {
        this.setDatetime(type, record, name, Date.parse(value), value);
      } else record.properties[name] = value;
      if (type === 'contacts' && name === 'email') {
        if (previous !== undefined) this.emails.delete(previous.toLowerCase());
        if (value !== null) this.emails.set(value.toLowerCase(), record.id);
      }
      changed.push(name);
    }
    return changed;
  }

  /** Builds stale indexes now (after a bulk load), so the first search does not pay for it. */
  prepareIndexes(): void {
    for (const index of this.indexes.values()) index.range(0, 0);
  }

  private staleIndexes(type: HubSpotObjectType): void {
    for (const [key, index] of this.indexes) if (key.startsWith(`${type}:`)) index.markStale();
  }

  /** Ids of the type's archived records (a live view). */
  archivedIds(type: HubSpotObjectType): ReadonlySet<string> {
    return this.archivedSet(type);
  }

  private archivedSet(type: HubSpotObjectType): Set<string> {
    const ids = this.archived.get(type);
    if (ids === undefined) throw new Error(`unknown object type ${type}`);
    return ids;
  }

  /** The ordered index of a datetime property, when there is one. */
  index(type: HubSpotObjectType, name: string): SortedIndex | undefined {
    return this.indexes.get(`${type}:${name}`);
  }

  /** Sets a datetime property, string and epoch together, keeping its index current. */
  setDatetime(
    type: HubSpotObjectType,
    record: HubSpotRecord,
    name: string,
    epochMs: number,
    iso = new Date(epochMs).toISOString(),
  ): void {
    this.indexes.get(`${type}:${name}`)?.move(record.id, record.epochs[name], epochMs);
    record.properties[name] = iso;
    record.epochs[name] = epochMs;
  }

  /**
   * Inserts trusted values (seeding): no validation, datetimes given as epoch ms. Much faster
   * than `create` for the 100,000-contact tenants benchmarks use.
   */
  insertSeed(
    type: HubSpotObjectType,
    values: Readonly<Record<string, string>>,
    datetimes: Readonly<Record<string, number>>,
    createdAt: number,
    updatedAt = createdAt,
  ): HubSpotRecord {
    const id = this.newId();
    const record: HubSpotRecord = {
      id,
      properties: { ...values, hs_object_id: id },
      epochs: {},
      createdAt,
      updatedAt,
      archived: false,
      archivedAt: null,
    };
    const stamps = {
      ...datetimes,
      [type === 'contacts' ? 'createdate' : 'hs_createdate']: createdAt,
      [type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate']: updatedAt,
    };
    for (const [name, epochMs] of Object.entries(stamps)) {
      record.properties[name] = new Date(epochMs).toISOString();
      record.epochs[name] = epochMs;
    }
    this.staleIndexes(type);
    this.objects[type].set(id, record);
    const email = values['email'];
    if (type === 'contacts' && email !== undefined) this.emails.set(email.toLowerCase(), id);
    return record;
  }

  archive(type: HubSpotObjectType, record: HubSpotRecord, at = this.now()): void {
    if (record.archived) return;
    record.archived = true;
    record.archivedAt = at;
    this.archivedSet(type).add(record.id);
    if (type === 'contacts') {
      const email = record.properties['email'];
      if (email !== undefined) this.emails.delete(email.toLowerCase());
      this.emit({ contactId: record.id, kind: 'deletion', occurredAt: at });
    }
    this.version += 1;
  }

  associate(
    fromType: HubSpotObjectType,
    fromId: string,
    toType: HubSpotObjectType,
    toId: string,
  ): void {
    this.link(fromType, fromId, toType, toId);
    this.link(toType, toId, fromType, fromId);
    this.version += 1;
  }

  private link(
    fromType: HubSpotObjectType,
    fromId: string,
    toType: HubSpotObjectType,
    toId: string,
  ): void {
    const key = `${fromType}:${fromId}`;
    let byType = this.associations.get(key);
    if (byType === undefined) {
      byType = new Map();
      this.associations.set(key, byType);
    }
    let ids = byType.get(toType);
    if (ids === undefined) {
      ids = new Set();
      byType.set(toType, ids);
    }
    ids.add(toId);
  }

  associated(
    fromType: HubSpotObjectType,
    fromId: string,
    toType: HubSpotObjectType,
  ): readonly string[] {
    const ids = this.associations.get(`${fromType}:${fromId}`)?.get(toType);
    if (ids === undefined) return [];
    return [...ids].filter((id) => this.objects[toType].get(id)?.archived === false);
  }

  isAssociated(
    fromType: HubSpotObjectType,
    fromId: string,
    toType: HubSpotObjectType,
    toId: string,
  ): boolean {
    return this.associations.get(`${fromType}:${fromId}`)?.get(toType)?.has(toId) === true;
  }

  createList(
    name: string,
    objectTypeId: string,
    processingType: HubSpotList['processingType'],
    listId?: string,
  ): HubSpotList {
    const id = listId ?? String(this.nextListId);
    this.nextListId = Math.max(this.nextListId, Number(id) + 1 || this.nextListId + 1);
    const at = this.now();
    const list: HubSpotList = {
      listId: id,
      name,
      objectTypeId,
      processingType,
      createdAt: at,
      updatedAt: at,
      listVersion: 1,
      members: new Map(),
    };
    this.lists.set(id, list);
    return list;
  }

  addOwner(owner: Omit<HubSpotOwner, 'createdAt' | 'updatedAt'>): HubSpotOwner {
    const at = this.now();
    const full = { ...owner, createdAt: at, updatedAt: at };
    this.owners.push(full);
    return full;
  }

  addProperty(
    type: HubSpotObjectType,
    property: Omit<
      PropertyDefinition,
      'createdAt' | 'updatedAt' | 'hubspotDefined' | 'readOnlyValue'
    >,
  ): PropertyDefinition {
    const at = this.now();
    const full: PropertyDefinition = {
      ...property,
      hubspotDefined: false,
      readOnlyValue: false,
      createdAt: at,
      updatedAt: at,
    };
    this.properties[type].set(full.name, full);
    return full;
  }
}

function isBackwards(current: string | undefined, next: string): boolean {
  if (current === undefined) return false;
  const from = LIFECYCLE_STAGES.indexOf(current as (typeof LIFECYCLE_STAGES)[number]);
  const to = LIFECYCLE_STAGES.indexOf(next as (typeof LIFECYCLE_STAGES)[number]);
  return from >= 0 && to >= 0 && to < from;
}

/** Epoch ms from an epoch-ms string or an ISO date/datetime; null when neither. */
export function toEpochMs(value: string): number | null {
  if (/^-?\d+$/.test(value.trim())) return Number(value);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}
