import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One worker more than there are cores, at most four (docs/configuration.md, "Variables used by the test suite"): vitest's
// default, cores − 1, runs the files one at a time on a 2-core machine, while most of a file's time
// is spent waiting (on PostgreSQL, child processes, Chromium, timers). Four at most: each worker's
// test servers open PostgreSQL pools of up to 10 connections, and the server allows 100.
const workers = Math.min(availableParallelism() + 1, 4);

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: workers,
  },
});
