/**
 * `POST /api/sql`, the SQL console (docs/operations.md "SQL console"), at the HTTP boundary
 * on either database: superusers only, PocketBase's answer shape (every value as text),
 * one statement only, no transaction control, the row limit, the query time budget,
 * writes that commit or change nothing, and a changed collection definition seen at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, uniqueName, userToken } from './helpers/collections.js';
import { testDialect } from './helpers/test-database.js';
import { QUERY_TIMEOUT_MESSAGE } from '../src/errors/query-timeout.js';

let s: TestServer;
let token: string;

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
});
afterAll(async () => {
  await s?.close();
});

const run = (query: unknown) => s.request('POST', '/api/sql', { token, body: { query } });

describe('who may run SQL', () => {
  it('401 for a guest, 403 for a user', async () => {
    const guest = await s.request('POST', '/api/sql', { body: { query: 'select 1' } });
    expect(guest.status).toBe(401);
    const user = await s.request('POST', '/api/sql', { token: await userToken(s), body: { query: 'select 1' } });
    expect(user.status).toBe(403);
  });
});

describe('reads', () => {
  it('answers PocketBase\'s shape through the SDK, every value as text', async () => {
    const pb = await s.admin();
    const result = await pb.sql.run("select 1 as one, 'a;b' as two, null as three");
    expect(result).toMatchObject({ affectedRows: 0, rows: [['1', 'a;b', null]], truncated: false });
    expect(typeof result.execTime).toBe('number');
    expect(result.columns.map((c: { name: string }) => c.name)).toEqual(['one', 'two', 'three']);
    expect(result.columns[0]).toMatchObject({ nullable: true, type: expect.any(String) });
  });

  it('names the declared type of a table column', async () => {
    const name = uniqueName('typed');
    await createCollection(s, token, { name, type: 'base', fields: [{ name: 'title', type: 'text' }] });
    await createRecord(s, token, name, { title: 'hello' });
    const res = await run(`SELECT title FROM ${name}`);
    expect(res.status).toBe(200);
    expect(res.body.columns).toEqual([{ name: 'title', type: 'TEXT', nullable: true }]);
    expect(res.body.rows).toEqual([['hello']]);
  });

  it('returns at most 1000 rows and says the rest were left out', async () => {
    const res = await run('WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1500) SELECT n FROM c');
    expect(res.status).toBe(200);
    expect(res.body.rows).toHaveLength(1000);
    expect(res.body.rows[999]).toEqual(['1000']);
    expect(res.body.truncated).toBe(true);
  });

  it('accepts one trailing semicolon and a semicolon inside a literal', async () => {
    const res = await run("select ';' as x;");
    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual([[';']]);
  });
});

describe('refusals', () => {
  it.each([
    ['', 'validation_required'],
    ['   ', 'validation_required'],
    [';', 'validation_required'],
    [null, 'validation_required'],
    [42, 'validation_invalid_value'],
    ['select 1; select 2', 'validation_sql_single_statement'],
    ["select 'open", 'validation_sql_single_statement'],
    ["select E'\\''; select 2", 'validation_sql_single_statement'],
    ['BEGIN', 'validation_sql_transaction_control'],
    ['commit', 'validation_sql_transaction_control'],
    ['SAVEPOINT x', 'validation_sql_transaction_control'],
    [`select '${'a'.repeat(5000)}'`, 'validation_length_out_of_range'],
  ])('400 naming query for case %#', async (query, code) => {
    const res = await run(query);
    expect(res.status).toBe(400);
    expect(res.body.data.query.code).toBe(code);
  });

  it('refuses a PRAGMA that changes the connection on SQLite, and runs reading ones', async () => {
    const pragmas = ['PRAGMA foreign_keys = OFF', 'PRAGMA main.query_only(1)', 'pragma busy_timeout=1'];
    for (const query of pragmas) {
      const res = await run(query);
      expect(res.status, query).toBe(400);
      // PostgreSQL has no PRAGMA: its own syntax error.
      if (testDialect() === 'sqlite') expect(res.body.data.query.code).toBe('validation_sql_connection_setting');
    }
    if (testDialect() === 'sqlite') expect((await run('PRAGMA table_info(_params)')).status).toBe(200);
  });

  it('runs a query of exactly 5000 characters', async () => {
    const query = `select '${'a'.repeat(4985)}' as id`;
    expect(query).toHaveLength(5000);
    const res = await run(query);
    expect(res.status).toBe(200);
  });

  it('a database error is a 400 with the engine\'s message, never a 500', async () => {
    const res = await run('invalid');
    expect(res.status).toBe(400);
    expect(res.body.data).toEqual({});
    expect(res.body.message).toMatch(/^Failed to execute query\. Raw error:\n.*syntax error/);
    const missing = await run('select * from no_such_table_here');
    expect(missing.status).toBe(400);
  });
});

describe('writes', () => {
  it('commit, count the rows they changed, and show through the records API', async () => {
    const name = uniqueName('written');
    await createCollection(s, token, { name, type: 'base', listRule: '', fields: [{ name: 'title', type: 'text' }] });
    for (const title of ['a', 'b', 'c']) await createRecord(s, token, name, { title });
    const res = await run(`UPDATE ${name} SET title = 'z' WHERE title <> 'c'`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ affectedRows: 2, columns: [], rows: [] });
    const list = await s.request('GET', `/api/collections/${name}/records?sort=title`);
    expect(list.body.items.map((r: { title: string }) => r.title)).toEqual(['c', 'z', 'z']);
  });

  it('a failing write changes nothing', async () => {
    const name = uniqueName('rolled');
    await createCollection(s, token, { name, type: 'base', listRule: '', fields: [{ name: 'title', type: 'text' }] });
    const id = await createRecord(s, token, name, { title: 'kept' });
    const res = await run(`INSERT INTO ${name} (id, title) SELECT 'aaaaaaaaaaaaaaa', 'new' UNION ALL SELECT '${id}', 'dup'`);
    expect(res.status).toBe(400);
    const list = await s.request('GET', `/api/collections/${name}/records`);
    expect(list.body.items.map((r: { title: string }) => r.title)).toEqual(['kept']);
  });

  it('DDL runs, and a changed collection definition takes effect at once', async () => {
    const res = await run(`CREATE TABLE ${uniqueName('plain')} (id INTEGER PRIMARY KEY)`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ affectedRows: 0, columns: [], rows: [] });
    const name = uniqueName('ruled');
    await createCollection(s, token, { name, type: 'base', fields: [{ name: 'title', type: 'text' }] });
    expect((await s.request('GET', `/api/collections/${name}/records`)).status).toBe(403);
    const opened = await run(`UPDATE _collections SET data = replace(data, '"listRule":null', '"listRule":""') WHERE name = '${name}'`);
    expect(opened.body.affectedRows).toBe(1);
    expect((await s.request('GET', `/api/collections/${name}/records`)).status).toBe(200);
  });
});

describe('the query time budget', () => {
  let slow: TestServer;
  beforeAll(async () => {
    slow = await startTestServer({ queryTimeout: 2 });
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('stops a statement that runs past --queryTimeout with its 400', async () => {
    const query = 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT n FROM c WHERE n % 1000000 = 0';
    const res = await slow.request('POST', '/api/sql', { token: await slow.adminToken(), body: { query } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(QUERY_TIMEOUT_MESSAGE);
  });

  it('cuts off one long step (an aggregate over an endless recursion) at the limit while the node keeps answering', async () => {
    const token = await slow.adminToken();
    // One aggregate step with no row to return before it ends: it would run until memory or patience ran out.
    const query = 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c';
    const started = Date.now();
    let answered = false;
    const stalled = slow.request('POST', '/api/sql', { token, body: { query } }).then((res) => {
      answered = true;
      return res;
    });
    // Other requests are served while the statement runs.
    for (let i = 0; i < 3; i++) {
      expect((await slow.request('GET', '/api/health')).status).toBe(200);
      expect((await slow.request('GET', '/api/collections/_superusers/records', { token })).status).toBe(200);
    }
    expect(answered).toBe(false);
    const res = await stalled;
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(QUERY_TIMEOUT_MESSAGE);
    // The limit is 2 s; the statement itself would have run for minutes.
    expect(Date.now() - started).toBeLessThan(15_000);
    // The node's data is untouched and the console works again.
    const after = await slow.request('POST', '/api/sql', { token, body: { query: 'SELECT 1 AS one' } });
    expect(after.status).toBe(200);
    expect(after.body.rows).toEqual([['1']]);
  }, 30_000);
});
