import type { Client } from '@hubspot/api-client';
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
  type OptionInput,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { z } from 'zod';
import type { HubSpotSetup } from '../../ports/installation-setup.port.js';
import type { DescribedProperty } from '../../ports/installation.port.js';
import { IntegrationError } from '../../platform/errors.js';
import { HubSpotInstallationInspector } from './hubspot-installation.adapter.js';
import { hubspotCall } from './hubspot.errors.js';

/** HubSpot's object type id for contacts. */
const CONTACTS_TYPE_ID = '0-1';

type SetupPropertyType = Parameters<HubSpotSetup['createProperty']>[0]['type'];

/** The type and the one field type Handoff gives each kind of property. */
const TYPES: Readonly<
  Record<
    SetupPropertyType,
    { readonly type: PropertyCreateTypeEnum; readonly fieldType: PropertyCreateFieldTypeEnum }
  >
> = {
  string: { type: PropertyCreateTypeEnum.String, fieldType: PropertyCreateFieldTypeEnum.Text },
  number: { type: PropertyCreateTypeEnum.Number, fieldType: PropertyCreateFieldTypeEnum.Number },
  datetime: { type: PropertyCreateTypeEnum.Datetime, fieldType: PropertyCreateFieldTypeEnum.Date },
  enumeration: {
    type: PropertyCreateTypeEnum.Enumeration,
    fieldType: PropertyCreateFieldTypeEnum.Select,
  },
};

const GroupWire = z.object({ name: z.string() });
const PropertyWire = z.object({ name: z.string() });
const ListWire = z.object({ list: z.object({ listId: z.string(), name: z.string() }) });

/** The port passes option values only: each is its own label, in the order given, shown. */
function optionInputs(options: readonly string[]): OptionInput[] {
  return options.map((value, index) => ({
    label: value,
    value,
    displayOrder: index,
    hidden: false,
  }));
}

function isNotFound(err: unknown): boolean {
  return err instanceof IntegrationError && err.status === 404;
}

/**
 * HubSpotSetup over the CRM properties (core and groups) and lists v3 APIs. Each method makes the
 * calls its name says; checking before creating is the caller's job.
 */
export class HubSpotSetupAdapter implements HubSpotSetup {
  private readonly inspector: HubSpotInstallationInspector;

  constructor(
    private readonly client: Client,
    /** Called once per API request. */
    private readonly onRequest: () => void = () => undefined,
  ) {
    this.inspector = new HubSpotInstallationInspector(client, onRequest);
  }

  /**
   * A create is not sent again after a failure that may have applied it: the retry would answer
   * 409 (or 400 for a list) for what did get created. Setup run again reads first and carries on.
   */
  private call<T>(request: () => Promise<T>, idempotent = true): Promise<T> {
    return hubspotCall(this.onRequest, request, { idempotent });
  }

  contactProperties(): Promise<readonly DescribedProperty[]> {
    return this.inspector.contactProperties();
  }

  async hasPropertyGroup(name: string): Promise<boolean> {
    try {
      // https://developers.hubspot.com/docs/api-reference/crm-properties-v3/groups/get-crm-v3-properties-objectType-groups-groupName
      GroupWire.parse(
        await this.call(() => this.client.crm.properties.groupsApi.getByName('contacts', name)),
      );
      return true;
    } catch (err) {
      // 404 OBJECT_NOT_FOUND: no such group. Anything else (auth, 5xx after retries…) is thrown.
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async createPropertyGroup(name: string, label: string): Promise<void> {
    // https://developers.hubspot.com/docs/api-reference/crm-properties-v3/groups/post-crm-v3-properties-objectType-groups
    GroupWire.parse(
      await this.call(
        () => this.client.crm.properties.groupsApi.create('contacts', { name, label }),
        false,
      ),
    );
  }

  async createProperty(property: Parameters<HubSpotSetup['createProperty']>[0]): Promise<void> {
    const { type, fieldType } = TYPES[property.type];
    // https://developers.hubspot.com/docs/api-reference/crm-properties-v3/core/post-crm-v3-properties-objectType
    PropertyWire.parse(
      await this.call(
        () =>
          this.client.crm.properties.coreApi.create('contacts', {
            name: property.name,
            label: property.label,
            type,
            fieldType,
            groupName: property.groupName,
            ...(property.options.length > 0 ? { options: optionInputs(property.options) } : {}),
          }),
        false,
      ),
    );
  }

  async setOptions(name: string, options: readonly string[]): Promise<void> {
    // https://developers.hubspot.com/docs/api-reference/crm-properties-v3/core/patch-crm-v3-properties-objectType-propertyName
    // `options` replaces the whole list, so the same PATCH sent twice lands the same: idempotent.
    PropertyWire.parse(
      await this.call(() =>
        this.client.crm.properties.coreApi.update('contacts', name, {
          options: optionInputs(options),
        }),
      ),
    );
  }

  async listsByName(names: readonly string[]): Promise<ReadonlyMap<string, string>> {
    // One exact lookup per name rather than one search: search matches `query` as a substring
    // across every list (paged, needing a filter of our own on the exact name), while Handoff
    // asks for a handful of names (the nurture lists) once per setup run. The by-name lookup is
    // exact, answers 404 for a missing list, and costs one call per name.
    const found = new Map<string, string>();
    for (const name of new Set(names)) {
      try {
        // https://developers.hubspot.com/docs/api-reference/crm-lists-v3/lists/get-crm-v3-lists-object-type-id-objectTypeId-name-listName
        const response = ListWire.parse(
          await this.call(() =>
            this.client.crm.lists.listsApi.getByName(name, CONTACTS_TYPE_ID, false),
          ),
        );
        found.set(name, response.list.listId);
      } catch (err) {
        // 404: no list of that name. Anything else is thrown.
        if (!isNotFound(err)) throw err;
      }
    }
    return found;
  }

  async createList(name: string): Promise<string> {
    // https://developers.hubspot.com/docs/api-reference/crm-lists-v3/lists/post-crm-v3-lists
    const response = ListWire.parse(
      await this.call(
        () =>
          this.client.crm.lists.listsApi.create({
            name,
            objectTypeId: CONTACTS_TYPE_ID,
            processingType: 'MANUAL',
          }),
        false,
      ),
    );
    return response.list.listId;
  }
}
