import { mkdir, readFile, writeFile } from 'node:fs/promises';

/**
 * Writes a generated file, or with `--check` on the command line fails (exit 1) when the
 * checked-in copy has drifted from what the generator renders now.
 */
export async function writeOrCheck(
  target: URL,
  rendered: string,
  name: string,
  regenerate: string,
): Promise<void> {
  if (process.argv.includes('--check')) {
    const current = await readFile(target, 'utf8').catch(() => '');
    if (current !== rendered) {
      process.stderr.write(`${name} is out of date: run \`${regenerate}\` and commit it\n`);
      process.exitCode = 1;
    } else process.stdout.write(`${name} is up to date\n`);
    return;
  }
  await mkdir(new URL('.', target), { recursive: true });
  await writeFile(target, rendered);
  process.stdout.write(`wrote ${name}\n`);
}
