/**
 * Search latency at one client (docs/search.md §6): a collection of N catalog rows (1,000,000
 * by default, bench/lib/data.mjs) with two searchable fields, then sequential `search()` requests sorted by
 * `-@rank`, one at a time, after a warm-up with other searches, with p50/p99, then walks of 50 and 2,000 pages by cursor (`wool`). SQLite by
 * default; PostgreSQL with DATABASE_URL.
 * Run: `npx tsx bench/search/search-latency.ts [rows] [requests]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlinth } from '../../src/app/create-plinth.js';
import { SEARCH_QUERIES } from '../lib/data.mjs';
import { insertCatalog, searchFilled } from './catalog-insert.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const requests = Number(process.argv[3] ?? 300);
// SEARCH_BENCH_DIR: measure again on the data folder of an earlier run (its `items` rows kept,
// nothing inserted), waiting until its search indexes are filled; the folder is kept. With
// DATABASE_URL: on the rows an earlier run left in that database (PostgreSQL keeps its index).
const reuse = process.env.SEARCH_BENCH_DIR;
const dir = reuse ?? mkdtempSync(join(tmpdir(), 'plinth-search-bench-'));
const node = await createPlinth({
  http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'silent', bodyLimit: 1 << 20, queryTimeout: 30,
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
});
const { url } = await node.listen();
await node.superusers.upsert('bench@example.com', 'bench-password-123');
const token = (await (await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'bench@example.com', password: 'bench-password-123' }),
})).json() as { token: string }).token;
if (!reuse) await fill();

async function fill(): Promise<void> {
  const create = await fetch(`${url}/api/collections`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({
      name: 'items', type: 'base', listRule: '',
      fields: [{ name: 'name', type: 'text', searchable: true }, { name: 'description', type: 'text', searchable: true, max: 2000 }, { name: 'price', type: 'number' }],
    }),
  });
  if (!create.ok) throw new Error(`create collection: ${create.status} ${await create.text()}`);

  // Rows go in through SQL: the index is kept by the same path as every write.
  await insertCatalog(node.db(), 'items', rows);
}

if (reuse || process.env.DATABASE_URL) {
  // An index still filling (or rebuilt for newer table options, docs/search.md §4.1) finds only part of the rows.
  const t1 = performance.now();
  // NOTE: the fill loop starts with the node; a moment lets it register an index it rebuilds.
  await new Promise((r) => setTimeout(r, 2000));
  await searchFilled(node.db(), process.env.DATABASE_URL !== undefined);
  console.log(`its indexes were filled ${((performance.now() - t1) / 1000).toFixed(1)} s after the start`);
}

// NOTE: the connection the set-up used may have been closed while the rows went in.
await fetch(`${url}/api/health`, { headers: { connection: 'close' } }).catch(() => undefined);

/** The address of the first page of 20 of `search(query)`, sorted by `-@rank`. */
function rankedSearch(query: string): string {
  return `${url}/api/collections/items/records?${new URLSearchParams({ filter: `search('${query}')`, sort: '-@rank', perPage: '20' })}`;
}

async function measure(label: string, extra: string): Promise<void> {
  const times: number[] = [];
  // The process's CPU time per request (server and client share it): what the request cost
  // whatever else the machine runs, where wall time also counts waiting for a core.
  const cpu: number[] = [];
  let matched = 0;
  for (let i = 0; i < requests; i++) {
    const query: string = SEARCH_QUERIES[i % SEARCH_QUERIES.length];
    const start = performance.now();
    const used = process.cpuUsage();
    const res = await fetch(`${rankedSearch(query)}${extra}`);
    const body = await res.json() as { items: unknown[] };
    times.push(performance.now() - start);
    const spent = process.cpuUsage(used);
    cpu.push((spent.user + spent.system) / 1000);
    if (!res.ok) throw new Error(`${query}: ${res.status} ${JSON.stringify(body)}`);
    if (body.items.length > 0) matched++;
  }
  const median = (list: number[]) => {
    const perQuery = SEARCH_QUERIES.map((query: string, k: number) => {
      const own = list.filter((_, i) => i % SEARCH_QUERIES.length === k).sort((a, b) => a - b);
      return `${query} ${own[Math.floor(own.length / 2)]?.toFixed(1)}`;
    });
    return perQuery.join(' | ');
  };
  const percentiles = (list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(2);
    return `p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
  };
  console.log(`${label}: ${requests} requests, ${matched} with results; ${percentiles(times)}; load average ${loadavg()[0]!.toFixed(1)}`);
  // Each search's first request reads its words' index pages and rows for the first time; the repeats find them cached.
  console.log(`  each search's first request: ${percentiles(times.slice(0, SEARCH_QUERIES.length))}; the repeats: ${percentiles(times.slice(SEARCH_QUERIES.length))}`);
  console.log(`  median ms per search: ${median(times)}`);
  // The tail: which searches, and whether each was that search's first request (its estimates not yet cached).
  const slowest = times.map((ms, i) => ({ ms, i })).sort((a, b) => b.ms - a.ms).slice(0, 6);
  console.log(`  slowest: ${slowest.map(({ ms, i }) => `${SEARCH_QUERIES[i % SEARCH_QUERIES.length]}${i < SEARCH_QUERIES.length ? ' (first)' : ''} ${ms.toFixed(1)}`).join(' | ')}`);
  console.log(`  process CPU per request: ${percentiles(cpu)}`);
  console.log(`  median CPU ms per search: ${median(cpu)}`);
}

/**
 * The cursor pass (docs/search.md §6.1): `walks` walks of `pages` pages by `?cursor=`, with the
 * wall and CPU time of the first page, the last, and the median page; then, for comparison,
 * the offset page of the same depth and the first `slowPages` cursor pages of `-@rank,-@rowid`
 * (the same order, but ranking every match on each page, as every cursor page of `-@rank` did before).
 */
async function measureCursor(query: string, pages: number, walks: number, slowPages: number): Promise<void> {
  const filter = `search('${query}')`;
  const timed = async (qs: URLSearchParams) => {
    const start = performance.now();
    const used = process.cpuUsage();
    const res = await fetch(`${url}/api/collections/items/records?${qs}`);
    const body = await res.json() as { items: unknown[]; nextCursor?: string | null };
    const spent = process.cpuUsage(used);
    if (!res.ok) throw new Error(`${query}: ${res.status} ${JSON.stringify(body)}`);
    return { body, wall: performance.now() - start, cpu: (spent.user + spent.system) / 1000 };
  };
  const walk = async (sort: string, count: number) => {
    const times: Array<{ wall: number; cpu: number }> = [];
    let cursor = '';
    for (let page = 1; page <= count; page++) {
      const { body, wall, cpu } = await timed(new URLSearchParams({ filter, sort, perPage: '20', cursor }));
      times.push({ wall, cpu });
      if (!body.nextCursor) throw new Error(`${query}: the walk ended at page ${page}`);
      cursor = body.nextCursor;
    }
    return times;
  };
  const fmt = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(1)} ms wall, ${t.cpu.toFixed(1)} ms CPU`;
  const median = (list: Array<{ wall: number; cpu: number }>) => {
    const at = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { wall: at(list.map((x) => x.wall)), cpu: at(list.map((x) => x.cpu)) };
  };
  const all: Array<Array<{ wall: number; cpu: number }>> = [];
  for (let i = 0; i < walks; i++) all.push(await walk('-@rank', pages));
  console.log(`cursor walk, ${filter}, sort=-@rank, perPage=20, ${walks} walks of ${pages} pages; load average ${loadavg()[0]!.toFixed(1)}`);
  console.log(`  page 1 (median of walks): ${fmt(median(all.map((w) => w[0]!)))}`);
  console.log(`  page ${pages} (median of walks): ${fmt(median(all.map((w) => w[pages - 1]!)))}`);
  console.log(`  every page (median): ${fmt(median(all.flat()))}; a whole walk (median): ${median(all.map((w) => ({ wall: w.reduce((a, x) => a + x.wall, 0), cpu: w.reduce((a, x) => a + x.cpu, 0) }))).wall.toFixed(0)} ms wall`);
  const offset = [];
  for (let i = 0; i < walks; i++) offset.push(await timed(new URLSearchParams({ filter, sort: '-@rank', perPage: '20', page: String(pages), skipTotal: '1' })));
  console.log(`  offset page ${pages} (page=${pages}&skipTotal=1, median): ${fmt(median(offset))}`);
  if (slowPages > 0) console.log(`  ranking every match (sort=-@rank,-@rowid), cursor pages 1–${slowPages} (median): ${fmt(median(await walk('-@rank,-@rowid', slowPages)))}`);
}

/**
 * A node that has served searches before: the process's code compiled and its connections'
 * caches filled by searches of other words than the measured ones (SEARCH_BENCH_WARMUP=0: none),
 * so the measured searches' first requests still read their own words for the first time.
 */
async function warmUp(): Promise<void> {
  const others = ['green', 'linen sandals', 'hoodie', 'canvas backpack', '"winter coat"', 'silk -scarf', 'suede', 'olive denim'];
  for (let i = 0; i < 5 * others.length; i++) {
    const res = await fetch(`${rankedSearch(others[i % others.length]!)}&skipTotal=1`);
    if (!res.ok) throw new Error(`warm-up: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
}
if (process.env.SEARCH_BENCH_WARMUP !== '0') await warmUp();

// SEARCH_BENCH_PASSES: which passes run, `latency` and/or `cursor` (default both).
const passes = (process.env.SEARCH_BENCH_PASSES ?? 'latency,cursor').split(',');
if (passes.includes('latency')) {
  await measure('search, sort=-@rank, perPage=20, skipTotal=1', '&skipTotal=1');
  await measure('search, sort=-@rank, perPage=20, with totals', '');
}
if (passes.includes('cursor')) {
  await measureCursor('wool', 50, 3, 3);
  // Deep into the walk, past the first tiers: what a cursor page costs where an offset page reads 40,000 rows first.
  await measureCursor('wool', 2000, 1, 0);
}
await node.close();
if (!reuse) rmSync(dir, { recursive: true, force: true });
