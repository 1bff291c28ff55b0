import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors/app-error.js';
import { QUERY_TIMEOUT_MESSAGE } from '../errors/query-timeout.js';
import { connectSqlite } from './connect-sqlite.js';
import { checksBudget, SqliteQueryBudget } from './sqlite-query-budget.js';
import { SqliteDialect } from './dialect/sqlite/sqlite-dialect.js';

/** A table of `n` rows (`id` text, as collection tables have). */
function table(raw: Database.Database, n: number): void {
  raw.exec('CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v INTEGER NOT NULL)');
  const insert = raw.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  raw.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(`r${i}`, i);
  })();
}

/** Runs `fn`, returning what it threw (or undefined) and how long it took in ms. */
function timed(fn: () => unknown): { thrown: unknown; ms: number } {
  const started = performance.now();
  try {
    fn();
    return { thrown: undefined, ms: performance.now() - started };
  } catch (err) {
    return { thrown: err, ms: performance.now() - started };
  }
}

describe('SqliteQueryBudget', () => {
  const raw = new Database(':memory:');
  table(raw, 3000);
  const budget = new SqliteQueryBudget(0.05);
  budget.install(raw);
  afterAll(() => raw.close());

  // (SELECT 1) as the outer level: a check evaluated once, or once per outer row, would
  // never fire; 9 million inner rows take seconds, so only a check inside the loops stops it.
  const NESTED = `SELECT COUNT(*) AS n FROM (SELECT 1) AS o
    JOIN t AS a ON plinth_budget(a.id) JOIN t AS b ON plinth_budget(b.id) WHERE b.v >= 0`;

  it('stops a statement inside its nested loops once the budget is spent, with the 400', () => {
    const { thrown, ms } = timed(() => budget.run(() => raw.prepare(NESTED).get()));
    expect(isAppError(thrown) && thrown.status).toBe(400);
    expect((thrown as Error).message).toBe(QUERY_TIMEOUT_MESSAGE);
    // Generous: the budget is 50 ms; the whole statement takes seconds.
    expect(ms).toBeLessThan(1_000);
  });

  it('gives every statement its own budget and leaves none behind', () => {
    expect(timed(() => budget.run(() => raw.prepare(NESTED).get())).thrown).toBeDefined();
    // The same statement over few rows finishes; so does one run outside the budget.
    const small = `SELECT COUNT(*) AS n FROM t AS a JOIN t AS b ON plinth_budget(b.id) WHERE a.v < 3 AND b.v < 3`;
    expect(budget.run(() => raw.prepare(small).get())).toEqual({ n: 9 });
    expect(raw.prepare(small).get()).toEqual({ n: 9 });
  });

  it('never changes what a query returns', () => {
    const plain = raw.prepare('SELECT COUNT(*) AS n FROM t WHERE v % 7 = 0').get();
    const guarded = budget.run(() => raw.prepare('SELECT COUNT(*) AS n FROM t WHERE plinth_budget(id) AND v % 7 = 0').get());
    expect(guarded).toEqual(plain);
  });

  it('knows which statements check it', () => {
    expect(checksBudget('SELECT 1 FROM t WHERE plinth_budget(t.id)')).toBe(true);
    expect(checksBudget('SELECT plinth_budget FROM t')).toBe(false);
  });

  it('cannot be called from a view a superuser writes', () => {
    raw.exec('CREATE VIEW sneaky AS SELECT id FROM t WHERE plinth_budget(id)');
    expect(() => raw.prepare('SELECT * FROM sneaky').all()).toThrow(/unsafe use of plinth_budget/);
  });
});

describe('SqliteDialect budget checks over a connection', () => {
  const conn = connectSqlite(':memory:', { queryTimeout: 0.05 });
  const d = new SqliteDialect();
  afterAll(() => conn.close());

  it('times the statements that check the budget, through Kysely', async () => {
    table(conn.raw, 3000);
    const a = d.rowBudget(sql`a.id`);
    const b = d.rowBudget(sql`b.id`);
    const started = performance.now();
    const err = await sql`SELECT COUNT(*) AS n FROM (SELECT 1) AS o JOIN t AS a ON ${a} JOIN t AS b ON ${b}`
      .execute(conn.db).then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).toBe(QUERY_TIMEOUT_MESSAGE);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('checks a scan on one row in 1024 and returns every row', async () => {
    const guard = d.scanBudget('root');
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM t AS root WHERE ${guard} AND root.v >= 0`.execute(conn.db);
    expect(rows[0]!.n).toBe(3000);
  });

  it('stops a long scan', async () => {
    conn.raw.exec(`CREATE TABLE big (v INTEGER NOT NULL, s TEXT NOT NULL);
      WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300000)
      INSERT INTO big SELECT i, printf('%.2000c', 'x') FROM c`);
    // 600 MB of LIKE: far past 50 ms, one cheap row after another.
    const err = await sql`SELECT COUNT(*) AS n FROM big AS root WHERE ${d.scanBudget('root')} AND root.s LIKE '%y%'`
      .execute(conn.db).then(() => undefined, (e: unknown) => e);
    expect((err as Error | undefined)?.message).toBe(QUERY_TIMEOUT_MESSAGE);
  });
});
