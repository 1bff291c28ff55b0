/**
 * PostgreSQL's relevance tiers (docs/search.md §6.3) against a real PostgreSQL: a tier's page
 * is read through the GIN index alone, or from the newest rows first and the GIN index for
 * the rest. Whichever way, the rows and their order are those of ranking every match. The HTTP
 * tests (test/search.test.ts) cover the defaults; here they are varied so that every read,
 * and the seam between the two, is exercised on a small table.
 */
import { sql, type RawBuilder } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresTestConnection } from '../../../../test/helpers/postgres-connection.js';
import { postgresSkipReason } from '../../../../test/helpers/test-database.js';
import { parseSearchQuery } from '../../../core/search/search-query.js';
import { connectPostgres, type PostgresConnection } from '../../connect-postgres.js';
import { PostgresFullText, type TierReads } from './postgres-full-text.js';

const skip = postgresSkipReason();
const spec = { key: 'tiers', table: 'docs', columns: ['name', 'description'] };
const WORDS = ['red', 'blue', 'shoe', 'shoes', 'boot', 'wool', 'cotton', 'shirt', 'rain', 'jacket'];
/** The tiers of two fields, highest `@rank` first (search-compiler.ts compileSearchTiers). */
const TIERS = [[3], [1], [2], [0]];

describe.skipIf(skip !== undefined)('PostgreSQL relevance tiers', () => {
  const postgres = postgresTestConnection();

  beforeAll(async () => {
    await sql`CREATE TABLE docs (id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, n INTEGER NOT NULL, _rowid_ BIGSERIAL)`.execute(postgres.conn.db);
    await new PostgresFullText((name) => `"${name}"`).create(postgres.conn.db, spec);
    // Deterministic rows: 3 words of name and 4 of description from a small vocabulary, so
    // every tier of every search below holds rows, spread over the table.
    const rows = Array.from({ length: 400 }, (_, i) => {
      const word = (k: number) => WORDS[(i * 7 + k * k * 3 + Math.floor(i / 13) * k) % WORDS.length];
      return sql`(${`r${i}`}, ${`${word(1)} ${word(2)} ${word(3)}`}, ${`A ${word(4)} ${word(5)} made of ${word(6)} ${word(7)}.`}, ${i})`;
    });
    await sql`INSERT INTO docs (id, name, description, n) VALUES ${sql.join(rows)}`.execute(postgres.conn.db);
  });

  /** The first `limit` ids of a search ranked by every match (compileSearchRank), then insertion order. */
  async function ranked(text: string, descending: boolean, limit: number, condition: RawBuilder<boolean>): Promise<string[]> {
    const ft = new PostgresFullText((name) => `"${name}"`);
    const query = parseSearchQuery(text);
    const include = { include: query.include, exclude: [] };
    const rank = sql`(CASE WHEN ${ft.match('root', spec, 'name', include)} THEN 2 ELSE 0 END) + (CASE WHEN ${ft.match('root', spec, 'description', include)} THEN 1 ELSE 0 END)`;
    const dir = descending ? sql`DESC` : sql`ASC`;
    const { rows } = await sql<{ id: string }>`SELECT root.id FROM docs AS root WHERE ${ft.match('root', spec, null, query)} AND ${condition}
      ORDER BY ${rank} ${dir}, root._rowid_ ${dir} LIMIT ${limit}`.execute(postgres.conn.db);
    return rows.map((r) => r.id);
  }

  /** The same ids read tier by tier, as record-ranked-list.ts reads a page, with `reads`. */
  async function tiered(text: string, descending: boolean, limit: number, condition: RawBuilder<boolean>, reads: TierReads): Promise<string[]> {
    const ft = new PostgresFullText((name) => `"${name}"`, reads);
    const query = parseSearchQuery(text);
    const ids: string[] = [];
    for (const masks of descending ? TIERS : [...TIERS].reverse()) {
      ids.push(...await ft.tier('root', spec, null, query, masks).page!(postgres.conn.db, [condition], descending, limit - ids.length));
      if (ids.length >= limit) break;
    }
    return ids;
  }

  /**
   * Every way of reading a tier: the newest 1, 3, 25 or all rows first, after a sample of the
   * newest 1, 2 or all of those, or the GIN indexes first (always, or below 40 rows).
   */
  const READS: TierReads[] = [
    ...[1, 3, 25, 10_000].flatMap((n) => [1, 2, n].map((m) => ({ rankEveryRows: -1, ginFirstRows: -1, probeRows: () => n, sampleRows: () => m }))),
    { rankEveryRows: -1, ginFirstRows: Infinity, probeRows: () => 1, sampleRows: () => 1 },
    { rankEveryRows: -1, ginFirstRows: 40, probeRows: () => 5, sampleRows: () => 2 },
  ];

  it('gives the rows and order of ranking every match, however the tier is read', async () => {
    const conditions = [sql<boolean>`TRUE`, sql<boolean>`root.n % 3 <> 1`];
    for (const text of ['red', 'shoe', 'red shoe', 'wool -red', '"made of cotton"', 'blue jacket']) {
      for (const condition of conditions) {
        for (const descending of [true, false]) {
          for (const limit of [1, 7, 500]) {
            const expected = await ranked(text, descending, limit, condition);
            expect(expected.length, text).toBeGreaterThan(0);
            for (const reads of READS) {
              const label = `${text} ${descending ? 'desc' : 'asc'} limit ${limit} gin-first below ${reads.ginFirstRows} probe ${reads.probeRows(limit)} sample ${reads.sampleRows(limit)}`;
              expect(await tiered(text, descending, limit, condition, reads), label).toEqual(expected);
            }
          }
        }
      }
    }
  }, 120_000);

  it('ranks every match when the planner bounds the rarest word of the search at rankEveryRows or fewer', async () => {
    await sql`ANALYZE docs`.execute(postgres.conn.db);
    /** The planner's row estimate of one word anywhere: in one of the two fields, so no more than the sum of theirs. */
    const planned = async (word: string) => {
      let sum = 0;
      for (const column of ['__search_0', '__search_1']) {
        const { rows } = await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (FORMAT JSON) SELECT 1 FROM docs AS t
          WHERE ${sql.ref(`t.${column}`)} @@ to_tsquery('english', ${`${word}:*`})`.execute(postgres.conn.db);
        const plan = rows[0]!['QUERY PLAN'];
        sum += (typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan['Plan Rows'] as number;
      }
      return sum;
    };
    const ranksAll = (text: string, rankEveryRows: number) =>
      new PostgresFullText((name) => `"${name}"`, { rankEveryRows, ginFirstRows: -1, probeRows: () => 1, sampleRows: () => 1 }).ranksEveryMatch(postgres.conn.db, spec, null, parseSearchQuery(text));
    const red = await planned('red');
    const jacket = await planned('jacket');
    expect(await ranksAll('red', red)).toBe(true);
    expect(await ranksAll('red', red - 1)).toBe(false);
    // Two words: no more rows than the rarer one holds.
    const rarer = Math.min(red, jacket);
    expect(await ranksAll('red jacket', rarer)).toBe(true);
    expect(await ranksAll('red jacket', rarer - 1)).toBe(false);
    expect(await ranksAll('red', -1)).toBe(false);
  });

  it('gives a searchable table made before the rowid index its index, once', async () => {
    const ft = new PostgresFullText((name) => `"${name}"`);
    const rowidIndex = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = '_search_tiers_rowid'`.execute(postgres.conn.db)).rows[0]!.n;
    await sql`DROP INDEX "_search_tiers_rowid"`.execute(postgres.conn.db);
    expect(await rowidIndex()).toBe(0);
    expect(await ft.upgrade(postgres.conn.db)).toBe(1);
    expect(await rowidIndex()).toBe(1);
    expect(await ft.upgrade(postgres.conn.db)).toBe(0);
  });

  it('brings a table of the former layout (one __search column, an expression index per field) up to this one', async () => {
    await sql`CREATE TABLE old_docs (id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT, _rowid_ BIGSERIAL)`.execute(postgres.conn.db);
    await sql`INSERT INTO old_docs (id, title, body) VALUES ('a', 'Red wool socks', 'Warm and soft'), ('b', 'Blue kettle', 'Made of red steel'), ('c', 'Lamp', NULL)`.execute(postgres.conn.db);
    const vector = (c: string) => `to_tsvector('english'::regconfig, coalesce(${c}, ''))`;
    await sql.raw(`ALTER TABLE old_docs ADD COLUMN __search tsvector GENERATED ALWAYS AS (${vector('title')} || ${vector('body')}) STORED`).execute(postgres.conn.db);
    await sql.raw(`CREATE INDEX "_search_old_x" ON old_docs USING GIN (__search)`).execute(postgres.conn.db);
    await sql.raw(`CREATE INDEX "_search_old_x_0" ON old_docs USING GIN ((${vector('title')}))`).execute(postgres.conn.db);
    await sql.raw(`CREATE INDEX "_search_old_x_1" ON old_docs USING GIN ((${vector('body')}))`).execute(postgres.conn.db);
    const ft = new PostgresFullText((name) => `"${name}"`);
    while (await ft.upgrade(postgres.conn.db) > 0);
    const columns = (await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'old_docs' ORDER BY column_name`.execute(postgres.conn.db)).rows.map((r) => r.name);
    expect(columns).toEqual(['__search_0', '__search_1', '_rowid_', 'body', 'id', 'title']);
    const indexes = (await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'old_docs' ORDER BY indexname`.execute(postgres.conn.db)).rows.map((r) => r.name);
    expect(indexes).toEqual(['_search_old_x', '_search_old_x_rowid', 'old_docs_pkey']);
    const oldSpec = { key: 'old_x', table: 'old_docs', columns: ['title', 'body'] };
    const find = async (text: string, column: string | null) => (await sql<{ id: string }>`SELECT root.id FROM old_docs AS root
      WHERE ${ft.match('root', oldSpec, column, parseSearchQuery(text))} ORDER BY root.id`.execute(postgres.conn.db)).rows.map((r) => r.id);
    expect(await find('red', null)).toEqual(['a', 'b']);
    expect(await find('red', 'body')).toEqual(['b']);
    expect(await find('"red steel"', null)).toEqual(['b']);
    expect(await find('lam', 'title')).toEqual(['c']);
    expect(await ft.upgrade(postgres.conn.db)).toBe(0);
  });

  it('finds a word by any prefix of 2 to 8 characters, a longer word whole, and a one-letter word only whole', async () => {
    await sql`INSERT INTO docs (id, name, description, n) VALUES ('p1', 'Waterproofing kettle', 'k', 1000), ('p2', 'Waterproof kettlebell', 'x k9', 1001)`.execute(postgres.conn.db);
    const ft = new PostgresFullText((name) => `"${name}"`);
    const find = async (text: string) => (await sql<{ id: string }>`SELECT root.id FROM docs AS root
      WHERE ${ft.match('root', spec, null, parseSearchQuery(text))} AND root.n >= 1000 ORDER BY root.id`.execute(postgres.conn.db)).rows.map((r) => r.id);
    expect(await find('wa')).toEqual(['p1', 'p2']);
    expect(await find('waterpro')).toEqual(['p1', 'p2']);
    expect(await find('waterproof')).toEqual(['p1', 'p2']);
    expect(await find('kettlebel')).toEqual(['p2']);
    expect(await find('k')).toEqual(['p1']);
    expect(await find('k9')).toEqual(['p2']);
    expect(await find('kettle -kettlebell')).toEqual(['p1']);
    await sql`DELETE FROM docs WHERE n >= 1000`.execute(postgres.conn.db);
  });

  it('reads one field (search(field, …)) as one tier in insertion order', async () => {
    const query = parseSearchQuery('boot');
    for (const reads of READS) {
      const ft = new PostgresFullText((name) => `"${name}"`, reads);
      const got = await ft.tier('root', spec, 'name', query, null).page!(postgres.conn.db, [], true, 30);
      const { rows } = await sql<{ id: string }>`SELECT root.id FROM docs AS root WHERE ${ft.match('root', spec, 'name', query)} ORDER BY root._rowid_ DESC LIMIT 30`.execute(postgres.conn.db);
      expect(got).toEqual(rows.map((r) => r.id));
      expect(got.length).toBe(30);
    }
  });
});
