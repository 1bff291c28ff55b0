/**
 * The online fill of a PostgreSQL search index (docs/search.md §4.2) against a real
 * PostgreSQL, with the fill threshold lowered so that a small table takes the path of a large
 * one: the schema change only adds empty columns and the trigger; the fill builds the indexes
 * CONCURRENTLY, then the vectors batch by batch, while rows are written; a node never works on
 * a fill another holds; an index left invalid is built anew; a drop removes everything.
 */
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { postgresTestConnection } from '../../../../test/helpers/postgres-connection.js';
import { postgresSkipReason } from '../../../../test/helpers/test-database.js';
import { parseSearchQuery } from '../../../core/search/search-query.js';
import { connectPostgres } from '../../connect-postgres.js';
import type { Executor } from '../../database.js';
import { PostgresFullText } from './postgres-full-text.js';

const skip = postgresSkipReason();
const spec = { key: 'fill', table: 'docs', columns: ['name', 'body'] };
const ROWS = 1200;
const quote = (name: string) => `"${name}"`;
/** A full-text index that fills tables over 100 rows online. */
const ft = new PostgresFullText(quote, undefined, 100);

describe.skipIf(skip !== undefined)('PostgreSQL search index fill', () => {
  const postgres = postgresTestConnection();

  beforeEach(async () => {
    await postgres.conn.db.transaction().execute((trx) => ft.drop(trx, spec));
    await sql`DROP TABLE IF EXISTS docs`.execute(postgres.conn.db);
    await sql`CREATE TABLE docs (id TEXT PRIMARY KEY, name TEXT, body TEXT, _rowid_ BIGSERIAL)`.execute(postgres.conn.db);
    // Every 10th row's name is about lighthouses, every 7th row's body about keepers.
    await sql`INSERT INTO docs (id, name, body) SELECT 'r' || g, CASE WHEN g % 10 = 0 THEN 'lighthouse ' || g ELSE 'harbour ' || g END,
      CASE WHEN g % 7 = 0 THEN 'the keepers of the light' ELSE 'ships at sea' END FROM generate_series(1, ${ROWS}) AS g`.execute(postgres.conn.db);
  });

  const found = async (text: string): Promise<string[]> => {
    const { rows } = await sql<{ id: string }>`SELECT root.id FROM docs AS root WHERE ${ft.match('root', spec, null, parseSearchQuery(text))}
      ORDER BY root._rowid_`.execute(postgres.conn.db);
    return rows.map((r) => r.id);
  };
  const expected = (every: number, extra: string[] = []) => [...Array.from({ length: ROWS / every | 0 }, (_, i) => `r${(i + 1) * every}`), ...extra];
  const indexes = async () => (await sql<{ name: string; valid: boolean }>`SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index AS i
    JOIN pg_class AS c ON c.oid = i.indexrelid WHERE starts_with(c.relname, '_search_fill') ORDER BY c.relname`.execute(postgres.conn.db)).rows;
  const fills = async () => (await sql<{ key: string; done: number }>`SELECT key, done FROM _plinth_search_fill`.execute(postgres.conn.db)).rows;
  /** Runs `fn` on a connection of a pool of its own: another node's session. */
  const inOtherSession = async (fn: (c: Executor) => Promise<void>) => {
    const other = await connectPostgres(postgres.database.url);
    try {
      await other.db.connection().execute(fn);
    } finally {
      await other.close();
    }
  };
  /** After a build of the rowid index was cut off: the next steps build it anew, then the GIN index, and fill every row. */
  const expectBuiltAnew = async () => {
    expect(await indexes()).toEqual([{ name: '_search_fill_rowid', valid: false }]);
    expect(await fillAll(500)).toEqual([1, 500, 500, 200, 1]);
    expect(await indexes()).toEqual([{ name: '_search_fill', valid: true }, { name: '_search_fill_rowid', valid: true }]);
    expect(await found('keepers')).toEqual(expected(7));
  };
  /** Runs fill steps until none is left; returns what each step reported. */
  const fillAll = async (batch: number) => {
    const steps: number[] = [];
    for (let n = await ft.backfill(postgres.conn.db, batch); n > 0; n = await ft.backfill(postgres.conn.db, batch)) steps.push(n);
    return steps;
  };

  it('adds empty columns and the trigger in the schema change, then builds the indexes and fills batch by batch', async () => {
    await postgres.conn.db.transaction().execute((trx) => ft.create(trx, spec));
    expect(await indexes()).toEqual([]);
    expect(await fills()).toEqual([{ key: 'fill', done: 0 }]);
    const { rows: empty } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM docs WHERE __search_0 IS NOT NULL`.execute(postgres.conn.db);
    expect(empty[0]!.n).toBe(0);
    // Written after the change: the trigger computes their vectors, before any fill.
    await sql`INSERT INTO docs (id, name, body) VALUES ('new', 'lighthouse keepers', '')`.execute(postgres.conn.db);
    await sql`UPDATE docs SET name = 'a lighthouse moved' WHERE id = 'r5'`.execute(postgres.conn.db);
    // Searches find the rows with vectors so far (no index yet: by the rows themselves).
    expect(await found('lighthouse')).toEqual(['r5', 'new']);

    const first = await ft.backfill(postgres.conn.db, 500);
    expect(first).toBe(1);
    expect(await indexes()).toEqual([{ name: '_search_fill', valid: true }, { name: '_search_fill_rowid', valid: true }]);
    expect(await ft.backfill(postgres.conn.db, 500)).toBe(500);
    expect(await fills()).toEqual([{ key: 'fill', done: 500 }]);
    // Half filled: the rows up to 500, and those written since.
    expect(await found('lighthouse')).toEqual([...expected(10).filter((id) => Number(id.slice(1)) <= 500), 'r5', 'new'].sort(byRow));
    // A row of the part still to fill, written now: the trigger, then the fill, give the same vectors.
    await sql`UPDATE docs SET body = 'keepers wanted' WHERE id = 'r901'`.execute(postgres.conn.db);
    expect(await ft.backfill(postgres.conn.db, 500)).toBe(500);
    expect(await ft.backfill(postgres.conn.db, 500)).toBe(200);
    // Every row filled; the vacuum is the fill's last step.
    expect(await fills()).toEqual([{ key: 'fill', done: ROWS }]);
    expect(await found('lighthouse')).toEqual([...expected(10), 'r5', 'new'].sort(byRow));
    expect(await fillAll(500)).toEqual([1]);
    expect(await fills()).toEqual([]);
    expect(await found('keepers')).toEqual([...expected(7), 'r901', 'new'].sort(byRow));
    const { rows: wrong } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM docs
      WHERE __search_0 IS DISTINCT FROM to_tsvector('english', coalesce(name, '')) OR __search_1 IS DISTINCT FROM to_tsvector('english', coalesce(body, ''))`.execute(postgres.conn.db);
    expect(wrong[0]!.n).toBe(0);
    // Vacuumed and analyzed at the end: the old copies of the rows are reclaimed, and the planner's statistics cover the vectors.
    const { rows: stats } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'docs' AND attname = '__search_0'`.execute(postgres.conn.db);
    expect(stats[0]!.n).toBe(1);
    const { rows: vacuumed } = await sql<{ dead: number }>`SELECT n_dead_tup::int AS dead FROM pg_stat_user_tables WHERE relname = 'docs' AND last_vacuum IS NOT NULL`.execute(postgres.conn.db);
    expect(vacuumed).toEqual([{ dead: 0 }]);
  });

  it('fills a small table in the schema change itself', async () => {
    const small = new PostgresFullText(quote, undefined, ROWS);
    await postgres.conn.db.transaction().execute((trx) => small.create(trx, spec));
    expect(await fills()).toEqual([]);
    expect(await indexes()).toEqual([{ name: '_search_fill', valid: true }, { name: '_search_fill_rowid', valid: true }]);
    expect(await found('lighthouse')).toEqual(expected(10));
    expect(await ft.backfill(postgres.conn.db, 500)).toBe(0);
  });

  it('leaves a fill another node holds to it, and builds an index left invalid anew', async () => {
    await postgres.conn.db.transaction().execute((trx) => ft.create(trx, spec));
    await inOtherSession(async (c) => {
      await sql`SELECT pg_advisory_lock(hashtext('plinth_search_fill:fill'))`.execute(c);
      expect(await ft.backfill(postgres.conn.db, 500)).toBe(0);
      expect(await indexes()).toEqual([]);
      await sql`SELECT pg_advisory_unlock(hashtext('plinth_search_fill:fill'))`.execute(c);
    });
    expect(await ft.backfill(postgres.conn.db, 500)).toBe(1);
    // As a build cut off halfway leaves it.
    await sql`UPDATE pg_index SET indisvalid = false WHERE indexrelid = '_search_fill'::regclass`.execute(postgres.conn.db);
    expect(await ft.backfill(postgres.conn.db, 500)).toBe(1);
    expect(await indexes()).toEqual([{ name: '_search_fill', valid: true }, { name: '_search_fill_rowid', valid: true }]);
    expect(await fillAll(500)).toEqual([500, 500, 200, 1]);
    expect(await found('lighthouse')).toEqual(expected(10));
  });

  it('cancels a build under way when its signal is aborted (at shutdown), and the next step builds the index anew', async () => {
    await postgres.conn.db.transaction().execute((trx) => ft.create(trx, spec));
    const aborted = new AbortController();
    aborted.abort();
    expect(await ft.backfill(postgres.conn.db, 500, aborted.signal)).toBe(0);
    await inOtherSession(async (c) => {
      // A write left open: CREATE INDEX CONCURRENTLY waits for it to end.
      await sql`BEGIN`.execute(c);
      await sql`UPDATE docs SET body = body WHERE id = 'r1'`.execute(c);
      const abort = new AbortController();
      const step = ft.backfill(postgres.conn.db, 500, abort.signal);
      await expect.poll(async () => (await indexes()).length, { timeout: 10_000 }).toBe(1);
      abort.abort();
      await expect(step).rejects.toThrow();
      await sql`ROLLBACK`.execute(c);
    });
    await expectBuiltAnew();
  });

  it('a schema change of the table cancels a build under way and holds the fill off until it commits; the fill goes on after', async () => {
    await postgres.conn.db.transaction().execute((trx) => ft.create(trx, spec));
    await inOtherSession(async (c) => {
      // An older snapshot left open: CREATE INDEX CONCURRENTLY waits for it after its build,
      // holding the table's lock, which the change's ALTER TABLE needs.
      await sql`BEGIN ISOLATION LEVEL REPEATABLE READ`.execute(c);
      await sql`SELECT count(*) FROM pg_class`.execute(c);
      const step = ft.backfill(postgres.conn.db, 500);
      await expect.poll(async () => (await indexes()).length, { timeout: 10_000 }).toBe(1);
      const started = Date.now();
      await postgres.conn.db.transaction().execute(async (trx) => {
        // Without the hold, the ALTER TABLE would wait as long as the snapshot stays open.
        await sql`SET LOCAL lock_timeout = '3s'`.execute(trx);
        await ft.hold(trx, spec.key);
        // Held: no step starts, here or on another node.
        expect(await ft.backfill(postgres.conn.db, 500)).toBe(0);
        await sql`ALTER TABLE docs ADD COLUMN extra TEXT`.execute(trx);
      });
      expect(Date.now() - started).toBeLessThan(5000);
      // The cancelled step is not a failure: it reports work done, and the fill goes on.
      expect(await step).toBe(1);
      await sql`ROLLBACK`.execute(c);
    });
    await expectBuiltAnew();
  });

  it('keeps serving a table of the December 7 layout (generated vector columns) until its index is rebuilt', async () => {
    await postgres.conn.db.transaction().execute(async (trx) => {
      await new PostgresFullText(quote, undefined, ROWS).create(trx, spec);
      // As that version made it: the same columns, generated by PostgreSQL, and no trigger.
      await sql`DROP TRIGGER _search_fill_vectors ON docs`.execute(trx);
      await sql`DROP FUNCTION _search_fill_vectors()`.execute(trx);
      await sql`ALTER TABLE docs DROP COLUMN __search_0, DROP COLUMN __search_1,
        ADD COLUMN __search_0 tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(name, ''))) STORED,
        ADD COLUMN __search_1 tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(body, ''))) STORED`.execute(trx);
      await sql`CREATE INDEX _search_fill ON docs USING GIN ((plinth_search_prefixes_v1(ARRAY[__search_0, __search_1])))`.execute(trx);
    });
    await sql`INSERT INTO docs (id, name, body) VALUES ('new', 'lighthouse', '')`.execute(postgres.conn.db);
    expect(await found('lighthouse')).toEqual([...expected(10), 'new']);
    expect(await ft.backfill(postgres.conn.db, 500)).toBe(0);
    // Renamed, it is rebuilt in this version's layout (the caller drops and creates it).
    expect(await postgres.conn.db.transaction().execute((trx) => ft.renamed(trx, spec, spec))).toBe(false);
    await postgres.conn.db.transaction().execute(async (trx) => {
      await ft.drop(trx, spec);
      await ft.create(trx, spec);
    });
    expect(await fillAll(500)).toEqual([1, 500, 500, 201, 1]);
    expect(await found('lighthouse')).toEqual([...expected(10), 'new']);
  });

  it('a rename of the table and of a field keeps the vectors and indexes, and a fill under way goes on under the new names', async () => {
    const db = postgres.conn.db;
    await db.transaction().execute((trx) => ft.create(trx, spec));
    expect(await ft.backfill(db, 500)).toBe(1);
    expect(await ft.backfill(db, 500)).toBe(500);
    const to = { key: 'fill', table: 'notes', columns: ['title', 'body'] };
    try {
      await db.transaction().execute(async (trx) => {
        await sql`ALTER TABLE docs RENAME TO notes`.execute(trx);
        await sql`ALTER TABLE notes RENAME COLUMN name TO title`.execute(trx);
        expect(await ft.renamed(trx, spec, to)).toBe(true);
      });
      expect(await fills()).toEqual([{ key: 'fill', done: 500 }]);
      expect(await indexes()).toEqual([{ name: '_search_fill', valid: true }, { name: '_search_fill_rowid', valid: true }]);
      // The trigger computes the vectors from the renamed field.
      await sql`INSERT INTO notes (id, title, body) VALUES ('new', 'lighthouse', '')`.execute(db);
      await sql`UPDATE notes SET title = 'lighthouse again' WHERE id = 'r3'`.execute(db);
      expect(await fillAll(500)).toEqual([500, 200, 1]);
      const { rows } = await sql<{ id: string }>`SELECT root.id FROM notes AS root WHERE ${ft.match('root', to, 'title', parseSearchQuery('lighthouse'))} ORDER BY root._rowid_`.execute(db);
      expect(rows.map((r) => r.id)).toEqual([...expected(10), 'r3', 'new'].sort(byRow));
    } finally {
      await db.transaction().execute((trx) => ft.drop(trx, to));
      await sql`DROP TABLE IF EXISTS notes`.execute(db);
    }
  });

  it('a drop midway removes the columns, indexes, trigger and fill, and the option turned on again fills from the start', async () => {
    await postgres.conn.db.transaction().execute((trx) => ft.create(trx, spec));
    expect(await ft.backfill(postgres.conn.db, 500)).toBe(1);
    expect(await ft.backfill(postgres.conn.db, 500)).toBe(500);
    await postgres.conn.db.transaction().execute((trx) => ft.drop(trx, spec));
    expect(await fills()).toEqual([]);
    expect(await indexes()).toEqual([]);
    const { rows: left } = await sql<{ n: number }>`SELECT (SELECT count(*) FROM information_schema.columns WHERE table_name = 'docs' AND starts_with(column_name, '__search'))
      + (SELECT count(*) FROM pg_trigger WHERE tgname = '_search_fill_vectors') + (SELECT count(*) FROM pg_proc WHERE proname = '_search_fill_vectors') AS n`.execute(postgres.conn.db);
    expect(Number(left[0]!.n)).toBe(0);
    expect(await ft.backfill(postgres.conn.db, 500)).toBe(0);
    // Made searchable again over the body alone: filled from the start.
    const bodyOnly = { ...spec, columns: ['body'] };
    await postgres.conn.db.transaction().execute((trx) => ft.create(trx, bodyOnly));
    expect(await fillAll(500)).toEqual([1, 500, 500, 200, 1]);
    const { rows } = await sql<{ id: string }>`SELECT root.id FROM docs AS root WHERE ${ft.match('root', bodyOnly, null, parseSearchQuery('keepers'))} ORDER BY root._rowid_`.execute(postgres.conn.db);
    expect(rows.map((r) => r.id)).toEqual(expected(7));
    await postgres.conn.db.transaction().execute((trx) => ft.drop(trx, bodyOnly));
  });
});

function byRow(a: string, b: string): number {
  const at = (id: string) => (id === 'new' ? Infinity : Number(id.slice(1)));
  return at(a) - at(b);
}
