/**
 * Jobs per second (docs/jobs.md §3): enqueues N no-op jobs on a fresh node and
 * times how long the worker takes to drain them. SQLite by default; PostgreSQL
 * with DATABASE_URL. Run: `npx tsx bench/jobs/jobs-throughput.ts [N] [concurrency]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlinth } from '../../src/app/create-plinth.js';

const total = Number(process.argv[2] ?? 5000);
const concurrency = Number(process.argv[3] ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'plinth-jobs-bench-'));
const node = await createPlinth({
  http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'silent', bodyLimit: 1 << 20, queryTimeout: 30,
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
});
await node.listen();
let done = 0;
let finish: () => void = () => undefined;
const drained = new Promise<void>((r) => (finish = r));
node.jobs.define('noop', async () => {
  if (++done === total) finish();
}, { concurrency });
const t0 = performance.now();
// Enqueued from 20 concurrent producers, each enqueue its own transaction, while the worker drains.
await Promise.all(Array.from({ length: 20 }, async (_, p) => {
  for (let i = p; i < total; i += 20) await node.jobs.enqueue('noop', { i });
}));
const t1 = performance.now();
await drained;
const t2 = performance.now();
console.log(JSON.stringify({
  engine: process.env.DATABASE_URL ? 'postgres' : 'sqlite', total, concurrency,
  enqueuePerSec: Math.round(total / ((t1 - t0) / 1000)), drainPerSec: Math.round(total / ((t2 - t0) / 1000)), seconds: +((t2 - t0) / 1000).toFixed(2),
}));
await node.close();
rmSync(dir, { recursive: true, force: true });
