import type { Connection } from 'jsforce';
import { z } from 'zod';
import type { SalesforceFieldKind } from '../../domain/installation/owned-fields.js';
import type {
  ExistingField,
  FieldToCreate,
  PermissionSetState,
  SalesforceSetup,
} from '../../ports/installation-setup.port.js';
import type { WriteOutcome } from '../../ports/lead-store.port.js';
import { chunks } from '../../platform/chunks.js';
import { IntegrationError } from '../../platform/errors.js';
import { collection, queryAll, SaveResultWire } from './salesforce-records.js';
import { classifySalesforceError } from './salesforce.errors.js';
import { soql } from './soql.js';

/** The permission set Handoff owns, by API name and label. */
export const PERMISSION_SET_NAME = 'Handoff_Integration';
const PERMISSION_SET_LABEL = 'Handoff Integration';
const PERMISSION_SET_DESCRIPTION =
  'Read and edit on the fields Handoff writes; created and kept up to date by handoff setup.';

/** sObject Collections take at most 200 records. */
const COLLECTION_LIMIT = 200;
/** `Object.Field` names per IN list: short names, far below the 16,384-byte query URL limit. */
const IN_LIST_LIMIT = 200;

const LONG_TEXT_VISIBLE_LINES = 3;
const DEFAULT_TEXT_LENGTH = 255;
const DEFAULT_LONG_TEXT_LENGTH = 32_768;

/** Metadata-API field types, as the kinds an admin creates. */
const KINDS: Readonly<Record<string, SalesforceFieldKind>> = {
  Number: 'number',
  Text: 'text',
  LongTextArea: 'long_text',
  DateTime: 'datetime',
  Checkbox: 'checkbox',
  Picklist: 'picklist',
};

const CustomFieldRowWire = z.object({
  Id: z.string(),
  DeveloperName: z.string(),
  TableEnumOrId: z.string(),
});

/** Metadata booleans and numbers arrive as JSON values or as strings (`"true"`, `"40"`). */
const LooseFlag = z.union([z.boolean(), z.string()]).nullish();
const LooseInteger = z.union([z.number(), z.string()]).nullish();

/**
 * A field's Metadata. Loose at every level: `addPicklistValues` sends the whole of it back, so
 * nothing Salesforce sent may be dropped on the way.
 */
const MetadataWire = z.looseObject({
  type: z.string().nullish(),
  length: LooseInteger,
  externalId: LooseFlag,
  valueSet: z
    .looseObject({
      valueSetDefinition: z
        .looseObject({ value: z.array(z.looseObject({ fullName: z.string() })).nullish() })
        .nullish(),
    })
    .nullish(),
});
type Metadata = z.infer<typeof MetadataWire>;

const CustomFieldWire = z.object({ Id: z.string(), Metadata: MetadataWire });

const IdRowWire = z.object({ Id: z.string() });

const FieldPermissionWire = z.object({
  Id: z.string(),
  Field: z.string(),
  PermissionsRead: z.boolean().nullish(),
  PermissionsEdit: z.boolean().nullish(),
});
type FieldPermission = z.infer<typeof FieldPermissionWire>;

function flag(value: boolean | string | null | undefined): boolean {
  return value === true || value === 'true';
}

function integer(value: number | string | null | undefined): number | null {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : null;
}

/** `Handoff_Stage__c` → `Handoff_Stage`; null for a name that cannot be a custom field's. */
function developerName(name: string): string | null {
  return /__c$/i.test(name) ? name.slice(0, -3) : null;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

const lower = (text: string): string => text.toLowerCase();

/** The Metadata a field of `field.kind` is created with. */
function metadataFor(field: FieldToCreate): Record<string, unknown> {
  const key = field.externalId === true ? { externalId: true, unique: true } : {};
  const common = { label: field.label, description: field.description, required: false };
  switch (field.kind) {
    case 'number':
      return { ...common, type: 'Number', precision: 18, scale: 0, ...key };
    case 'text':
      return { ...common, type: 'Text', length: field.length ?? DEFAULT_TEXT_LENGTH, ...key };
    case 'long_text':
      return {
        ...common,
        type: 'LongTextArea',
        length: field.length ?? DEFAULT_LONG_TEXT_LENGTH,
        visibleLines: LONG_TEXT_VISIBLE_LINES,
        ...key,
      };
    case 'datetime':
      return { ...common, type: 'DateTime', ...key };
    case 'checkbox':
      // The Metadata API's defaultValue is a formula string: "false", not the JSON boolean.
      return { ...common, type: 'Checkbox', defaultValue: 'false', ...key };
    case 'picklist':
      return {
        ...common,
        type: 'Picklist',
        valueSet: {
          restricted: true,
          valueSetDefinition: {
            sorted: false,
            value: (field.picklistValues ?? []).map((value) => ({
              fullName: value,
              label: value,
              default: false,
            })),
          },
        },
        ...key,
      };
  }
}

/** Per-record failures of a write as one IntegrationError naming the first vendor code. */
function failed(what: string, outcomes: readonly WriteOutcome[]): IntegrationError | null {
  const failures = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome]));
  const first = failures[0];
  if (first === undefined) return null;
  const listed = failures.map((failure) => `${failure.key} (${failure.code})`).join(', ');
  return new IntegrationError('salesforce', first.kind, `salesforce refused ${what}: ${listed}`, {
    code: first.code,
  });
}

/**
 * SalesforceSetup over jsforce: custom fields through the Tooling API's `CustomField`
 * (one query for the ids, then each field's Metadata on its own, since Salesforce serves
 * `Metadata` only one row at a time), permissions through the REST sObjects `PermissionSet`,
 * `FieldPermissions` (written through sObject Collections) and `PermissionSetAssignment`.
 * Every write is preceded by a read that shows it is needed: a run with nothing to do writes
 * nothing.
 */
export class SalesforceSetupAdapter implements SalesforceSetup {
  constructor(
    private readonly connection: Connection,
    private readonly integrationUserId: string,
  ) {}

  async customFields(
    wanted: readonly { readonly object: 'Lead' | 'Task'; readonly name: string }[],
  ): Promise<ReadonlyMap<string, ExistingField>> {
    const found = new Map<string, ExistingField>();
    const asked = wanted.flatMap((item) => {
      const developer = developerName(item.name);
      return developer === null ? [] : [{ ...item, developer }];
    });
    if (asked.length === 0) return found;
    // https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_customfield.htm
    // TableEnumOrId is the object's name for a standard object; DeveloperName has no `__c`.
    const rows = z
      .array(CustomFieldRowWire)
      .parse(
        await this.toolingQuery(
          soql`SELECT Id, DeveloperName, TableEnumOrId FROM CustomField WHERE TableEnumOrId IN ${unique(
            asked.map((item) => item.object),
          )} AND DeveloperName IN ${unique(asked.map((item) => item.developer))} AND NamespacePrefix = ${null}`,
        ),
      );
    for (const item of asked) {
      const row = rows.find(
        (candidate) =>
          lower(candidate.TableEnumOrId) === lower(item.object) &&
          lower(candidate.DeveloperName) === lower(item.developer),
      );
      if (row === undefined) continue;
      const { Metadata: metadata } = await this.fieldMetadata(row.Id);
      const type = metadata.type ?? '';
      found.set(`${item.object}.${item.name}`, {
        id: row.Id,
        object: item.object,
        name: `${row.DeveloperName}__c`,
        kind: Object.hasOwn(KINDS, type) ? (KINDS[type] ?? 'other') : 'other',
        length: integer(metadata.length),
        externalId: flag(metadata.externalId),
        // Every value, active or not: an inactive value is not added again.
        picklistValues: (metadata.valueSet?.valueSetDefinition?.value ?? []).map(
          (value) => value.fullName,
        ),
      });
    }
    return found;
  }

  async createField(field: FieldToCreate): Promise<void> {
    const fullName = `${field.object}.${field.name}`;
    let raw: unknown;
    try {
      // https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/intro_rest_resources.htm
      raw = await this.connection.tooling
        .sobject('CustomField')
        .create({ FullName: fullName, Metadata: metadataFor(field) });
    } catch (err) {
      throw this.refused(`creating ${fullName}`, err);
    }
    this.saved(`creating ${fullName}`, raw);
  }

  async addPicklistValues(field: ExistingField, values: readonly string[]): Promise<void> {
    const fullName = `${field.object}.${field.name}`;
    const { Metadata: metadata } = await this.fieldMetadata(field.id);
    const definition = metadata.valueSet?.valueSetDefinition;
    if (metadata.valueSet === null || metadata.valueSet === undefined || !definition)
      throw new IntegrationError(
        'salesforce',
        'permanent',
        `${fullName} has no picklist values of its own (not a picklist, or a global value set)`,
        { code: 'NO_VALUE_SET_DEFINITION' },
      );
    const current = definition.value ?? [];
    // Salesforce compares picklist values without regard to case.
    const have = new Set(current.map((value) => lower(value.fullName)));
    const added = unique(values).filter((value) => !have.has(lower(value)));
    if (added.length === 0) return;
    // The Metadata replaces the field's whole definition: every value it has is sent back.
    const updated: Metadata = {
      ...metadata,
      valueSet: {
        ...metadata.valueSet,
        valueSetDefinition: {
          ...definition,
          value: [
            ...current,
            ...added.map((value) => ({ fullName: value, label: value, default: false })),
          ],
        },
      },
    };
    let raw: unknown;
    try {
      raw = await this.connection.tooling
        .sobject('CustomField')
        .update({ Id: field.id, Metadata: updated });
    } catch (err) {
      throw this.refused(`updating ${fullName}`, err);
    }
    this.saved(`updating ${fullName}`, raw);
  }

  async permissionSet(fields: readonly string[]): Promise<PermissionSetState> {
    const id = await this.findPermissionSet();
    if (id === null) return { id: null, fields: new Map(), assignedToIntegrationUser: false };
    const rows = await this.fieldPermissions(id, fields);
    const granted = new Map<string, { read: boolean; edit: boolean }>();
    for (const name of fields) {
      const row = rows.get(lower(name));
      if (row !== undefined)
        granted.set(name, {
          read: row.PermissionsRead === true,
          edit: row.PermissionsEdit === true,
        });
    }
    return {
      id,
      fields: granted,
      assignedToIntegrationUser: (await this.assignment(id)) !== null,
    };
  }

  async ensurePermissionSet(): Promise<string> {
    const existing = await this.findPermissionSet();
    if (existing !== null) return existing;
    let raw: unknown;
    try {
      // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionset.htm
      raw = await this.connection.sobject('PermissionSet').create({
        Name: PERMISSION_SET_NAME,
        Label: PERMISSION_SET_LABEL,
        Description: PERMISSION_SET_DESCRIPTION,
      });
    } catch (err) {
      const error = classifySalesforceError(err);
      // Created meanwhile (another setup run): use that one.
      if (error.code === 'DUPLICATE_DEVELOPER_NAME') {
        const raced = await this.findPermissionSet();
        if (raced !== null) return raced;
      }
      throw this.refused(`creating permission set ${PERMISSION_SET_NAME}`, error);
    }
    return this.saved(`creating permission set ${PERMISSION_SET_NAME}`, raw);
  }

  async grantFields(permissionSetId: string, fields: readonly string[]): Promise<void> {
    const rows = await this.fieldPermissions(permissionSetId, fields);
    const updates: {
      key: string;
      record: { Id: string; PermissionsRead: true; PermissionsEdit: true };
    }[] = [];
    const creates: { key: string; record: Record<string, unknown> }[] = [];
    const seen = new Set<string>();
    for (const name of fields) {
      if (seen.has(lower(name))) continue;
      seen.add(lower(name));
      const row = rows.get(lower(name));
      if (row === undefined)
        creates.push({
          key: name,
          record: {
            ParentId: permissionSetId,
            SobjectType: name.split('.')[0] ?? '',
            Field: name,
            PermissionsRead: true,
            PermissionsEdit: true,
          },
        });
      else if (row.PermissionsRead !== true || row.PermissionsEdit !== true)
        updates.push({
          key: name,
          record: { Id: row.Id, PermissionsRead: true, PermissionsEdit: true },
        });
    }
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_fieldpermissions.htm
    const permissions = this.connection.sobject('FieldPermissions');
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(updates, COLLECTION_LIMIT))
      outcomes.push(
        ...(await collection(
          batch.map((item) => item.record),
          batch.map((item) => item.key),
          (subset) => permissions.update([...subset], { allOrNone: false }),
        )),
      );
    for (const batch of chunks(creates, COLLECTION_LIMIT))
      outcomes.push(
        ...(await collection(
          batch.map((item) => item.record),
          batch.map((item) => item.key),
          (subset) => permissions.create([...subset], { allOrNone: false }),
        )),
      );
    const error = failed('field permissions', outcomes);
    if (error !== null) throw error;
  }

  async assignToIntegrationUser(permissionSetId: string): Promise<void> {
    if ((await this.assignment(permissionSetId)) !== null) return;
    let raw: unknown;
    try {
      // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm
      raw = await this.connection.sobject('PermissionSetAssignment').create({
        AssigneeId: this.integrationUserId,
        PermissionSetId: permissionSetId,
      });
    } catch (err) {
      const error = classifySalesforceError(err);
      // Assigned meanwhile: the state asked for holds.
      if (error.code === 'DUPLICATE_VALUE' && (await this.assignment(permissionSetId)) !== null)
        return;
      throw this.refused(`assigning ${PERMISSION_SET_NAME} to the integration user`, error);
    }
    this.saved(`assigning ${PERMISSION_SET_NAME} to the integration user`, raw);
  }

  private async toolingQuery(query: string): Promise<Record<string, unknown>[]> {
    try {
      const result = await this.connection.tooling.query<Record<string, unknown>>(query, {
        autoFetch: true,
        maxFetch: 100_000,
      });
      return result.records;
    } catch (err) {
      throw classifySalesforceError(err);
    }
  }

  /** `GET …/tooling/sobjects/CustomField/{id}`: the row with its Metadata. */
  private async fieldMetadata(id: string): Promise<z.infer<typeof CustomFieldWire>> {
    let raw: unknown;
    try {
      raw = await this.connection.tooling.sobject('CustomField').retrieve(id);
    } catch (err) {
      throw classifySalesforceError(err);
    }
    return CustomFieldWire.parse(raw);
  }

  private async findPermissionSet(): Promise<string | null> {
    const rows = z
      .array(IdRowWire)
      .parse(
        await queryAll(
          this.connection,
          soql`SELECT Id FROM PermissionSet WHERE Name = ${PERMISSION_SET_NAME} AND NamespacePrefix = ${null}`,
        ),
      );
    return rows[0]?.Id ?? null;
  }

  /** The permission set's rows for `fields`, by lower-cased `Object.Field`. */
  private async fieldPermissions(
    permissionSetId: string,
    fields: readonly string[],
  ): Promise<Map<string, FieldPermission>> {
    const rows = new Map<string, FieldPermission>();
    for (const group of chunks(unique(fields), IN_LIST_LIMIT)) {
      const records = z
        .array(FieldPermissionWire)
        .parse(
          await queryAll(
            this.connection,
            soql`SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = ${permissionSetId} AND Field IN ${group}`,
          ),
        );
      for (const record of records) rows.set(lower(record.Field), record);
    }
    return rows;
  }

  private async assignment(permissionSetId: string): Promise<string | null> {
    const rows = z
      .array(IdRowWire)
      .parse(
        await queryAll(
          this.connection,
          soql`SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = ${permissionSetId} AND AssigneeId = ${this.integrationUserId}`,
        ),
      );
    return rows[0]?.Id ?? null;
  }

  /** A refused write as IntegrationError naming what was refused and the vendor's code. */
  private refused(what: string, err: unknown): IntegrationError {
    const error = classifySalesforceError(err);
    return new IntegrationError(
      'salesforce',
      error.kind,
      `salesforce refused ${what}: ${error.code}`,
      { code: error.code, retryAfterMs: error.retryAfterMs, cause: err },
    );
  }

  /** The id a single write answered; a `success: false` answer is a refusal. */
  private saved(what: string, raw: unknown): string {
    const result = SaveResultWire.parse(raw);
    if (result.success) return result.id ?? '';
    const error = result.errors[0];
    const code = error?.statusCode ?? error?.errorCode ?? 'UNKNOWN';
    throw this.refused(what, { errorCode: code });
  }
}
