/**
 * A fresh build of the dashboard for the browser tests (docs/dashboard.md, "Tests"): built
 * from dashboard/ into a temporary folder, so a test never runs against a stale dist/.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A built dashboard: `dir` holds index.html; `remove` deletes the build. */
export interface TestDashboard {
  dir: string;
  remove(): void;
}

/** Builds the dashboard with scripts/build.mjs's buildDashboard into a temporary folder. */
export async function buildTestDashboard(): Promise<TestDashboard> {
  const out = mkdtempSync(join(tmpdir(), 'plinth-dashboard-'));
  const script = `const { buildDashboard } = await import(${JSON.stringify(pathToFileURL(join(root, 'scripts/build.mjs')).href)});
await buildDashboard(${JSON.stringify(root)}, ${JSON.stringify(out)});`;
  const output = await new Promise<{ code: number | null; text: string }>((done) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.stderr.on('data', (chunk) => (text += chunk));
    child.on('close', (code) => done({ code, text }));
  });
  if (output.code !== 0) throw new Error(`building the dashboard failed (node scripts/build.mjs):\n${output.text}`);
  return { dir: join(out, 'dashboard'), remove: () => rmSync(out, { recursive: true, force: true }) };
}
