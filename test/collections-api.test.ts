/**
 * Collections API (docs/api.md §2): access, list/view, meta, delete and truncate,
 * as scenario tables at the HTTP boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName, userToken } from './helpers/collections.js';

let s: TestServer;
let admin: string;
let user: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  user = await userToken(s);
});
afterAll(async () => { await s?.close(); });

async function create(body: Record<string, unknown>) {
  const res = await s.request('POST', '/api/collections', { token: admin, body });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe('access (docs/api.md §2: superusers only)', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/collections'],
    ['GET', '/api/collections/users'],
    ['POST', '/api/collections', { name: 'nope_by_guest' }],
    ['PATCH', '/api/collections/users', { listRule: '' }],
    ['DELETE', '/api/collections/users'],
    ['DELETE', '/api/collections/users/truncate'],
    ['PUT', '/api/collections/import', { collections: [{ name: 'nope_import' }] }],
    ['GET', '/api/collections/meta/scaffolds'],
    ['GET', '/api/collections/meta/oauth2-providers'],
    ['POST', '/api/collections/meta/dry-run-view', { query: 'SELECT id FROM users' }],
  ];

  it.each(routes)('%s %s without a token → 401', async (method, path, body) => {
    const res = await s.request(method, path, { body });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ status: 401, message: 'The request requires valid record authorization token.', data: {} });
  });

  it.each(routes)('%s %s with a garbage token → 401', async (method, path, body) => {
    const res = await s.request(method, path, { body, token: 'not-a-jwt' });
    expect(res.status).toBe(401);
  });

  it.each(routes)('%s %s as a users record → 403', async (method, path, body) => {
    const res = await s.request(method, path, { body, token: user });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ status: 403, message: 'The authorized record is not allowed to perform this action.', data: {} });
  });

  it('nothing was changed by the refused requests', async () => {
    const users = await s.request('GET', '/api/collections/users', { token: admin });
    expect(users.status).toBe(200);
    expect(users.body.listRule).toBe('id = @request.auth.id');
    for (const name of ['nope_by_guest', 'nope_import']) {
      expect((await s.request('GET', `/api/collections/${name}`, { token: admin })).status).toBe(404);
    }
  });
});

describe('list (docs/api.md §2, §1.7)', () => {
  let prefix: string;
  beforeAll(async () => {
    prefix = uniqueName('lst');
    await create({ name: `${prefix}_a`, type: 'base', fields: [{ name: 'title', type: 'text' }] });
    await create({ name: `${prefix}_b`, type: 'auth' });
    await create({ name: `${prefix}_c`, type: 'base' });
  });

  const q = (params: Record<string, string>) => '/api/collections?' + new URLSearchParams(params).toString();

  it('lists with pagination keys and collection JSON items', async () => {
    const res = await s.request('GET', q({ perPage: '2' }), { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, perPage: 2 });
    expect(res.body.items).toHaveLength(2);
    expect(res.body.totalItems).toBeGreaterThanOrEqual(9);
    expect(res.body.totalPages).toBe(Math.ceil(res.body.totalItems / 2));
    for (const c of res.body.items) expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'name', 'type', 'system', 'fields', 'indexes', 'created', 'updated', 'listRule']));
  });

  it.each([
    ['filter on name', { filter: `name ~ '${'PREFIX'}'`, sort: 'name' }, ['_a', '_b', '_c']],
    ['sort -name', { filter: `name ~ 'PREFIX'`, sort: '-name' }, ['_c', '_b', '_a']],
    ['filter on type', { filter: `name ~ 'PREFIX' && type = 'auth'` }, ['_b']],
    ['filter on system', { filter: `name ~ 'PREFIX' && system = false`, sort: 'created,name' }, ['_a', '_b', '_c']],
    ['filter on id', { filter: `id != '' && name ~ 'PREFIX' && type != 'auth'`, sort: '-created,name' }, null],
    ['filter on created/updated', { filter: `name ~ 'PREFIX' && created != '' && updated >= created`, sort: 'updated' }, null],
    ['page 2 of 2-per-page', { filter: `name ~ 'PREFIX'`, sort: 'name', perPage: '2', page: '2' }, ['_c']],
  ])('%s', async (_label, params, expected) => {
    const withPrefix = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.replaceAll('PREFIX', prefix)]));
    const res = await s.request('GET', q(withPrefix), { token: admin });
    expect(res.status, res.text).toBe(200);
    const names = res.body.items.map((c: { name: string }) => c.name.slice(prefix.length));
    if (expected) expect(names).toEqual(expected);
    else expect(names.length).toBeGreaterThan(0);
  });

  it('skipTotal gives -1 totals', async () => {
    const res = await s.request('GET', q({ skipTotal: 'true', filter: `name ~ '${prefix}'` }), { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalItems: -1, totalPages: -1 });
    expect(res.body.items).toHaveLength(3);
  });

  it('perPage is capped at 1000 and ≤0 falls back to 30', async () => {
    expect((await s.request('GET', q({ perPage: '5000' }), { token: admin })).body.perPage).toBe(1000);
    expect((await s.request('GET', q({ perPage: '0', page: '-3' }), { token: admin })).body).toMatchObject({ perPage: 30, page: 1 });
  });

  it('the fields picker applies to each item', async () => {
    const res = await s.request('GET', q({ fields: 'id,name', perPage: '2' }), { token: admin });
    expect(res.status).toBe(200);
    for (const item of res.body.items) expect(Object.keys(item).sort()).toEqual(['id', 'name']);
  });

  it('a page past the end is empty', async () => {
    const res = await s.request('GET', q({ page: '999' }), { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });

  it.each([
    ['unknown field in filter', { filter: 'nope = 1' }],
    ['field outside the list', { filter: "viewQuery = ''" }],
    ['syntax error in filter', { filter: "name = 'x" }],
    ['unknown sort field', { sort: 'fields' }],
    ['non-integer page', { page: 'x' }],
    ['non-integer perPage', { perPage: '1.5' }],
    ['non-bool skipTotal', { skipTotal: 'maybe' }],
    ['sql in filter', { filter: "name = '' ; DROP TABLE users; --" }],
  ])('%s → 400', async (_label, params) => {
    const res = await s.request('GET', q(params), { token: admin });
    expect(res.status, res.text).toBe(400);
    expect(res.body.status).toBe(400);
    expect(res.body.data).toEqual({});
  });

  it('the users table survived the hostile filter', async () => {
    expect((await s.request('GET', '/api/collections/users/records', { token: admin })).status).toBe(200);
  });
});

describe('view (docs/api.md §2)', () => {
  it('by name, by id, and name case-insensitively', async () => {
    const name = uniqueName('view');
    const c = await create({ name });
    for (const key of [name, c.id, name.toUpperCase()]) {
      const res = await s.request('GET', `/api/collections/${key}`, { token: admin });
      expect(res.status, key).toBe(200);
      expect(res.body.id).toBe(c.id);
      expect(res.body.name).toBe(name);
    }
  });

  it.each(['does_not_exist', 'pbc_0', '%20'])('unknown %s → 404', async (key) => {
    const res = await s.request('GET', `/api/collections/${key}`, { token: admin });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, data: {} });
  });

  it('system collections are there with their fixed ids', async () => {
    const su = await s.request('GET', '/api/collections/_superusers', { token: admin });
    expect(su.body).toMatchObject({ id: 'pbc_3142635823', system: true, type: 'auth' });
    const users = await s.request('GET', '/api/collections/_pb_users_auth_', { token: admin });
    expect(users.body).toMatchObject({ name: 'users', type: 'auth' });
  });
});

describe('meta', () => {
  it('scaffolds: base/auth/view blank defaults with id ""', async () => {
    const res = await s.request('GET', '/api/collections/meta/scaffolds', { token: admin });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['auth', 'base', 'view']);
    for (const type of ['base', 'auth', 'view']) {
      expect(res.body[type]).toMatchObject({ id: '', name: '', type, system: false });
    }
    expect(res.body.base.fields.map((f: { name: string }) => f.name)).toEqual(['id']);
    expect(res.body.view.fields).toEqual([]);
    expect(res.body.view.viewQuery).toBe('');
    const authNames = res.body.auth.fields.map((f: { name: string }) => f.name);
    expect(authNames).toEqual(['id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified']);
    expect(res.body.auth.authToken).toEqual({ duration: 432000 });
    expect(JSON.stringify(res.body)).not.toContain('"secret"');
  });

  it('dry-run-view derives fields and a sample without saving anything', async () => {
    const src = await create({ name: uniqueName('dry'), fields: [{ name: 'title', type: 'text' }, { name: 'n', type: 'number' }] });
    for (const title of ['a', 'b']) {
      expect((await s.request('POST', `/api/collections/${src.name}/records`, { token: admin, body: { title, n: 2 } })).status).toBe(200);
    }
    const before = (await s.request('GET', '/api/collections?perPage=1', { token: admin })).body.totalItems;
    const res = await s.request('POST', '/api/collections/meta/dry-run-view', { token: admin, body: { query: `SELECT id, title, n * 2 AS doubled FROM ${src.name}` } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.fields.map((f: { name: string; type: string }) => `${f.name}:${f.type}`)).toEqual(['id:text', 'title:text', 'doubled:json']);
    expect(res.body.sample).toHaveLength(2);
    expect(res.body.sample[0]).toMatchObject({ title: 'a', doubled: 4 });
    expect((await s.request('GET', '/api/collections?perPage=1', { token: admin })).body.totalItems).toBe(before);
  });

  it.each([
    ['missing query', {}],
    ['not a select', { query: 'DELETE FROM users' }],
    ['bad sql', { query: 'SELECT id FROM no_such_table' }],
    ['no id column', { query: 'SELECT email FROM users' }],
    ['two statements', { query: 'SELECT id FROM users; DROP TABLE users' }],
    ['too long', { query: 'SELECT id FROM users WHERE ' + "id != 'x' AND ".repeat(400) + '1' }],
    ['query is an object', { query: { a: 1 } }],
  ])('dry-run-view: %s → 400', async (_label, body) => {
    const res = await s.request('POST', '/api/collections/meta/dry-run-view', { token: admin, body });
    expect(res.status, res.text).toBe(400);
    expect((await s.request('GET', '/api/collections/users/records', { token: admin })).status).toBe(200);
  });

  it('oauth2-providers is a list', async () => {
    const res = await s.request('GET', '/api/collections/meta/oauth2-providers', { token: admin });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
  });
});

describe('delete (docs/api.md §2)', () => {
  it('204, table gone, records API answers 404', async () => {
    const name = uniqueName('del');
    await create({ name, listRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] });
    expect((await s.request('POST', `/api/collections/${name}/records`, { body: { title: 'x' } })).status).toBe(200);
    const res = await s.request('DELETE', `/api/collections/${name}`, { token: admin });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await s.request('GET', `/api/collections/${name}`, { token: admin })).status).toBe(404);
    const records = await s.request('GET', `/api/collections/${name}/records`, { token: admin });
    expect(records.status).toBe(404);
    expect(records.body.message).toBe('Missing collection context.');
    const tables = await s.request('GET', '/api/collections?' + new URLSearchParams({ filter: `name = '${name}'` }), { token: admin });
    expect(tables.body.totalItems).toBe(0);
    // The name is free again: the table really went.
    await create({ name });
  });

  it.each(['_superusers', '_externalAuths', '_mfas', '_otps', '_authOrigins'])('system collection %s → 400', async (name) => {
    const res = await s.request('DELETE', `/api/collections/${name}`, { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Failed to delete collection/);
    expect((await s.request('GET', `/api/collections/${name}`, { token: admin })).status).toBe(200);
  });

  it('a referenced collection → 400 naming the referencing collection', async () => {
    const target = await create({ name: uniqueName('target') });
    const refName = uniqueName('referrer');
    await create({ name: refName, fields: [{ name: 'link', type: 'relation', collectionId: target.id, maxSelect: 1 }] });
    const res = await s.request('DELETE', `/api/collections/${target.name}`, { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`Failed to delete collection probably due to existing reference in ${refName}.`);
    expect((await s.request('GET', `/api/collections/${target.id}`, { token: admin })).status).toBe(200);
  });

  it('unknown → 404', async () => {
    expect((await s.request('DELETE', '/api/collections/nope_nope', { token: admin })).status).toBe(404);
  });
});

describe('truncate (docs/api.md §2)', () => {
  it('deletes every record, cascading to cascadeDelete relations, 204', async () => {
    const parent = await create({ name: uniqueName('parent'), fields: [{ name: 'title', type: 'text' }] });
    const child = await create({
      name: uniqueName('child'),
      fields: [{ name: 'p', type: 'relation', collectionId: parent.id, maxSelect: 1, cascadeDelete: true }],
    });
    const keep = await create({
      name: uniqueName('keep'),
      fields: [{ name: 'p', type: 'relation', collectionId: parent.id, maxSelect: 1, cascadeDelete: false }],
    });
    const ids: string[] = [];
    for (const title of ['a', 'b']) {
      const r = await s.request('POST', `/api/collections/${parent.name}/records`, { token: admin, body: { title } });
      expect(r.status, r.text).toBe(200);
      ids.push(r.body.id);
    }
    expect((await s.request('POST', `/api/collections/${child.name}/records`, { token: admin, body: { p: ids[0] } })).status).toBe(200);
    const kept = await s.request('POST', `/api/collections/${keep.name}/records`, { token: admin, body: { p: ids[1] } });
    expect(kept.status).toBe(200);

    const res = await s.request('DELETE', `/api/collections/${parent.name}/truncate`, { token: admin });
    expect(res.status, res.text).toBe(204);
    expect(res.text).toBe('');
    const count = async (name: string) => (await s.request('GET', `/api/collections/${name}/records`, { token: admin })).body.totalItems;
    expect(await count(parent.name)).toBe(0);
    expect(await count(child.name)).toBe(0);
    expect(await count(keep.name)).toBe(1);
    const after = await s.request('GET', `/api/collections/${keep.name}/records/${kept.body.id}`, { token: admin });
    expect(after.body.p).toBe('');
  });

  it('a view → 400', async () => {
    const base = await create({ name: uniqueName('tsrc'), fields: [{ name: 'title', type: 'text' }] });
    const view = await create({ name: uniqueName('tview'), type: 'view', viewQuery: `SELECT id, title FROM ${base.name}` });
    const res = await s.request('DELETE', `/api/collections/${view.name}/truncate`, { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.status).toBe(400);
  });

  it('unknown → 404', async () => {
    expect((await s.request('DELETE', '/api/collections/nope_nope/truncate', { token: admin })).status).toBe(404);
  });
});
