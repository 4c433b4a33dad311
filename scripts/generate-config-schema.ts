/**
 * Writes config/handoff.schema.json from the zod schema, so editors autocomplete and check
 * config/handoff.yaml. `--check` fails (exit 1) when the checked-in file has drifted instead.
 */
import { renderDefinitionJsonSchema } from '../src/config/definition-json-schema.js';
import { writeOrCheck } from './write-or-check.js';

await writeOrCheck(
  new URL('../config/handoff.schema.json', import.meta.url),
  renderDefinitionJsonSchema(),
  'config/handoff.schema.json',
  'npm run schema',
);
