import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// One worker more than there are cores, at most four (docs/configuration.md, "Variables used by the test suite"): vitest's
// default, cores − 1, runs the files one at a time on a 2-core machine, while most of a file's time
// is spent waiting (on PostgreSQL, child processes, Chromium, timers). Four at most: each worker's
// test servers open PostgreSQL pools of up to 10 connections, and the server allows 100.
const workers = Math.min(availableParallelism() + 1, 4);

const include = ['src/**/*.test.ts', 'test/**/*.test.ts'];

// NOTE: a worker runs test file after test file in one process without loading the
// modules again (isolate: false): loading Plinth's ~300 modules afresh for each of the
// 230 files cost more CPU than most files' tests, and on two cores that was a third of
// the suite's time. A file runs in a fresh process of its own when it changes what a
// later file in the same process would see: it mocks a module, sets a global or an
// environment variable, or runs the fake OAuth2 provider, whose JWKS and client
// authentication Plinth caches by URL, so a later file's provider on the same port would
// meet the first one's.
const sharedStateChange = /\bvi\.(mock|doMock|stubGlobal|stubEnv|resetModules)\(|process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|delete process\.env|globalThis\.\w+\s*=[^=]|process\.(chdir|umask)\(|oauth2-provider-server/;
const root = fileURLToPath(new URL('.', import.meta.url));
const isolated = ['src', 'test']
  .flatMap((dir) => readdirSync(root + dir, { recursive: true, encoding: 'utf8' }).map((file) => `${dir}/${file}`))
  .filter((file) => file.endsWith('.test.ts') && sharedStateChange.test(readFileSync(root + file, 'utf8')));

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // NOTE: expect.poll waits for a condition to become true; vitest's default of 1 s was too
    // short for a browser's dialog on a loaded 2-core machine (a run failed waiting for one).
    // A longer wait only makes a real failure take longer to report.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    maxWorkers: workers,
    projects: [
      { extends: true, test: { name: 'shared', include, exclude: [...configDefaults.exclude, ...isolated], isolate: false } },
      { extends: true, test: { name: 'isolated', include: isolated, isolate: true } },
    ],
  },
});
