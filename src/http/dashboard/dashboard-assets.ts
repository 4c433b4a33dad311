import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the dashboard serves, read once when the plugin is built. */
export interface DashboardAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * The page's own client files live in `public/dashboard/` at the repository root, three levels
 * above this module both as `src/http/dashboard/*.ts` (tsx) and as `dist/http/dashboard/*.js`
 * (the build), so one relative path serves both.
 */
const PUBLIC_DIR = fileURLToPath(new URL('../../../public/dashboard/', import.meta.url));

/**
 * Chart.js's UMD build (it defines the `Chart` global the page's script uses). Its package
 * `exports` name no UMD entry, so the path is taken from the CommonJS entry beside it
 * (`dist/chart.cjs` → `dist/chart.umd.min.js`).
 */
function chartJsPath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
}

function read(path: string, contentType: string): DashboardAsset {
  try {
    return { contentType, body: readFileSync(path) };
  } catch (err) {
    throw new Error(
      `dashboard asset ${path} is missing (${(err as NodeJS.ErrnoException).code ?? String(err)}): the public/ folder and node_modules/chart.js ship with Handoff`,
      { cause: err },
    );
  }
}

/** The dashboard's static files by URL path; throws naming the file when one is missing. */
export function loadDashboardAssets(): ReadonlyMap<string, DashboardAsset> {
  const js = 'text/javascript; charset=utf-8';
  return new Map([
    ['/dashboard/app.js', read(join(PUBLIC_DIR, 'app.js'), js)],
    ['/dashboard/app.css', read(join(PUBLIC_DIR, 'app.css'), 'text/css; charset=utf-8')],
    ['/dashboard/chart.umd.min.js', read(chartJsPath(), js)],
  ]);
}
