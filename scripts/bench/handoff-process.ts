/**
 * Handoff as its own process (`node dist/cli.js`), so that its memory is its own and it does not
 * share an event loop with the sandboxes it talks to.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * Preloaded into the child: at exit it writes its own peak resident set (getrusage's maxrss,
 * KiB on Linux) to the file named by BENCH_MAX_RSS_FILE. The kernel keeps that peak, so nothing
 * between two samples can be missed, and Handoff needs no change to report it.
 */
const MAX_RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  'import { writeFileSync } from "node:fs";' +
    'process.on("exit", () => { const file = process.env.BENCH_MAX_RSS_FILE;' +
    ' if (file) writeFileSync(file, String(process.resourceUsage().maxRSS)); });',
)}`;

export interface LogLine {
  readonly msg?: string;
  readonly [field: string]: unknown;
}

export interface HandoffExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** From spawn to exit: Node's start-up and module loading included, as an operator sees it. */
  readonly wallMs: number;
  /** The child's peak RSS in bytes, or null when it died before writing it. */
  readonly maxRssBytes: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface HandoffProcess {
  /** stdout lines that are JSON (the pino log under `handoff run`). */
  lines(): readonly LogLine[];
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
  /** SIGTERM, as a deployment stops it; resolves once it has exited. */
  stop(): Promise<HandoffExit>;
  readonly exited: Promise<HandoffExit>;
}

/**
 * The child's environment: this process's, minus anything that would configure Handoff (a
 * developer's own HUBSPOT_* or HANDOFF_* must not leak into a benchmark), plus `env`.
 */
function childEnv(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(HANDOFF|HUBSPOT|SALESFORCE)_/.test(name) && name !== 'LOG_LEVEL',
    ),
  );
  return { ...base, ...env };
}

/** Node's flags as the Dockerfile and the `handoff` bin start Handoff (the heap cap). */
const NODE_FLAGS = ['--max-old-space-size=256'];

export async function startHandoff(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<HandoffProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'handoff-bench-'));
  const rssFile = join(dir, 'max-rss');
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, '--import', MAX_RSS_HOOK, CLI_PATH, ...args],
    {
      env: childEnv({ ...env, BENCH_MAX_RSS_FILE: rssFile }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const listeners: ((line: LogLine) => void)[] = [];
  const parsed: LogLine[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const complete = (partial + chunk).split('\n');
    partial = complete.pop() ?? '';
    for (const raw of complete) {
      if (!raw.startsWith('{')) continue;
      try {
        const line = JSON.parse(raw) as LogLine;
        parsed.push(line);
        for (const listener of listeners) listener(line);
      } catch {
        // Not a log line (a summary split oddly, or text): only log lines are parsed.
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const exited = new Promise<[number | null, string | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve([code, signal]));
  }).then(async ([code, signal]): Promise<HandoffExit> => {
    const wallMs = performance.now() - started;
    const kib = await readFile(rssFile, 'utf8').then(Number, () => NaN);
    await rm(dir, { recursive: true, force: true });
    return {
      code,
      signal,
      wallMs,
      maxRssBytes: Number.isFinite(kib) ? kib * 1024 : null,
      stdout,
      stderr,
    };
  });
  return {
    lines: () => parsed,
    waitForLine: (predicate, timeoutMs) =>
      new Promise<LogLine>((resolve, reject) => {
        const found = parsed.find(predicate);
        if (found !== undefined) return resolve(found);
        const timer = setTimeout(
          () => reject(new Error(`handoff: no such log line within ${timeoutMs} ms\n${stderr}`)),
          timeoutMs,
        );
        listeners.push((line) => {
          if (!predicate(line)) return;
          clearTimeout(timer);
          resolve(line);
        });
        void exited.then(
          (exit) => {
            clearTimeout(timer);
            reject(new Error(`handoff exited (${exit.code ?? exit.signal}) first\n${stderr}`));
          },
          (err: unknown) => {
            clearTimeout(timer);
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      }),
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    exited,
  };
}

/** One command to completion (`sync --once`). */
export async function runHandoff(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<HandoffExit> {
  return (await startHandoff(args, env)).exited;
}
