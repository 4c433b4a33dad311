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
      /valid — definition 2026-11-01: threshold 60, 6 gates, 10 fit rules, .* 4 pools \(9 members\)/,
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
