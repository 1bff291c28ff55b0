/**
 * The filter language as clients use it through the records list endpoint
 * (docs/api.md §4, §3.1, §1.7): every operator, modifiers, relations, json paths,
 * functions, macros, sort, and the restrictions on non-superuser filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollection, createRecord } from './helpers/collections.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let admin: string;
let userToken: string;
const id: Record<string, string> = {};

const mk = (body: Record<string, unknown>): Promise<any> => createCollection(s, admin, body);
const rec = (collection: string, body: Record<string, unknown>): Promise<string> => createRecord(s, admin, collection, body);

/** Lists `collection` with query params and returns the status and the `k` values of the items. */
async function list(collection: string, params: Record<string, string>, token?: string): Promise<{ status: number; keys: string[]; body: any }> {
  const qs = new URLSearchParams({ perPage: '100', ...params }).toString();
  const r = await s.request('GET', `/api/collections/${collection}/records?${qs}`, { token });
  return { status: r.status, keys: r.status === 200 ? r.body.items.map((i: any) => i.k ?? i.name) : [], body: r.body };
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  const users = await mk({
    name: 'fa_users', type: 'auth', listRule: '', viewRule: '',
    fields: [{ name: 'name', type: 'text' }, { name: 'role', type: 'text' }, { name: 'secret', type: 'text', hidden: true }],
  });
  // Guests filtering through `authors` only see authors named other than "y" (docs/api.md §4.7).
  const authors = await mk({ name: 'fa_authors', listRule: 'name != "y"', viewRule: '', fields: [{ name: 'name', type: 'text' }] });
  const locked = await mk({ name: 'fa_locked', listRule: null, viewRule: null, fields: [{ name: 'name', type: 'text' }] });
  const posts = await mk({
    name: 'fa_posts', listRule: '', viewRule: '',
    fields: [
      { name: 'k', type: 'text' },
      { name: 'title', type: 'text' },
      { name: 'body', type: 'text' },
      { name: 'views', type: 'number' },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
      { name: 'status', type: 'select', values: ['draft', 'published'], maxSelect: 1 },
      { name: 'authors', type: 'relation', collectionId: authors.id, maxSelect: 5 },
      { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 },
      { name: 'locked', type: 'relation', collectionId: locked.id, maxSelect: 1 },
      { name: 'meta', type: 'json' },
      { name: 'geo', type: 'geoPoint' },
      { name: 'flag', type: 'bool' },
      { name: 'when', type: 'date' },
      { name: 'secret', type: 'text', hidden: true },
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
    ],
  });
  await mk({
    name: 'fa_comments', listRule: '', viewRule: '',
    fields: [{ name: 'k', type: 'text' }, { name: 'text', type: 'text' }, { name: 'post', type: 'relation', collectionId: posts.id, maxSelect: 1 }],
  });

  // A private collection pointing at posts: its rows must not be probed through a back-relation.
  await mk({
    name: 'fa_notes', listRule: null, viewRule: null,
    fields: [{ name: 'text', type: 'text' }, { name: 'post', type: 'relation', collectionId: posts.id, maxSelect: 1 }],
  });
  const user = (k: string, extra: Record<string, unknown>) =>
    rec('fa_users', { password: 'password123', passwordConfirm: 'password123', ...extra }).then((v) => (id[k] = v));
  await user('U1', { email: 'u1@example.com', emailVisibility: true, name: 'Alice', role: 'admin', secret: 's1' });
  await user('U2', { email: 'u2@example.com', emailVisibility: false, name: 'Bob', role: 'user', secret: 's2' });
  id.A1 = await rec('fa_authors', { name: 'x' });
  id.A2 = await rec('fa_authors', { name: 'y' });
  id.A3 = await rec('fa_authors', { name: 'X' });
  id.L1 = await rec('fa_locked', { name: 'x' });

  id.p1 = await rec('fa_posts', {
    k: 'p1', title: 'Hello World', body: '50% off', views: 10, tags: ['a', 'b'], status: 'published',
    authors: [id.A1, id.A2], owner: id.U1, locked: id.L1, meta: { a: { b: 1 }, arr: [{ c: 'z' }] },
    geo: { lon: 23.32, lat: 42.69 }, flag: true, when: '2020-01-01 10:00:00.000Z', secret: 'hush',
  });
  id.p2 = await rec('fa_posts', {
    k: 'p2', title: 'a_b', body: 'back\\slash', views: 20, tags: ['b'], status: 'draft', authors: [id.A1], owner: id.U2,
    meta: { a: { b: 2 } }, geo: { lon: 24.75, lat: 42.15 }, when: '2030-01-01 10:00:00.000Z',
  });
  id.p3 = await rec('fa_posts', { k: 'p3', title: '', body: 'a_b literal', views: 0 });
  id.p4 = await rec('fa_posts', {
    k: 'p4', title: "' OR 1=1 --", body: 'axb', views: 5, tags: ['c'], status: 'draft', authors: [id.A2], owner: id.U1,
    meta: { a: { b: 3 } }, when: '2024-06-01 00:00:00.000Z',
  });
  id.p5 = await rec('fa_posts', { k: 'p5', title: 'héllo 🌍 ünïcode', body: '100%', views: -1.5, tags: ['a'], authors: [id.A1, id.A3], owner: id.U2 });

  await rec('fa_comments', { k: 'c1', text: 'great post', post: id.p1 });
  await rec('fa_comments', { k: 'c2', text: 'meh', post: id.p1 });
  await rec('fa_comments', { k: 'c3', text: 'Great!', post: id.p2 });
  await rec('fa_notes', { text: 'private', post: id.p1 });

  const auth = await s.request('POST', '/api/collections/fa_users/auth-with-password', { body: { identity: 'u1@example.com', password: 'password123' } });
  expect(auth.status, auth.text).toBe(200);
  userToken = auth.body.token;
});
afterAll(async () => { await s?.close(); });

describe('filter operators and semantics (superuser, fa_posts)', () => {
  const ALL = ['p1', 'p2', 'p3', 'p4', 'p5'];
  const cases: Array<[string, string[]]> = [
    // scalar comparison operators
    ['views = 10', ['p1']],
    ['views != 10', ['p2', 'p3', 'p4', 'p5']],
    ['views > 5', ['p1', 'p2']],
    ['views >= 5', ['p1', 'p2', 'p4']],
    ['views < 5', ['p3', 'p5']],
    ['views <= 0', ['p3', 'p5']],
    ['views = -1.5', ['p5']],
    ['title = "Hello World"', ['p1']],
    ["title = 'Hello World'", ['p1']],
    ['title ~ "hello"', ['p1']],
    ['title !~ "hello"', ['p2', 'p3', 'p4', 'p5']],
    // `?` variants on scalar fields mean the same as the plain ones
    ['views ?= 10', ['p1']],
    ['views ?!= 10', ['p2', 'p3', 'p4', 'p5']],
    ['views ?> 5', ['p1', 'p2']],
    ['views ?>= 5', ['p1', 'p2', 'p4']],
    ['views ?< 5', ['p3', 'p5']],
    ['views ?<= 0', ['p3', 'p5']],
    ['title ?~ "hello"', ['p1']],
    ['title ?!~ "hello"', ['p2', 'p3', 'p4', 'p5']],
    // null and "" are interchangeable (docs/api.md §4.5)
    ['title = ""', ['p3']],
    ['title = null', ['p3']],
    ['title = NULL', ['p3']],
    ['null = title', ['p3']],
    ['title != ""', ['p1', 'p2', 'p4', 'p5']],
    ['title != null', ['p1', 'p2', 'p4', 'p5']],
    ['owner = ""', ['p3']],
    ['owner != ""', ['p1', 'p2', 'p4', 'p5']],
    ['when = ""', ['p3', 'p5']],
    // bool
    ['flag = true', ['p1']],
    ['flag = false', ['p2', 'p3', 'p4', 'p5']],
    ['flag = TRUE', ['p1']],
    ['flag = False', ['p2', 'p3', 'p4', 'p5']],
    ['flag != true', ['p2', 'p3', 'p4', 'p5']],
    // `~` wraps in %…% and escapes; an unescaped % makes the value the pattern
    ['body ~ "a_b"', ['p3']],
    ['body ~ "k\\s"', ['p2']],
    ['body ~ "0\\%"', ['p1', 'p5']],
    ['body ~ "50%"', ['p1']],
    ['title ~ "Hello%"', ['p1']],
    ['title ~ "%World"', ['p1']],
    ['title ~ "World%"', []],
    ['title ~ "%"', ALL],
    ['title ~ "🌍"', ['p5']],
    ['title ~ "HéLLO"', ['p5']],
    ['title ~ title', ALL],
    // multi select: raw JSON text vs :each membership
    ['tags:each ?= "a"', ['p1', 'p5']],
    ['tags:each = "b"', ['p2']],
    ['tags:each != "c"', ['p1', 'p2', 'p3', 'p5']],
    ['tags ~ "\\""', ['p1', 'p2', 'p4', 'p5']],
    ['tags ~ "["', ALL],
    ['tags = \'["a","b"]\'', ['p1']],
    ['tags ?= "a"', []],
    ['tags = "[]"', ['p3']],
    ['tags:length = 0', ['p3']],
    ['tags:length > 1', ['p1']],
    ['tags:length = 1', ['p2', 'p4', 'p5']],
    ['status = "draft"', ['p2', 'p4']],
    // multi relation: any vs all, empty set (docs/api.md §4.6)
    ['authors.name ?= "x"', ['p1', 'p2', 'p5']],
    ['authors.name = "x"', ['p2']],
    ['authors.name != "x"', ['p3', 'p4']],
    ['authors.name ?!= "x"', ['p1', 'p3', 'p4', 'p5']],
    ['authors.name:lower = "x"', ['p2', 'p5']],
    ['authors.name ?~ "X"', ['p1', 'p2', 'p5']],
    ['authors:length = 2', ['p1', 'p5']],
    // back-relations
    ['fa_comments_via_post.text ?~ "great"', ['p1', 'p2']],
    ['fa_comments_via_post.text ~ "great"', ['p2']],
    ['fa_comments_via_post.k ?= "c2"', ['p1']],
    ['fa_comments_via_post.id = ""', ['p3', 'p4', 'p5']],
    // single relation and nested paths
    ['owner.name = "Alice"', ['p1', 'p4']],
    ['owner.name:lower = "bob"', ['p2', 'p5']],
    ['owner.role = "admin" && authors.name ?= "y"', ['p1', 'p4']],
    ['fa_comments_via_post.post.owner.name ?= "Alice"', ['p1']],
    ['owner.secret = "s1"', ['p1', 'p4']],
    // json paths
    ['meta.a.b = 1', ['p1']],
    ['meta.a.b > 1', ['p2', 'p4']],
    ['meta.arr.0.c = "z"', ['p1']],
    ['meta.nothing = null', ALL],
    ['meta = null', ['p3', 'p5']],
    // functions
    ['geoDistance(geo.lon, geo.lat, 23.32, 42.69) < 25', ['p1']],
    ['geoDistance(geo.lon, geo.lat, 23.32, 42.69) < 200', ['p1', 'p2']],
    ['strftime("%Y", when) = "2020"', ['p1']],
    ["strftime('%Y-%m', when) = '2024-06'", ['p4']],
    ['strftime("%Y", when) = ""', ['p3', 'p5']],
    ['strftime("%Y", when,) = "2020"', ['p1']],
    ['geoDistance(geo.lon, geo.lat, 23.32, 42.69,) < 25', ['p1']],
    // Rounding puts the cosine of identical points just past 1: still 0 km, never NULL or an error.
    ['geoDistance(geo.lon, geo.lat, geo.lon, geo.lat) = 0', ALL],
    ['geoDistance(0.1, 0.1, 0.1, 0.1) = 0', ALL],
    ["'' ~ geoDistance(title, title, 0.000, 0)", []],
    ['strftime("%Y-%m-%d", when, "+1 day") = "2020-01-02"', ['p1']],
    // datetime macros
    ['created > @yesterday', ALL],
    ['created < @yesterday', []],
    ['created >= @todayStart && created <= @todayEnd', ALL],
    ['created < @tomorrow', ALL],
    ['when < @now && when != ""', ['p1', 'p4']],
    ['when > @now', ['p2']],
    ['when >= @yearStart && when != ""', ['p2']],
    // comments, whitespace, precedence: && binds tighter than ||
    ['views = 10 // the first post\n || views = 20', ['p1', 'p2']],
    ['// only a comment line\nviews = 5', ['p4']],
    ['views\t=\r\n10', ['p1']],
    ['views = 10 || views = 20 && title = "nope"', ['p1']],
    ['views = 20 && title = "nope" || views = 10', ['p1']],
    ['(views = 10 || views = 20) && title = "nope"', []],
    ['views = 10 || (views = 20 && title = "a_b")', ['p1', 'p2']],
    ['((((views = 5))))', ['p4']],
    // literals on both sides, columns on both sides
    ['1 = 1', ALL],
    ['"a" = "b"', []],
    ['title = body', []],
    ['title ~ body', []],
    ['body ~ title', ['p3']],
    ['views = "10"', ['p1']],
    ['when > "2024"', ['p2', 'p4']],
    ['geo.lon > 24', ['p2']],
    ['geo.lat = 0', ['p3', 'p4', 'p5']],
    ['k = "p1" || k = "p3"', ['p1', 'p3']],
    // values are data, never SQL text
    [`title = "' OR 1=1 --"`, ['p4']],
    [`title = '\\' OR 1=1 --'`, ['p4']],
    ['title = "\\"; DROP TABLE fa_posts; --"', []],
    ['title ~ "\'"', ['p4']],
  ];

  it.each(cases)('%s', async (filter, expected) => {
    const r = await list('fa_posts', { filter }, admin);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.keys).toEqual(expected);
    expect(r.body.totalItems).toBe(expected.length);
  });

  it('binds a relation id compared to a literal', async () => {
    const r = await list('fa_posts', { filter: `authors.id ?= "${id.A2}"` }, admin);
    expect(r.keys).toEqual(['p1', 'p4']);
    const single = await list('fa_posts', { filter: `owner.id = "${id.U2}"` }, admin);
    expect(single.keys).toEqual(['p2', 'p5']);
  });

  it('keeps the table intact after SQL-looking values', async () => {
    const r = await list('fa_posts', {}, admin);
    expect(r.keys).toEqual(ALL);
  });

  it('filters back-relations and nested paths from the other side', async () => {
    expect((await list('fa_comments', { filter: 'post.owner.name = "Bob"' }, admin)).keys).toEqual(['c3']);
    expect((await list('fa_comments', { filter: 'post.authors.name ?= "y"' }, admin)).keys).toEqual(['c1', 'c2']);
  });
});

describe('sort', () => {
  const cases: Array<[string, string[] | number]> = [
    ['-views', ['p2', 'p1', 'p4', 'p3', 'p5']],
    ['views', ['p5', 'p3', 'p4', 'p1', 'p2']],
    ['+views', ['p5', 'p3', 'p4', 'p1', 'p2']],
    ['  views  ', ['p5', 'p3', 'p4', 'p1', 'p2']],
    ['-owner.name,k', ['p2', 'p5', 'p1', 'p4', 'p3']],
    ['tags:length,-views', ['p3', 'p2', 'p4', 'p5', 'p1']],
    ['meta.a.b', ['p3', 'p5', 'p1', 'p2', 'p4']],
    // Ties (p3, p5 have no meta.a.b) break by insertion order in the last term's direction.
    ['-meta.a.b', ['p4', 'p2', 'p1', 'p5', 'p3']],
    ['title:lower,k', ['p3', 'p4', 'p2', 'p1', 'p5']],
    ['@rowid', ['p1', 'p2', 'p3', 'p4', 'p5']],
    ['-@rowid', ['p5', 'p4', 'p3', 'p2', 'p1']],
    ['k', ['p1', 'p2', 'p3', 'p4', 'p5']],
    ['-k', ['p5', 'p4', 'p3', 'p2', 'p1']],
    ['@random', 5],
    ['authors.name', 5],
    ['-fa_comments_via_post.text', 5],
    [',,k,,', ['p1', 'p2', 'p3', 'p4', 'p5']],
  ];
  it.each(cases)('sort=%s', async (sort, expected) => {
    const r = await list('fa_posts', { sort }, admin);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    if (typeof expected === 'number') expect(r.keys.sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    else expect(r.keys).toEqual(expected);
  });

  it.each([
    'nope', 'views:unknown', '@request.auth.id', 'title.', '-', 'a b', 'views desc', 'k,k,k,k,k,k,k,k,k',
    'x'.repeat(256), '"title"', 'title;DROP TABLE fa_posts', 'meta.a-b', '@now', 'null',
  ])('rejects sort=%s with 400', async (sort) => {
    const r = await list('fa_posts', { sort }, admin);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 400, message: 'Something went wrong while processing your request.', data: {} });
  });

  it('a multi-valued sort path orders by the best value in the direction asked', async () => {
    // authors.name: p1 {x,y}, p2 {x}, p4 {y}, p5 {x,X}, p3 none. ASC by least value: NULL, X, x, x, y.
    const r = await list('fa_posts', { sort: 'authors.name,k' }, admin);
    expect(r.keys).toEqual(['p3', 'p5', 'p1', 'p2', 'p4']);
  });
});

describe('non-superuser restrictions (docs/api.md §3.1)', () => {
  it.each([
    ['secret = "hush"', 400],
    ['secret != ""', 400],
    ['owner.secret = "s1"', 400],
    ['locked.name = "x"', 400],
    ['fa_notes_via_post.text ?= "private"', 400],
    ['fa_notes_via_post.id != ""', 400],
    ['fa_comments_via_post.post.locked.name = "x"', 400],
    ['unknownfield = 1', 400],
    ['@request.auth.id != ""', 403],
    ['@collection.fa_authors.name ?= "x"', 403],
    ['title = "@request.method"', 403],
  ] as const)('guest filter %s → %d', async (filter, status) => {
    const g = await list('fa_posts', { filter });
    expect(g.status).toBe(status);
    const u = await list('fa_posts', { filter }, userToken);
    expect(u.status).toBe(status);
    if (status === 403) {
      expect(g.body.message).toBe(filter.includes('@collection.') ? 'Only superusers can filter by @collection.' : 'Only superusers can filter by @request.');
      expect(g.body.data).toEqual({});
    }
  });

  it('a single relation\'s id needs no join, so it stays filterable like the column itself', async () => {
    expect((await list('fa_posts', { filter: 'locked.id != ""' })).keys).toEqual(['p1']);
  });

  it('auth secrets are hidden fields: not filterable or sortable by non-superusers', async () => {
    for (const filter of ['password != ""', 'tokenKey != ""', 'secret = "s1"']) {
      expect((await list('fa_users', { filter })).status, filter).toBe(400);
      expect((await list('fa_users', { filter }, userToken)).status, filter).toBe(400);
      expect((await list('fa_users', { filter }, admin)).status, filter).toBe(200);
    }
    expect((await list('fa_users', { sort: 'tokenKey' })).status).toBe(400);
    expect((await list('fa_users', { filter: 'secret = "s1"' }, admin)).keys).toEqual(['Alice']);
  });

  it('superusers may use everything a guest may not', async () => {
    for (const filter of ['secret = "hush"', 'locked.name = "x"', '@request.auth.id != ""', '@collection.fa_authors.name ?= "x"', 'fa_notes_via_post.text ?= "private"']) {
      const r = await list('fa_posts', { filter }, admin);
      expect(r.status, filter).toBe(200);
    }
    expect((await list('fa_posts', { filter: 'secret = "hush"' }, admin)).keys).toEqual(['p1']);
    expect((await list('fa_posts', { filter: 'fa_notes_via_post.text ?= "private"' }, admin)).keys).toEqual(['p1']);
    expect((await list('fa_posts', { filter: '@collection.fa_authors.name ?= "X"' }, admin)).keys).toHaveLength(5);
  });

  it.each([
    ['secret', 400],
    ['owner.secret', 400],
    ['locked.name', 400],
    ['fa_notes_via_post.text', 400],
    ['@request.auth.id', 403],
    ['@collection.fa_authors.name', 403],
  ] as const)('guest sort %s → %d', async (sort, status) => {
    expect((await list('fa_posts', { sort })).status).toBe(status);
  });

  it('an auth email matches only rows whose owner made it visible', async () => {
    expect((await list('fa_users', { filter: 'email = "u1@example.com"' })).keys).toEqual(['Alice']);
    expect((await list('fa_users', { filter: 'email = "u2@example.com"' })).keys).toEqual([]);
    expect((await list('fa_users', { filter: 'email ~ "example.com"' })).keys).toEqual(['Alice']);
    expect((await list('fa_users', { filter: 'email = "u2@example.com"' }, admin)).keys).toEqual(['Bob']);
    // Through a relation too.
    expect((await list('fa_posts', { filter: 'owner.email = "u2@example.com"' })).keys).toEqual([]);
    expect((await list('fa_posts', { filter: 'owner.email = "u1@example.com"' })).keys).toEqual(['p1', 'p4']);
    expect((await list('fa_posts', { filter: 'owner.email = "u2@example.com"' }, admin)).keys).toEqual(['p2', 'p5']);
  });

  it('hidden auth emails sort as empty for non-superusers, so their order leaks nothing', async () => {
    expect((await list('fa_users', { sort: '-email' })).keys).toEqual(['Alice', 'Bob']);
    expect((await list('fa_users', { sort: '-email' }, admin)).keys).toEqual(['Bob', 'Alice']);
    expect((await list('fa_posts', { sort: '-owner.email,k' })).keys).toEqual(['p1', 'p4', 'p2', 'p3', 'p5']);
    expect((await list('fa_posts', { sort: '-owner.email,k' }, admin)).keys).toEqual(['p2', 'p5', 'p1', 'p4', 'p3']);
  });

  it('joined collections are limited by their listRule for non-superusers (docs/api.md §4.7)', async () => {
    // fa_authors.listRule = `name != "y"`: A2 is invisible to a guest's filter.
    expect((await list('fa_posts', { filter: 'authors.name ?= "y"' })).keys).toEqual([]);
    expect((await list('fa_posts', { filter: 'authors.name ?= "y"' }, admin)).keys).toEqual(['p1', 'p4']);
    expect((await list('fa_posts', { filter: 'authors.name ?= "x"' })).keys).toEqual(['p1', 'p2', 'p5']);
  });

  it('the guest list of a non-empty listRule only shows matching rows', async () => {
    expect((await list('fa_authors', {})).keys).toEqual(['x', 'X']);
    expect((await list('fa_authors', { filter: 'name = "y"' })).keys).toEqual([]);
    expect((await list('fa_authors', {}, admin)).keys).toEqual(['x', 'y', 'X']);
  });

  it('a locked listRule gives 403 to non-superusers', async () => {
    const r = await list('fa_locked', {});
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('Only superusers can perform this action.');
  });
});
