import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Key {
  readonly system: string;
  readonly request: unknown;
  readonly window: unknown;
}

/**
 * API answers on disk, one JSON file per (system, request, window): `<dir>/<system>/<sha256>.json`.
 * A file is written under a temporary name and renamed, so an interrupted run never leaves half
 * an answer that a later run would trust. Answers are never refreshed: deleting the directory
 * (or a system's folder) is how a backtest reads the systems again.
 */
export class FilePageCache {
  constructor(private readonly dir: string) {}

  private path(key: Key): string {
    const digest = createHash('sha256')
      .update(JSON.stringify([key.system, key.request, key.window]))
      .digest('hex');
    return join(this.dir, key.system, `${digest}.json`);
  }

  async through(key: Key, fetch: () => Promise<unknown>): Promise<unknown> {
    const path = this.path(key);
    try {
      return JSON.parse(await readFile(path, 'utf8')) as unknown;
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
    }
    // Dates and SDK model classes become plain JSON now, so a fresh answer and a cached one
    // reach the caller's parser in the same shape.
    const answer = JSON.parse(JSON.stringify(await fetch()) ?? 'null') as unknown;
    await mkdir(join(this.dir, key.system), { recursive: true });
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify(answer));
    await rename(temporary, path);
    return answer;
  }
}
