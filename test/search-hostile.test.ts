/**
 * `search()` against hostile input (docs/search.md §2, §5). What one filter may make the
 * server do: a word of one character is matched whole (as a prefix it would read every word
 * that starts with it), the searches of one filter hold at most 16 words and phrases
 * together, and on SQLite the rows a MATCH lists are under the query budget even when the
 * page reads only a few of them. And where search() cannot be evaluated (rules judged over a
 * record's values, which no index holds), saving such a rule is a 400, not a 500 later.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_TIMEOUT_MESSAGE } from '../src/errors/query-timeout.js';
import { uniqueName } from './helpers/collections.js';
import { testDialect } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let admin: string;
let notes: string;

async function list(collection: string, query: Record<string, string>, server = s) {
  return server.request('GET', `/api/collections/${collection}/records?${new URLSearchParams(query)}`);
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  notes = uniqueName('snotes');
  const created = await s.request('POST', '/api/collections', {
    token: admin,
    body: { name: notes, listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text', searchable: true }] },
  });
  expect(created.status, created.text).toBe(200);
  for (const title of ['model k', 'kettle', 'kiwi k', 'vitamin 7', '747 jet', 'big k2']) {
    const r = await s.request('POST', `/api/collections/${notes}/records`, { token: admin, body: { title } });
    expect(r.status, r.text).toBe(200);
  }
});
afterAll(async () => { await s?.close(); });

describe('search() words of one character', () => {
  it.each([
    ["search('k')", ['kiwi k', 'model k']],
    ["search('-k kettle')", ['kettle']],
    ["search('7')", ['vitamin 7']],
    ["search('ke')", ['kettle']],
    ["search('k2')", ['big k2']],
  ])('%s matches whole words only, on both engines', async (filter, titles) => {
    const r = await list(notes, { filter, sort: 'title' });
    expect(r.status, r.text).toBe(200);
    expect(r.body.items.map((i: { title: string }) => i.title)).toEqual(titles);
  });
});

describe('the words of all searches of one filter', () => {
  const words = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(' ');

  it('may hold 16 words and phrases together', async () => {
    const r = await list(notes, { filter: `search('${words(8, 'a')}') || search(title, '${words(7, 'b')} "c d"')`, sort: '-@rank' });
    expect(r.status, r.text).toBe(200);
  });

  it.each([
    ['two searches', `search('${words(9, 'a')}') || search('${words(8, 'b')}')`],
    ['many small searches', Array.from({ length: 17 }, (_, i) => `search('w${i}')`).join(' || ')],
    ['exclusions count too', `search('kettle ${Array.from({ length: 8 }, (_, i) => `-x${i}`).join(' ')}') && search('${words(8, 'y')}') = false`],
  ])('is a 400 on filter past 16 (%s), changing nothing', async (_label, filter) => {
    const r = await list(notes, { filter });
    expect(r.status, r.text).toBe(400);
    expect(r.body.data.filter.code).toBe('validation_invalid_search');
    expect(r.body.data.filter.message).toMatch(/more than 16 words and phrases/);
  });
});

describe('rules judged over a record being written', () => {
  const save = (body: Record<string, unknown>) => s.request('POST', '/api/collections', {
    token: admin, body: { name: uniqueName('srules'), listRule: '', viewRule: '', createRule: '', ...body },
  });
  const fields = (extra: Record<string, unknown>) => [{ name: 'title', type: 'text', searchable: true }, { name: 'note', type: 'text', ...extra }];

  it.each([
    ['createRule', { createRule: "search('spam') = false", fields: fields({}) }, (d: any) => d.createRule],
    ['a field readRule', { fields: fields({ readRule: "search('public')" }) }, (d: any) => (Object.values(d.fields ?? {})[0] as any)?.readRule],
    ['a field writeRule', { fields: fields({ writeRule: "title != '' && (search('open') || id = '')" }) }, (d: any) => (Object.values(d.fields ?? {})[0] as any)?.writeRule],
  ])('cannot search (%s): a 400 naming the rule, and nothing saved', async (_label, body, at) => {
    const r = await save(body);
    expect(r.status, r.text).toBe(400);
    expect(at(r.body.data)?.code).toBe('validation_invalid_rule');
    expect(at(r.body.data)?.message).toMatch(/search\(\) reads the full-text index/);
  });

  it('may search in the rules judged on stored records, and records are then created and listed', async () => {
    const r = await save({
      listRule: "search('public')", viewRule: "search('public')", updateRule: "search('locked') = false", deleteRule: "search('public')", fields: fields({}),
    });
    expect(r.status, r.text).toBe(200);
    for (const title of ['public one', 'private two']) {
      const created = await s.request('POST', `/api/collections/${r.body.name}/records`, { body: { title } });
      expect(created.status, created.text).toBe(200);
    }
    const listed = await list(r.body.name, {});
    expect(listed.body.items.map((i: { title: string }) => i.title)).toEqual(['public one']);
  });
});

// NOTE: PostgreSQL's statement_timeout cancels any statement by itself; SQLite's budget is a
// check the SQL must call (src/db/sqlite-query-budget.ts), which is what is pinned here.
describe.skipIf(testDialect() === 'postgres')('SQLite: a search under the query budget', () => {
  let spent: TestServer;
  let big: string;

  beforeAll(async () => {
    // A budget of 0 s: every statement that checks the budget stops at its first check, and no
    // request gets past its first statement.
    spent = await startTestServer({ queryTimeout: 0 });
    big = uniqueName('sbig');
    const created = await spent.request('POST', '/api/collections', {
      token: await spent.adminToken(),
      body: { name: big, listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text', searchable: true }] },
    });
    expect(created.status, created.text).toBe(200);
    // 3,000 rows: the budget is checked once per 1,024 rowids. Written straight into the
    // file (the index's triggers fill it), as API writes would take seconds.
    const db = new Database(join(spent.dir, 'data.db'));
    try {
      const insert = db.prepare(`INSERT INTO "${big}" (id, title) VALUES (?, ?)`);
      db.transaction(() => {
        for (let i = 0; i < 3000; i++) insert.run(`r${String(i).padStart(14, '0')}`, `common word ${i}`);
      })();
    } finally {
      db.close();
    }
  });
  afterAll(async () => { await spent?.close(); });

  it('a ranked page more than 1,000 rows deep is one statement under the budget (400); the first pages are read tier by tier', async () => {
    const deep = await list(big, { filter: "search('common')", sort: '-@rank', skipTotal: '1', page: '40', perPage: '30' }, spent);
    expect(deep.status, deep.text).toBe(400);
    expect(deep.body.message).toBe(QUERY_TIMEOUT_MESSAGE);
    // An early page is read tier by tier, several statements that share the request's one budget
    // (docs/security.md "Queries"): one of 0 s is spent before the second starts.
    const early = { filter: "search('common')", sort: '-@rank', skipTotal: '1', page: '2', perPage: '30' };
    const refused = await list(big, early, spent);
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.message).toBe(QUERY_TIMEOUT_MESSAGE);
  });

  it.each([
    ['a page without a count', { filter: "search('common')", skipTotal: '1' }],
    ['a ranked page and its count', { filter: "search('common')", sort: '-@rank' }],
    ['a filter with two searches', { filter: "search('common') && search('word') = true", skipTotal: '1' }],
  ])('%s is stopped while the index lists its matches (400), and the server answers', async (_label, query) => {
    const r = await list(big, query, spent);
    expect(r.status, r.text).toBe(400);
    expect(r.body.message).toBe(QUERY_TIMEOUT_MESSAGE);
    const health = await spent.request('GET', '/api/health');
    expect(health.status).toBe(200);
  });
});
