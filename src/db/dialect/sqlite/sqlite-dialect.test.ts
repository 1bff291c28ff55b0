import Database from 'better-sqlite3';
import { Kysely, SqliteDialect as KyselySqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteDialect } from './sqlite-dialect.js';
import { codeError } from '../../../errors/code-error.js';

const d = new SqliteDialect();
const raw = new Database(':memory:');
const db = new Kysely<any>({ dialect: new KyselySqliteDialect({ database: raw }) });
afterAll(() => db.destroy());

describe('SqliteDialect DDL', () => {
  it.each([
    [{ kind: 'text', defaultValue: '' }, `TEXT DEFAULT '' NOT NULL`],
    [{ kind: 'text', defaultValue: "it's" }, `TEXT DEFAULT 'it''s' NOT NULL`],
    [{ kind: 'text', primaryKey: true, defaultValue: '' }, `TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL`],
    [{ kind: 'number', defaultValue: 0 }, 'NUMERIC DEFAULT 0 NOT NULL'],
    [{ kind: 'number', defaultValue: Number.NaN }, 'NUMERIC DEFAULT 0 NOT NULL'],
    [{ kind: 'bool', defaultValue: false }, 'BOOLEAN DEFAULT FALSE NOT NULL'],
    [{ kind: 'json', defaultValue: null }, 'JSON DEFAULT NULL'],
    [{ kind: 'json', defaultValue: '[]' }, `JSON DEFAULT '[]' NOT NULL`],
    [{ kind: 'json', defaultValue: { lon: 0, lat: 0 } }, `JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL`],
  ] as const)('%j → %s', (spec, expected) => {
    expect(d.columnDefinition(spec)).toBe(expected);
  });

  it('quotes identifiers and creates working tables', async () => {
    expect(d.quoteId('a"b')).toBe('"a""b"');
    const cols = [
      `${d.quoteId('id')} ${d.columnDefinition({ kind: 'text', primaryKey: true, defaultValue: '' })}`,
      `${d.quoteId('ti"tle')} ${d.columnDefinition({ kind: 'text', defaultValue: "x'); DROP TABLE t; --" })}`,
      `${d.quoteId('n')} ${d.columnDefinition({ kind: 'number', defaultValue: 0 })}`,
    ];
    await sql.raw(`CREATE TABLE ${d.quoteId('t')} (${cols.join(', ')})`).execute(db);
    await sql`INSERT INTO t (n) VALUES (1)`.execute(db);
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM t`.execute(db);
    expect(rows[0]!['ti"tle']).toBe("x'); DROP TABLE t; --");
    expect(String(rows[0]!.id)).toMatch(/^r[0-9a-f]{14}$/);
    expect(await d.tableColumns(db, 't')).toEqual(['id', 'ti"tle', 'n']);
  });

  it('translates unique violations into a 400 on the fields', async () => {
    await sql`CREATE TABLE u (id TEXT PRIMARY KEY, title TEXT, slug TEXT)`.execute(db);
    await sql`CREATE UNIQUE INDEX u_ts ON u (title, slug)`.execute(db);
    await sql`INSERT INTO u VALUES ('1', 'a', 'b')`.execute(db);
    const err = await sql`INSERT INTO u VALUES ('2', 'a', 'b')`.execute(db).then(() => null, (e: unknown) => e);
    expect(d.isUniqueViolation(err)).toBe(true);
    const app = d.translateError(err, 'Failed to create record.');
    expect(app?.toJSON()).toEqual({
      status: 400,
      message: 'Failed to create record.',
      data: {
        title: codeError('validation_not_unique'),
        slug: codeError('validation_not_unique'),
      },
    });
    expect(d.translateError(new Error('boom'))).toBeNull();
  });
});

describe('SqliteDialect expressions', () => {
  const one = async (expr: ReturnType<typeof sql>) => (await sql<{ v: unknown }>`SELECT ${expr} AS v`.execute(db)).rows[0]!.v;

  it.each([
    ['["a","b"]', 2], ['"x"', 0], ['abc', 1], ['', 0], [null, 0], ['[]', 0],
  ] as const)('jsonArrayLength(%j) = %d', async (value, n) => {
    expect(await one(d.jsonArrayLength(sql`${value}`))).toBe(n);
  });

  it('iterates JSON arrays and plain values alike', async () => {
    const each = async (v: unknown) =>
      (await sql<{ value: unknown }>`SELECT value FROM ${d.jsonEach(sql`${v}`)} AS je`.execute(db)).rows.map((r) => r.value);
    expect(await each('["a","b"]')).toEqual(['a', 'b']);
    expect(await each('abc')).toEqual(['abc']);
    expect(await one(d.jsonArrayContains(sql`${'["a","b"]'}`, sql`${'b'}`))).toBe(1);
    expect(await one(d.jsonArrayContains(sql`${'a'}`, sql`${'a'}`))).toBe(1);
  });

  it('extracts JSON paths with bound paths', async () => {
    expect(await one(d.jsonExtract(sql`${'{"a":[1,{"b":"x"}]}'}`, ['a', 1, 'b']))).toBe('x');
    expect(await one(d.jsonExtract(sql`${'plain'}`, []))).toBe('plain');
    expect(await one(d.jsonExtract(sql`${'plain'}`, ['a']))).toBeNull();
    expect(d.jsonExtract(sql`x`, ["a'b"]).compile(db).sql).not.toContain("a'b");
  });

  it('writes LIKE, IS, strftime, geoDistance and params', async () => {
    expect(await one(d.likeInsensitive(sql`${'ABC'}`, sql`${'%b%'}`, false))).toBe(1);
    expect(await one(d.likeInsensitive(sql`${'a%c'}`, sql`${'a\\%c'}`, false))).toBe(1);
    expect(await one(d.likeInsensitive(sql`${'abc'}`, sql`${'a\\%c'}`, true))).toBe(1);
    expect(await one(d.isDistinct(sql`${null}`, sql`${'x'}`, true))).toBe(1);
    expect(await one(d.strftime(sql`${'%Y'}`, sql`${'2024-05-01 10:00:00.000Z'}`, []))).toBe('2024');
    expect(await one(d.param(true))).toBe(1);
    expect(Number(await one(d.geoDistance(sql`${23.32}`, sql`${42.69}`, sql`${23.32}`, sql`${42.69}`)))).toBeCloseTo(0, 3);
    const sofiaToPlovdiv = Number(await one(d.geoDistance(sql`${23.32}`, sql`${42.69}`, sql`${24.75}`, sql`${42.15}`)));
    expect(sofiaToPlovdiv).toBeGreaterThan(120);
    expect(sofiaToPlovdiv).toBeLessThan(135);
  });
});
