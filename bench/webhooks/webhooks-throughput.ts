/**
 * Webhook events delivered per second (docs/webhooks.md §6): N record creates through the
 * records API (20 concurrent clients) on a fresh node with one webhook on them, POSTed signed to
 * a receiver in another process on loopback; timed from the first create to the last delivery.
 * NO_WEBHOOK=1 times the creates alone; FILTER=… gives the webhook a filter (one that matches
 * nothing times the capture's filter query without deliveries); DETAIL=1 prints the mean attempt. SQLite by default;
 * PostgreSQL with DATABASE_URL. Run: `npx tsx bench/webhooks/webhooks-throughput.ts [N]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlinth } from '../../src/app/create-plinth.js';
import { OutboundHttp } from '../../src/tools/outbound-http.js';

const total = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'plinth-webhooks-bench-'));
// The receiver runs in a process of its own, as a real one would: it prints its port, then
// "done" once it got `total` POSTs.
const RECEIVER = `const total = ${total}; let n = 0;
require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(204).end(); if (++n === total) console.log('done'); }); })
  .listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });`;
const receiver = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
let finish: () => void = () => undefined;
const drained = new Promise<void>((r) => (finish = r));
const port = await new Promise<number>((resolve) => {
  receiver.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.startsWith('port ')) resolve(Number(line.slice(5)));
      if (line === 'done') finish();
    }
  });
});
const node = await createPlinth({
  http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'silent', bodyLimit: 1 << 20, queryTimeout: 30,
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
}, { outbound: OutboundHttp.allowingLoopbackForTests() });
await node.superusers.upsert('bench@example.com', 'bench-password-123');
const { url } = await node.listen();
const post = async (path: string, body: unknown, token?: string) => {
  const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
};
const { token } = await post('/api/collections/_superusers/auth-with-password', { identity: 'bench@example.com', password: 'bench-password-123' });
await post('/api/collections', { name: 'orders', type: 'base', createRule: '', fields: [{ name: 'n', type: 'number' }, { name: 'status', type: 'text' }] }, token);
const hook = process.env.NO_WEBHOOK ? undefined : await post('/api/webhooks', { name: 'bench', url: `http://127.0.0.1:${port}/`, events: ['orders.create'], filter: process.env.FILTER ?? '' }, token);
const t0 = performance.now();
await Promise.all(Array.from({ length: 20 }, async (_, p) => {
  for (let i = p; i < total; i += 20) await post('/api/collections/orders/records', { n: i, status: 'paid' });
}));
const t1 = performance.now();
if (!process.env.NO_WEBHOOK && !process.env.FILTER) await drained;
const t2 = performance.now();
console.log(JSON.stringify({
  engine: process.env.DATABASE_URL ? 'postgres' : 'sqlite', total,
  createsPerSec: Math.round(total / ((t1 - t0) / 1000)), deliveredPerSec: Math.round(total / ((t2 - t0) / 1000)), seconds: +((t2 - t0) / 1000).toFixed(2),
}));
if (process.env.DETAIL && hook) {
  const res = await fetch(`${url}/api/webhooks/${hook.id}/deliveries?perPage=1000`, { headers: { authorization: token } });
  const items = ((await res.json()) as any).items as { durationMs: number }[];
  console.log('mean durationMs', items.reduce((a, d) => a + d.durationMs, 0) / items.length);
}
await node.close();
receiver.kill();
rmSync(dir, { recursive: true, force: true });
