/**
 * Where `plinth serve` finds the built dashboard (docs/dashboard.md, "Serving"): the
 * `dist/dashboard` folder `npm run build` writes next to the server's bundle.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/dashboard of the package; the same relative path works from src/cli and dist/cli. */
export function dashboardDir(): string {
  return fileURLToPath(new URL('../../dist/dashboard', import.meta.url));
}

/** Whether `dir` holds a built dashboard (its index.html). */
export function hasDashboardBuild(dir: string): boolean {
  try {
    return statSync(join(dir, 'index.html')).isFile();
  } catch {
    return false;
  }
}
