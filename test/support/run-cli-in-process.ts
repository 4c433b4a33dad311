import { runCli } from '../../src/cli/run-cli.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output, a fixed clock and the given environment. */
export async function runCliInProcess(
  argv: readonly string[],
  options: {
    env?: Record<string, string>;
    /** A fixed instant, or a clock the test moves. */
    now?: string | (() => Date);
    untilShutdown?: () => Promise<string>;
    /** Sees stdout as it is written (long-running commands). */
    onStdout?: (text: string) => void;
    /** Run as if stderr were a terminal (progress lines). */
    tty?: boolean;
  } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
      options.onStdout?.(text);
    },
    stderr: (text) => void (stderr += text),
    stderrIsTty: options.tty === true,
    env: options.env ?? {},
    now:
      typeof options.now === 'function'
        ? options.now
        : () => new Date(typeof options.now === 'string' ? options.now : '2026-11-16T15:00:00Z'),
    untilShutdown: options.untilShutdown ?? (() => Promise.resolve('test')),
  });
  return { code, stdout, stderr };
}
