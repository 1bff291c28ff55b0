/**
 * Making fields searchable over a large table, online (docs/search.md §4.1, §4.2): a collection
 * of N catalog rows (1,000,000 by default) with no searchable field; then the schema change that
 * makes `name` and `description` searchable (the table has an index on `price`), and a few seconds later
 * another that adds a field (while the index is built), while one client writes a row, another reads one by
 * id and, once the change has answered, a third searches, each once every 20 ms. Prints how long
 * the change took to answer, how long until the index was built and filled, and the latency of
 * those requests meanwhile, against the same requests before the change. SQLite by default; PostgreSQL with DATABASE_URL.
 * Run: `npx tsx bench/search/search-online-change.ts [rows]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlinth } from '../../src/app/create-plinth.js';
import { insertCatalog, searchFilled } from './catalog-insert.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const postgres = process.env.DATABASE_URL !== undefined;
const dir = mkdtempSync(join(tmpdir(), 'plinth-search-change-'));
const node = await createPlinth({
  http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'silent', bodyLimit: 1 << 20, queryTimeout: 30,
  ...(postgres ? { databaseUrl: process.env.DATABASE_URL } : {}),
});
const { url } = await node.listen();
await node.superusers.upsert('bench@example.com', 'bench-password-123');
const token = (await (await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'bench@example.com', password: 'bench-password-123' }),
})).json() as { token: string }).token;
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: token }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
};

const name = `change_${Date.now()}`;
const collection = await api('POST', '/api/collections', {
  name, type: 'base', listRule: '', createRule: '',
  fields: [{ name: 'name', type: 'text' }, { name: 'description', type: 'text', max: 2000 }, { name: 'price', type: 'number' }],
  indexes: [`CREATE INDEX idx_${name}_price ON ${name} (price)`],
});
await insertCatalog(node.db(), name, rows);
await fetch(`${url}/api/health`, { headers: { connection: 'close' } }).catch(() => undefined);
const ids: string[] = (await api('GET', `/api/collections/${name}/records?perPage=500&skipTotal=1&fields=id`)).items.map((r: { id: string }) => r.id);
const SEARCHES = ['wool', 'blue jacket', 'waterproof', 'recycled cotton shirt'];

/**
 * Until `until` settles, every 20 ms: writes a row, reads a row by id, and (with `search`) asks
 * for a page of a search; their latencies.
 */
async function probe(until: Promise<unknown>, search: () => boolean): Promise<Record<'write' | 'read' | 'search', number[]>> {
  const times = { write: [] as number[], read: [] as number[], search: [] as number[] };
  let done = false;
  void until.finally(() => { done = true; });
  const loop = async (into: number[], request: () => Promise<unknown>, when: () => boolean = () => true) => {
    while (!done) {
      if (when()) {
        const t = performance.now();
        await request();
        into.push(performance.now() - t);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  let k = 0;
  await Promise.all([
    loop(times.write, () => api('POST', `/api/collections/${name}/records`, { name: `probe ${k}`, description: 'a lighthouse keeper', price: 1 })),
    loop(times.read, () => api('GET', `/api/collections/${name}/records/${ids[k++ % ids.length]}`)),
    loop(times.search, () => api('GET', `/api/collections/${name}/records?perPage=20&skipTotal=1&sort=-@rank&filter=${encodeURIComponent(`search('${SEARCHES[k % SEARCHES.length]}')`)}`), search),
  ]);
  return times;
}
const summary = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]?.toFixed(1);
  return `${list.length} requests, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
};

const before = await probe(new Promise((r) => setTimeout(r, 5000)), () => false);
console.log(`before the change: writes ${summary(before.write)}; reads by id ${summary(before.read)}`);

const t0 = performance.now();
let answered = 0;
// SEARCH_CHANGE_ALTER_MS: how long after the change answered a field is added (default 5 s).
const alterAfterMs = Number(process.env.SEARCH_CHANGE_ALTER_MS ?? 5000);
let altered = { at: 0, took: 0 };
const change = (async () => {
  await api('PATCH', `/api/collections/${collection.id}`, {
    fields: collection.fields.map((f: { name: string }) => (f.name === 'name' || f.name === 'description' ? { ...f, searchable: true } : f)),
  });
  answered = performance.now() - t0;
  // Another change of the table while the index is built (docs/search.md §4.2): a field added.
  await new Promise((r) => setTimeout(r, alterAfterMs));
  const t1 = performance.now();
  const current = await api('GET', `/api/collections/${collection.id}`);
  await api('PATCH', `/api/collections/${collection.id}`, { fields: [...current.fields, { name: 'note', type: 'text' }] });
  altered = { at: t1 - t0, took: performance.now() - t1 };
  await searchFilled(node.db(), postgres);
})();
const during = await probe(change, () => answered > 0);
const filled = performance.now() - t0;
console.log(`the change answered in ${(answered / 1000).toFixed(2)} s; the index was built and filled ${(filled / 1000).toFixed(1)} s after it started; load average ${loadavg()[0]!.toFixed(1)}`);
console.log(`a field added ${(altered.at / 1000).toFixed(1)} s after the change started answered in ${(altered.took / 1000).toFixed(2)} s`);
console.log(`during the change and fill: writes ${summary(during.write)}; reads by id ${summary(during.read)}; searches once it answered ${summary(during.search)}`);
const found = await api('GET', `/api/collections/${name}/records?perPage=1&filter=${encodeURIComponent("search('wool')")}`);
console.log(`search('wool') after the fill: ${found.totalItems} rows`);
await node.close();
rmSync(dir, { recursive: true, force: true });
