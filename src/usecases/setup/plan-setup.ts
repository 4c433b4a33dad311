import type { Definition } from '../../domain/definition.js';
import {
  HUBSPOT_PROPERTY_CATALOGUE,
  SALESFORCE_KIND_LABELS,
  salesforceTypeLabel,
  type HubSpotPropertySpec,
} from '../../domain/installation/owned-fields.js';
import { resolveMapping } from '../../domain/mapping.js';
import type {
  ExistingField,
  FieldToCreate,
  PermissionSetState,
} from '../../ports/installation-setup.port.js';
import type { DescribedProperty } from '../../ports/installation.port.js';
import {
  namedNurtureLists,
  ownedFields,
  picklistValues,
  requiredLeadStatuses,
} from '../installation/installation-needs.js';

export const PROPERTY_GROUP = 'handoff';

/** What an item needs: nothing, an action setup takes, or a step only an admin can take. */
export type ItemState = 'present' | 'missing' | 'different' | 'manual';

/** One step of the plan, and what `--apply` does about it. */
export type SetupAction =
  | { readonly type: 'create_field'; readonly field: FieldToCreate }
  | {
      readonly type: 'add_picklist_values';
      readonly field: ExistingField;
      readonly values: readonly string[];
    }
  | { readonly type: 'ensure_permission_set' }
  | { readonly type: 'grant_fields'; readonly fields: readonly string[] }
  | { readonly type: 'assign_permission_set' }
  | { readonly type: 'create_property_group' }
  | { readonly type: 'create_property'; readonly spec: HubSpotPropertySpec; readonly name: string }
  | { readonly type: 'set_options'; readonly name: string; readonly options: readonly string[] }
  | { readonly type: 'create_list'; readonly name: string };

export interface SetupItem {
  readonly system: 'salesforce' | 'hubspot';
  readonly item: string;
  readonly state: ItemState;
  readonly detail: string;
  /** Absent for present items and for what an admin must do by hand. */
  readonly action?: SetupAction;
}

/** The installation as it stands, read before planning. */
export interface InstallationState {
  readonly fields: ReadonlyMap<string, ExistingField>;
  readonly leadStatuses: readonly string[];
  readonly permissionSet: PermissionSetState;
  readonly properties: readonly DescribedProperty[];
  readonly hasGroup: boolean;
  /** Nurture lists the definition names by name (not id) → id, for those that exist. */
  readonly lists: ReadonlyMap<string, string>;
}

function salesforceItems(definition: Definition, state: InstallationState): SetupItem[] {
  const items: SetupItem[] = [];
  for (const { spec, name, key } of ownedFields(definition)) {
    const existing = state.fields.get(key);
    const wanted = salesforceTypeLabel(spec);
    if (existing === undefined) {
      items.push({
        system: 'salesforce',
        item: key,
        state: 'missing',
        detail: `create ${wanted}`,
        action: {
          type: 'create_field',
          field: {
            object: spec.object,
            name,
            kind: spec.kind,
            label: spec.label,
            length: spec.length,
            externalId: spec.externalId,
            picklistValues: spec.kind === 'picklist' ? picklistValues(definition, spec) : undefined,
            description: `Handoff: ${spec.purpose}.`,
          },
        },
      });
      continue;
    }
    if (existing.kind !== spec.kind || (spec.externalId === true && !existing.externalId)) {
      const found =
        existing.kind === 'other' ? 'another type' : SALESFORCE_KIND_LABELS[existing.kind];
      items.push({
        system: 'salesforce',
        item: key,
        state: 'manual',
        detail: `is ${found}${existing.externalId ? ', External ID' : ''}, Handoff needs ${wanted}: change it in Setup → Object Manager → ${spec.object}, or map another field under mapping.salesforce_fields.${spec.key} (setup never changes a field's type)`,
      });
      continue;
    }
    if (spec.kind === 'picklist') {
      const missing = picklistValues(definition, spec).filter(
        (value) => !existing.picklistValues.includes(value),
      );
      if (missing.length > 0) {
        items.push({
          system: 'salesforce',
          item: `${key} values`,
          state: 'different',
          detail: `add ${missing.map((value) => `"${value}"`).join(', ')}`,
          action: { type: 'add_picklist_values', field: existing, values: missing },
        });
        continue;
      }
    }
    items.push({ system: 'salesforce', item: key, state: 'present', detail: wanted });
  }
  const statuses = requiredLeadStatuses(definition);
  const missingStatuses = statuses.filter((status) => !state.leadStatuses.includes(status));
  items.push(
    missingStatuses.length === 0
      ? {
          system: 'salesforce',
          item: 'Lead.Status values',
          state: 'present',
          detail: statuses.join(', '),
        }
      : {
          system: 'salesforce',
          item: 'Lead.Status values',
          state: 'manual',
          detail: `add ${missingStatuses.map((status) => `"${status}"`).join(', ')} by hand: Setup → Object Manager → Lead → Fields & Relationships → Lead Status → Values → New (a standard picklist cannot be changed safely through the API)`,
        },
  );
  const keys = ownedFields(definition).map(({ key }) => key);
  const { permissionSet } = state;
  items.push(
    permissionSet.id === null
      ? {
          system: 'salesforce',
          item: 'permission set Handoff_Integration',
          state: 'missing',
          detail: 'create it',
          action: { type: 'ensure_permission_set' },
        }
      : {
          system: 'salesforce',
          item: 'permission set Handoff_Integration',
          state: 'present',
          detail: permissionSet.id,
        },
  );
  const ungranted = keys.filter((key) => {
    const granted = permissionSet.fields.get(key);
    return granted === undefined || !granted.read || !granted.edit;
  });
  items.push(
    ungranted.length === 0
      ? {
          system: 'salesforce',
          item: 'field-level security',
          state: 'present',
          detail: `read and edit on ${keys.length} fields`,
        }
      : {
          system: 'salesforce',
          item: 'field-level security',
          state: permissionSet.id === null ? 'missing' : 'different',
          detail: `grant read and edit on ${ungranted.join(', ')}`,
          action: { type: 'grant_fields', fields: ungranted },
        },
  );
  items.push(
    permissionSet.assignedToIntegrationUser
      ? {
          system: 'salesforce',
          item: 'permission set assignment',
          state: 'present',
          detail: 'assigned to the integration user',
        }
      : {
          system: 'salesforce',
          item: 'permission set assignment',
          state: 'missing',
          detail: 'assign Handoff_Integration to the integration user',
          action: { type: 'assign_permission_set' },
        },
  );
  return items;
}

function hubspotItems(definition: Definition, state: InstallationState): SetupItem[] {
  const items: SetupItem[] = [
    state.hasGroup
      ? {
          system: 'hubspot',
          item: `property group ${PROPERTY_GROUP}`,
          state: 'present',
          detail: 'exists',
        }
      : {
          system: 'hubspot',
          item: `property group ${PROPERTY_GROUP}`,
          state: 'missing',
          detail: 'create it',
          action: { type: 'create_property_group' },
        },
  ];
  const names = resolveMapping(definition.mapping).hubspotProperties;
  for (const spec of HUBSPOT_PROPERTY_CATALOGUE) {
    const name = names[spec.key];
    const found = state.properties.find((property) => property.name === name);
    if (found === undefined) {
      items.push({
        system: 'hubspot',
        item: name,
        state: 'missing',
        detail: `create (${spec.type})`,
        action: { type: 'create_property', spec, name },
      });
      continue;
    }
    if (found.type !== spec.type) {
      items.push({
        system: 'hubspot',
        item: name,
        state: 'manual',
        detail: `is ${found.type}, Handoff writes ${spec.type}: recreate it, or map another property under mapping.hubspot_properties.${spec.key} (setup never changes a property's type)`,
      });
      continue;
    }
    const missing = (spec.options ?? []).filter((option) => !found.options.includes(option));
    items.push(
      missing.length === 0
        ? { system: 'hubspot', item: name, state: 'present', detail: spec.type }
        : {
            system: 'hubspot',
            item: name,
            state: 'different',
            detail: `add the options ${missing.join(', ')}`,
            action: { type: 'set_options', name, options: [...found.options, ...missing] },
          },
    );
  }
  for (const list of namedNurtureLists(definition)) {
    const id = state.lists.get(list);
    items.push(
      id === undefined
        ? {
            system: 'hubspot',
            item: `list "${list}"`,
            state: 'missing',
            detail: 'create a MANUAL contact list',
            action: { type: 'create_list', name: list },
          }
        : { system: 'hubspot', item: `list "${list}"`, state: 'present', detail: `id ${id}` },
    );
  }
  return items;
}

/**
 * The plan: every item Handoff needs, present, missing (setup creates it), different (setup adds
 * what is missing) or manual (only an admin can change it, with the click path). Pure: the
 * installation is read before, and nothing is ever removed or narrowed.
 */
export function planSetup(definition: Definition, state: InstallationState): SetupItem[] {
  return [...salesforceItems(definition, state), ...hubspotItems(definition, state)];
}
