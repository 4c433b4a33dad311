import type { SalesforceFieldKind } from '../domain/installation/owned-fields.js';
import type { DescribedProperty } from './installation.port.js';

/** A custom field as the Tooling API sees it (whoever may see it: field-level security aside). */
export interface ExistingField {
  /** Tooling `CustomField` id, for updates. */
  readonly id: string;
  readonly object: 'Lead' | 'Task';
  /** API name, `Handoff_Stage__c`. */
  readonly name: string;
  readonly kind: SalesforceFieldKind | 'other';
  readonly length: number | null;
  readonly externalId: boolean;
  /** Picklist values, active or not (an inactive value is not re-added). */
  readonly picklistValues: readonly string[];
}

/** A custom field to create. */
export interface FieldToCreate {
  readonly object: 'Lead' | 'Task';
  readonly name: string;
  readonly kind: SalesforceFieldKind;
  readonly label: string;
  readonly length?: number | undefined;
  /** External ID and unique. */
  readonly externalId?: boolean | undefined;
  /** Restricted picklist values, for a picklist. */
  readonly picklistValues?: readonly string[] | undefined;
  readonly description: string;
}

/** The permission set that grants the integration user Handoff's fields. */
export interface PermissionSetState {
  /** Null while it does not exist. */
  readonly id: string | null;
  /** `Lead.Handoff_Score__c` → what it grants. */
  readonly fields: ReadonlyMap<string, { readonly read: boolean; readonly edit: boolean }>;
  readonly assignedToIntegrationUser: boolean;
}

/**
 * Salesforce metadata Handoff needs, read and created through the Tooling API and REST sObjects.
 * Never deletes or narrows anything: no field, picklist value or permission is removed. Throws
 * IntegrationError; a refused create names the vendor's code.
 */
export interface SalesforceSetup {
  /** Custom fields by `Object.Name`, for the names asked (absent: the field does not exist). */
  customFields(
    wanted: readonly { readonly object: 'Lead' | 'Task'; readonly name: string }[],
  ): Promise<ReadonlyMap<string, ExistingField>>;
  createField(field: FieldToCreate): Promise<void>;
  /** Adds values to a picklist field, keeping every value it has. */
  addPicklistValues(field: ExistingField, values: readonly string[]): Promise<void>;
  /** `Handoff_Integration` as it stands, for `fields` (`Object.Name`). */
  permissionSet(fields: readonly string[]): Promise<PermissionSetState>;
  /** Creates `Handoff_Integration` when missing; returns its id. */
  ensurePermissionSet(): Promise<string>;
  /** Grants read and edit on `fields` (`Object.Name`) in the permission set. */
  grantFields(permissionSetId: string, fields: readonly string[]): Promise<void>;
  /** Assigns the permission set to the user Handoff runs as. */
  assignToIntegrationUser(permissionSetId: string): Promise<void>;
}

/**
 * HubSpot settings Handoff needs: the `handoff` property group, its contact properties and the
 * nurture lists. Never deletes or narrows: options are only added. Throws IntegrationError.
 */
export interface HubSpotSetup {
  contactProperties(): Promise<readonly DescribedProperty[]>;
  hasPropertyGroup(name: string): Promise<boolean>;
  createPropertyGroup(name: string, label: string): Promise<void>;
  createProperty(property: {
    readonly name: string;
    readonly label: string;
    readonly type: 'string' | 'number' | 'datetime' | 'enumeration';
    readonly groupName: string;
    readonly options: readonly string[];
  }): Promise<void>;
  /** Sets an enumeration's options to `options` (the caller passes the old ones too). */
  setOptions(name: string, options: readonly string[]): Promise<void>;
  /** Contact lists by name (absent: no such list). */
  listsByName(names: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Creates a MANUAL contact list; returns its id. */
  createList(name: string): Promise<string>;
}
