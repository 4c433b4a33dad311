import { createSetupRuntime } from '../main.js';
import type { SetupItem } from '../usecases/setup/plan-setup.js';
import { applySetup, inspectSetup, type AppliedItem } from '../usecases/setup/run-setup.js';
import { EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, type CliIo } from './cli-io.js';
import { loadEnvAndDefinition } from './load-runtime.js';

const MARKS: Readonly<Record<SetupItem['state'], string>> = {
  present: '  ok  ',
  missing: '  +   ',
  different: '  ~   ',
  manual: '  !   ',
};

function line(item: AppliedItem): string {
  const outcome =
    item.outcome === undefined
      ? ''
      : item.outcome.ok
        ? '  → done'
        : `  → FAILED: ${item.outcome.error}`;
  return `${MARKS[item.state]}${item.system.padEnd(11)}${item.item}: ${item.detail}${outcome}`;
}

function summary(items: readonly AppliedItem[], applied: boolean): string {
  const count = (state: SetupItem['state']) => items.filter((item) => item.state === state).length;
  const failed = items.filter((item) => item.outcome?.ok === false).length;
  const head = `${count('present')} present, ${count('missing')} to create, ${count('different')} to change, ${count('manual')} for an admin by hand`;
  if (!applied)
    return count('missing') + count('different') === 0
      ? `${head}: nothing for setup --apply to do`
      : `${head}: run handoff setup --apply to make the changes`;
  return failed === 0 ? `${head}: applied` : `${head}: ${failed} failed`;
}

/**
 * `handoff setup`: what Handoff needs in Salesforce and HubSpot, as a plan (present, missing,
 * different, manual); `--apply` makes it real and never deletes or narrows anything. Exit 0 for
 * a plan and for an apply that did everything, 1 when an item failed, 2 for a bad config or env.
 */
export async function setupCommand(
  flags: { apply?: boolean | undefined; json?: boolean | undefined; config?: string | undefined },
  io: CliIo,
): Promise<number> {
  const inputs = await loadEnvAndDefinition(flags.config, io);
  if (typeof inputs === 'number') return inputs;
  let runtime: Awaited<ReturnType<typeof createSetupRuntime>>;
  try {
    runtime = await createSetupRuntime(inputs.env);
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_INVALID;
  }
  const deps = { ...runtime, definition: inputs.definition };
  const plan = await inspectSetup(deps);
  const items: AppliedItem[] = flags.apply === true ? await applySetup(deps, plan) : plan;
  if (flags.json === true)
    io.stdout(`${JSON.stringify({ applied: flags.apply === true, items })}\n`);
  else io.stdout(`${items.map(line).join('\n')}\n\n${summary(items, flags.apply === true)}\n`);
  return items.some((item) => item.outcome?.ok === false) ? EXIT_PROBLEMS : EXIT_OK;
}
