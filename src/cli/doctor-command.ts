import { createDoctorRuntime } from '../main.js';
import { runDoctor } from '../usecases/doctor/run-doctor.js';
import { formatDoctorReport } from './format-checks.js';
import { EXIT_OK, EXIT_PROBLEMS, type CliIo } from './cli-io.js';
import { loadEnvAndDefinition } from './load-runtime.js';

/**
 * `handoff doctor`: every check a deployment needs (Redis, both connections, Handoff's fields and
 * properties, pool members and queues, API headroom, clock skew), each PASS, WARN or FAIL with
 * its fix. Exit 1 when anything fails, 0 otherwise, 2 for a bad config or environment.
 */
export async function doctorCommand(
  flags: { json?: boolean | undefined; config?: string | undefined },
  io: CliIo,
): Promise<number> {
  const inputs = await loadEnvAndDefinition(flags.config, io);
  if (typeof inputs === 'number') return inputs;
  const runtime = await createDoctorRuntime(inputs.env);
  try {
    const checks = await runDoctor({
      ...runtime.deps,
      definition: inputs.definition,
      now: () => io.now(),
    });
    io.stdout(flags.json === true ? `${JSON.stringify({ checks })}\n` : formatDoctorReport(checks));
    return checks.some((check) => check.status === 'fail') ? EXIT_PROBLEMS : EXIT_OK;
  } finally {
    await runtime.close();
  }
}
