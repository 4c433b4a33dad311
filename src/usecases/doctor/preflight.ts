import type { Logger } from 'pino';
import { runDoctor, type DoctorCheck, type DoctorDeps } from './run-doctor.js';

/** The installation cannot run Handoff: the doctor's failures, each with its fix. */
export class InstallationProblemError extends Error {
  constructor(readonly failures: readonly DoctorCheck[]) {
    super(
      `handoff doctor found ${failures.length} problem(s) that stop Handoff: ${failures
        .map((check) => `${check.check}: ${check.detail}`)
        .join('; ')}`,
    );
    this.name = 'InstallationProblemError';
  }
}

/**
 * The doctor's checks before a worker or a cycle starts: what would fail every cycle (a missing
 * or unwritable field, a missing picklist value, an evicting Redis, no API headroom) stops it
 * here with the fix, instead of failing each job with a vendor code. Warnings are logged and the
 * worker starts. Runs once per process; a few describe and settings reads.
 */
export async function preflight(deps: DoctorDeps, log: Logger): Promise<readonly DoctorCheck[]> {
  const checks = await runDoctor(deps);
  // The check and its fix only: a detail can name a person (an inactive pool member).
  for (const check of checks.filter((each) => each.status === 'warn'))
    log.warn(
      { area: check.area, check: check.check, fix: check.fix },
      'installation warning (handoff doctor shows the detail)',
    );
  const failures = checks.filter((check) => check.status === 'fail');
  if (failures.length > 0) throw new InstallationProblemError(failures);
  return checks;
}
