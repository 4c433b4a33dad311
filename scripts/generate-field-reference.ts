/**
 * Writes docs/fields.md from the catalogue of what Handoff owns. `--check` fails (exit 1) when
 * the checked-in file has drifted instead.
 */
import { renderFieldReference } from '../src/domain/installation/field-reference.js';
import { writeOrCheck } from './write-or-check.js';

await writeOrCheck(
  new URL('../docs/fields.md', import.meta.url),
  renderFieldReference(),
  'docs/fields.md',
  'npm run docs:fields',
);
