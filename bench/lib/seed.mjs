/**
 * Seeds the benchmark data set once and caches it: the collections and users go
 * through Plinth's own API (so the schema is exactly what Plinth builds), the
 * 1,020,000 rows go straight into the tables Plinth created, in one transaction
 * of prepared inserts. Every run then starts from a fresh copy of the cache.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BENCH_ADMIN, BENCH_USER, COUNTS, eventRows, productRows } from './data.mjs';
import { BenchError, startServer } from './servers.mjs';

/** Bump when the data set or its collections change: older caches are then rebuilt. */
export const SEED_VERSION = 5;

const PRODUCT_FIELDS = [
  { name: 'name', type: 'text', max: 200 },
  { name: 'price', type: 'number', min: 0 },
  { name: 'stock', type: 'number', onlyInt: true, min: 0 },
  { name: 'category', type: 'text', required: true, max: 50 },
  { name: 'description', type: 'text', max: 1000 },
  { name: 'created', type: 'autodate', onCreate: true },
  { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
];
const SIGNED_IN = "@request.auth.id != ''";
/** S1: the products' name and description are searchable (docs/search.md §1); owned_products keeps plain text. */
const SEARCHABLE = new Set(['name', 'description']);

/** The collections of the data set, as POST /api/collections bodies. */
const COLLECTIONS = [
  {
    name: 'products', type: 'base', fields: PRODUCT_FIELDS.map((f) => (SEARCHABLE.has(f.name) ? { ...f, searchable: true } : f)),
    listRule: '', viewRule: '', createRule: SIGNED_IN, updateRule: SIGNED_IN, deleteRule: null,
    indexes: ['CREATE INDEX idx_products_category ON products (category)'],
  },
  {
    // W6: W2's query under a rule that depends on the signed-in user.
    name: 'owned_products', type: 'base',
    fields: [...PRODUCT_FIELDS, { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 }],
    listRule: 'owner = @request.auth.id', viewRule: 'owner = @request.auth.id',
    createRule: null, updateRule: null, deleteRule: null,
    indexes: [
      'CREATE INDEX idx_owned_products_category ON owned_products (category)',
      'CREATE INDEX idx_owned_products_owner ON owned_products (owner)',
    ],
  },
  {
    // W7: cost growth with data; an index that serves both the filter and the sort.
    name: 'events', type: 'base',
    fields: [
      { name: 'kind', type: 'text', max: 10 },
      { name: 'score', type: 'number' },
      { name: 'label', type: 'text', max: 100 },
      { name: 'created', type: 'autodate', onCreate: true },
      { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
    ],
    listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null,
    indexes: ['CREATE INDEX idx_events_kind_score ON events (kind, score)'],
  },
];

/** Returns the cached seed (building it when missing or outdated) as `{ dir, meta }`. */
export async function ensureSeed({ dataDir, plinthEntry, port, pin, reseed, progress }) {
  const dir = join(dataDir, `seed-sqlite-v${SEED_VERSION}`);
  const metaFile = join(dir, 'seed.json');
  if (!reseed && existsSync(metaFile)) return { dir, meta: JSON.parse(readFileSync(metaFile, 'utf8')) };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const userIds = await seedThroughApi({ plinthEntry, dir, port, pin, progress });
  progress('seeding: 1,020,000 rows (one transaction of prepared inserts)');
  insertRows(join(dir, 'data.db'), userIds);
  const meta = seedMeta(userIds);
  writeFileSync(metaFile, JSON.stringify(meta));
  return { dir, meta };
}

/** What a run needs to know of a seed: the product ids W1/W5 pick from and the users. */
export function seedMeta(userIds) {
  const productIds = [...productRows(1, COUNTS.products)].map((r) => r.id);
  return { version: SEED_VERSION, productIds, userIds, benchUserId: userIds[0] };
}

/**
 * Creates the superuser (CLI), then the collections, settings and users through a
 * Plinth started on `dir` (and `env`, e.g. DATABASE_URL); returns the user ids.
 */
export async function seedThroughApi({ plinthEntry, dir, env = { DATABASE_URL: '' }, port, pin, progress }) {
  progress('seeding: superuser');
  const upsert = spawnSync(process.execPath, [plinthEntry, 'superuser', 'upsert', BENCH_ADMIN.email, BENCH_ADMIN.password, `--dir=${dir}`], {
    encoding: 'utf8', env: { ...process.env, ...env },
  });
  if (upsert.status !== 0) throw new BenchError(`plinth superuser upsert failed:\n${upsert.stderr || upsert.stdout}`);

  progress('seeding: collections and users through the API');
  const server = await startServer({
    name: 'Plinth (seeding)', cmd: process.execPath, args: [plinthEntry, 'serve', `--http=127.0.0.1:${port}`, `--dir=${dir}`, '--logLevel=warn'],
    env, port, logFile: join(dir, 'seed-server.log'), pin,
  });
  try {
    return await createSchema(server.url);
  } finally {
    await server.stop();
  }
}

/** Copies the cached database into a fresh run directory (runs write to it); no `seedDir`: an empty one. */
export function freshCopy(seedDir, runDir) {
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  if (seedDir) copyFileSync(join(seedDir, 'data.db'), join(runDir, 'data.db'));
}

async function createSchema(url) {
  const api = async (method, path, body, token) => {
    const res = await fetch(url + path, {
      method, body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    });
    const json = await res.json();
    if (!res.ok) throw new BenchError(`seeding: ${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const { token } = await api('POST', '/api/collections/_superusers/auth-with-password', { identity: BENCH_ADMIN.email, password: BENCH_ADMIN.password });
  for (const c of COLLECTIONS) await api('POST', '/api/collections', c, token);
  // The load generator signs in from one address, as a server-side app would: the
  // documented `excludedIPs` setting lifts the per-IP sign-in limit for it (the
  // per-identity back-off of failed sign-ins stays on).
  await api('PATCH', '/api/settings', { rateLimits: { excludedIPs: ['127.0.0.1'] } }, token);
  const userIds = [];
  for (let i = 0; i < COUNTS.users; i++) {
    const email = i === 0 ? BENCH_USER.email : `bench-owner-${i}@example.com`;
    const body = { email, password: BENCH_USER.password, passwordConfirm: BENCH_USER.password, name: `Bench ${i}` };
    userIds.push((await api('POST', '/api/collections/users/records', body, token)).id);
  }
  return userIds;
}

const PRODUCT_COLUMNS = ['id', 'name', 'price', 'stock', 'category', 'description', 'created', 'updated'];

/** The bulk-inserted tables of the data set, in insertion order: `{ table, columns, count, rows }`. */
export function seededTables(userIds) {
  return [
    { table: 'products', columns: PRODUCT_COLUMNS, count: COUNTS.products, rows: productRows(1, COUNTS.products) },
    { table: 'owned_products', columns: [...PRODUCT_COLUMNS, 'owner'], count: COUNTS.owned, rows: productRows(2, COUNTS.owned, userIds) },
    { table: 'events', columns: ['id', 'kind', 'score', 'label', 'created', 'updated'], count: COUNTS.events, rows: eventRows(3, COUNTS.events) },
  ];
}

function insertRows(file, userIds) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const insert = (table, columns) => {
    const stmt = db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    return (row) => stmt.run(columns.map((c) => row[c]));
  };
  db.transaction(() => {
    for (const t of seededTables(userIds)) {
      const add = insert(t.table, t.columns);
      for (const row of t.rows) add(row);
    }
  })();
  checkSearchIndexes(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * S1 reads the products' FTS5 index, and on SQLite the baseline reads the same one, so comparing their answers
 * cannot tell a short index: it must hold a row for every row of its table (the index is contentless, so FTS5's
 * integrity-check checks only the index itself: its `_docsize` table has a row per indexed row) with no background
 * fill left to run (`done < start` in `_plinth_search`, docs/search.md §4.1).
 */
function checkSearchIndexes(db) {
  for (const { name, tbl, start, done } of db.prepare('SELECT name, tbl, start, done FROM _plinth_search').all()) {
    if (done < start) throw new BenchError(`seeding: the full-text index ${name} still has rows ${done + 1}…${start} to fill`);
    try {
      db.prepare(`INSERT INTO "${name}" ("${name}") VALUES ('integrity-check')`).run();
    } catch (err) {
      throw new BenchError(`seeding: the full-text index ${name} is damaged: ${err.message}`);
    }
    const indexed = db.prepare(`SELECT count(*) AS n FROM "${name}_docsize"`).get().n;
    const rows = db.prepare(`SELECT count(*) AS n FROM "${tbl}"`).get().n;
    if (indexed !== rows) throw new BenchError(`seeding: the full-text index ${name} holds ${indexed} rows of ${tbl}'s ${rows}`);
  }
}
