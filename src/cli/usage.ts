/** Each command's usage line: `handoff help` prints them all without loading any command. */
export const VALIDATE_USAGE = 'handoff validate [--config FILE]';
export const EXPLAIN_USAGE =
  'handoff explain --input LEAD.json [--source hubspot|salesforce] [--config FILE] [--now ISO] [--json]';
export const SYNC_USAGE =
  'handoff sync --once [--dry-run | --shadow] [--backfill] [--json] [--config FILE]';
export const RUN_USAGE = 'handoff run [--shadow] [--config FILE]';
export const REPORT_USAGE = 'handoff report [--since ISO] [--shadow] [--json] [--config FILE]';
export const BACKTEST_USAGE =
  'handoff backtest --config CANDIDATE [--baseline FILE] [--since ISO|90d] [--until ISO] [--json] [--out FILE.html] [--cache-dir DIR]';
export const SETUP_USAGE = 'handoff setup [--apply] [--json] [--config FILE]';
export const DOCTOR_USAGE = 'handoff doctor [--json] [--config FILE]';
export const QUARANTINE_USAGE = 'handoff quarantine [--json] [--retry all|ID[,ID…]]';
export const SANDBOX_USAGE =
  'handoff sandbox [--port N] [--host ADDRESS] [--seed S] [--contacts N] [--limits] [--bare]';
