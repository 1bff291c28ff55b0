/**
 * Webhook events delivered per second (docs/webhooks.md §6): N record creates through the
 * records API (20 concurrent clients) on a fresh node with one webhook on them, POSTed signed to
 * a local receiver; timed from the first create to the last delivery. SQLite by default;
 * PostgreSQL with DATABASE_URL. Run: `npx tsx bench/webhooks/webhooks-throughput.ts [N]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlinth } from '../../src/app/create-plinth.js';
import { OutboundHttp } from '../../src/tools/outbound-http.js';

const total = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'plinth-webhooks-bench-'));
let received = 0;
let finish: () => void = () => undefined;
const drained = new Promise<void>((r) => (finish = r));
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(204).end();
    if (++received === total) finish();
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
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
const hook = process.env.NO_WEBHOOK ? undefined : await post('/api/webhooks', { name: 'bench', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, events: ['orders.create'], filter: process.env.FILTER ?? '' }, token);
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
receiver.close();
rmSync(dir, { recursive: true, force: true });
