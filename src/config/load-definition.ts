import type { Definition } from '../domain/definition.js';
import { DefinitionSchema } from './definition.schema.js';
import { parseYamlWith, readTextFile, type ParseResult } from './parse-yaml.js';

/** Parses a definition from YAML text (see `parseYamlWith`). */
export function parseDefinition(text: string): ParseResult<Definition> {
  return parseYamlWith(text, DefinitionSchema);
}

/** Reads and parses a definition file. */
export async function loadDefinitionFile(file: string): Promise<ParseResult<Definition>> {
  const text = await readTextFile(file, ' (copy config/handoff.example.yaml to start)');
  return text.ok ? parseDefinition(text.value) : text;
}
