import type { Definition } from '../../domain/definition.js';
import type { HubSpotSetup } from '../../ports/installation-setup.port.js';
import { namedNurtureLists } from '../installation/installation-needs.js';

/** A nurture list the definition names does not exist in HubSpot. */
export class NurtureListMissingError extends Error {
  override readonly name = 'NurtureListMissingError';
  readonly code = 'NURTURE_LIST_MISSING';
}

/**
 * The definition with every nurture list named by name replaced by its HubSpot id (a list id is
 * digits and stays as it is), looked up once when a worker starts. Throws
 * NurtureListMissingError naming the lists that do not exist.
 */
export async function resolveNurtureLists(
  definition: Definition,
  lists: Pick<HubSpotSetup, 'listsByName'>,
): Promise<Definition> {
  const names = namedNurtureLists(definition);
  if (names.length === 0) return definition;
  const ids = await lists.listsByName(names);
  const missing = names.filter((name) => !ids.has(name));
  if (missing.length > 0)
    throw new NurtureListMissingError(
      `feedback.reasons names nurture lists HubSpot does not have: ${missing.map((name) => `"${name}"`).join(', ')} (run handoff setup --apply, or use list ids)`,
    );
  // Reason names are keys an admin chose: the copy keeps them off Object.prototype too.
  const reasons = Object.create(null) as Record<string, Definition['feedback']['reasons'][string]>;
  for (const [reason, settings] of Object.entries(definition.feedback.reasons)) {
    const list = settings.nurture_list;
    reasons[reason] =
      list === undefined || !ids.has(list)
        ? settings
        : { ...settings, nurture_list: ids.get(list) };
  }
  return { ...definition, feedback: { ...definition.feedback, reasons } };
}
