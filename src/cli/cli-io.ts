/** What a command may touch of the process, injected so tests run commands in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The current instant; `explain` uses it when `--now` is absent. */
  readonly now: () => Date;
  /** Resolves with the signal name when the process is asked to stop (long-running commands). */
  readonly untilShutdown: () => Promise<string>;
  /** stderr is a terminal: progress may redraw one line there. */
  readonly stderrIsTty?: boolean;
  /** stdout is a terminal: logs written there are readable lines unless LOG_FORMAT says json. */
  readonly stdoutIsTty?: boolean;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_INVALID = 2;

/** `--config` flag, else `HANDOFF_CONFIG`, else the default path. */
export function configPath(flag: string | undefined, io: CliIo): string {
  const fromEnv = io.env['HANDOFF_CONFIG']?.trim();
  return flag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'config/handoff.yaml');
}
