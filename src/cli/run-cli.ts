import { parseArgs } from 'node:util';
import { EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.js';
import {
  BACKTEST_USAGE,
  DOCTOR_USAGE,
  EXPLAIN_USAGE,
  QUARANTINE_USAGE,
  REPORT_USAGE,
  RUN_USAGE,
  SANDBOX_USAGE,
  SETUP_USAGE,
  SYNC_USAGE,
  VALIDATE_USAGE,
} from './usage.js';

const USAGE = `handoff: the marketing→sales lead handoff between HubSpot and Salesforce

usage:
  ${VALIDATE_USAGE}
      check the definition; exit 0 with a summary, 2 with every problem
  ${EXPLAIN_USAGE}
      decide one lead offline: qualification, routing and SLA, with reasons
  ${SYNC_USAGE}
      one sync cycle against the configured HubSpot and Salesforce, then exit
  ${RUN_USAGE}
      the long-running worker: polls on sync.poll_interval, serves GET /healthz on PORT
  ${REPORT_USAGE}
      funnel KPIs from Salesforce: routed, accepted, rejected by reason, SLA compliance, time to first touch
  ${BACKTEST_USAGE}
      replay a definition over the leads created in a window, with their outcomes; beside a baseline
  ${SETUP_USAGE}
      what Handoff needs in Salesforce and HubSpot, as a plan; --apply creates it (never deletes)
  ${DOCTOR_USAGE}
      check Redis, both connections, Handoff's fields and properties, people, API headroom, clock
  ${QUARANTINE_USAGE}
      records a cycle could not finish, with their reasons; --retry un-parks them for the next cycle
  ${SANDBOX_USAGE}
      seeded HubSpot and Salesforce sandboxes on loopback (or --host); prints their URLs and credentials;
      --bare: tenants without Handoff's fields, properties and lists (before handoff setup)

The configuration file defaults to $HANDOFF_CONFIG, else config/handoff.yaml.
`;

type Flags = Readonly<Record<string, string | boolean | undefined>>;

interface Command {
  /** The command's flags; anything else is an error, so a typo never passes silently. */
  readonly options: Readonly<Record<string, { type: 'string' | 'boolean' }>>;
  readonly run: (flags: Flags, io: CliIo) => Promise<number>;
}

const text = (flags: Flags, key: string): string | undefined => {
  const value = flags[key];
  return typeof value === 'string' ? value : undefined;
};

// Each command's module loads when it runs: `sync --once` from a cron line does not pay for the
// HTTP server, the dashboard, the sandboxes or the backtest.
const COMMANDS: Readonly<Record<string, Command>> = {
  validate: {
    options: { config: { type: 'string' } },
    run: async (flags, io) =>
      (await import('./validate-command.js')).validateCommand(
        { config: text(flags, 'config') },
        io,
      ),
  },
  explain: {
    options: {
      config: { type: 'string' },
      input: { type: 'string' },
      source: { type: 'string' },
      now: { type: 'string' },
      json: { type: 'boolean' },
    },
    run: async (flags, io) =>
      (await import('./explain-command.js')).explainCommand(
        {
          input: text(flags, 'input'),
          source: text(flags, 'source'),
          config: text(flags, 'config'),
          now: text(flags, 'now'),
          json: flags['json'] === true,
        },
        io,
      ),
  },
  sync: {
    options: {
      once: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      shadow: { type: 'boolean' },
      backfill: { type: 'boolean' },
      json: { type: 'boolean' },
      config: { type: 'string' },
    },
    run: async (flags, io) =>
      (await import('./sync-command.js')).syncCommand(
        {
          once: flags['once'] === true,
          dryRun: flags['dry-run'] === true,
          shadow: flags['shadow'] === true,
          backfill: flags['backfill'] === true,
          json: flags['json'] === true,
          config: text(flags, 'config'),
        },
        io,
      ),
  },
  report: {
    options: {
      since: { type: 'string' },
      json: { type: 'boolean' },
      shadow: { type: 'boolean' },
      config: { type: 'string' },
    },
    run: async (flags, io) =>
      (await import('./report-command.js')).reportCommand(
        {
          since: text(flags, 'since'),
          shadow: flags['shadow'] === true,
          json: flags['json'] === true,
          config: text(flags, 'config'),
        },
        io,
      ),
  },
  backtest: {
    options: {
      config: { type: 'string' },
      baseline: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      'cache-dir': { type: 'string' },
    },
    run: async (flags, io) =>
      (await import('./backtest-command.js')).backtestCommand(
        {
          config: text(flags, 'config'),
          baseline: text(flags, 'baseline'),
          since: text(flags, 'since'),
          until: text(flags, 'until'),
          json: flags['json'] === true,
          out: text(flags, 'out'),
          cacheDir: text(flags, 'cache-dir'),
        },
        io,
      ),
  },
  setup: {
    options: { apply: { type: 'boolean' }, json: { type: 'boolean' }, config: { type: 'string' } },
    run: async (flags, io) =>
      (await import('./setup-command.js')).setupCommand(
        {
          apply: flags['apply'] === true,
          json: flags['json'] === true,
          config: text(flags, 'config'),
        },
        io,
      ),
  },
  doctor: {
    options: { json: { type: 'boolean' }, config: { type: 'string' } },
    run: async (flags, io) =>
      (await import('./doctor-command.js')).doctorCommand(
        { json: flags['json'] === true, config: text(flags, 'config') },
        io,
      ),
  },
  quarantine: {
    options: { json: { type: 'boolean' }, retry: { type: 'string' } },
    run: async (flags, io) =>
      (await import('./quarantine-command.js')).quarantineCommand(
        { json: flags['json'] === true, retry: text(flags, 'retry') },
        io,
      ),
  },
  run: {
    options: { config: { type: 'string' }, shadow: { type: 'boolean' } },
    run: async (flags, io) =>
      (await import('./run-command.js')).runCommand(
        { config: text(flags, 'config'), shadow: flags['shadow'] === true },
        io,
      ),
  },
  sandbox: {
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      contacts: { type: 'string' },
      limits: { type: 'boolean' },
      bare: { type: 'boolean' },
    },
    run: async (flags, io) =>
      (await import('./sandbox-command.js')).sandboxCommand(
        {
          port: text(flags, 'port'),
          host: text(flags, 'host'),
          seed: text(flags, 'seed'),
          contacts: text(flags, 'contacts'),
          limits: flags['limits'] === true,
          bare: flags['bare'] === true,
        },
        io,
      ),
  },
};

/** Parses argv and runs one command; returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(USAGE);
    return name === undefined ? EXIT_INVALID : EXIT_OK;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`unknown command "${name}"\n\n${USAGE}`);
    return EXIT_INVALID;
  }
  let flags: Flags;
  try {
    flags = parseArgs({
      args: [...rest],
      options: command.options,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return EXIT_INVALID;
  }
  return command.run(flags, io);
}
