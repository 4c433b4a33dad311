#!/usr/bin/env -S node --max-old-space-size=256
// The heap cap keeps a long backfill's memory flat: Handoff holds one batch at a time (tens of
// MB), and without a cap V8 grows the heap lazily to hundreds of MB before collecting.
import { runCli } from './cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY,
  stdoutIsTty: process.stdout.isTTY,
  env: process.env,
  now: () => new Date(),
  untilShutdown: () =>
    new Promise((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    }),
});
