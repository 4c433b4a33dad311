import { z } from 'zod';
import { DefinitionSchema } from './definition.schema.js';

/**
 * The JSON Schema of `config/handoff.yaml`, generated from the zod schema (the input side, so
 * keys with defaults are optional). Cross-key rules cannot be expressed in JSON Schema; editors
 * catch shapes and typos, `handoff validate` catches the rest.
 */
export function renderDefinitionJsonSchema(): string {
  const schema = z.toJSONSchema(DefinitionSchema, { io: 'input', unrepresentable: 'any' });
  const document = {
    ...schema,
    title: 'Handoff qualification definition (config/handoff.yaml)',
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
