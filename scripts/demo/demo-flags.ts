import { parseArgs } from 'node:util';

export const DEMO_USAGE =
  'npm run demo -- [--once] [--hours N] [--speed N] [--contacts N] [--seed N] [--port N]';

export interface DemoFlags {
  /** The textual walkthrough of a few cycles instead of the live loop. */
  readonly once: boolean;
  /** Simulated hours before the clock stops (the workers stay up until Ctrl-C). */
  readonly hours: number;
  /** Simulated seconds per real second: 1200 is one simulated hour every 3 seconds. */
  readonly speed: number;
  readonly contacts: number;
  readonly seed: number;
  /** The first worker's port (the dashboard); the second takes the next one. 0: free ports. */
  readonly port: number;
}

function integer(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(
      `--${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  return value;
}

/** Parses the demo's flags; throws an Error naming the flag for anything it cannot use. */
export function parseDemoFlags(argv: readonly string[]): DemoFlags {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      once: { type: 'boolean' },
      hours: { type: 'string' },
      speed: { type: 'string' },
      contacts: { type: 'string' },
      seed: { type: 'string' },
      port: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    once: values.once === true,
    hours: integer('hours', values.hours, 24, 1, 24 * 14),
    speed: integer('speed', values.speed, 1_200, 1, 86_400),
    contacts: integer('contacts', values.contacts, 1_000, 10, 20_000),
    seed: integer('seed', values.seed, 1, 0, 2 ** 31),
    port: integer('port', values.port, 3_000, 0, 65_534),
  };
}
