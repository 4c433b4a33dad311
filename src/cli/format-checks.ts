import type { DoctorCheck } from '../usecases/doctor/run-doctor.js';

const LABELS: Readonly<Record<DoctorCheck['status'], string>> = {
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
};

/** Doctor findings as lines, each problem followed by its fix. */
export function formatChecks(checks: readonly DoctorCheck[]): string {
  return checks
    .map((check) => {
      const head = `${LABELS[check.status]}  ${check.area.padEnd(10)} ${check.check}: ${check.detail}`;
      return check.fix === undefined ? head : `${head}\n      fix: ${check.fix}`;
    })
    .join('\n');
}

/** The doctor's report: every finding, then the counts. */
export function formatDoctorReport(checks: readonly DoctorCheck[]): string {
  const count = (status: DoctorCheck['status']) =>
    checks.filter((check) => check.status === status).length;
  return `${formatChecks(checks)}\n\n${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failures\n`;
}
