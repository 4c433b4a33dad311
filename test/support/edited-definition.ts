import { stringify } from 'yaml';
import type { DefinitionFile } from '../../src/config/definition.schema.js';
import { parseDefinition } from '../../src/config/load-definition.js';
import { formatIssue } from '../../src/config/parse-yaml.js';
import { baseDefinitionFile } from './factories.js';

/** The base definition, edited, through the loader as a YAML file goes (checks and all). */
export function parseEdited(
  edit: (file: DefinitionFile) => void,
): ReturnType<typeof parseDefinition> {
  const file = baseDefinitionFile();
  edit(file);
  return parseDefinition(stringify(file));
}

/** Problems of the edited base definition, as `path: message` (lines left out). */
export function editedProblems(edit: (file: DefinitionFile) => void): string[] {
  const result = parseEdited(edit);
  return result.ok ? [] : result.issues.map((issue) => formatIssue({ ...issue, line: null }));
}
