/**
 * A fresh build of the dashboard for the browser tests (docs/dashboard.md, "Tests"): built
 * from dashboard/ into a temporary folder, so a test never runs against a stale dist/.
 *
 * The build is shared by the test files of one run: it lands in a folder named by a hash of
 * everything it is made from (dashboard/, the server's filter parser it imports, the build
 * script and the lock file), so a file that finds that folder complete reuses it instead of
 * spending the ~15 s of a Vite build again; any change to the sources names a new folder.
 * Test files run in parallel workers: the first to need a build takes a lock (a folder beside
 * the build, holding its pid) and the others wait for its build instead of running their own.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isProcessAlive } from '../../src/tools/process-alive.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A built dashboard: `dir` holds index.html; `remove` is for a caller done with it (the shared build stays). */
export interface TestDashboard {
  dir: string;
  remove(): void;
}

/** The files a dashboard build is made from. */
function sourceFiles(): string[] {
  const files: string[] = [join(root, 'scripts/build.mjs'), join(root, 'package-lock.json')];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name === 'dist') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(root, 'dashboard'));
  walk(join(root, 'src/filter'));
  return files;
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles()) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * Takes the build lock of `shared`, or waits (up to 3 minutes) for the build of the worker
 * holding it; resolves with a release function when this worker must build, or undefined
 * when the build it waited for is there.
 */
async function lockOrWait(shared: string): Promise<(() => void) | undefined> {
  const lock = `${shared}.lock`;
  const done = () => existsSync(join(shared, 'dashboard', 'index.html'));
  for (const deadline = Date.now() + 180_000; Date.now() < deadline;) {
    if (done()) return undefined;
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      // Held: by a live worker, wait; by a dead one (or one that has not written its pid yet), look again.
      const pid = Number(existsSync(join(lock, 'pid')) ? readFileSync(join(lock, 'pid'), 'utf8') : NaN);
      if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // The holder took longer than any build should: build here as well (the rename below settles who wins).
  return () => undefined;
}

/** Builds the dashboard with scripts/build.mjs's buildDashboard, or reuses this run's build of the same sources. */
export async function buildTestDashboard(): Promise<TestDashboard> {
  const shared = join(tmpdir(), `plinth-test-dashboard-${sourceHash()}`);
  const keep = { dir: join(shared, 'dashboard'), remove: () => undefined };
  if (existsSync(join(shared, 'dashboard', 'index.html'))) return keep;
  const release = await lockOrWait(shared);
  if (!release) return keep;
  try {
    await build(shared);
  } finally {
    release();
  }
  return keep;
}

/** Runs the Vite build into a fresh folder and moves it to `shared` in one rename. */
async function build(shared: string): Promise<void> {
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
  // A complete build takes the shared name in one rename; when another file's build got there first, use that one.
  try {
    renameSync(out, shared);
  } catch {
    rmSync(out, { recursive: true, force: true });
    if (!existsSync(join(shared, 'dashboard', 'index.html'))) throw new Error(`no dashboard build in ${shared}`);
  }
}
