/**
 * Writes config/handoff.schema.json from the zod schema, so editors autocomplete and check
 * config/handoff.yaml. `--check` fails (exit 1) when the checked-in file has drifted instead.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { renderDefinitionJsonSchema } from '../src/config/definition-json-schema.js';

const TARGET = new URL('../config/handoff.schema.json', import.meta.url);

const rendered = renderDefinitionJsonSchema();
if (process.argv.includes('--check')) {
  const current = await readFile(TARGET, 'utf8').catch(() => '');
  if (current !== rendered) {
    process.stderr.write(
      'config/handoff.schema.json is out of date: run `npm run schema` and commit it\n',
    );
    process.exitCode = 1;
  } else {
    process.stdout.write('config/handoff.schema.json is up to date\n');
  }
} else {
  await writeFile(TARGET, rendered);
  process.stdout.write('wrote config/handoff.schema.json\n');
}
