/**
 * Behaviour that engines tend to differ on, pinned at the HTTP boundary so that
 * both runs of the suite (SQLite, and PostgreSQL with PLINTH_TEST_DIALECT=postgres
 * on a database with a linguistic locale) must answer the same: text order and
 * case, NULL order, insertion order, unique violations per field, cross-type
 * comparisons, json paths and the collections list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let admin: string;
const TITLES = ['b', 'B', 'a', '_x', 'é', 'A', 'Z', 'ab'];

async function ids(path: string): Promise<string[]> {
  const r = await s.request('GET', path, { token: admin });
  expect(r.status, r.text).toBe(200);
  return r.body.items.map((i: { title: string }) => i.title);
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  const owners = await s.request('POST', '/api/collections', { token: admin, body: { name: 'dp_owners', fields: [{ name: 'name', type: 'text' }] } });
  expect(owners.status, owners.text).toBe(200);
  const items = await s.request('POST', '/api/collections', {
    token: admin,
    body: {
      name: 'dp_items',
      fields: [
        { name: 'title', type: 'text' }, { name: 'n', type: 'number' }, { name: 'flag', type: 'bool' }, { name: 'meta', type: 'json' },
        { name: 'slug', type: 'text' }, { name: 'code', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: owners.body.id, maxSelect: 1 },
      ],
      indexes: ['CREATE UNIQUE INDEX `idx_dp_slug` ON `dp_items` (`slug`) WHERE `slug` != \'\'', 'CREATE UNIQUE INDEX `idx_dp_code` ON `dp_items` (`code` COLLATE NOCASE)'],
    },
  });
  expect(items.status, items.text).toBe(200);
  const owner = await s.request('POST', '/api/collections/dp_owners/records', { token: admin, body: { name: 'Zed' } });
  for (const [i, title] of TITLES.entries()) {
    const body = { title, n: i * 5 - 10, flag: i % 2 === 0, meta: { n: i * 5, s: title }, slug: `s${i}`, code: `c${i}`, owner: i < 2 ? owner.body.id : '' };
    const r = await s.request('POST', '/api/collections/dp_items/records', { token: admin, body });
    expect(r.status, r.text).toBe(200);
  }
});
afterAll(async () => { await s?.close(); });

describe('the same answers on every engine', () => {
  it.each([
    ['sort=title', ['A', 'B', 'Z', '_x', 'a', 'ab', 'b', 'é']],
    ['sort=-title', ['é', 'b', 'ab', 'a', '_x', 'Z', 'B', 'A']],
    ['sort=@rowid', TITLES],
    ['sort=-@rowid', [...TITLES].reverse()],
    ['sort=owner.name,title', ['A', 'Z', '_x', 'a', 'ab', 'é', 'B', 'b']],
    ['sort=-owner.name,title', ['B', 'b', 'A', 'Z', '_x', 'a', 'ab', 'é']],
    ['sort=meta.n,title', TITLES],
    ['sort=-n', [...TITLES].reverse()],
    ['filter=title~"A"&sort=@rowid', ['a', 'A', 'ab']],
    ['filter=title~"É"&sort=@rowid', []],
    ['filter=title>"Z"&sort=@rowid', ['b', 'a', '_x', 'é', 'ab']],
    ['filter=n>"5"&sort=@rowid', ['é', 'A', 'Z', 'ab']],
    ['filter=n<"abc"&sort=@rowid', TITLES],
    ['filter=n="abc"&sort=@rowid', []],
    ['filter=meta.n>10&sort=@rowid', ['_x', 'é', 'A', 'Z', 'ab']],
    ['filter=meta.s="a"&sort=@rowid', ['a']],
    ['filter=flag=true&sort=@rowid', ['b', 'a', 'é', 'Z']],
    ['filter=flag="abc"&sort=@rowid', []],
    ['filter=title:lower="b"&sort=@rowid', ['b', 'B']],
    ['filter=owner.name=""&sort=@rowid', TITLES.slice(2)],
  ] as const)('%s', async (query, expected) => {
    const params = new URLSearchParams(query);
    expect(await ids(`/api/collections/dp_items/records?${params.toString()}`)).toEqual(expected);
  });

  it.each([
    [{ slug: 's1' }, ['slug']],
    [{ code: 'C1' }, ['code']],
    [{ slug: 's2', code: 'c3' }, ['code', 'slug']],
  ])('a unique violation %j names its fields', async (body, fields) => {
    const r = await s.request('POST', '/api/collections/dp_items/records', { token: admin, body: { title: 'dup', ...body } });
    expect(r.status, r.text).toBe(400);
    const failing = Object.keys(r.body.data).filter((k) => r.body.data[k].code === 'validation_not_unique').sort();
    expect(failing.length).toBeGreaterThan(0);
    expect(fields).toEqual(expect.arrayContaining(failing));
  });

  it('lists collections sorted by name byte-wise', async () => {
    for (const name of ['dp_Zed', 'dp_alpha']) {
      const r = await s.request('POST', '/api/collections', { token: admin, body: { name, fields: [] } });
      expect(r.status, r.text).toBe(200);
    }
    const r = await s.request('GET', `/api/collections?${new URLSearchParams({ filter: 'name ~ "dp_"', sort: 'name' }).toString()}`, { token: admin });
    expect(r.body.items.map((c: { name: string }) => c.name)).toEqual(['dp_Zed', 'dp_alpha', 'dp_items', 'dp_owners']);
  });

  it('rolls a failed schema change back whole', async () => {
    const before = await s.request('GET', '/api/collections/dp_items', { token: admin });
    const r = await s.request('PATCH', '/api/collections/dp_items', {
      token: admin,
      body: { fields: [...before.body.fields, { name: 'extra', type: 'text' }], indexes: [...before.body.indexes, 'CREATE UNIQUE INDEX `idx_dp_title` ON `dp_items` (`flag`)'] },
    });
    expect(r.status).toBe(400);
    const after = await s.request('GET', '/api/collections/dp_items', { token: admin });
    expect(after.body.fields.map((f: { name: string }) => f.name)).not.toContain('extra');
    expect((await s.request('GET', '/api/collections/dp_items/records?perPage=1', { token: admin })).body.items[0]).not.toHaveProperty('extra');
  });

  it('takes an index column\'s collation and sort order, as the dashboard\'s index form writes them', async () => {
    const indexes = [
      'CREATE UNIQUE INDEX `idx_dp_sorted_code` ON `dp_sorted` (`code` COLLATE NOCASE DESC, `n` ASC)',
      'CREATE INDEX `idx_dp_sorted_n` ON `dp_sorted` (`n` DESC)',
    ];
    const made = await s.request('POST', '/api/collections', {
      token: admin, body: { name: 'dp_sorted', fields: [{ name: 'code', type: 'text' }, { name: 'n', type: 'number' }], indexes },
    });
    expect(made.status, made.text).toBe(200);
    expect(made.body.indexes).toEqual(indexes);
    const create = (body: Record<string, unknown>) => s.request('POST', '/api/collections/dp_sorted/records', { token: admin, body });
    expect((await create({ code: 'Abc', n: 1 })).status).toBe(200);
    // NOCASE: the same code in other case, with the same n, is a duplicate; with another n it is not.
    const dup = await create({ code: 'aBC', n: 1 });
    expect(dup.status, dup.text).toBe(400);
    expect(dup.body.data.code?.code ?? dup.body.data.n?.code).toBe('validation_not_unique');
    expect((await create({ code: 'aBC', n: 2 })).status).toBe(200);
  });
});

