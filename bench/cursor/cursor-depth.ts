/**
 * Cursor depth (docs/api.md §3.10, §3.11), one client: seeds N rows (an index on `score`), walks the
 * whole list with cursors, and compares the median time of the first and the last cursor page
 * with the first and the last offset page; then times one aggregate over every row. SQLite by
 * default; PostgreSQL with DATABASE_URL (an empty database). DIR reuses a seeded SQLite folder.
 * Run: `npx tsx bench/cursor/cursor-depth.ts [N] [perPage]`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createPlinth } from '../../src/app/create-plinth.js';
import type { Executor } from '../../src/db/database.js';

const total = Number(process.argv[2] ?? 1_000_000);
const perPage = Number(process.argv[3] ?? 200);
const dir = process.env.DIR ?? mkdtempSync(join(tmpdir(), 'plinth-cursor-bench-'));
const node = await createPlinth({
  http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'silent', bodyLimit: 1 << 20, queryTimeout: 60,
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
});
await node.superusers.upsert('bench@example.com', 'bench-password-123');
const { url } = await node.listen();

/** One JSON request; a connection the server closed while idle is retried once. */
async function api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const send = async () => {
    const res = await fetch(url + path, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    });
    return { status: res.status, body: await res.json() };
  };
  return send().catch(send);
}

const token = (await api('POST', '/api/collections/_superusers/auth-with-password', { identity: 'bench@example.com', password: 'bench-password-123' })).body.token;
const created = await api('POST', '/api/collections', {
  name: 'events', type: 'base', listRule: '', viewRule: '',
  fields: [{ name: 'kind', type: 'text' }, { name: 'score', type: 'number' }, { name: 'label', type: 'text' }],
  indexes: ['CREATE INDEX idx_events_score ON events (score)'],
}, token);
if (created.status === 200) {
  const db = node.db() as Executor;
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const t0 = performance.now();
  for (let i = 0; i < total; i += 1000) {
    const rows = [];
    for (let j = i; j < Math.min(total, i + 1000); j++) rows.push(sql`(${`r${String(j).padStart(14, '0')}`}, ${`k${j % 10}`}, ${Math.floor(next() * 100000) / 100}, ${`label ${j}`})`);
    await sql`INSERT INTO events (id, kind, score, label) VALUES ${sql.join(rows)}`.execute(db);
  }
  await sql`ANALYZE`.execute(db);
  console.log(`seeded ${total} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** The median time of `times` requests, in ms. */
async function median(path: string, times = 15): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    const res = await api('GET', path);
    ms.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${path}: ${JSON.stringify(res.body)}`);
  }
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

for (const sort of (process.env.SORTS ?? '-score|').split('|')) {
  const base = `/api/collections/events/records?perPage=${perPage}&sort=${encodeURIComponent(sort)}`;
  let cursor = '';
  let pages = 0;
  const t0 = performance.now();
  for (;;) {
    const res = await api('GET', `${base}&cursor=${encodeURIComponent(cursor)}`);
    pages++;
    if (res.body.nextCursor === null) break;
    cursor = res.body.nextCursor;
  }
  const walk = (performance.now() - t0) / 1000;
  const figures = {
    cursorFirst: await median(`${base}&cursor=`),
    cursorLast: await median(`${base}&cursor=${encodeURIComponent(cursor)}`),
    offsetFirst: await median(`${base}&page=1&skipTotal=1`),
    offsetLast: await median(`${base}&page=${pages}&skipTotal=1`, 5),
  };
  console.log(`sort=${sort || '(none)'}: ${pages} pages of ${perPage} walked in ${walk.toFixed(1)} s; median ms: ` +
    `cursor page 1 ${figures.cursorFirst.toFixed(1)}, cursor page ${pages} ${figures.cursorLast.toFixed(1)}, ` +
    `offset page 1 ${figures.offsetFirst.toFixed(1)}, offset page ${pages} ${figures.offsetLast.toFixed(1)}`);
}
const aggregate = `/api/collections/events/records/aggregate?groupBy=kind&aggregate=${encodeURIComponent('count(),sum(score),avg(score),min(score),max(score)')}&sort=-sum_score`;
console.log(`aggregate of ${total} rows by kind (10 groups, 5 aggregates): median ${(await median(aggregate, 5)).toFixed(1)} ms`);
await node.close();
