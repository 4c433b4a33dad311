import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/run-cli-in-process.js';

describe('handoff sandbox --host', () => {
  it('binds every interface and still prints the loopback URLs Handoff reaches it on', async () => {
    let stop = (): void => undefined;
    const stopped = new Promise<string>((resolve) => (stop = () => resolve('test')));
    let reached: number | null = null;
    const run = runCliInProcess(
      ['sandbox', '--host', '0.0.0.0', '--port', '0', '--contacts', '20'],
      {
        untilShutdown: () => stopped,
        onStdout: (text) => {
          const url = /^HUBSPOT_BASE_URL=(\S+)$/m.exec(text)?.[1];
          if (url === undefined) return;
          // 127.0.0.2 answers only when every interface is bound, not just 127.0.0.1.
          void fetch(`${url.replace('127.0.0.1', '127.0.0.2')}/__sandbox/counts`)
            .then((response) => (reached = response.status))
            .finally(stop);
        },
      },
    );
    const { code, stdout } = await run;
    expect(code).toBe(0);
    expect(stdout).toMatch(/^HubSpot sandbox {5}http:\/\/127\.0\.0\.1:\d+ /m);
    expect(stdout).toMatch(/^SALESFORCE_INSTANCE_URL=http:\/\/127\.0\.0\.1:\d+$/m);
    expect(stdout).not.toContain('0.0.0.0');
    expect(reached).toBe(200);
  });

  it('refuses an empty address, naming the flag', async () => {
    const { code, stderr } = await runCliInProcess(['sandbox', '--host', ' ']);
    expect(code).toBe(2);
    expect(stderr).toContain('--host: expected an address');
  });
});
