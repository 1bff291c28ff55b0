#!/usr/bin/env node
/**
 * npm's `prepare` script. With the dev dependencies installed (`npm ci`, `npm install`
 * in a clone) it runs `npm run build`. Without them (`npm ci --omit=dev`: a production
 * install, the container image's runtime stage) there is no TypeScript to build with,
 * so it skips the build instead of failing the install: dist/ is then copied in from
 * a build made elsewhere (docs/operations.md, "Deploying").
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Whether `name` resolves from the project, i.e. was installed. */
function installed(name) {
  try {
    createRequire(`${root}package.json`).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

if (!installed('typescript')) {
  const built = existsSync(`${root}dist/cli/main.js`);
  process.stderr.write(built
    ? 'plinth: TypeScript is not installed (npm ci --omit=dev); keeping the dist/ already built.\n'
    : 'plinth: TypeScript is not installed (npm ci --omit=dev); skipping the build. Copy in a dist/ built with the dev dependencies (npm ci && npm run build).\n');
  process.exit(0);
}
// NOTE: npm sets npm_execpath to its own CLI script while it runs a lifecycle script.
const npm = process.env.npm_execpath;
const run = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(run.status ?? 1);
