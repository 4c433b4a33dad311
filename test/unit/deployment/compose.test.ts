import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { EnvSchema, loadEnv } from '../../../src/config/env.js';
import {
  SANDBOX_HUBSPOT_TOKEN,
  SANDBOX_SALESFORCE_TOKEN,
} from '../../../src/sandbox/start-sandboxes.js';

/**
 * Docker cannot run where the tests run, so the deployment files are kept honest by reading
 * them: what Compose and the Dockerfile would do is checked here, field by field.
 */
const ROOT = new URL('../../../', import.meta.url).pathname;

const Service = z.object({
  image: z.string().optional(),
  build: z.unknown().optional(),
  command: z.array(z.string()).optional(),
  profiles: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  env_file: z.array(z.string()).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  network_mode: z.string().optional(),
  ports: z.array(z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  healthcheck: z.object({ test: z.array(z.string()) }).optional(),
});
const Compose = z.object({
  services: z.record(z.string(), Service),
  volumes: z.record(z.string(), z.unknown()).optional(),
});
type ComposeService = z.infer<typeof Service>;

async function compose(): Promise<z.infer<typeof Compose>> {
  const text = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8');
  // `<<` merge keys, as Compose resolves them.
  return Compose.parse(parse(text, { merge: true }));
}

const isWorker = (service: ComposeService): boolean => service.command?.[0] === 'run';
const workersIn = (services: Record<string, ComposeService>, profile: string) =>
  Object.entries(services).filter(
    ([, service]) => isWorker(service) && service.profiles?.includes(profile) === true,
  );

/** The variables Handoff reads: every one is declared in the schema. */
const KNOWN = new Set(Object.keys(EnvSchema.shape));

describe('docker-compose.yml', () => {
  it('runs Redis with AOF and noeviction, its data on a volume', async () => {
    const { services, volumes } = await compose();
    const redis = services['redis'];
    const command = redis?.command?.join(' ') ?? '';
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    const volume = redis?.volumes?.find((mount) => mount.endsWith(':/data'))?.split(':')[0];
    expect(volume).toBeDefined();
    expect(Object.keys(volumes ?? {})).toContain(volume);
    expect(redis?.healthcheck?.test.join(' ')).toContain('redis-cli ping');
  });

  it('runs two workers of the Dockerfile image against real tenants, after Redis is healthy', async () => {
    const { services } = await compose();
    const workers = workersIn(services, 'tenants');
    expect(workers).toHaveLength(2);
    for (const [, worker] of workers) {
      expect(worker.build).toBe('.');
      expect(worker.env_file).toEqual(['handoff.env']);
      expect(worker.environment?.['REDIS_URL']).toBe('redis://redis:6379');
      // env.example says loopback; inside a container the published port needs every interface.
      expect(worker.environment?.['HOST']).toBe('0.0.0.0');
      expect(worker.depends_on?.['redis']?.condition).toBe('service_healthy');
    }
    // One published port at most per host port: the two never collide.
    const published = workers.flatMap(([, worker]) => worker.ports ?? []);
    expect(published.length).toBeGreaterThanOrEqual(1);
    expect(new Set(published.map((port) => port.split(':')[0])).size).toBe(published.length);
  });

  it('has a sandbox profile: the sandboxes, and two workers pointed at them on loopback', async () => {
    const { services } = await compose();
    const sandbox = Object.entries(services).find(
      ([, service]) => service.command?.[0] === 'sandbox',
    );
    expect(sandbox).toBeDefined();
    const [sandboxName, sandboxService] = sandbox ?? ['', {}];
    expect(sandboxService.profiles).toEqual(['sandbox']);
    expect(sandboxService.command).toEqual(expect.arrayContaining(['--host', '0.0.0.0']));
    const port = Number(sandboxService.command?.[sandboxService.command.indexOf('--port') + 1]);
    const workers = workersIn(services, 'sandbox');
    expect(workers).toHaveLength(2);
    const ports = new Set<string>();
    for (const [, worker] of workers) {
      // Plain http reaches only a loopback host: the workers share the sandbox's network.
      expect(worker.network_mode).toBe(`service:${sandboxName}`);
      expect(worker.depends_on?.[sandboxName]?.condition).toBe('service_healthy');
      expect(worker.depends_on?.['redis']?.condition).toBe('service_healthy');
      const env = worker.environment ?? {};
      expect(env['HUBSPOT_BASE_URL']).toBe(`http://127.0.0.1:${port}`);
      expect(env['SALESFORCE_INSTANCE_URL']).toBe(`http://127.0.0.1:${port + 1}`);
      expect(env['HUBSPOT_ACCESS_TOKEN']).toBe(SANDBOX_HUBSPOT_TOKEN);
      expect(env['SALESFORCE_ACCESS_TOKEN']).toBe(SANDBOX_SALESFORCE_TOKEN);
      expect(env['HANDOFF_CONFIG']).toBe('config/handoff.example.yaml');
      ports.add(env['PORT'] ?? '3000');
      // Sharing one network, each worker listens on a port of its own, published by the sandbox.
      expect(sandboxService.ports).toContain(`${env['PORT'] ?? ''}:${env['PORT'] ?? ''}`);
    }
    expect(ports.size).toBe(2);
    // Its own probe: the image's HEALTHCHECK would ask a worker's /healthz on the shared network.
    expect(sandboxService.healthcheck?.test.join(' ')).toContain(`:${port + 1}/__sandbox/`);
  });

  it('sets only variables the code knows', async () => {
    const { services } = await compose();
    const set = Object.values(services).flatMap((service) =>
      Object.keys(service.environment ?? {}),
    );
    expect(set.length).toBeGreaterThan(5);
    for (const name of set) expect(KNOWN, `${name} is not in src/config/env.ts`).toContain(name);
  });
});

describe('Dockerfile', () => {
  it('probes /healthz without curl, runs as a non-root user and keeps the heap flag', async () => {
    const text = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const stages = text.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1) ?? '';
    const user = /^USER (\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const healthcheck = /^HEALTHCHECK .*\\\n\s+CMD (\[.*\])$/m.exec(runtime)?.[1] ?? '[]';
    const command = z.array(z.string()).parse(JSON.parse(healthcheck));
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toMatch(
      /fetch\('http:\/\/127\.0\.0\.1:' \+ \(process\.env\.PORT \|\| 3000\) \+ '\/healthz'\)/,
    );
    expect(runtime).toMatch(
      /^ENTRYPOINT \["node", "--max-old-space-size=\d+", "dist\/cli\.js"\]$/m,
    );
    expect(runtime).toMatch(/^ENV HOST=0\.0\.0\.0$/m);
  });
});

describe('config/env.example', () => {
  it('is a valid environment as it stands, copied to an env file (blank means unset)', async () => {
    const text = await readFile(join(ROOT, 'config/env.example'), 'utf8');
    const source = Object.fromEntries(
      text
        .split('\n')
        .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(Object.keys(source)).toContain('LOG_FORMAT');
    expect(loadEnv(source)).toMatchObject({ LOG_FORMAT: undefined, METRICS_PUBLIC: false });
  });
});

describe('environment reads', () => {
  async function sources(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => join(entry.parentPath, entry.name));
  }

  it('every variable read in src/ is declared in src/config/env.ts', async () => {
    const read = new Map<string, string>();
    const access =
      /\b(?:process|io)\.env(?:\?)?(?:\.([A-Z][A-Z0-9_]*)|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g;
    for (const file of await sources(join(ROOT, 'src'))) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(access)) read.set(match[1] ?? match[2] ?? '', file);
    }
    expect(read.size).toBeGreaterThan(0);
    for (const [name, file] of read)
      expect(KNOWN, `${name} (read in ${file}) is not in src/config/env.ts`).toContain(name);
  });
});
