/**
 * The main flows through the official `pocketbase` npm SDK against a real listening
 * node (docs/api.md §2, §3, §5.1, §5.3, §5.7 as the SDK uses them): superuser sign-in and
 * refresh, the collections service, record CRUD with `pb.filter`, paging helpers,
 * modifiers, a regular user with owner rules, multipart bodies and error objects.
 */
import PocketBase, { ClientResponseError, getTokenPayload } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPERUSER, startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let admin: PocketBase;

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.admin();
});
afterAll(async () => { await s?.close(); });

/** The ClientResponseError a rejected SDK call throws (fails the test when the call succeeds). */
async function sdkError(call: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(ClientResponseError);
    return err as ClientResponseError;
  }
  throw new Error('expected the SDK call to fail');
}

/** A client that does not cancel concurrent requests (as in server-side use of the SDK). */
function client(): PocketBase {
  return s.client().autoCancellation(false);
}

/** Creates a public base collection `posts_*` with the fields the record flows use. */
async function createPosts(extra: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueName('posts');
  await admin.collections.create({
    name, type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'views', type: 'number' },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c', 'x'], maxSelect: 4 },
      { name: 'flag', type: 'bool' },
      { name: 'when', type: 'date' },
      { name: 'note', type: 'text' },
      { name: 'meta', type: 'json' },
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
    ],
    ...extra,
  });
  return name;
}

describe('superuser auth through the SDK', () => {
  it('authWithPassword fills the authStore with a superuser JWT', async () => {
    const pb = client();
    const auth = await pb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    expect(pb.authStore.isValid).toBe(true);
    expect(pb.authStore.isSuperuser).toBe(true);
    expect(pb.authStore.token).toBe(auth.token);
    expect(auth.record).toMatchObject({ collectionName: '_superusers', email: SUPERUSER.email });
    expect(auth.record).not.toHaveProperty('password');
    expect(auth.record).not.toHaveProperty('tokenKey');
    expect(auth).not.toHaveProperty('meta');

    const [header] = auth.token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = getTokenPayload(auth.token);
    expect(Object.keys(claims).sort()).toEqual(['collectionId', 'exp', 'id', 'refreshable', 'type']);
    expect(claims).toMatchObject({ id: auth.record.id, type: 'auth', collectionId: auth.record.collectionId, refreshable: true });
    expect(auth.record.collectionId).toBe('pbc_3142635823');
    const lifetime = claims.exp - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(86400 - 120);
    expect(lifetime).toBeLessThanOrEqual(86400 + 1);
  });

  it('authRefresh returns a valid token for the same record and saves it', async () => {
    const pb = client();
    await pb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    const saved: string[] = [];
    pb.authStore.onChange((token) => saved.push(token));
    const refreshed = await pb.collection('_superusers').authRefresh();
    expect(saved).toEqual([refreshed.token]);
    expect(pb.authStore.token).toBe(refreshed.token);
    expect(pb.authStore.isSuperuser).toBe(true);
    expect(getTokenPayload(refreshed.token)).toMatchObject({ type: 'auth', id: refreshed.record.id, refreshable: true });
    expect(refreshed.record.email).toBe(SUPERUSER.email);
    // The refreshed token itself works.
    const list = await pb.collections.getList(1, 1);
    expect(list.totalItems).toBeGreaterThan(0);
  });

  it('refuses a wrong password and an unknown identity with the same 400', async () => {
    for (const [identity, password] of [[SUPERUSER.email, 'wrong-password'], ['nobody@example.com', SUPERUSER.password]]) {
      const pb = client();
      const err = await sdkError(pb.collection('_superusers').authWithPassword(identity!, password!));
      expect(err.status).toBe(400);
      expect(err.message).toBe('Failed to authenticate.');
      expect(err.response).toEqual({ status: 400, message: 'Failed to authenticate.', data: {} });
      expect(pb.authStore.isValid).toBe(false);
      expect(pb.authStore.token).toBe('');
    }
  });

  it('authRefresh without a token is a 401', async () => {
    const err = await sdkError(client().collection('_superusers').authRefresh());
    expect(err.status).toBe(401);
    expect(err.response.message).toBe('The request requires valid record authorization token.');
  });

  it('autoRefreshThreshold makes the SDK refresh an expiring token before the next request', async () => {
    const pb = client();
    // A threshold longer than the token's lifetime makes every later request refresh first.
    await pb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password, { autoRefreshThreshold: 2 * 86400 });
    const changes: string[] = [];
    pb.authStore.onChange((token) => changes.push(token));
    await pb.collections.getList(1, 1);
    expect(changes.length).toBe(1);
    expect(pb.authStore.isSuperuser).toBe(true);
    expect(pb.authStore.isValid).toBe(true);
  });

  it('authStore.onChange fires immediately on request and on clear', async () => {
    const pb = client();
    const seen: Array<[string, string | undefined]> = [];
    const off = pb.authStore.onChange((token, record) => seen.push([token, record?.id]), true);
    expect(seen).toEqual([['', undefined]]);
    const auth = await pb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    expect(seen[1]).toEqual([auth.token, auth.record.id]);
    pb.authStore.clear();
    expect(seen[2]).toEqual(['', undefined]);
    off();
    pb.authStore.save('x', null);
    expect(seen).toHaveLength(3);
  });
});

describe('collections service through the SDK', () => {
  it('create, getOne, getList, getFullList, getFirstListItem, update, truncate, delete', async () => {
    const name = uniqueName('sdkcol');
    const created = await admin.collections.create({ name, listRule: '', fields: [{ name: 'title', type: 'text' }] });
    expect(created).toMatchObject({ name, type: 'base', system: false, listRule: '', viewRule: null });
    expect(created.id).toMatch(/^pbc_\d+$/);
    expect(created.fields.map((f: any) => f.name)).toEqual(['id', 'title']);

    expect((await admin.collections.getOne(name)).id).toBe(created.id);
    expect((await admin.collections.getOne(created.id)).name).toBe(name);

    const page = await admin.collections.getList(1, 2, { filter: admin.filter('name = {:name}', { name }) });
    expect(page).toMatchObject({ page: 1, perPage: 2, totalItems: 1, totalPages: 1 });
    expect(page.items[0].id).toBe(created.id);

    const all = await admin.collections.getFullList({ sort: 'name' });
    const names = all.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['_superusers', 'users', name]));
    expect([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(names);
    const small = await admin.collections.getFullList({ batch: 2 });
    expect(small.map((c) => c.id).sort()).toEqual(all.map((c) => c.id).sort());

    expect((await admin.collections.getFirstListItem(admin.filter('id = {:id}', { id: created.id }))).name).toBe(name);
    expect((await sdkError(admin.collections.getFirstListItem('name = "no_such_collection"'))).status).toBe(404);

    const updated = await admin.collections.update(name, {
      viewRule: '',
      fields: [...created.fields, { name: 'views', type: 'number' }],
    });
    expect(updated).toMatchObject({ listRule: '', viewRule: '' });
    expect(updated.fields.map((f: any) => f.name)).toEqual(['id', 'title', 'views']);

    const rec = await admin.collection(name).create({ title: 'one', views: 2 });
    expect(rec).toMatchObject({ title: 'one', views: 2, collectionName: name });
    expect(await admin.collections.truncate(name)).toBe(true);
    expect((await admin.collection(name).getList()).totalItems).toBe(0);

    expect(await admin.collections.delete(name)).toBe(true);
    const gone = await sdkError(admin.collections.getOne(name));
    expect(gone.status).toBe(404);
  });

  it('import creates and updates collections; a bad import is a 400 that changes nothing', async () => {
    const a = uniqueName('imp_a');
    const b = uniqueName('imp_b');
    expect(await admin.collections.import([
      { name: a, type: 'base', fields: [{ name: 'title', type: 'text' }] },
      { name: b, type: 'base', fields: [{ name: 'n', type: 'number' }] },
    ] as any, false)).toBe(true);
    const ca = await admin.collections.getOne(a);
    expect(ca.fields.map((f: any) => f.name)).toEqual(['id', 'title']);
    await admin.collections.import([{ ...ca, listRule: '' }] as any, false);
    expect((await admin.collections.getOne(a)).listRule).toBe('');
    expect((await admin.collections.getOne(b)).name).toBe(b);

    const bad = await sdkError(admin.collections.import([{ name: uniqueName('imp_c'), type: 'base', fields: [{ name: 'x', type: 'nope' }] }] as any));
    expect(bad.status).toBe(400);
    expect(bad.response.message).toBe('Failed to import collections.');
  });

  it('getScaffolds returns blank base, auth and view collections', async () => {
    const scaffolds = await admin.collections.getScaffolds();
    expect(Object.keys(scaffolds).sort()).toEqual(['auth', 'base', 'view']);
    expect(scaffolds.base).toMatchObject({ id: '', name: '', type: 'base' });
    expect(scaffolds.auth).toMatchObject({ id: '', type: 'auth' });
    expect(scaffolds.view).toMatchObject({ id: '', type: 'view' });
    expect(scaffolds.auth.fields.map((f: any) => f.name)).toEqual(expect.arrayContaining(['id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified']));
  });

  it('refuses non-superusers with 401 and 403', async () => {
    expect((await sdkError(client().collections.getList())).status).toBe(401);
    const email = `${uniqueName('u')}@example.com`;
    const pb = client();
    await pb.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });
    await pb.collection('users').authWithPassword(email, 'password123');
    const err = await sdkError(pb.collections.getList());
    expect(err.status).toBe(403);
  });
});

describe('records through the SDK', () => {
  it('create, getOne, getList with pb.filter/sort/fields/skipTotal, getFirstListItem, delete', async () => {
    const name = await createPosts();
    const pb = client();
    const col = pb.collection(name);
    const made = [];
    for (let i = 1; i <= 12; i++) made.push(await col.create({ title: `post ${i}`, views: i, tags: i % 2 ? ['a'] : ['b'] }));
    expect(made[0]).toMatchObject({ collectionName: name, title: 'post 1', views: 1, tags: ['a'], flag: false, note: '', meta: null });
    expect(made[0].id).toMatch(/^[a-z0-9]{15}$/);
    expect(made[0].created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);

    expect(await col.getOne(made[3].id)).toEqual(made[3]);

    const filtered = await col.getList(1, 3, { filter: pb.filter('title ~ {:t} && views > {:v}', { t: 'post', v: 4 }), sort: '-views' });
    expect(filtered).toMatchObject({ page: 1, perPage: 3, totalItems: 8, totalPages: 3 });
    expect(filtered.items.map((r) => r.views)).toEqual([12, 11, 10]);

    const page2 = await col.getList(2, 5, { sort: 'views', skipTotal: true });
    expect(page2).toMatchObject({ page: 2, perPage: 5, totalItems: -1, totalPages: -1 });
    expect(page2.items.map((r) => r.views)).toEqual([6, 7, 8, 9, 10]);

    const picked = await col.getList(1, 2, { fields: 'id,title', sort: 'views' });
    expect(picked.items).toEqual([{ id: made[0].id, title: 'post 1' }, { id: made[1].id, title: 'post 2' }]);
    expect(picked.totalItems).toBe(12);

    const eq = await col.getList(1, 30, { filter: pb.filter('title = {:t} && views > {:v}', { t: 'post 7', v: 6 }) });
    expect(eq.items.map((r) => r.id)).toEqual([made[6].id]);

    expect((await col.getFirstListItem(pb.filter('tags:each ?= {:tag}', { tag: 'b' }), { sort: '-views' })).views).toBe(12);
    const none = await sdkError(col.getFirstListItem(pb.filter('views > {:v}', { v: 100 })));
    expect(none.status).toBe(404);

    expect(await col.delete(made[0].id)).toBe(true);
    const missing = await sdkError(col.getOne(made[0].id));
    expect(missing.status).toBe(404);
    expect(missing.response).toEqual({ status: 404, message: "The requested resource wasn't found.", data: {} });
    expect((await sdkError(col.delete(made[0].id))).status).toBe(404);
  });

  it.each([
    ['an exact multiple of the batch', 20, 5],
    ['a partial last page', 23, 5],
    ['the default batch', 7, undefined],
  ])('getFullList pages through all records (%s)', async (_name, count, batch) => {
    const name = await createPosts();
    const col = admin.collection(name);
    for (let i = 0; i < count; i++) await col.create({ title: `t${i}`, views: i + 1 });
    const all = await col.getFullList(batch === undefined ? { sort: 'views' } : { batch, sort: 'views' });
    expect(all.map((r) => r.views)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    // Without a sort the order is insertion order (docs/api.md §1.7).
    const unsorted = await col.getFullList(batch === undefined ? {} : { batch });
    expect(unsorted.map((r) => r.title)).toEqual(Array.from({ length: count }, (_, i) => `t${i}`));
  });

  it('update applies number and select modifiers and keeps unsent fields', async () => {
    const name = await createPosts();
    const col = client().collection(name);
    const rec = await col.create({ title: 'mod', views: 5, tags: ['a'] });
    const after = await col.update(rec.id, { 'views+': 1, 'tags+': 'x' });
    expect(after).toMatchObject({ title: 'mod', views: 6, tags: ['a', 'x'] });
    const again = await col.update(rec.id, { 'views-': 10, '+tags': 'c', 'tags-': 'a' });
    expect(again).toMatchObject({ views: -4, tags: ['c', 'x'] });
    expect(await col.getOne(rec.id)).toEqual(again);
  });

  it('expand resolves a relation field through the SDK', async () => {
    const authors = uniqueName('authors');
    const a = await admin.collections.create({ name: authors, listRule: '', viewRule: '', fields: [{ name: 'name', type: 'text' }] });
    const books = uniqueName('books');
    await admin.collections.create({
      name: books, listRule: '', viewRule: '', createRule: '',
      fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collectionId: a.id, maxSelect: 1 }],
    });
    const pb = client();
    const author = await admin.collection(authors).create({ name: 'Ann' });
    const book = await pb.collection(books).create({ title: 'B', author: author.id }, { expand: 'author' });
    expect(book.expand?.author).toMatchObject({ id: author.id, name: 'Ann' });
    const listed = await pb.collection(books).getList(1, 10, { expand: 'author', fields: 'title,expand.author.name' });
    expect(listed.items).toEqual([{ title: 'B', expand: { author: { name: 'Ann' } } }]);
    const viewed = await pb.collection(books).getOne(book.id, { expand: 'author' });
    expect(viewed.expand?.author.id).toBe(author.id);
    expect((await pb.collection(books).getOne(book.id)).expand).toBeUndefined();
  });
});

describe('pb.filter values round-trip', () => {
  const titles = [
    'plain',
    'it\'s "quoted"',
    "a'b\"c",
    '""',
    "''",
    'ünïcödé ✓ 漢字 🚀',
    'percent % and _underscore_',
    '{:t}',
    '(parens) && || != ~ // not a comment',
  ];

  it.each(titles.map((t) => [JSON.stringify(t), t]))('title = {:t} finds %s', async (_label, title) => {
    const name = await createPosts();
    const col = client().collection(name);
    const rec = await col.create({ title });
    await col.create({ title: `${title} other` });
    expect(rec.title).toBe(title);
    const found = await col.getList(1, 10, { filter: admin.filter('title = {:t}', { t: title }) });
    expect(found.items.map((r) => r.id)).toEqual([rec.id]);
    const notEq = await col.getList(1, 10, { filter: admin.filter('title != {:t}', { t: title }) });
    expect(notEq.items.map((r) => r.title)).toEqual([`${title} other`]);
    const like = await col.getList(1, 10, { filter: admin.filter('title ~ {:t}', { t: title }), sort: 'created' });
    // An unescaped % makes the value the LIKE pattern itself (docs/api.md §4.5), so it does not match "… other".
    const expected = title.includes('%') ? [title] : [title, `${title} other`];
    expect(like.items.map((r) => r.title)).toEqual(expected);
  });

  // Like PocketBase's fexpr 0.6, quoted filter text decodes the escapes pb.filter()'s JSON
  // writes (\\, \n, \t, …; docs/api.md §4.1): a value with a backslash or a control character
  // matches the record that holds it, and not the one holding its escaped spelling.
  it.each([
    ['a backslash', 'back\\slash', 'back\\\\slash'],
    ['a newline and a tab', 'line\nbreak\ttab', 'line\\nbreak\\ttab'],
    ['a trailing backslash', 'ends\\', 'ends\\\\'],
  ])('pb.filter with %s matches the record that holds the value, as in PocketBase', async (_label, value, escaped) => {
    const name = await createPosts();
    const col = client().collection(name);
    const holder = await col.create({ title: value });
    await col.create({ title: escaped });
    const found = await col.getList(1, 10, { filter: admin.filter('title = {:t}', { t: value }) });
    expect(found.items.map((r) => r.id)).toEqual([holder.id]);
  });

  it('dates, null, booleans and numbers', async () => {
    const name = await createPosts();
    const col = client().collection(name);
    const early = await col.create({ title: 'early', when: '2020-01-01 10:00:00.000Z', flag: true, views: 1.5 });
    const late = await col.create({ title: 'late', when: '2030-06-01 00:00:00.000Z', note: 'n', views: -2 });
    const undated = await col.create({ title: 'undated' });
    expect(early.when).toBe('2020-01-01 10:00:00.000Z');

    const ids = async (expr: string, params: Record<string, unknown>) =>
      (await col.getList(1, 10, { filter: admin.filter(expr, params), sort: 'title' })).items.map((r) => r.title);

    expect(await ids('when > {:d}', { d: new Date('2025-01-01T00:00:00Z') })).toEqual(['late']);
    expect(await ids('when < {:d} && when != ""', { d: new Date() })).toEqual(['early']);
    expect(await ids('when = {:d}', { d: new Date('2020-01-01T10:00:00.000Z') })).toEqual(['early']);
    expect(await ids('when = {:n}', { n: null })).toEqual(['undated']);
    expect(await ids('note != {:n}', { n: null })).toEqual(['late']);
    expect(await ids('flag = {:b}', { b: true })).toEqual(['early']);
    expect(await ids('flag = {:b}', { b: false })).toEqual(['late', 'undated']);
    expect(await ids('views >= {:a} && views <= {:b}', { a: -2, b: 1.5 })).toEqual(['early', 'late', 'undated']);
    expect(await ids('views >= {:a} && views < {:b}', { a: 1, b: 1.6 })).toEqual(['early']);
    expect(await ids('views < {:z}', { z: 0 })).toEqual(['late']);
    expect(await ids('id = {:id} || id = {:id2}', { id: late.id, id2: undated.id })).toEqual(['late', 'undated']);
  });

  it('an invalid filter is a 400 with empty data', async () => {
    const name = await createPosts();
    const err = await sdkError(client().collection(name).getList(1, 10, { filter: 'title = ' }));
    expect(err.status).toBe(400);
    expect(err.response.data).toEqual({});
    const unknown = await sdkError(client().collection(name).getList(1, 10, { filter: admin.filter('nope = {:x}', { x: 1 }) }));
    expect(unknown.status).toBe(400);
  });
});

describe('a regular user through the SDK', () => {
  it('signs up, signs in, owns records, updates and deletes itself', async () => {
    const notes = uniqueName('notes');
    const owned = '@request.auth.id != "" && owner = @request.auth.id';
    await admin.collections.create({
      name: notes, listRule: owned, viewRule: owned, createRule: owned, updateRule: owned, deleteRule: owned,
      fields: [{ name: 'text', type: 'text' }, { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 }],
    });

    const email = `${uniqueName('alice')}@example.com`;
    const pb = client();
    const signup = await pb.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123', name: 'Alice' });
    expect(signup).toMatchObject({ collectionName: 'users', name: 'Alice', verified: false });
    expect(signup).not.toHaveProperty('password');
    expect(pb.authStore.isValid).toBe(false);

    const auth = await pb.collection('users').authWithPassword(email, 'password123');
    expect(pb.authStore.isValid).toBe(true);
    expect(pb.authStore.isSuperuser).toBe(false);
    expect(pb.authStore.record).toMatchObject({ id: signup.id, email, collectionName: 'users' });
    expect(getTokenPayload(auth.token)).toMatchObject({ id: signup.id, type: 'auth', collectionId: '_pb_users_auth_', refreshable: true });

    const mine = await pb.collection(notes).create({ text: 'mine', owner: signup.id });
    const bobEmail = `${uniqueName('bob')}@example.com`;
    const bob = client();
    const bobRec = await bob.collection('users').create({ email: bobEmail, password: 'password123', passwordConfirm: 'password123' });
    await bob.collection('users').authWithPassword(bobEmail, 'password123');
    const theirs = await bob.collection(notes).create({ text: 'theirs', owner: bobRec.id });

    // createRule not satisfied: 400 with empty data.
    const forged = await sdkError(pb.collection(notes).create({ text: 'forged', owner: bobRec.id }));
    expect(forged.status).toBe(400);
    expect(forged.response).toEqual({ status: 400, message: 'Failed to create record.', data: {} });

    expect((await pb.collection(notes).getFullList()).map((r) => r.id)).toEqual([mine.id]);
    expect((await sdkError(pb.collection(notes).getOne(theirs.id))).status).toBe(404);
    expect((await sdkError(pb.collection(notes).update(theirs.id, { text: 'x' }))).status).toBe(404);
    expect((await sdkError(pb.collection(notes).delete(theirs.id))).status).toBe(404);
    expect((await pb.collection(notes).update(mine.id, { text: 'edited' })).text).toBe('edited');
    // A guest sees nothing and cannot view.
    expect((await client().collection(notes).getList()).items).toEqual([]);
    expect((await sdkError(client().collection(notes).getOne(mine.id))).status).toBe(404);
    // The users collection: a user sees only itself.
    expect((await pb.collection('users').getFullList()).map((r) => r.id)).toEqual([signup.id]);
    expect((await sdkError(pb.collection('users').getOne(bobRec.id))).status).toBe(404);

    const updated = await pb.collection('users').update(signup.id, { name: 'Alice B' });
    expect(updated.name).toBe('Alice B');
    expect(pb.authStore.record?.name).toBe('Alice B');
    expect(pb.authStore.record?.email).toBe(email);

    const refreshed = await pb.collection('users').authRefresh();
    expect(refreshed.record).toMatchObject({ id: signup.id, name: 'Alice B', email });

    // Deleting a record the user does not own is refused and leaves the authStore alone.
    expect((await sdkError(pb.collection('users').delete(bobRec.id))).status).toBe(404);
    expect(pb.authStore.isValid).toBe(true);

    await pb.collection(notes).delete(mine.id);
    expect(await pb.collection('users').delete(signup.id)).toBe(true);
    expect(pb.authStore.token).toBe('');
    expect(pb.authStore.record).toBeNull();
    const relogin = await sdkError(client().collection('users').authWithPassword(email, 'password123'));
    expect(relogin.status).toBe(400);
  });

  it('a password change through update rotates the token: the old one stops working', async () => {
    const email = `${uniqueName('carol')}@example.com`;
    const pb = client();
    const rec = await pb.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });
    await pb.collection('users').authWithPassword(email, 'password123');
    const oldToken = pb.authStore.token;
    const missing = await sdkError(pb.collection('users').update(rec.id, { password: 'password456', passwordConfirm: 'password456' }));
    expect(missing.status).toBe(400);
    expect(missing.response.data.oldPassword.code).toBe('validation_required');
    await pb.collection('users').update(rec.id, { password: 'password456', passwordConfirm: 'password456', oldPassword: 'password123' });
    const stale = new PocketBase(s.url);
    stale.authStore.save(oldToken, null);
    expect((await sdkError(stale.collection('users').getOne(rec.id))).status).toBe(404);
    expect((await sdkError(stale.collection('users').authRefresh())).status).toBe(401);
    await pb.collection('users').authWithPassword(email, 'password456');
    expect((await pb.collection('users').getOne(rec.id)).id).toBe(rec.id);
  });
});

describe('smaller SDK services', () => {
  it('health.check, listAuthMethods and listExternalAuths', async () => {
    expect(await client().health.check()).toMatchObject({ code: 200, message: 'API is healthy.' });
    const methods = await client().collection('users').listAuthMethods();
    expect(methods.password).toEqual({ enabled: true, identityFields: ['email'] });
    expect(methods.oauth2.enabled).toBe(false);
    expect(methods.otp.enabled).toBe(false);
    expect(methods.mfa.enabled).toBe(false);
    expect((await sdkError(client().collection('no_such_auth').listAuthMethods())).status).toBe(404);

    const email = `${uniqueName('erin')}@example.com`;
    const pb = client();
    const user = await pb.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });
    await pb.collection('users').authWithPassword(email, 'password123');
    expect(await pb.collection('users').listExternalAuths(user.id)).toEqual([]);
  });

  it('authWithPassword honours fields and expand options', async () => {
    const pb = client();
    const auth = await pb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password, { fields: 'token,record.id,record.email' });
    expect(Object.keys(auth).sort()).toEqual(['record', 'token']);
    expect(auth.record).toEqual({ id: expect.any(String), email: SUPERUSER.email });
    expect(pb.authStore.isValid).toBe(true);
  });

  it('SDK-only options ($autoCancel, requestKey) are not mistaken for list params', async () => {
    const name = await createPosts();
    await admin.collection(name).create({ title: 'one' });
    const pb = s.client();
    const list = await pb.collection(name).getList(1, 5, { $autoCancel: false, requestKey: 'k', filter: 'title = "one"' });
    expect(list.items.map((r) => r.title)).toEqual(['one']);
    // The default client cancels a duplicate pending request: the first call aborts, the second answers.
    const [first, second] = await Promise.allSettled([pb.collection(name).getList(1, 5), pb.collection(name).getList(1, 5)]);
    expect(first.status).toBe('rejected');
    expect((first as PromiseRejectedResult).reason.isAbort).toBe(true);
    expect(second.status).toBe('fulfilled');
  });

  it('superusers manage other superusers through the records API', async () => {
    const email = `${uniqueName('root')}@example.com`;
    const created = await admin.collection('_superusers').create({ email, password: 'password123', passwordConfirm: 'password123' });
    expect(created).toMatchObject({ email, collectionName: '_superusers' });
    const pb = client();
    await pb.collection('_superusers').authWithPassword(email, 'password123');
    expect(pb.authStore.isSuperuser).toBe(true);
    expect(await admin.collection('_superusers').delete(created.id)).toBe(true);
    expect((await sdkError(pb.collection('_superusers').authRefresh())).status).toBe(401);
  });
});

describe('impersonate through the SDK', () => {
  it('gives a superuser a non-refreshable token for a user, and refuses others', async () => {
    const email = `${uniqueName('dave')}@example.com`;
    const user = await client().collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });

    const as = await admin.collection('users').impersonate(user.id, 600);
    expect(as.authStore.record).toMatchObject({ id: user.id, email, collectionName: 'users' });
    expect(as.authStore.isSuperuser).toBe(false);
    const claims = getTokenPayload(as.authStore.token);
    expect(claims).toMatchObject({ id: user.id, type: 'auth', collectionId: '_pb_users_auth_', refreshable: false });
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(600 - 60);
    expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(601);
    // The impersonated token acts as the user; refreshing a non-refreshable token returns it unchanged.
    expect((await as.collection('users').getOne(user.id)).id).toBe(user.id);
    const token = as.authStore.token;
    expect((await as.collection('users').authRefresh()).token).toBe(token);

    const byDefault = await admin.collection('users').impersonate(user.id, 0);
    const lifetime = getTokenPayload(byDefault.authStore.token).exp - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(432000 - 120);

    expect((await sdkError(admin.collection('users').impersonate('missingrecord12', 60))).status).toBe(404);
    const negative = await sdkError(admin.collection('users').impersonate(user.id, -1));
    expect(negative.status).toBe(400);
    expect(negative.response.data.duration.code).toBe('validation_min_greater_equal_than_required');

    const userClient = client();
    await userClient.collection('users').authWithPassword(email, 'password123');
    const forbidden = await sdkError(userClient.collection('users').impersonate(user.id, 60));
    expect(forbidden.status).toBe(403);
    expect(forbidden.response.message).toBe('The authorized record is not allowed to perform this action.');
    expect((await sdkError(client().collection('users').impersonate(user.id, 60))).status).toBe(401);
  });
});

describe('multipart bodies through the SDK', () => {
  it('a FormData body is inferred like PocketBase and @jsonPayload is merged without inference', async () => {
    const name = await createPosts();
    const form = new FormData();
    form.append('title', '012');
    form.append('views', '12');
    form.append('flag', 'true');
    form.append('tags', 'a');
    form.append('tags', 'b');
    form.append('note', '1.0');
    form.append('@jsonPayload', JSON.stringify({ meta: { list: [1, '2', { deep: true }] } }));
    const rec = await client().collection(name).create(form);
    expect(rec).toMatchObject({ title: '012', views: 12, flag: true, tags: ['a', 'b'], note: '1.0', meta: { list: [1, '2', { deep: true }] } });

    const upd = new FormData();
    upd.append('views+', '3');
    upd.append('@jsonPayload', JSON.stringify({ note: 'true' }));
    const after = await client().collection(name).update(rec.id, upd);
    expect(after).toMatchObject({ views: 15, note: 'true', title: '012' });
  });

  it('an object body with a Blob is sent as multipart with @jsonPayload for its objects', async () => {
    const name = await createPosts();
    // The Blob forces the SDK to serialise the body as multipart; `ignored` is no field of the collection.
    const rec = await client().collection(name).create({
      title: 'multi', views: 7, flag: true,
      tags: ['a', 'c'],
      meta: { nested: { arr: [1, 2, { x: 'y' }] }, n: null },
      ignored: new Blob(['hello'], { type: 'text/plain' }),
    });
    expect(rec).toMatchObject({ title: 'multi', views: 7, flag: true, tags: ['a', 'c'], meta: { nested: { arr: [1, 2, { x: 'y' }] }, n: null } });
    expect(rec).not.toHaveProperty('ignored');
  });
});

describe('SDK error objects', () => {
  it('validation errors are readable as err.response.data.<field>.code', async () => {
    const name = await createPosts({ fields: [
      { name: 'title', type: 'text', required: true, min: 3 },
      { name: 'views', type: 'number', max: 10 },
      { name: 'tags', type: 'select', values: ['a'], maxSelect: 1 },
    ] });
    const col = client().collection(name);
    const blank = await sdkError(col.create({}));
    expect(blank.status).toBe(400);
    expect(blank.response.message).toBe('Failed to create record.');
    expect(blank.response.data.title).toEqual({ code: 'validation_required', message: 'Cannot be blank.' });

    const bad = await sdkError(col.create({ title: 'ab', views: 11, tags: 'zz' }));
    expect(bad.response.data.title).toEqual({ code: 'validation_min_text_constraint', message: 'Must be at least 3 character(s).', params: { min: 3 } });
    expect(bad.response.data.views.code).toBe('validation_max_number_constraint');
    expect(bad.response.data.tags.code).toBe('validation_invalid_value');
    expect((await col.getList()).totalItems).toBe(0);

    const ok = await col.create({ title: 'abc' });
    const upd = await sdkError(col.update(ok.id, { title: '' }));
    expect(upd.response.message).toBe('Failed to update record.');
    expect(upd.response.data.title.code).toBe('validation_required');
  });

  it('404 for unknown collections and records, 403 for locked rules', async () => {
    const missing = await sdkError(client().collection('no_such_collection').getList());
    expect(missing.status).toBe(404);
    expect(missing.response.message).toBe('Missing collection context.');

    const name = uniqueName('locked');
    await admin.collections.create({ name, fields: [{ name: 'title', type: 'text' }] });
    const rec = await admin.collection(name).create({ title: 'secret' });
    const calls: Array<() => Promise<unknown>> = [
      () => client().collection(name).getList(),
      () => client().collection(name).getOne(rec.id),
      () => client().collection(name).getOne('doesnotexist123'),
      () => client().collection(name).create({ title: 'x' }),
      () => client().collection(name).update(rec.id, { title: 'x' }),
      () => client().collection(name).delete(rec.id),
    ];
    for (const call of calls) {
      const err = await sdkError(call());
      expect(err.status).toBe(403);
      expect(err.response).toEqual({ status: 403, message: 'Only superusers can perform this action.', data: {} });
    }
    expect((await admin.collection(name).getOne(rec.id)).title).toBe('secret');
  });
});
