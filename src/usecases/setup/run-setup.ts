import type { Definition } from '../../domain/definition.js';
import { IntegrationError } from '../../platform/errors.js';
import type { HubSpotSetup, SalesforceSetup } from '../../ports/installation-setup.port.js';
import type { SalesforceInstallation } from '../../ports/installation.port.js';
import { namedNurtureLists, ownedFields } from '../installation/installation-needs.js';
import { planSetup, PROPERTY_GROUP, type SetupAction, type SetupItem } from './plan-setup.js';

export interface SetupDeps {
  readonly definition: Definition;
  readonly salesforce: SalesforceSetup;
  /** For the Lead Status picklist, a standard field the Tooling API does not list. */
  readonly installation: SalesforceInstallation;
  readonly hubspot: HubSpotSetup;
}

/** An item after `--apply`: done, or failed with the vendor's message. */
export type AppliedItem = SetupItem & {
  readonly outcome?: { readonly ok: true } | { readonly ok: false; readonly error: string };
};

/** Reads the installation and plans what Handoff still needs. Reads only. */
export async function inspectSetup(deps: SetupDeps): Promise<SetupItem[]> {
  const { definition } = deps;
  const fields = ownedFields(definition);
  const [existing, lead, permissionSet, properties, hasGroup, lists] = await Promise.all([
    deps.salesforce.customFields(fields.map(({ spec, name }) => ({ object: spec.object, name }))),
    deps.installation.fields('Lead'),
    deps.salesforce.permissionSet(fields.map(({ key }) => key)),
    deps.hubspot.contactProperties(),
    deps.hubspot.hasPropertyGroup(PROPERTY_GROUP),
    deps.hubspot.listsByName(namedNurtureLists(definition)),
  ]);
  const status = lead.find((field) => field.name === 'Status');
  return planSetup(definition, {
    fields: existing,
    leadStatuses: status?.picklistValues ?? [],
    permissionSet,
    properties,
    hasGroup,
    lists,
  });
}

function message(err: unknown): string {
  if (err instanceof IntegrationError) return `${err.kind}: ${err.system} ${err.code}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Makes the plan real, item by item in dependency order (fields before the permissions that
 * grant them, the property group before its properties). One failing item does not stop the
 * others; it is reported with the vendor's message. A plan with nothing to do makes no call.
 */
export async function applySetup(
  deps: SetupDeps,
  items: readonly SetupItem[],
): Promise<AppliedItem[]> {
  let permissionSetId: string | null = null;
  const permissionSet = async (): Promise<string> => {
    permissionSetId ??= await deps.salesforce.ensurePermissionSet();
    return permissionSetId;
  };
  const perform = async (action: SetupAction): Promise<void> => {
    switch (action.type) {
      case 'create_field':
        return deps.salesforce.createField(action.field);
      case 'add_picklist_values':
        return deps.salesforce.addPicklistValues(action.field, action.values);
      case 'ensure_permission_set':
        await permissionSet();
        return;
      case 'grant_fields':
        return deps.salesforce.grantFields(await permissionSet(), action.fields);
      case 'assign_permission_set':
        return deps.salesforce.assignToIntegrationUser(await permissionSet());
      case 'create_property_group':
        return deps.hubspot.createPropertyGroup(PROPERTY_GROUP, 'Handoff');
      case 'create_property':
        return deps.hubspot.createProperty({
          name: action.name,
          label: action.spec.label,
          type: action.spec.type,
          groupName: PROPERTY_GROUP,
          options: action.spec.options ?? [],
        });
      case 'set_options':
        return deps.hubspot.setOptions(action.name, action.options);
      case 'create_list':
        await deps.hubspot.createList(action.name);
        return;
    }
  };
  const applied: AppliedItem[] = [];
  for (const item of items) {
    if (item.action === undefined) {
      applied.push(item);
      continue;
    }
    try {
      await perform(item.action);
      applied.push({ ...item, outcome: { ok: true } });
    } catch (err) {
      applied.push({ ...item, outcome: { ok: false, error: message(err) } });
    }
  }
  return applied;
}
