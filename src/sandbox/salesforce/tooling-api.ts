import { json, SandboxHttpError, type SandboxResponse, asText } from '../core/sandbox-http.js';
import { formatDateTime, SalesforceStore } from './salesforce-store.js';
import { PERMISSION_OBJECTS, type FieldSpec, type SObjectSpec } from './sobject-schema.js';
import { parseSoql, SoqlError } from './soql/parse-soql.js';
import { runSoql } from './soql/run-soql.js';

/**
 * The Tooling API's `CustomField` object, as the sandbox serves it: query, retrieve, create and
 * update of custom fields, which are then real fields of their object (describe, SOQL, writes)
 * for users that field-level security lets see them.
 *
 * https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_customfield.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customfield.htm
 */

/** The Metadata-API shape of a field (`Metadata` of a CustomField row). */
export type CustomFieldMetadata = Readonly<Record<string, unknown>>;

interface CustomFieldEntry {
  readonly id: string;
  readonly object: string;
  /** The field's API name without the `__c` suffix. */
  readonly developerName: string;
  metadata: CustomFieldMetadata;
  readonly createdAt: number;
  modifiedAt: number;
}

const SYSTEM = { createable: false, updateable: false } as const;

/** CustomField as the Tooling API's SOQL sees it. */
const CUSTOM_FIELD: SObjectSpec = {
  name: 'CustomField',
  label: 'Custom Field',
  keyPrefix: '00N',
  fields: [
    { name: 'Id', type: 'id', ...SYSTEM },
    { name: 'CreatedDate', type: 'datetime', ...SYSTEM },
    { name: 'CreatedById', type: 'reference', referenceTo: ['User'], ...SYSTEM },
    { name: 'LastModifiedDate', type: 'datetime', ...SYSTEM },
    { name: 'LastModifiedById', type: 'reference', referenceTo: ['User'], ...SYSTEM },
    { name: 'SystemModstamp', type: 'datetime', ...SYSTEM },
    { name: 'DeveloperName', type: 'string', length: 40, ...SYSTEM },
    { name: 'TableEnumOrId', type: 'string', length: 40, ...SYSTEM },
    { name: 'EntityDefinitionId', type: 'string', length: 40, ...SYSTEM },
    { name: 'NamespacePrefix', type: 'string', length: 15, ...SYSTEM },
    { name: 'ManageableState', type: 'picklist', ...SYSTEM },
    { name: 'Description', type: 'textarea', length: 1_000, ...SYSTEM },
    { name: 'InlineHelpText', type: 'textarea', length: 510, ...SYSTEM },
    { name: 'Length', type: 'int', ...SYSTEM },
    { name: 'Precision', type: 'int', ...SYSTEM },
    { name: 'Scale', type: 'int', ...SYSTEM },
    { name: 'FullName', type: 'string', length: 255, ...SYSTEM },
    // Stored as JSON text in the query table and answered as an object.
    { name: 'Metadata', type: 'textarea', length: 1_000_000, ...SYSTEM },
  ],
};

/** Field types the sandbox can create, and the field type `describe` reports for each. */
const SUPPORTED_TYPES: Readonly<Record<string, FieldSpec['type']>> = {
  Text: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Number: 'double',
  Currency: 'currency',
  Percent: 'double',
  Checkbox: 'boolean',
  Date: 'date',
  DateTime: 'datetime',
  Email: 'email',
  Phone: 'phone',
  Url: 'url',
  Picklist: 'picklist',
};

/** Types of the Metadata API the sandbox does not emulate (a create answers that honestly). */
const UNSUPPORTED_TYPES = new Set([
  'AutoNumber',
  'Lookup',
  'MasterDetail',
  'MultiselectPicklist',
  'Summary',
  'EncryptedText',
  'Html',
  'Location',
  'Time',
  'Hierarchy',
  'ExternalLookup',
  'IndirectLookup',
  'MetadataRelationship',
]);

const FIELD_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/;

interface SfErrorItem {
  readonly message: string;
  readonly errorCode: string;
  readonly fields: readonly string[];
}

function failWith(status: number, errors: readonly SfErrorItem[]): never {
  throw new SandboxHttpError(json(status, errors));
}

/**
 * The create/update errors below: a duplicate field is `DUPLICATE_DEVELOPER_NAME` and bad
 * types or attributes are `FIELD_INTEGRITY_EXCEPTION`; those codes and all the messages are
 * unverified against a real org.
 */
function integrity(message: string, fields: readonly string[] = []): never {
  failWith(400, [{ message, errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields }]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function integer(value: unknown): number | null {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : null;
}

function flag(value: unknown): boolean {
  return value === true || value === 'true';
}

interface PicklistValue {
  readonly fullName: string;
  readonly label: string;
  readonly default: boolean;
}

function picklistValues(metadata: CustomFieldMetadata): PicklistValue[] {
  const valueSet = metadata['valueSet'];
  const definition = isObject(valueSet) ? valueSet['valueSetDefinition'] : undefined;
  const values = isObject(definition) ? definition['value'] : undefined;
  if (!Array.isArray(values) || values.length === 0)
    integrity('Picklist: valueSet.valueSetDefinition.value must list at least one value', [
      'valueSet',
    ]);
  return values.map((value) => {
    if (!isObject(value) || typeof value['fullName'] !== 'string' || value['fullName'] === '')
      integrity('Picklist: every value needs a fullName', ['valueSet']);
    return {
      fullName: value['fullName'],
      label: typeof value['label'] === 'string' ? value['label'] : value['fullName'],
      default: flag(value['default']),
    };
  });
}

/**
 * The FieldSpec a field's Metadata describes, after the checks Salesforce makes: a label, a
 * supported type and the attributes that type needs (Text `length` 1–255, LongTextArea
 * `length` 256–131,072 and `visibleLines`, Number/Currency/Percent `precision` 1–18 and
 * `scale` 0–precision, Checkbox `defaultValue`, Picklist `valueSet`), `externalId`/`unique`
 * only on Text, Number and Email. That omitting a type's attributes is refused is unverified.
 */
export function fieldSpecFor(name: string, metadata: CustomFieldMetadata): FieldSpec {
  const label = metadata['label'];
  if (typeof label !== 'string' || label.trim() === '')
    integrity('Field label: You must enter a value', ['label']);
  if (label.length > 40) integrity('Field label: data value too large (max length=40)', ['label']);
  const typeName = metadata['type'];
  if (typeof typeName !== 'string' || typeName === '')
    integrity('Field type: You must enter a value', ['type']);
  if (UNSUPPORTED_TYPES.has(typeName))
    integrity(`Field type ${typeName} is not supported by the sandbox`, ['type']);
  const type = SUPPORTED_TYPES[typeName];
  if (type === undefined) integrity(`Invalid field type: ${typeName}`, ['type']);
  const externalId = flag(metadata['externalId']);
  const unique = flag(metadata['unique']);
  if ((externalId || unique) && !['Text', 'Number', 'Email'].includes(typeName))
    integrity(
      `${externalId ? 'External ID' : 'Unique'} is only available on Text, Number and Email fields`,
      [externalId ? 'externalId' : 'unique'],
    );
  const base = {
    name,
    type,
    custom: true,
    ...(flag(metadata['required']) ? { required: true } : {}),
    ...(externalId ? { externalId: true } : {}),
    ...(unique ? { unique: true } : {}),
  };
  const length = integer(metadata['length']);
  switch (typeName) {
    case 'Text':
      if (length === null || length < 1 || length > 255)
        integrity('Length: the length must be a number from 1 to 255', ['length']);
      return { ...base, length };
    case 'TextArea':
      return { ...base, length: 255 };
    case 'LongTextArea': {
      if (length === null || length < 256 || length > 131_072)
        integrity('Length: the length must be a number from 256 to 131,072', ['length']);
      const lines = integer(metadata['visibleLines']);
      if (lines === null || lines < 2 || lines > 50)
        integrity('Visible lines: must be a number from 2 to 50', ['visibleLines']);
      return { ...base, length };
    }
    case 'Number':
    case 'Currency':
    case 'Percent': {
      const precision = integer(metadata['precision']);
      const scale = integer(metadata['scale']);
      if (precision === null || precision < 1 || precision > 18)
        integrity('Length: the precision must be a number from 1 to 18', ['precision']);
      if (scale === null || scale < 0 || scale > precision)
        integrity('Decimal places: the scale must be a number from 0 to the precision', ['scale']);
      return base;
    }
    case 'Checkbox': {
      const value = metadata['defaultValue'];
      if (value !== true && value !== false && value !== 'true' && value !== 'false')
        integrity('Default value: a checkbox needs a defaultValue of true or false', [
          'defaultValue',
        ]);
      return { ...base, defaultValue: flag(value) };
    }
    case 'Email':
      return { ...base, length: 80 };
    case 'Phone':
      return { ...base, length: 40 };
    case 'Url':
      return { ...base, length: 255 };
    case 'Picklist': {
      const values = picklistValues(metadata);
      const valueSet = metadata['valueSet'] as Record<string, unknown>;
      const fallback = values.find((value) => value.default)?.fullName;
      return {
        ...base,
        picklist: values.map((value) => value.fullName),
        restricted: flag(valueSet['restricted']),
        ...(fallback === undefined ? {} : { defaultValue: fallback }),
      };
    }
    default:
      return base;
  }
}

/** The Metadata a seeded field would have been created with. */
function metadataFor(field: FieldSpec): CustomFieldMetadata {
  const label = field.name.replace(/__c$/, '').replace(/_/g, ' ');
  const common = {
    label,
    required: field.required === true,
    externalId: field.externalId === true,
    unique: field.unique === true,
    description: null,
    inlineHelpText: null,
  };
  switch (field.type) {
    case 'string':
      return { ...common, type: 'Text', length: field.length ?? 255 };
    case 'textarea':
      return (field.length ?? 255) > 255
        ? { ...common, type: 'LongTextArea', length: field.length, visibleLines: 3 }
        : { ...common, type: 'TextArea' };
    case 'double':
    case 'int':
      return { ...common, type: 'Number', precision: 18, scale: field.type === 'int' ? 0 : 2 };
    case 'currency':
      return { ...common, type: 'Currency', precision: 18, scale: 2 };
    case 'boolean':
      return { ...common, type: 'Checkbox', defaultValue: String(field.defaultValue === true) };
    case 'date':
      return { ...common, type: 'Date' };
    case 'datetime':
      return { ...common, type: 'DateTime' };
    case 'email':
      return { ...common, type: 'Email' };
    case 'phone':
      return { ...common, type: 'Phone' };
    case 'url':
      return { ...common, type: 'Url' };
    default:
      return {
        ...common,
        type: 'Picklist',
        valueSet: {
          restricted: field.restricted === true,
          valueSetDefinition: {
            sorted: false,
            value: (field.picklist ?? []).map((value) => ({
              fullName: value,
              label: value,
              default: value === field.defaultValue,
            })),
          },
        },
      };
  }
}

/** The answer of the Tooling query resource (it adds `size`, `queryLocator`, `entityTypeName`). */
function toolingPage(records: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    size: records.length,
    totalSize: records.length,
    done: true,
    queryLocator: null,
    entityTypeName: 'CustomField',
    records,
  };
}

/**
 * The org's custom fields as Tooling API `CustomField` rows. Fields the org started with get
 * their rows (and ids) on first use, in catalog order; created ones when they are created.
 */
export class ToolingApi {
  private readonly entries = new Map<string, CustomFieldEntry>();
  private readonly registered = new Set<string>();
  private counter = 1;
  private readonly table = new SalesforceStore(() => this.store.now(), { objects: [CUSTOM_FIELD] });

  constructor(private readonly store: SalesforceStore) {}

  private newId(): string {
    const id = `00N5e${this.counter.toString(36).toUpperCase().padStart(10, '0')}AAA`;
    this.counter += 1;
    return id;
  }

  /** Gives every custom field of the catalog a CustomField row (seeded fields on first use). */
  private sync(): void {
    for (const spec of this.store.catalog.all()) {
      for (const field of spec.fields) {
        const key = `${spec.name}.${field.name}`.toLowerCase();
        if (field.custom !== true || this.registered.has(key)) continue;
        this.register(spec.name, field.name, metadataFor(field), this.store.now());
      }
    }
  }

  private register(
    object: string,
    name: string,
    metadata: CustomFieldMetadata,
    at: number,
  ): CustomFieldEntry {
    const entry: CustomFieldEntry = {
      id: this.newId(),
      object,
      developerName: name.replace(/__c$/, ''),
      metadata,
      createdAt: at,
      modifiedAt: at,
    };
    this.entries.set(entry.id, entry);
    this.registered.add(`${object}.${name}`.toLowerCase());
    return entry;
  }

  private row(entry: CustomFieldEntry): Record<string, string | number | boolean | null> {
    const metadata = entry.metadata;
    return {
      DeveloperName: entry.developerName,
      TableEnumOrId: entry.object,
      EntityDefinitionId: entry.object,
      NamespacePrefix: null,
      ManageableState: 'unmanaged',
      Description: typeof metadata['description'] === 'string' ? metadata['description'] : null,
      InlineHelpText:
        typeof metadata['inlineHelpText'] === 'string' ? metadata['inlineHelpText'] : null,
      Length: integer(metadata['length']),
      Precision: integer(metadata['precision']),
      Scale: integer(metadata['scale']),
      FullName: `${entry.object}.${entry.developerName}__c`,
      Metadata: JSON.stringify({ ...metadata, fullName: null }),
      CreatedDate: entry.createdAt,
      LastModifiedDate: entry.modifiedAt,
      SystemModstamp: entry.modifiedAt,
      CreatedById: this.store.integrationUserId,
      LastModifiedById: this.store.integrationUserId,
    };
  }

  private static finish(record: Record<string, unknown>, version: string): Record<string, unknown> {
    const out = { ...record };
    const id = asText(out['Id'] ?? '');
    out['attributes'] = {
      type: 'CustomField',
      url: `/services/data/${version}/tooling/sobjects/CustomField/${id}`,
    };
    if (typeof out['Metadata'] === 'string')
      out['Metadata'] = JSON.parse(out['Metadata']) as unknown;
    return out;
  }

  /**
   * `GET …/tooling/query?q=`: SOQL over CustomField. "Query this field only if the query result
   * contains no more than one record" holds for `Metadata` and `FullName`; the MALFORMED_QUERY
   * wording of that refusal is unverified.
   */
  query(soql: string, version: string): SandboxResponse {
    this.sync();
    const table = this.table.table('CustomField');
    table.clear();
    for (const entry of this.entries.values())
      this.table.insertRaw('CustomField', this.row(entry), entry.id);
    try {
      const parsed = parseSoql(soql);
      const result = runSoql(this.table, parsed, {
        includeDeleted: false,
        version,
        now: this.store.now(),
      });
      const restricted = parsed.select.some(
        (item) =>
          item.kind === 'field' && ['metadata', 'fullname'].includes(item.path.toLowerCase()),
      );
      if (restricted && result.records.length > 1)
        failWith(400, [
          {
            message: `When retrieving results with Metadata or FullName fields, the query qualifications must specify no more than one row for retrieval. Result size: ${result.records.length}`,
            errorCode: 'MALFORMED_QUERY',
            fields: [],
          },
        ]);
      const records = result.records.map((record) => ToolingApi.finish(record, version));
      return json(200, toolingPage(records), { recordsOut: records.length });
    } catch (err) {
      if (err instanceof SoqlError)
        failWith(400, [{ message: err.message, errorCode: err.errorCode, fields: [] }]);
      throw err;
    }
  }

  /** `GET …/tooling/sobjects/CustomField/{id}`: one row, with Metadata and FullName. */
  retrieve(id: string, version: string): SandboxResponse {
    this.sync();
    const entry = this.find(id);
    const row: Record<string, unknown> = { Id: entry.id, ...this.row(entry) };
    for (const key of ['CreatedDate', 'LastModifiedDate', 'SystemModstamp'])
      row[key] = formatDateTime(Number(row[key]));
    return json(200, ToolingApi.finish(row, version), { recordsOut: 1 });
  }

  private find(id: string): CustomFieldEntry {
    const entry =
      this.entries.get(id) ??
      [...this.entries.values()].find((candidate) => candidate.id.slice(0, 15) === id);
    if (entry === undefined)
      failWith(404, [
        { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND', fields: [] },
      ]);
    return entry;
  }

  /** `POST …/tooling/sobjects/CustomField` with `{ FullName, Metadata }` → 201. */
  create(body: unknown): SandboxResponse {
    this.sync();
    if (!isObject(body))
      failWith(400, [
        { message: 'Expected a JSON object', errorCode: 'JSON_PARSER_ERROR', fields: [] },
      ]);
    const fullName =
      body['FullName'] ?? (isObject(body['Metadata']) ? body['Metadata']['fullName'] : undefined);
    if (typeof fullName !== 'string' || fullName === '')
      failWith(400, [
        {
          message: 'Required fields are missing: [FullName]',
          errorCode: 'REQUIRED_FIELD_MISSING',
          fields: ['FullName'],
        },
      ]);
    const metadata = body['Metadata'];
    if (!isObject(metadata))
      failWith(400, [
        {
          message: 'Required fields are missing: [Metadata]',
          errorCode: 'REQUIRED_FIELD_MISSING',
          fields: ['Metadata'],
        },
      ]);
    const [objectName = '', name = '', ...rest] = fullName.split('.');
    const spec = this.store.catalog.object(objectName);
    if (
      spec === undefined ||
      (PERMISSION_OBJECTS as readonly string[]).includes(spec.name) ||
      rest.length > 0
    )
      integrity(`Invalid FullName ${fullName}: no such object ${objectName}`, ['FullName']);
    const developerName = name.endsWith('__c') ? name.slice(0, -3) : '';
    if (
      developerName === '' ||
      developerName.length > 40 ||
      !FIELD_NAME.test(developerName) ||
      developerName.endsWith('_')
    )
      integrity(
        `Invalid FullName ${fullName}: a custom field name ends in __c, begins with a letter, has at most 40 letters, digits and single underscores, and does not end with an underscore`,
        ['FullName'],
      );
    const apiName = `${developerName}__c`;
    if (this.store.catalog.field(spec.name, apiName) !== undefined)
      failWith(400, [
        {
          message: `There is already a field named ${developerName} on ${spec.name}.`,
          errorCode: 'DUPLICATE_DEVELOPER_NAME',
          fields: ['FullName'],
        },
      ]);
    const field = fieldSpecFor(apiName, metadata);
    const entry = this.register(spec.name, apiName, { ...metadata }, this.store.now());
    this.store.addField(spec.name, field);
    return json(201, { id: entry.id, success: true, errors: [] }, { recordsIn: 1 });
  }

  /**
   * `PATCH …/tooling/sobjects/CustomField/{id}` with `{ Metadata }` → 204. The Metadata
   * replaces the field's whole definition, picklist values included: values left out become
   * inactive (described with `active: false`, refused on restricted picklists); changing the
   * type is not emulated.
   */
  update(id: string, body: unknown): SandboxResponse {
    this.sync();
    const entry = this.find(id);
    const metadata = isObject(body) ? body['Metadata'] : undefined;
    if (!isObject(metadata))
      failWith(400, [
        {
          message: 'Required fields are missing: [Metadata]',
          errorCode: 'REQUIRED_FIELD_MISSING',
          fields: ['Metadata'],
        },
      ]);
    const apiName = `${entry.developerName}__c`;
    const field = fieldSpecFor(apiName, metadata);
    const current = this.store.catalog.field(entry.object, apiName);
    if (current !== undefined && current.type !== field.type)
      integrity(`Changing the type of ${entry.object}.${apiName} is not supported by the sandbox`, [
        'type',
      ]);
    // Picklist values the new Metadata leaves out stay on the field as inactive (unverified).
    const offered = new Set(field.picklist ?? []);
    const inactive = [...(current?.picklist ?? []), ...(current?.inactivePicklist ?? [])].filter(
      (value) => !offered.has(value),
    );
    entry.metadata = { ...metadata };
    entry.modifiedAt = Math.max(this.store.now(), entry.modifiedAt + 1);
    this.store.catalog.putField(
      entry.object,
      inactive.length > 0 ? { ...field, inactivePicklist: inactive } : field,
    );
    return { status: 204, recordsIn: 1 };
  }
}
