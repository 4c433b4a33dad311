import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/g;

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return Promise.resolve(entry.name.endsWith('.ts') ? [path] : []);
    }),
  );
  return nested.flat();
}

async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await sourceFiles(SRC)) {
    const text = await readFile(file, 'utf8');
    const specifiers = [...text.matchAll(IMPORT)].map((match) => match[1] ?? '');
    graph.set(
      relative(SRC, file),
      specifiers.map((specifier) =>
        specifier.startsWith('.')
          ? relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts')
          : specifier,
      ),
    );
  }
  return graph;
}

describe('architecture (a backstop for the ESLint layer rules)', () => {
  it('keeps domain/ pure: it imports only domain/', async () => {
    const graph = await importGraph();
    const offenders = [...graph].flatMap(([file, imports]) =>
      file.startsWith('domain/')
        ? imports
            .filter((target) => !target.startsWith('domain/'))
            .map((target) => `${file} → ${target}`)
        : [],
    );
    expect(graph.size).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });

  it('has no import cycles', async () => {
    const graph = await importGraph();
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const target of graph.get(file) ?? [])
        if (graph.has(target)) visit(target, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
