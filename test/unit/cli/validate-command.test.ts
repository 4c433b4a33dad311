import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../support/run-cli-in-process.js';

const EXAMPLE_CONFIG = new URL('../../../config/handoff.example.yaml', import.meta.url).pathname;

describe('handoff validate', () => {
  it('exits 0 with a one-line summary of a valid definition', async () => {
    const run = await runCliInProcess(['validate', '--config', EXAMPLE_CONFIG]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(
      /valid — definition 2026-11-01: threshold 60, 6 gates, 10 fit rules, 10 HubSpot and 4 Salesforce activity types, .* 4 pools \(9 members\)/,
    );
  });

  it('exits 2 and prints every problem with its path and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'handoff-validate-'));
    const broken = (await readFile(EXAMPLE_CONFIG, 'utf8'))
      .replace('points: 25 }', 'points: ten }')
      .replace('pool: na-inbound }', 'pool: na-inbund }')
      .replace('C: 1d }', 'C: 1x }');
    const file = join(dir, 'handoff.yaml');
    await writeFile(file, broken);
    const run = await runCliInProcess(['validate', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${file}: 3 problems`);
    expect(run.stderr).toMatch(
      /qualification\.fit\[0\]\.points: expected number, got "ten" \(line \d+\)/,
    );
    expect(run.stderr).toMatch(/routing\.rules\[4\]\.pool: unknown pool "na-inbund"/);
    expect(run.stderr).toMatch(/sla\.first_touch\.C: expected a duration/);
  });

  it('exits 2 with a sentence, not a stack trace, on a YAML alias bomb', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'handoff-validate-'));
    const levels = 'abcdefghi'.split('');
    const lines = levels.map((name, index) =>
      index === 0
        ? `${name}: &${name} [${Array(9).fill('"lol"').join(',')}]`
        : `${name}: &${name} [${Array(9)
            .fill(`*${levels[index - 1] ?? ''}`)
            .join(',')}]`,
    );
    const file = join(dir, 'bomb.yaml');
    await writeFile(file, `${lines.join('\n')}\n`);
    const run = await runCliInProcess(['validate', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `${file}: 1 problem\n  (file): too many alias expansions (more than 100): aliases (*name) nested to multiply the data are refused\n`,
    );
  });

  it('exits 2 naming the limit on a file over 1 MiB, for --config and explain --input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'handoff-validate-'));
    const file = join(dir, 'huge.yaml');
    await writeFile(file, `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const run = await runCliInProcess(['validate', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('over the 1 MiB (1048576 bytes) limit');
    const explain = await runCliInProcess(['explain', '--config', EXAMPLE_CONFIG, '--input', file]);
    expect(explain.code).toBe(2);
    expect(explain.stderr).toContain('over the 1 MiB (1048576 bytes) limit');
  });

  it('exits 2 on a threshold YAML reads as Infinity, naming the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'handoff-validate-'));
    const file = join(dir, 'handoff.yaml');
    await writeFile(
      file,
      (await readFile(EXAMPLE_CONFIG, 'utf8')).replace('threshold: 60', 'threshold: 1e400'),
    );
    const run = await runCliInProcess(['validate', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /qualification\.threshold: expected a finite number between 0 and 10000, got Infinity \(line \d+\)/,
    );
  });

  it('says "1 problem" for a single problem', async () => {
    const run = await runCliInProcess(['validate', '--config', '/nonexistent.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('/nonexistent.yaml: 1 problem\n');
  });
});

describe('handoff (no or unknown command)', () => {
  it('prints usage and exits 2 without a command, 0 with --help', async () => {
    expect((await runCliInProcess([])).code).toBe(2);
    const help = await runCliInProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('handoff validate');
    expect(help.stdout).toContain('handoff explain');
  });

  it('rejects an unknown command', async () => {
    const run = await runCliInProcess(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "frobnicate"');
  });
});

describe('flags', () => {
  it('rejects a flag the command does not take', async () => {
    const run = await runCliInProcess(['validate', '--input', 'lead.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--input'");
  });
});
