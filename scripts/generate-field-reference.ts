/**
 * Writes docs/fields.md from the catalogue of what Handoff owns. `--check` fails (exit 1) when
 * the checked-in file has drifted instead.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { renderFieldReference } from '../src/domain/installation/field-reference.js';

const TARGET = new URL('../docs/fields.md', import.meta.url);

const rendered = renderFieldReference();
if (process.argv.includes('--check')) {
  const current = await readFile(TARGET, 'utf8').catch(() => '');
  if (current !== rendered) {
    process.stderr.write(
      'docs/fields.md is out of date: run `npm run docs:fields` and commit it\n',
    );
    process.exitCode = 1;
  } else process.stdout.write('docs/fields.md is up to date\n');
} else {
  await mkdir(new URL('../docs/', import.meta.url), { recursive: true });
  await writeFile(TARGET, rendered);
  process.stdout.write('wrote docs/fields.md\n');
}
