import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../../test/helpers/test-database.js';
import { QUERY_TIMEOUT_MESSAGE } from '../errors/query-timeout.js';
import { connectPostgres, type PostgresConnection } from './connect-postgres.js';
import { connectSqlite } from './connect-sqlite.js';
import { SqliteDialect } from './dialect/sqlite/sqlite-dialect.js';

/** Keeps the thread busy for `ms`, as a statement of SQLite would. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** What `run` rejected with (undefined when it resolved), and how long it took in ms. */
async function timed(run: () => Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = performance.now();
  const err = await run().then(() => undefined, (e: unknown) => e);
  return { err, ms: performance.now() - started };
}

describe('an operation\'s deadline on SQLite', () => {
  // A budget of 1 s per operation.
  const conn = connectSqlite(':memory:', { queryTimeout: 1 });
  const d = new SqliteDialect();
  afterAll(() => conn.close());

  beforeAll(() => {
    conn.raw.exec(`CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v INTEGER NOT NULL);
      WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000) INSERT INTO t SELECT 'r' || i, i FROM c`);
  });

  // NOTE: 100 million budget-checked rows, tens of seconds without a budget. With 3,000 rows
  // (9 million) a quiet machine finished the statement alone within its 1 s budget.
  const nested = () => sql`SELECT COUNT(*) AS n FROM (SELECT 1) AS o JOIN t AS a ON ${d.rowBudget(sql`a.id`)} JOIN t AS b ON ${d.rowBudget(sql`b.id`)}`;

  it('refuses the next statement once the operation has used its budget, whatever each took', async () => {
    const exec = conn.deadlines.start();
    await sql`SELECT 1 AS one`.execute(exec);
    spin(1_050);
    const { err } = await timed(() => sql`SELECT 1 AS one`.execute(exec));
    expect((err as Error | undefined)?.message).toBe(QUERY_TIMEOUT_MESSAGE);
    // The database and a new operation are unaffected.
    await expect(sql`SELECT 1 AS one`.execute(conn.db)).resolves.toBeDefined();
    await expect(sql`SELECT 1 AS one`.execute(conn.deadlines.start())).resolves.toBeDefined();
  });

  it('stops a statement at the time the operation has left, not a fresh budget', async () => {
    const exec = conn.deadlines.start();
    spin(800);
    const { err, ms } = await timed(() => nested().execute(exec));
    expect((err as Error | undefined)?.message).toBe(QUERY_TIMEOUT_MESSAGE);
    // About 200 ms were left; a fresh budget would have run 1,000.
    expect(ms).toBeLessThan(750);
    // Outside an operation the same statement gets the whole budget again.
    const alone = await timed(() => nested().execute(conn.db));
    expect((alone.err as Error | undefined)?.message).toBe(QUERY_TIMEOUT_MESSAGE);
    expect(alone.ms).toBeGreaterThanOrEqual(950);
  });

  it('lets a transaction opened on it commit or roll back past the deadline', async () => {
    conn.raw.exec('CREATE TABLE w (v INTEGER)');
    const exec = conn.deadlines.start();
    await exec.transaction().execute(async (trx) => {
      await sql`INSERT INTO w VALUES (1)`.execute(trx);
      spin(1_050);
    });
    const refused = await exec.transaction().execute(async (trx) => {
      await sql`INSERT INTO w VALUES (2)`.execute(trx);
    }).then(() => undefined, (e: unknown) => e);
    expect((refused as Error | undefined)?.message).toBe(QUERY_TIMEOUT_MESSAGE);
    expect(conn.raw.prepare('SELECT v FROM w').all()).toEqual([{ v: 1 }]);
    expect(conn.raw.inTransaction).toBe(false);
  });
});

const skip = postgresSkipReason();

describe.skipIf(skip !== undefined)('an operation\'s deadline on PostgreSQL', () => {
  let database: TestDatabase;
  let conn: PostgresConnection;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One pooled connection: what one operation sets on it, the next statement would see.
    conn = await connectPostgres(database.url, { statementTimeout: 0.5, maxConnections: 1 });
  });
  afterAll(async () => {
    await conn?.close();
    await database?.drop();
  });

  it('gives the next statement only the time left, then resets the session', async () => {
    const exec = conn.deadlines.start();
    const first = await timed(() => sql`SELECT pg_sleep(0.3)`.execute(exec));
    expect(first.err).toBeUndefined();
    // 0.2 s were left: a statement that sleeps 0.3 s (under the 0.5 s of one statement) is cancelled.
    const second = await timed(() => sql`SELECT pg_sleep(0.3)`.execute(exec));
    expect((second.err as Error | undefined)?.message).toBe(QUERY_TIMEOUT_MESSAGE);
    expect(second.ms).toBeLessThan(300);
    const { rows } = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(conn.db);
    expect(rows[0]!.statement_timeout).toBe('500ms');
    await expect(sql`SELECT pg_sleep(0.3)`.execute(conn.db)).resolves.toBeDefined();
  });

  it('refuses a statement once the deadline is past, and a few milliseconds left are not "no limit"', async () => {
    const exec = conn.deadlines.start();
    await sql`SELECT pg_sleep(0.495)`.execute(exec).catch(() => undefined);
    const late = await timed(() => sql`SELECT pg_sleep(1)`.execute(exec));
    expect((late.err as Error | undefined)?.message).toBe(QUERY_TIMEOUT_MESSAGE);
    expect(late.ms).toBeLessThan(300);
    const { rows } = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(conn.db);
    expect(rows[0]!.statement_timeout).toBe('500ms');
  });
});
