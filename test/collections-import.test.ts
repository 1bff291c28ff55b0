/**
 * Collections import (docs/api.md §2 PUT /api/collections/import) and view
 * collections (docs/api.md §2.1), as scenario tables at the HTTP boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/collections.js';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
});
afterAll(async () => { await s?.close(); });

type Field = Record<string, any> & { id: string; name: string; type: string };

async function create(body: Record<string, unknown>) {
  const res = await s.request('POST', '/api/collections', { token: admin, body });
  expect(res.status, res.text).toBe(200);
  return res.body;
}
const importBody = (body: unknown) => s.request('PUT', '/api/collections/import', { token: admin, body: typeof body === 'string' ? body : JSON.stringify(body) });
const get = (idOrName: string) => s.request('GET', `/api/collections/${idOrName}`, { token: admin });
const allCollections = async () => (await s.request('GET', '/api/collections?perPage=1000&sort=name', { token: admin })).body.items;
async function addRecord(name: string, body: Record<string, unknown>) {
  const res = await s.request('POST', `/api/collections/${name}/records`, { token: admin, body });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe('import', () => {
  it('creates new collections and updates existing ones in one call (204)', async () => {
    const existing = await create({ name: uniqueName('imp_ex'), fields: [{ name: 'title', type: 'text' }, { name: 'keep', type: 'number' }] });
    await addRecord(existing.name, { title: 'kept', keep: 7 });
    const newA = uniqueName('imp_a');
    const newB = uniqueName('imp_b');
    const res = await importBody({
      collections: [
        { name: newA, type: 'base', fields: [{ name: 'title', type: 'text' }] },
        { name: newB, type: 'auth', fields: [{ name: 'nick', type: 'text' }] },
        // matched by id; fields not mentioned are kept without deleteMissing
        { id: existing.id, name: existing.name, listRule: '', fields: [{ name: 'title', type: 'text', max: 10 }, { name: 'added', type: 'bool' }] },
      ],
    });
    expect(res.status, res.text).toBe(204);
    expect(res.text).toBe('');
    expect((await get(newA)).body.type).toBe('base');
    expect((await get(newB)).body.fields.map((f: Field) => f.name)).toEqual(expect.arrayContaining(['nick', 'email', 'tokenKey']));
    const after = (await get(existing.id)).body;
    expect(after.listRule).toBe('');
    expect(after.fields.map((f: Field) => f.name).sort()).toEqual(['added', 'id', 'keep', 'title']);
    expect(after.fields.find((f: Field) => f.name === 'title')).toMatchObject({ id: existing.fields[1].id, max: 10 });
    const recs = await s.request('GET', `/api/collections/${existing.name}/records`, { token: admin });
    expect(recs.body.items[0]).toMatchObject({ title: 'kept', keep: 7, added: false });
  });

  it('relations may point forward and both ways within one import (an exported schema in any order)', async () => {
    const a = uniqueName('imp_fwd_a');
    const b = uniqueName('imp_fwd_b');
    const v = uniqueName('imp_fwd_v');
    const res = await importBody({
      collections: [
        { id: `${a}_id`, name: a, fields: [{ name: 'toB', type: 'relation', collectionId: `${b}_id`, maxSelect: 1 }] },
        { id: `${v}_id`, name: v, type: 'view', viewQuery: `SELECT id, title FROM ${b}` },
        { id: `${b}_id`, name: b, fields: [{ name: 'title', type: 'text' }, { name: 'toA', type: 'relation', collectionId: `${a}_id`, maxSelect: 1 }] },
      ],
    });
    expect(res.status, res.text).toBe(204);
    const rb = await addRecord(b, { title: 'bee' });
    const ra = await addRecord(a, { toB: rb.id });
    const expanded = await s.request('GET', `/api/collections/${a}/records/${ra.id}?expand=toB`, { token: admin });
    expect(expanded.body.expand.toB.title).toBe('bee');
    expect((await get(v)).body.fields.map((f: Field) => f.name)).toEqual(['id', 'title']);
  });

  it('rules may read the collections of the same import: through a relation, a back-relation and @collection', async () => {
    const posts = uniqueName('imp_rule_posts');
    const notes = uniqueName('imp_rule_notes');
    const res = await importBody({
      collections: [
        {
          id: `${notes}_id`, name: notes, listRule: `post.author = @request.auth.id || @collection.${posts}.title ?= "open"`,
          fields: [
            { name: 'post', type: 'relation', collectionId: `${posts}_id`, maxSelect: 1 },
            { name: 'text', type: 'text', readRule: 'post.author = @request.auth.id', writeRule: `@collection.${posts}.author ?= @request.auth.id` },
          ],
        },
        {
          id: `${posts}_id`, name: posts, viewRule: `${notes}_via_post.text ?= "x"`,
          fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 }],
        },
      ],
    });
    expect(res.status, res.text).toBe(204);
    expect((await get(notes)).body.fields.find((f: Field) => f.name === 'text')).toMatchObject({ readRule: 'post.author = @request.auth.id' });
    // A rule naming what neither the store nor the import holds is still refused, naming the item.
    const bad = await importBody({ collections: [{ name: uniqueName('imp_rule_bad'), listRule: '@collection.imp_nowhere.x = 1' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.data.collections.params.errors['0'].listRule.code).toBe('validation_invalid_rule');
  });

  it('a relation to a collection that is neither stored nor imported → 400', async () => {
    const name = uniqueName('imp_dangling');
    const res = await importBody({ collections: [{ name, fields: [{ name: 'x', type: 'relation', collectionId: 'nowhere_id' }] }] });
    expect(res.status).toBe(400);
    expect((await get(name)).status).toBe(404);
  });

  it('matched by name with another id: the stored id stays', async () => {
    const c = await create({ name: uniqueName('imp_oid'), fields: [{ name: 'title', type: 'text' }] });
    const res = await importBody({ collections: [{ id: 'some_other_id', name: c.name, fields: [{ name: 'title', type: 'text', max: 3 }] }] });
    expect(res.status, res.text).toBe(204);
    const after = (await get(c.name)).body;
    expect(after.id).toBe(c.id);
    expect(after.fields.find((f: Field) => f.name === 'title')).toMatchObject({ id: c.fields[1].id, max: 3 });
    expect((await get('some_other_id')).status).toBe(404);
  });

  it('matches by name (case-insensitively) when the id is unknown', async () => {
    const c = await create({ name: uniqueName('imp_name'), fields: [{ name: 'title', type: 'text' }] });
    const res = await importBody({ collections: [{ name: c.name.toUpperCase(), viewRule: '' }] });
    expect(res.status, res.text).toBe(204);
    const after = (await get(c.id)).body;
    expect(after.viewRule).toBe('');
    expect(after.fields.map((f: Field) => f.name)).toEqual(['id', 'title']);
  });

  it('deleteMissing drops unmentioned fields and non-system collections absent from the list', async () => {
    // Its own server: deleteMissing removes everything that is not listed.
    const t = await startTestServer();
    try {
      const token = await t.adminToken();
      const mk = async (body: Record<string, unknown>) => (await t.request('POST', '/api/collections', { token, body })).body;
      const keep = await mk({ name: 'keep_me', fields: [{ name: 'a', type: 'text' }, { name: 'b', type: 'text' }] });
      await mk({ name: 'drop_me' });
      const system = (await t.request('GET', '/api/collections?perPage=100&filter=' + encodeURIComponent('system = true'), { token })).body.items;
      const res = await t.request('PUT', '/api/collections/import', {
        token,
        body: { deleteMissing: true, collections: [...system, { id: keep.id, name: 'keep_me', fields: keep.fields.filter((f: Field) => f.name !== 'b') }] },
      });
      expect(res.status, res.text).toBe(204);
      const names = (await t.request('GET', '/api/collections?perPage=100', { token })).body.items.map((c: { name: string }) => c.name);
      expect(names).toContain('keep_me');
      expect(names).not.toContain('drop_me');
      expect(names).not.toContain('users');
      for (const sc of system) expect(names).toContain(sc.name);
      const kept = (await t.request('GET', '/api/collections/keep_me', { token })).body;
      expect(kept.fields.map((f: Field) => f.name)).toEqual(['id', 'a']);
      expect((await t.request('GET', '/api/collections/drop_me/records', { token })).status).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('a failing item rolls back everything: 400 validation_collections_import_failure, nothing created', async () => {
    const existing = await create({ name: uniqueName('imp_rb'), listRule: null, fields: [{ name: 'title', type: 'text' }] });
    await addRecord(existing.name, { title: 'x' });
    const before = await allCollections();
    const first = uniqueName('imp_first');
    const res = await importBody({
      collections: [
        { name: first, fields: [{ name: 'title', type: 'text' }] },
        { id: existing.id, name: existing.name, listRule: '', fields: [{ name: 'more', type: 'text' }] },
        { name: 'bad-name!' },
      ],
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toBe('Failed to import collections.');
    expect(res.body.data.collections.code).toBe('validation_collections_import_failure');
    expect((await get(first)).status).toBe(404);
    expect((await s.request('GET', `/api/collections/${first}/records`, { token: admin })).status).toBe(404);
    expect(await allCollections()).toEqual(before);
    const recs = await s.request('GET', `/api/collections/${existing.name}/records`, { token: admin });
    expect(recs.body.items[0]).not.toHaveProperty('more');
  });

  it('a failing DDL in the middle rolls back too', async () => {
    const dup = await create({ name: uniqueName('imp_ddl'), fields: [{ name: 'slug', type: 'text' }] });
    await addRecord(dup.name, { slug: 'same' });
    await addRecord(dup.name, { slug: 'same' });
    const first = uniqueName('imp_ddl_first');
    const res = await importBody({
      collections: [
        { name: first },
        { id: dup.id, name: dup.name, indexes: ['CREATE UNIQUE INDEX idx_imp_ddl ON x (slug)'] },
      ],
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toBe('Failed to import collections.');
    expect((await get(first)).status).toBe(404);
    expect((await get(dup.id)).body).toEqual(dup);
  });

  it.each([
    ['array body', [{ name: 'x' }]],
    ['string body', '"x"'],
    ['number body', '7'],
    ['empty object', {}],
    ['collections not a list', { collections: { name: 'x' } }],
    ['collections empty', { collections: [] }],
    ['items are strings', { collections: ['x'] }],
    ['items are null', { collections: [null] }],
    ['items are arrays', { collections: [[]] }],
    ['fields not a list', { collections: [{ name: 'imp_h1', fields: 'x' }] }],
    ['fields items null on an existing collection', { collections: [{ name: 'users', fields: [null] }] }],
    ['fields items strings on an existing collection', { collections: [{ name: 'users', fields: ['email'] }] }],
    ['type change of an existing collection', { collections: [{ name: 'users', type: 'base' }] }],
    ['two items with the same new name', { collections: [{ name: 'imp_twice' }, { name: 'imp_twice', type: 'auth' }] }],
    ['rule object', { collections: [{ name: 'imp_h2', listRule: { a: 1 } }] }],
    ['name sql', { collections: [{ name: 'x; DROP TABLE users' }] }],
    ['index sql', { collections: [{ name: 'imp_h3', indexes: ['CREATE INDEX a ON x (id); DROP TABLE users'] }] }],
    ['huge name', { collections: [{ name: 'n'.repeat(10_000) }] }],
    ['view with bad query', { collections: [{ name: 'imp_h4', type: 'view', viewQuery: 'SELECT nope FROM nowhere' }] }],
    ['auth options wrong kind', { collections: [{ name: 'imp_h5', type: 'auth', passwordAuth: 'no' }] }],
  ])('%s → 400, never 500; nothing changed', async (_label, body) => {
    const before = await allCollections();
    const res = await importBody(body);
    expect(res.status, res.text).toBe(400);
    expect(res.body.status).toBe(400);
    // A body that is not an object fails while loading, before the import starts.
    if (typeof body === 'object' && !Array.isArray(body)) expect(res.body.message).toBe('Failed to import collections.');
    expect(await allCollections()).toEqual(before);
    expect((await s.request('GET', '/api/collections/users/records', { token: admin })).status).toBe(200);
  });
});

describe('view collections', () => {
  let src: { id: string; name: string };
  beforeAll(async () => {
    src = await create({
      name: uniqueName('vsrc'),
      fields: [{ name: 'title', type: 'text' }, { name: 'n', type: 'number' }, { name: 'tag', type: 'select', values: ['a', 'b'], maxSelect: 1 }],
    });
    await addRecord(src.name, { title: 'one', n: 1, tag: 'a' });
    await addRecord(src.name, { title: 'two', n: 2, tag: 'b' });
  });

  it('viewQuery creates a view listed through the records API with derived fields', async () => {
    const name = uniqueName('v');
    const v = await create({ name, type: 'view', listRule: '', viewRule: '', viewQuery: `SELECT id, title, tag, n * 10 AS big FROM ${src.name} WHERE n > 1` });
    expect(v).toMatchObject({ type: 'view', viewQuery: expect.stringContaining('SELECT'), createRule: null, updateRule: null, deleteRule: null, indexes: [] });
    const byName = (n: string) => v.fields.find((f: Field) => f.name === n);
    expect(v.fields.map((f: Field) => f.name)).toEqual(['id', 'title', 'tag', 'big']);
    expect(byName('id')).toMatchObject({ type: 'text', primaryKey: true, system: true });
    expect(byName('title').type).toBe('text');
    expect(byName('tag')).toMatchObject({ type: 'select', values: ['a', 'b'] });
    expect(byName('big').type).toBe('json');
    const list = await s.request('GET', `/api/collections/${name}/records`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ collectionName: name, title: 'two', tag: 'b', big: 20 })]);
    const one = await s.request('GET', `/api/collections/${name}/records/${list.body.items[0].id}`);
    expect(one.status).toBe(200);
    const filtered = await s.request('GET', `/api/collections/${name}/records?filter=` + encodeURIComponent("title = 'nope'"));
    expect(filtered.body.items).toEqual([]);
  });

  it('create/update/delete on a view record → 400 Unsupported collection type.', async () => {
    const name = uniqueName('vro');
    await create({ name, type: 'view', listRule: '', viewRule: '', viewQuery: `SELECT id, title FROM ${src.name}` });
    const id = (await s.request('GET', `/api/collections/${name}/records`)).body.items[0].id;
    for (const [method, path, body] of [
      ['POST', `/api/collections/${name}/records`, { title: 'x' }],
      ['PATCH', `/api/collections/${name}/records/${id}`, { title: 'x' }],
      ['DELETE', `/api/collections/${name}/records/${id}`, undefined],
    ] as const) {
      const res = await s.request(method, path, { token: admin, body });
      expect(res.status, `${method} ${res.text}`).toBe(400);
      expect(res.body.message).toBe('Unsupported collection type.');
    }
    expect((await s.request('GET', `/api/collections/${name}/records/${id}`, { token: admin })).body.title).not.toBe('x');
  });

  it('PATCH viewQuery re-derives fields', async () => {
    const name = uniqueName('vupd');
    const v = await create({ name, type: 'view', viewQuery: `SELECT id, title FROM ${src.name}` });
    const res = await s.request('PATCH', `/api/collections/${v.id}`, { token: admin, body: { viewQuery: `SELECT id, n FROM ${src.name}` } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.fields.map((f: Field) => f.name)).toEqual(['id', 'n']);
    const list = await s.request('GET', `/api/collections/${name}/records`, { token: admin });
    expect(list.body.items.map((r: { n: number }) => r.n)).toEqual([1, 2]);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not a select', `DELETE FROM ${'SRC'}`],
    ['unknown table', 'SELECT id FROM no_such_table'],
    ['unknown column', `SELECT id, nope FROM SRC`],
    ['no id column', `SELECT title FROM SRC`],
    ['two statements', `SELECT id FROM SRC; DROP TABLE SRC`],
    ['syntax error', 'SELECT id FROM ('],
    ['object', { q: 1 }],
  ])('bad viewQuery (%s) → 400, not 500; nothing created', async (_label, query) => {
    const name = uniqueName('vbad');
    const viewQuery = typeof query === 'string' ? query.replaceAll('SRC', src.name) : query;
    const res = await s.request('POST', '/api/collections', { token: admin, body: { name, type: 'view', viewQuery } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.status).toBe(400);
    expect((await get(name)).status).toBe(404);
    expect((await s.request('GET', `/api/collections/${src.name}/records`, { token: admin })).body.items).toHaveLength(2);
  });

  it('a bad viewQuery on PATCH → 400 and the old view still works', async () => {
    const name = uniqueName('vpb');
    const v = await create({ name, type: 'view', listRule: '', viewQuery: `SELECT id, title FROM ${src.name}` });
    const res = await s.request('PATCH', `/api/collections/${v.id}`, { token: admin, body: { viewQuery: 'SELECT id FROM nowhere' } });
    expect(res.status, res.text).toBe(400);
    expect((await get(v.id)).body).toEqual(v);
    expect((await s.request('GET', `/api/collections/${name}/records`)).body.items).toHaveLength(2);
  });

  it('views can not have indexes; a view source can not be deleted while the view reads it', async () => {
    const res = await s.request('POST', '/api/collections', { token: admin, body: { name: uniqueName('vidx'), type: 'view', viewQuery: `SELECT id FROM ${src.name}`, indexes: ['CREATE INDEX a ON x (id)'] } });
    expect(res.status).toBe(400);
    expect(res.body.data.indexes.code).toBe('validation_indexes_not_supported');
    const del = await s.request('DELETE', `/api/collections/${src.name}`, { token: admin });
    expect(del.status).toBe(400);
    expect(del.body.message).toMatch(/^Failed to delete collection probably due to existing reference in /);
  });

  it('deleting a view → 204 and its records API is gone', async () => {
    const name = uniqueName('vdel');
    await create({ name, type: 'view', viewQuery: `SELECT id FROM ${src.name}` });
    expect((await s.request('DELETE', `/api/collections/${name}`, { token: admin })).status).toBe(204);
    expect((await s.request('GET', `/api/collections/${name}/records`, { token: admin })).status).toBe(404);
  });
});
