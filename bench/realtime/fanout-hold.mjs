/**
 * How long one record event's realtime fan-out holds a node's event loop: N streams
 * (default 1000), each subscribed to one collection with a filter of its own (so no
 * two share an evaluation), then one write. The node runs in this process; the
 * streams are read by a worker thread, so their parsing does not count against it.
 * A 1 ms timer measures the longest gap of the loop from the write until every
 * stream received the event (`maxLoopGapMs`), and, for comparison, during 500 ms of
 * idleness before it (`idleMaxGapMs`: what a loaded machine's scheduling adds).
 *
 *   node --import tsx bench/realtime/fanout-hold.mjs [--clients=1000] [--expand]
 *
 * PLINTH_TEST_DATABASE_URL runs it on PostgreSQL (in a throwaway database). Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const [k, v] = a.replace(/^--/, '').split('=');
  return [k, v ?? 'true'];
}));

if (isMainThread) await main();
else await streams(workerData);

async function main() {
  const { createPlinth } = await import('../../src/app/create-plinth.js');
  // PostgreSQL: a database of its own, dropped at the end (test/helpers' throwaway databases).
  const database = process.env.PLINTH_TEST_DATABASE_URL ? await (await import('../../test/helpers/test-database.js')).createTestDatabase() : undefined;
  const clients = Number(args.clients ?? 1000);
  const dir = mkdtempSync(join(tmpdir(), 'plinth-fanout-'));
  const node = await createPlinth({
    http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'silent',
    bodyLimit: 1 << 20, queryTimeout: 30, ...(database ? { databaseUrl: database.url } : {}),
    maxRealtimeStreams: clients + 10, maxRealtimeStreamsPerIp: clients + 10,
  }, { logger: false });
  await node.superusers.upsert('fanout@example.com', 'fanout-password-1');
  const { url } = await node.listen();
  const post = async (path, body, token) => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) }, body: JSON.stringify(body) });
    return res.json();
  };
  const token = (await post('/api/collections/_superusers/auth-with-password', { identity: 'fanout@example.com', password: 'fanout-password-1' })).token;
  const collection = `fanout${Date.now()}`;
  const users = await post('/api/collections', { name: `${collection}_u`, type: 'base', listRule: '', viewRule: '', fields: [{ name: 'name', type: 'text' }] }, token);
  await post('/api/collections', {
    name: collection, type: 'base', listRule: '', viewRule: '', createRule: '',
    fields: [{ name: 'title', type: 'text' }, { name: 'n', type: 'number' }, { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 }],
  }, token);
  const owner = await post(`/api/collections/${collection}_u/records`, { name: 'o' }, token);

  const worker = new Worker(new URL(import.meta.url), { workerData: { url, clients, collection, expand: args.expand === 'true' } });
  await new Promise((done) => worker.once('message', () => done()));

  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  // The longest gap while nothing happens: what the machine's own scheduling adds.
  await new Promise((r) => setTimeout(r, 200));
  maxGap = 0;
  await new Promise((r) => setTimeout(r, 500));
  const idleMaxGap = maxGap;
  maxGap = 0;
  const started = performance.now();
  const delivered = new Promise((done) => worker.once('message', (m) => done(m.received)));
  await post(`/api/collections/${collection}/records`, { title: 'hello', n: 1, owner: owner.id });
  const received = await delivered;
  const totalMs = performance.now() - started;
  clearInterval(timer);
  console.log(JSON.stringify({ clients, expand: args.expand === 'true', received, idleMaxGapMs: Math.round(idleMaxGap * 10) / 10, maxLoopGapMs: Math.round(maxGap * 10) / 10, writeToAllDeliveredMs: Math.round(totalMs) }));
  await worker.terminate();
  await node.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
}

/** Opens the streams, subscribes each with its own filter, then reports when all got one event. */
async function streams(data) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  let received = 0;
  let counting = false;
  const open = (i) => new Promise((done, fail) => {
    http.get(`${data.url}/api/realtime`, (res) => {
      let first = true;
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        if (first) {
          first = false;
          const clientId = /^id:(.*)\n/.exec(chunk)[1];
          const options = { query: { filter: `n != ${i + 1000}`, ...(data.expand ? { expand: 'owner' } : {}) } };
          const topic = `${data.collection}/*?options=${encodeURIComponent(JSON.stringify(options))}`;
          const body = JSON.stringify({ clientId, subscriptions: [topic] });
          const req = http.request(`${data.url}/api/realtime`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => {
            r.resume();
            r.on('end', () => (r.statusCode === 204 ? done() : fail(new Error(`subscribe ${r.statusCode}`))));
          });
          req.end(body);
          return;
        }
        if (counting && chunk.includes('"action":"create"')) {
          received++;
          if (received === data.clients) parentPort.postMessage({ received });
        }
      });
    }).on('error', fail);
  });
  for (let i = 0; i < data.clients; i += 50) await Promise.all(Array.from({ length: Math.min(50, data.clients - i) }, (_, j) => open(i + j)));
  counting = true;
  parentPort.postMessage({ ready: true });
}
