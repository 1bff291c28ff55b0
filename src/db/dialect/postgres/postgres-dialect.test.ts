import Database from 'better-sqlite3';
import { Kysely, SqliteDialect as KyselySqliteDialect, sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTestConnection } from '../../../../test/helpers/postgres-connection.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../../../../test/helpers/test-database.js';
import { ConfigError } from '../../../config/config-error.js';
import { isAppError } from '../../../errors/app-error.js';
import { QUERY_TIMEOUT_MESSAGE } from '../../../errors/query-timeout.js';
import { parseIndex } from '../../../tools/index-parse.js';
import { connectPostgres, type PostgresConnection } from '../../connect-postgres.js';
import { SqliteDialect } from '../sqlite/sqlite-dialect.js';
import { PostgresDialect } from './postgres-dialect.js';

const pgd = new PostgresDialect();

describe('PostgresDialect DDL', () => {
  it.each([
    [{ kind: 'text', defaultValue: '' }, `TEXT COLLATE "C" DEFAULT '' NOT NULL`],
    [{ kind: 'text', defaultValue: "it's" }, `TEXT COLLATE "C" DEFAULT 'it''s' NOT NULL`],
    [{ kind: 'number', defaultValue: 0 }, 'DOUBLE PRECISION DEFAULT 0 NOT NULL'],
    [{ kind: 'bool', defaultValue: false }, 'BOOLEAN DEFAULT FALSE NOT NULL'],
    [{ kind: 'json', defaultValue: '[]' }, `TEXT COLLATE "C" DEFAULT '[]' NOT NULL`],
    [{ kind: 'json', defaultValue: null }, 'TEXT COLLATE "C" DEFAULT NULL'],
  ] as const)('%j → %s', (spec, expected) => {
    expect(pgd.columnDefinition(spec)).toBe(expected);
  });

  it('renders stored (SQLite-flavoured) indexes in standard SQL', () => {
    const index = parseIndex('CREATE UNIQUE INDEX `idx_email` ON `users` (`email` COLLATE NOCASE, `name` DESC) WHERE `email` != \'\'')!;
    expect(pgd.indexDefinition(index, 'members')).toBe(
      `CREATE UNIQUE INDEX "idx_email" ON "members" (lower("email") ASC NULLS FIRST, "name" DESC NULLS LAST) WHERE "email" != ''`,
    );
  });

  it('gives every collection table a hidden insertion-order column', () => {
    expect(pgd.hiddenColumns()).toEqual(['"_rowid_" BIGSERIAL']);
    expect(new SqliteDialect().hiddenColumns()).toEqual([]);
  });
});

const skip = postgresSkipReason();

describe.skipIf(skip !== undefined)('PostgresDialect against a real PostgreSQL', () => {
  const postgres = postgresTestConnection();
  const lite = new Kysely<any>({ dialect: new KyselySqliteDialect({ database: new Database(':memory:') }) });
  const sqlite = new SqliteDialect();

  afterAll(async () => {
    await lite.destroy();
  });

  /** One scalar expression evaluated on both engines. */
  async function both(make: (d: PostgresDialect | SqliteDialect) => RawBuilder<unknown>): Promise<[unknown, unknown]> {
    const pg = await sql<{ v: unknown }>`SELECT ${make(pgd)} AS v`.execute(postgres.conn.db);
    const sq = await sql<{ v: unknown }>`SELECT ${make(sqlite)} AS v`.execute(lite);
    return [pg.rows[0]!.v, sq.rows[0]!.v];
  }

  it('reads counts as numbers and JSON as text', async () => {
    const { rows } = await sql<{ n: unknown; j: unknown; t: unknown }>`SELECT COUNT(*) AS n, '{"a": 1}'::jsonb AS j, '2024-01-02 03:04:05'::timestamp AS t`.execute(postgres.conn.db);
    expect(rows[0]).toEqual({ n: 1, j: '{"a": 1}', t: '2024-01-02 03:04:05' });
  });

  const values = ['["a","b"]', '[]', '"x"', 'plain', '', null, '5', '[1,{"c":"x"}]', '{"n":5}'];

  it.each(values.map((v) => [v]))('jsonArrayLength(%j) matches SQLite', async (v) => {
    const [pg, sq] = await both((d) => d.jsonArrayLength(sql`${v}`));
    expect(Number(pg)).toBe(Number(sq));
  });

  it.each(values.map((v) => [v]))('jsonEach(%j) matches SQLite', async (v) => {
    const pg = await sql<{ value: unknown }>`SELECT je.value FROM ${pgd.jsonEach(sql`${v}`)} AS je`.execute(postgres.conn.db);
    const sq = await sql<{ value: unknown }>`SELECT je.value FROM ${sqlite.jsonEach(sql`${v}`)} AS je`.execute(lite);
    const text = (rows: { value: unknown }[]) => rows.map((r) => (r.value === null ? null : typeof r.value === 'object' ? JSON.stringify(r.value) : String(r.value)));
    expect(text(pg.rows).map((t) => t?.replace(/\s/g, '') ?? null)).toEqual(text(sq.rows));
  });

  it.each([
    ['{"a":{"b":[1,{"c":"x"}]},"n":5}', ['a', 'b', 1, 'c'], 'x'],
    ['{"a":{"b":[1,{"c":"x"}]},"n":5}', ['n'], '5'],
    ['{"t":true,"f":false,"z":null}', ['t'], '1'],
    ['{"t":true,"f":false,"z":null}', ['f'], '0'],
    ['{"t":true,"f":false,"z":null}', ['z'], null],
    ['"plain"', [], 'plain'],
    ['not json', [], 'not json'],
    ['not json', ['a'], null],
    [null, ['a'], null],
  ] as const)('jsonExtract(%j, %j) = %j on both engines', async (v, path, expected) => {
    const [pg, sq] = await both((d) => d.jsonExtract(sql`${v}`, path));
    expect(pg === null ? null : String(pg)).toBe(expected);
    expect(sq === null ? null : String(sq)).toBe(expected);
  });

  it.each([
    ['%Y-%m-%d %H:%M:%S', '2024-01-15 10:20:30.123Z', []],
    ['%Y-%m-%dT%H:%M:%fZ', '2024-01-15 10:20:30.123Z', []],
    ['%j %w %s %%', '2024-03-03 12:00:00.000Z', []],
    ['%Y-%m-%d', '2024-02-31', []],
    ['%Y-%m-%d %H:%M', '2024-01-31 23:30:00+02:00', []],
    ['%Y-%m-%d', '2020-01-01', ['+1 day']],
    ['%Y-%m-%d', '2020-01-31', ['+1 month']],
    ['%Y-%m-%d', '2024-02-29', ['+1 year']],
    ['%Y-%m-%d %H', '2020-06-15 10:00:00', ['start of month', '-3 hours']],
    ['%Y', '1700000000', ['unixepoch']],
    ['%Y', '', []],
    ['%Y', 'garbage', []],
    ['%Y', '2024-13-01', []],
    ['%Y', '2024-01-01', ['bogus modifier']],
    ['%Q', '2024-01-01', []],
  ] as const)('strftime(%j, %j, %j) matches SQLite', async (format, time, mods) => {
    const [pg, sq] = await both((d) => d.strftime(d.param(format), d.param(time), mods.map((m) => d.param(m))));
    expect(pg).toBe(sq);
  });

  it('translates unique violations into per-field 400s', async () => {
    await sql`CREATE TABLE uq (id TEXT PRIMARY KEY, "Title" TEXT, slug TEXT, email TEXT)`.execute(postgres.conn.db);
    await sql.raw(pgd.indexDefinition(parseIndex('CREATE UNIQUE INDEX `uq_pair` ON `uq` (`Title`, `slug`)')!, 'uq')).execute(postgres.conn.db);
    await sql.raw(pgd.indexDefinition(parseIndex('CREATE UNIQUE INDEX `uq_email` ON `uq` (`email` COLLATE NOCASE)')!, 'uq')).execute(postgres.conn.db);
    await sql`INSERT INTO uq VALUES ('a', 'T', 's', 'A@x.com')`.execute(postgres.conn.db);
    const cases: Array<[RawBuilder<unknown>, string[]]> = [
      [sql`INSERT INTO uq VALUES ('a', 'T2', 's2', 'b@x.com')`, ['id']],
      [sql`INSERT INTO uq VALUES ('b', 'T', 's', 'c@x.com')`, ['Title', 'slug']],
      [sql`INSERT INTO uq VALUES ('c', 'T3', 's3', 'a@X.COM')`, ['email']],
    ];
    for (const [statement, fields] of cases) {
      const err = await statement.execute(postgres.conn.db).then(() => null, (e: unknown) => e);
      expect(pgd.isUniqueViolation(err)).toBe(true);
      const translated = pgd.translateError(err, 'Failed to create record.');
      expect(isAppError(translated)).toBe(true);
      expect(translated!.status).toBe(400);
      expect(Object.keys(translated!.data ?? {}).sort()).toEqual(fields.sort());
    }
    expect(pgd.translateError(new Error('other'))).toBeNull();
  });

  it('sorts NULLs and text as SQLite does', async () => {
    const items = sql`(VALUES (CAST('b' AS TEXT)), ('B'), (NULL), ('a'), ('é'), ('_')) AS t(v)`;
    const pgAsc = await sql<{ v: string | null }>`SELECT v FROM ${items} ORDER BY ${pgd.orderBy(sql`v COLLATE "C"`, false)}`.execute(postgres.conn.db);
    const pgDesc = await sql<{ v: string | null }>`SELECT v FROM ${items} ORDER BY ${pgd.orderBy(sql`v COLLATE "C"`, true)}`.execute(postgres.conn.db);
    const liteItems = sql`(SELECT 'b' AS v UNION ALL SELECT 'B' UNION ALL SELECT NULL UNION ALL SELECT 'a' UNION ALL SELECT 'é' UNION ALL SELECT '_')`;
    const sqAsc = await sql<{ v: string | null }>`SELECT v FROM ${liteItems} ORDER BY ${sqlite.orderBy(sql`v`, false)}`.execute(lite);
    const sqDesc = await sql<{ v: string | null }>`SELECT v FROM ${liteItems} ORDER BY ${sqlite.orderBy(sql`v`, true)}`.execute(lite);
    expect(pgAsc.rows.map((r) => r.v)).toEqual(sqAsc.rows.map((r) => r.v));
    expect(pgDesc.rows.map((r) => r.v)).toEqual(sqDesc.rows.map((r) => r.v));
  });

  it.each([false, true])('an index serves a sorted list without sorting its rows (descending: %s)', async (desc) => {
    await sql`CREATE TABLE ordered (id TEXT PRIMARY KEY, kind TEXT, score DOUBLE PRECISION)`.execute(postgres.conn.db);
    try {
      await sql.raw(pgd.indexDefinition(parseIndex('CREATE INDEX `idx_ordered` ON `ordered` (`kind`, `score`)')!, 'ordered')).execute(postgres.conn.db);
      await sql`INSERT INTO ordered SELECT 'r' || i, 'k' || (i % 3), i FROM generate_series(1, 300) AS i`.execute(postgres.conn.db);
      await sql`ANALYZE ordered`.execute(postgres.conn.db);
      const query = sql`SELECT id FROM ordered WHERE kind = 'k1' ORDER BY ${pgd.orderBy(sql.ref('score'), desc, 'number')} LIMIT 5`;
      const plan = (await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${query}`.execute(postgres.conn.db)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index (Only )?Scan/);
      expect(plan).not.toMatch(/Sort/);
    } finally {
      await sql`DROP TABLE ordered`.execute(postgres.conn.db);
    }
  });

  it.each([
    ['abc', '%B%', true],
    ['ÉCOLE', '%école%', false],
    ['50% off', '%0\\%%', true],
    ['a_b', 'a\\_b', true],
    ['axb', 'a\\_b', false],
  ] as const)('likeInsensitive(%j, %j) = %j on both engines (ASCII case folding only)', async (value, pattern, expected) => {
    const [pg, sq] = await both((d) => sql`CASE WHEN ${d.likeInsensitive(sql`${value}`, sql`${pattern}`, false)} THEN 1 ELSE 0 END`);
    expect(Number(pg)).toBe(expected ? 1 : 0);
    expect(Number(sq)).toBe(expected ? 1 : 0);
  });

  it('refuses to start on an unreachable server, naming DATABASE_URL and the reason', async () => {
    const err = await connectPostgres('postgres://user:secret@127.0.0.1:1/db').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^DATABASE_URL: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/db: .*ECONNREFUSED/);
    expect((err as ConfigError).message).not.toContain('secret');
  });
});

describe.skipIf(skip !== undefined)('the query timeout on PostgreSQL', () => {
  let database: TestDatabase;
  let conn: PostgresConnection;

  beforeAll(async () => {
    database = await createTestDatabase();
    conn = await connectPostgres(database.url, { statementTimeout: 0.1, maxConnections: 1 });
  });
  afterAll(async () => {
    await conn?.close();
    await database?.drop();
  });

  it('cancels a statement past it, as the 400 of a query timeout', async () => {
    const err = await sql`SELECT pg_sleep(1)`.execute(conn.db).then(() => undefined, (e: unknown) => e);
    expect(isAppError(err) && err.status).toBe(400);
    expect((err as Error).message).toBe(QUERY_TIMEOUT_MESSAGE);
    expect(pgd.translateError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))?.message).toBe(QUERY_TIMEOUT_MESSAGE);
  });

  it('lets a schema change run past it, for that transaction only', async () => {
    await conn.db.transaction().execute(async (trx) => {
      await pgd.liftQueryTimeout(trx);
      await sql`SELECT pg_sleep(0.3)`.execute(trx);
    });
    // One pooled connection: the same session is cut again afterwards.
    const err = await sql`SELECT pg_sleep(1)`.execute(conn.db).then(() => undefined, (e: unknown) => e);
    expect((err as Error | undefined)?.message).toBe(QUERY_TIMEOUT_MESSAGE);
  });

  it('does not cut the wait for the start-up lock', async () => {
    // Another node holds the lock for 0.4 s, four times the timeout.
    const other = await connectPostgres(database.url);
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = other.exclusive(() => held);
      await new Promise((resolve) => setTimeout(resolve, 50));
      setTimeout(release, 400);
      await expect(conn.exclusive(async () => 'ran')).resolves.toBe('ran');
      await first;
    } finally {
      await other.close();
    }
    const { rows } = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(conn.db);
    expect(rows[0]!.statement_timeout).toBe('100ms');
  });
});
