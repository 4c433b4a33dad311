import { startSandboxes } from '../sandbox/start-sandboxes.js';
import { EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.js';
import { SANDBOX_USAGE } from './usage.js';

export interface SandboxFlags {
  readonly port?: string | undefined;
  /**
   * Address to bind, loopback unless set: `0.0.0.0` inside a container, whose published ports
   * reach it (Handoff itself still talks to it over loopback, the only plain-http host it trusts).
   */
  readonly host?: string | undefined;
  readonly seed?: string | undefined;
  readonly contacts?: string | undefined;
  readonly limits?: boolean | undefined;
  /** Tenants as before `handoff setup`: none of Handoff's fields, properties, group or lists. */
  readonly bare?: boolean | undefined;
}

function integer(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number | string {
  if (text === undefined) return fallback;
  const value = Number(text);
  return Number.isInteger(value) && value >= min && value <= max
    ? value
    : `--${flag}: expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`;
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]']);

/** A URL on "every interface" is reached, from this machine, on loopback. */
function reachable(url: string): string {
  const parsed = new URL(url);
  if (ANY_ADDRESS.has(parsed.hostname)) parsed.hostname = '127.0.0.1';
  return parsed.origin;
}

/**
 * `handoff sandbox`: seeded HubSpot and Salesforce sandboxes on loopback (or `--host`) until
 * SIGINT/SIGTERM. Prints their URLs and one `NAME=value` line per variable, ready for an env file.
 */
export async function sandboxCommand(flags: SandboxFlags, io: CliIo): Promise<number> {
  const port = integer('port', flags.port, 4010, 0, 65_534);
  const seed = integer('seed', flags.seed, 1, 0, 2 ** 31);
  const contacts = integer('contacts', flags.contacts, 1_000, 1, 200_000);
  const problems = [port, seed, contacts].filter((value) => typeof value === 'string');
  if (
    problems.length > 0 ||
    typeof port !== 'number' ||
    typeof seed !== 'number' ||
    typeof contacts !== 'number'
  ) {
    io.stderr(`${problems.join('\n')}\nusage: ${SANDBOX_USAGE}\n`);
    return EXIT_INVALID;
  }
  const host = flags.host?.trim() ?? '127.0.0.1';
  if (host === '') {
    io.stderr(
      `--host: expected an address such as 127.0.0.1 or 0.0.0.0\nusage: ${SANDBOX_USAGE}\n`,
    );
    return EXIT_INVALID;
  }
  const sandboxes = await startSandboxes({
    port,
    host,
    seed,
    contacts,
    realisticLimits: flags.limits === true,
    now: () => io.now().getTime(),
    handoffSetup: flags.bare !== true,
  });
  const { seeded } = sandboxes;
  const hubspotUrl = reachable(sandboxes.hubspotUrl);
  const salesforceUrl = reachable(sandboxes.salesforceUrl);
  const env = Object.entries(sandboxes.env).map(([name, value]) => [
    name,
    value === sandboxes.hubspotUrl
      ? hubspotUrl
      : value === sandboxes.salesforceUrl
        ? salesforceUrl
        : value,
  ]);
  io.stdout(
    [
      `HubSpot sandbox     ${hubspotUrl}  (${seeded.contacts} contacts, ${seeded.engagements} engagements, ${seeded.users} owners)`,
      `Salesforce sandbox  ${salesforceUrl}  (${seeded.leads} leads, ${seeded.convertedLeads} converted, ${seeded.accounts} accounts, ${seeded.queues} queues)`,
      `seeded from seed ${seed} in ${Math.round(sandboxes.seedMs)} ms; rate limits ${flags.limits === true ? 'enforced' : 'off'}`,
      flags.bare === true
        ? "bare tenants: none of Handoff's Salesforce fields, HubSpot properties, group or nurture lists"
        : "Handoff's Salesforce fields, HubSpot properties, group and nurture lists exist",
      `control API: <url>/__sandbox/calls, /__sandbox/counts, /__sandbox/faults`,
      '',
      '# paste into an env file:',
      ...env.map(([name, value]) => `${name}=${value}`),
      '',
    ].join('\n'),
  );
  const signal = await io.untilShutdown();
  await sandboxes.close();
  io.stderr(`sandboxes stopped (${signal})\n`);
  return EXIT_OK;
}
