import { parseArgs } from 'node:util';
import { EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.js';
import { EXPLAIN_USAGE, explainCommand } from './explain-command.js';
import { VALIDATE_USAGE, validateCommand } from './validate-command.js';

const USAGE = `handoff: the marketing→sales lead handoff between HubSpot and Salesforce

usage:
  ${VALIDATE_USAGE}
      check the definition; exit 0 with a summary, 2 with every problem
  ${EXPLAIN_USAGE}
      decide one lead offline: qualification, routing and SLA, with reasons

The configuration file defaults to $HANDOFF_CONFIG, else config/handoff.yaml.
`;

/** Parses argv and runs one command; returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(USAGE);
    return command === undefined ? EXIT_INVALID : EXIT_OK;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        config: { type: 'string' },
        input: { type: 'string' },
        now: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return EXIT_INVALID;
  }
  const text = (key: string): string | undefined => {
    const value = values[key];
    return typeof value === 'string' ? value : undefined;
  };
  switch (command) {
    case 'validate':
      return validateCommand({ config: text('config') }, io);
    case 'explain':
      return explainCommand(
        {
          input: text('input'),
          config: text('config'),
          now: text('now'),
          json: values['json'] === true,
        },
        io,
      );
    default:
      io.stderr(`unknown command "${command}"\n\n${USAGE}`);
      return EXIT_INVALID;
  }
}
