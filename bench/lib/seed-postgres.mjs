/**
 * The data set on PostgreSQL: a dedicated bench database (`plinth_bench` unless
 * --postgres-url names another) seeded once, exactly as on SQLite — collections and
 * users through Plinth's own API, the 1,020,000 rows in one transaction of
 * multi-row INSERTs — and marked with the data set's version in the database's
 * comment so later runs reuse it. Every run starts from a fresh copy
 * (`CREATE DATABASE <seed>_run TEMPLATE <seed>`), as the SQLite runs copy the file.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { SEED_VERSION, seededTables, seedMeta, seedThroughApi } from './seed.mjs';
import { BenchError } from './servers.mjs';

/** The bench database when --postgres-url is not given: local server, trust auth. */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/plinth_bench';

/**
 * Bump when Plinth's PostgreSQL tables for the data set change (types, indexes), so an
 * older seed database is rebuilt. 2: indexes place NULLs as Plinth's ORDER BY does. 3: search columns of the
 * layout of docs/search.md §4.2 (stored field vectors, one GIN index of prefix entries). 4: the field vectors
 * kept by a trigger instead of generated columns.
 */
const POSTGRES_SCHEMA = 4;

/** Rows per INSERT statement: 1,000 rows × 9 columns stays far below the 65,535 bound parameters. */
const BATCH = 1000;

/** The seed database, its per-run copy and the maintenance database of one server, as URLs and names. */
export function postgresTarget(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    throw new BenchError(`--postgres-url=${redact(url)}: not a URL like ${DEFAULT_POSTGRES_URL}`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new BenchError(`--postgres-url=${redact(url)}: expected postgres://…`);
  const seedDb = decodeURIComponent(u.pathname.slice(1)) || 'plinth_bench';
  // The bench drops and recreates its database: never one the server itself needs.
  if (['postgres', 'template0', 'template1'].includes(seedDb)) {
    throw new BenchError(`--postgres-url=${redact(url)}: name a database of the bench's own (e.g. /plinth_bench), not ${seedDb}`);
  }
  const at = (db) => Object.assign(new URL(u), { pathname: `/${encodeURIComponent(db)}` }).toString();
  const runDb = `${seedDb}_run`;
  return { seedDb, runDb, seedUrl: at(seedDb), runUrl: at(runDb), adminUrl: at('postgres') };
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new BenchError(`cannot connect to PostgreSQL at ${redact(url)}: ${err.message}; start it or pass --postgres-url`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const redact = (url) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

/** The version marker of the seed database (its COMMENT), or undefined when missing or unreadable. */
async function readMarker(admin, db) {
  const { rows } = await admin.query(`SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1`, [db]);
  if (rows.length === 0) return undefined;
  try {
    const marker = JSON.parse(rows[0].c ?? '');
    return marker?.plinthBench === SEED_VERSION && marker.schema === POSTGRES_SCHEMA && Array.isArray(marker.userIds) ? marker : undefined;
  } catch {
    return undefined;
  }
}

/** Drops `db` (ending its sessions) and creates it again, empty or from `template`. */
async function recreate(admin, db, template) {
  const id = admin.escapeIdentifier(db);
  await admin.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
  // NOTE: a template must have no other session; FILE_COPY copies the files in one
  // go (two checkpoints) instead of logging every block of the ~400 MB database.
  await admin.query(template
    ? `CREATE DATABASE ${id} TEMPLATE ${admin.escapeIdentifier(template)} STRATEGY FILE_COPY`
    : `CREATE DATABASE ${id}`);
}

/**
 * Returns the seed on PostgreSQL as `{ url, meta }`, building it when the seed
 * database is missing, carries another data set version, or `reseed` is set.
 */
export async function ensurePostgresSeed({ dataDir, plinthEntry, port, pin, reseed, progress, postgresUrl }) {
  const target = postgresTarget(postgresUrl);
  const marker = await withClient(target.adminUrl, (admin) => readMarker(admin, target.seedDb));
  if (marker && !reseed) return { url: target.seedUrl, meta: seedMeta(marker.userIds) };

  progress(`seeding: (re)creating database ${target.seedDb}`);
  await withClient(target.adminUrl, (admin) => recreate(admin, target.seedDb));
  // Plinth still wants a data directory (files, logs); the records go to PostgreSQL.
  const dir = join(dataDir, `seed-postgres-v${SEED_VERSION}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const userIds = await seedThroughApi({ plinthEntry, dir, env: { DATABASE_URL: target.seedUrl }, port, pin, progress });

  progress('seeding: 1,020,000 rows (one transaction of multi-row INSERTs)');
  await withClient(target.seedUrl, async (db) => {
    await insertRows(db, userIds);
    progress('seeding: VACUUM ANALYZE');
    // Fresh statistics and visibility map, so the planner sees the real table sizes from the first query.
    await db.query('VACUUM ANALYZE');
  });
  await withClient(target.adminUrl, (admin) => admin.query(
    `COMMENT ON DATABASE ${admin.escapeIdentifier(target.seedDb)} IS ${admin.escapeLiteral(JSON.stringify({ plinthBench: SEED_VERSION, schema: POSTGRES_SCHEMA, userIds }))}`,
  ));
  return { url: target.seedUrl, meta: seedMeta(userIds) };
}

/**
 * Inserts the rows in data-set order without naming `_rowid_`, so its sequence
 * numbers them 1…N in that order, as Plinth's own inserts would; then checks it.
 */
async function insertRows(db, userIds) {
  await db.query('BEGIN');
  try {
    for (const t of seededTables(userIds)) {
      const cols = t.columns.map((c) => db.escapeIdentifier(c)).join(', ');
      let batch = [];
      let n = 0;
      let firstId;
      const flush = async () => {
        const tuples = batch.map((_, r) => `(${t.columns.map((_c, i) => `$${r * t.columns.length + i + 1}`).join(', ')})`);
        const values = batch.flatMap((row) => t.columns.map((c) => row[c]));
        // A full batch is always the same text: prepared once per table, by name.
        const name = batch.length === BATCH ? `bench_bulk_${t.table}` : undefined;
        await db.query({ name, text: `INSERT INTO ${db.escapeIdentifier(t.table)} (${cols}) VALUES ${tuples.join(', ')}`, values });
        batch = [];
      };
      for (const row of t.rows) {
        firstId ??= row.id;
        batch.push(row);
        n++;
        if (batch.length === BATCH) await flush();
      }
      if (batch.length > 0) await flush();
      await checkInsertionOrder(db, t.table, n, firstId);
    }
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err instanceof BenchError ? err : new BenchError(`seeding PostgreSQL failed: ${err.message}`);
  }
}

/** The first and last seeded rows must carry `_rowid_` 1 and N: insertion order is data-set order. */
async function checkInsertionOrder(db, table, n, firstId) {
  const t = db.escapeIdentifier(table);
  const { rows } = await db.query(`SELECT MIN("_rowid_") AS lo, MAX("_rowid_") AS hi, COUNT(*) AS n FROM ${t}`);
  const { rows: head } = await db.query(`SELECT "id" FROM ${t} ORDER BY "_rowid_" LIMIT 1`);
  if (Number(rows[0].n) !== n || Number(rows[0].hi) - Number(rows[0].lo) + 1 !== n || head[0]?.id !== firstId) {
    throw new BenchError(`seeding ${table}: _rowid_ does not follow the data set's order (${JSON.stringify(rows[0])}, first ${head[0]?.id}, expected ${firstId})`);
  }
}

/** Replaces the run database with a fresh copy of the seed and returns its URL. */
export async function freshPostgresCopy(postgresUrl) {
  const target = postgresTarget(postgresUrl);
  await withClient(target.adminUrl, (admin) => recreate(admin, target.runDb, target.seedDb));
  return target.runUrl;
}

/** The server's version line, e.g. `PostgreSQL 15.20`, for the results. */
export async function postgresServerVersion(url) {
  return withClient(url, async (db) => `PostgreSQL ${(await db.query('SHOW server_version')).rows[0].server_version.split(' ')[0]}`);
}
