/**
 * View queries and partial-index conditions are SQL written by a superuser and run
 * as DDL: each must stay one statement on both engines, however it is quoted
 * (issue 10 item 15). A smuggled second statement answers 400 and runs nowhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/collections.js';

let s: TestServer;
let admin: string;
let victim: string;
let source: string;

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  victim = uniqueName('victim');
  source = uniqueName('src');
  for (const name of [victim, source]) {
    const res = await s.request('POST', '/api/collections', {
      token: admin,
      body: { name, type: 'base', listRule: '', fields: [{ name: 'title', type: 'text' }] },
    });
    expect(res.status, res.text).toBe(200);
    const rec = await s.request('POST', `/api/collections/${name}/records`, { token: admin, body: { title: 'kept' } });
    expect(rec.status, rec.text).toBe(200);
  }
});
afterAll(async () => { await s?.close(); });

async function expectVictimIntact(): Promise<void> {
  const list = await s.request('GET', `/api/collections/${victim}/records`);
  expect(list.status, list.text).toBe(200);
  expect(list.body.items.map((r: { title: string }) => r.title)).toEqual(['kept']);
}

// The same smuggled statement, hidden behind each quoting trick of either engine.
// COMMIT makes the DROP outlive the rollback of the failed collection save.
const drop = (table: string) => `DROP TABLE ${table}; COMMIT; BEGIN`;
const smuggled = (table: () => string) => [
  `; ${drop(table())}`,
  ` || E'\\'' ; ${drop(table())}; SELECT E'\\''`,
  ` || 'a\\'' ; ${drop(table())}; SELECT 'b\\''`,
  ` || $$x$$ ; ${drop(table())}; SELECT $$y$$`,
  ` || "x" ; ${drop(table())}; SELECT "y"`,
  ` /* /* */ ; ${drop(table())}; /* */`,
  ` -- x\r; ${drop(table())}`,
];

describe('view queries run as exactly one statement', () => {
  it.each(smuggled(() => victim).map((tail, i) => [i, tail]))('smuggling %i → 400 on viewQuery, the victim table survives', async (_i, tail) => {
    const res = await s.request('POST', '/api/collections', {
      token: admin,
      body: { name: uniqueName('v'), type: 'view', listRule: '', viewQuery: `SELECT id, title FROM ${source} WHERE title = 'kept'${tail}` },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.viewQuery?.code, res.text).toBeDefined();
    await expectVictimIntact();
  });

  it('a dry run with a second statement → 400, the victim table survives', async () => {
    const res = await s.request('POST', '/api/collections/meta/dry-run-view', {
      token: admin,
      body: { query: `SELECT id FROM ${source}; ${drop(victim)}` },
    });
    expect(res.status, res.text).toBe(400);
    await expectVictimIntact();
  });

  it('a semicolon inside a literal and a trailing semicolon are fine', async () => {
    const name = uniqueName('v');
    const res = await s.request('POST', '/api/collections', {
      token: admin,
      body: { name, type: 'view', listRule: '', viewQuery: `SELECT id, (title || ';x') AS t FROM ${source};` },
    });
    expect(res.status, res.text).toBe(200);
    const list = await s.request('GET', `/api/collections/${name}/records`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.items[0].t).toBe('kept;x');
  });
});

describe('partial-index conditions run as exactly one statement', () => {
  it.each(smuggled(() => victim).map((tail, i) => [i, tail]))('smuggling %i → 400 on indexes, the victim table survives', async (_i, tail) => {
    const res = await s.request('PATCH', `/api/collections/${source}`, {
      token: admin,
      body: { indexes: [`CREATE INDEX idx_${source} ON ${source} (title) WHERE title != ''${tail}`] },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.indexes, res.text).toBeDefined();
    await expectVictimIntact();
  });

  it('a plain partial index still saves', async () => {
    const res = await s.request('PATCH', `/api/collections/${source}`, {
      token: admin,
      body: { indexes: [`CREATE INDEX idx_ok_${source} ON ${source} (title) WHERE title != 'a;b'`] },
    });
    expect(res.status, res.text).toBe(200);
  });
});
