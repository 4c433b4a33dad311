import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);

/** Runs `handoff` as a real process (through tsx, so no build is needed) and returns its exit. */
async function handoff(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('handoff as a process', () => {
  it('validate exits 0 on the example and 2 on a broken file', async () => {
    const ok = await handoff(['validate', '--config', 'config/handoff.example.yaml']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid — definition 2026-11-01');

    const dir = await mkdtemp(join(tmpdir(), 'handoff-e2e-'));
    const broken = join(dir, 'handoff.yaml');
    await writeFile(
      broken,
      'version: "1"\nqualification: { threshold: sixty, tiers: { A: 60 } }\n',
    );
    const bad = await handoff(['validate'], { HANDOFF_CONFIG: broken });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('qualification.threshold: expected number, got "sixty" (line 2)');
    expect(bad.stderr).toContain('routing: required');
  });

  it('explain --json prints one parseable object on stdout and nothing on stderr', async () => {
    const result = await handoff([
      'explain',
      '--config',
      'config/handoff.example.yaml',
      '--input',
      'config/examples/lead.json',
      '--now',
      '2026-11-27T16:30:00Z',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const parsed = JSON.parse(result.stdout) as { sla: { due: string } };
    expect(parsed.sla.due).toBe('2026-11-30T10:00:00.000Z');
  });

  it('explain exits 2 on a bad input file', async () => {
    const result = await handoff([
      'explain',
      '--config',
      'config/handoff.example.yaml',
      '--input',
      'package.json',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('package.json:');
  });
});
