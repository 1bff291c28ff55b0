/**
 * Collections API update (docs/api.md §2 PATCH, §2.3): renames keep data, removed
 * fields drop their column, type changes refused, select conversions, system
 * protection, rules effective at once, auth options merged key-wise, and a
 * failing DDL leaving the definition unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName, userToken } from './helpers/collections.js';
import { testDialect } from './helpers/test-database.js';
import { sql } from 'kysely';

let s: TestServer;
let admin: string;
let user: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  user = await userToken(s);
});
afterAll(async () => { await s?.close(); });

type Field = Record<string, any> & { id: string; name: string; type: string };

async function create(body: Record<string, unknown>) {
  const res = await s.request('POST', '/api/collections', { token: admin, body });
  expect(res.status, res.text).toBe(200);
  return res.body;
}
const patch = (idOrName: string, body: unknown) => s.request('PATCH', `/api/collections/${idOrName}`, { token: admin, body });
const get = async (idOrName: string) => (await s.request('GET', `/api/collections/${idOrName}`, { token: admin })).body;
async function addRecord(name: string, body: Record<string, unknown>) {
  const res = await s.request('POST', `/api/collections/${name}/records`, { token: admin, body });
  expect(res.status, res.text).toBe(200);
  return res.body;
}
const records = async (name: string) => (await s.request('GET', `/api/collections/${name}/records`, { token: admin })).body.items;

describe('field changes', () => {
  it('renaming a field keeps its data', async () => {
    const c = await create({ name: uniqueName('ren'), fields: [{ name: 'title', type: 'text' }] });
    const rec = await addRecord(c.name, { title: 'kept' });
    const fields = c.fields.map((f: Field) => (f.name === 'title' ? { ...f, name: 'heading' } : f));
    const res = await patch(c.id, { fields });
    expect(res.status, res.text).toBe(200);
    expect(res.body.fields.find((f: Field) => f.name === 'heading').id).toBe(c.fields[1].id);
    const after = await s.request('GET', `/api/collections/${c.name}/records/${rec.id}`, { token: admin });
    expect(after.body.heading).toBe('kept');
    expect(after.body).not.toHaveProperty('title');
  });

  it('renaming the collection keeps its data; the old name is gone', async () => {
    const c = await create({ name: uniqueName('cren'), fields: [{ name: 'title', type: 'text' }], indexes: ['CREATE INDEX idx_cren_title ON x (title)'] });
    await addRecord(c.name, { title: 'kept' });
    const newName = uniqueName('renamed');
    const res = await patch(c.name, { name: newName });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: c.id, name: newName });
    expect(res.body.indexes).toEqual([`CREATE INDEX \`idx_cren_title\` ON \`${newName}\` (\`title\`)`]);
    expect((await records(newName)).map((r: { title: string }) => r.title)).toEqual(['kept']);
    const old = await s.request('GET', `/api/collections/${c.name}/records`, { token: admin });
    expect(old.status).toBe(404);
    expect(old.body.message).toBe('Missing collection context.');
  });

  it('a case-only rename works and keeps the data', async () => {
    const c = await create({ name: uniqueName('case'), fields: [{ name: 'title', type: 'text' }] });
    await addRecord(c.name, { title: 'kept' });
    const res = await patch(c.id, { name: c.name.toUpperCase() });
    expect(res.status, res.text).toBe(200);
    expect(res.body.name).toBe(c.name.toUpperCase());
    expect((await records(c.name.toUpperCase())).map((r: { title: string }) => r.title)).toEqual(['kept']);
  });

  it('removing a field drops its column; re-adding the name starts empty', async () => {
    const c = await create({ name: uniqueName('drop'), fields: [{ name: 'title', type: 'text' }, { name: 'note', type: 'text' }] });
    const rec = await addRecord(c.name, { title: 't', note: 'secret note' });
    let res = await patch(c.id, { fields: c.fields.filter((f: Field) => f.name !== 'note') });
    expect(res.status, res.text).toBe(200);
    expect(res.body.fields.map((f: Field) => f.name)).toEqual(['id', 'title']);
    const view = await s.request('GET', `/api/collections/${c.name}/records/${rec.id}`, { token: admin });
    expect(view.body).not.toHaveProperty('note');
    res = await patch(c.id, { fields: [...res.body.fields, { name: 'note', type: 'text' }] });
    expect(res.status, res.text).toBe(200);
    const again = await s.request('GET', `/api/collections/${c.name}/records/${rec.id}`, { token: admin });
    expect(again.body.note).toBe('');
    expect(again.body.title).toBe('t');
  });

  it('changing a field type → 400 validation_field_type_change, nothing changed', async () => {
    const c = await create({ name: uniqueName('type'), fields: [{ name: 'count', type: 'text' }] });
    await addRecord(c.name, { count: 'abc' });
    const fields = c.fields.map((f: Field) => (f.name === 'count' ? { ...f, type: 'number' } : f));
    const res = await patch(c.id, { fields });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toBe('Failed to update collection.');
    expect(res.body.data.fields['1'].type.code).toBe('validation_field_type_change');
    expect((await get(c.id)).fields).toEqual(c.fields);
    expect((await records(c.name))[0].count).toBe('abc');
  });

  it('select maxSelect 1 → 3 turns "a" into ["a"], and back', async () => {
    const c = await create({ name: uniqueName('sel'), fields: [{ name: 'tag', type: 'select', values: ['a', 'b', 'c'], maxSelect: 1 }] });
    const rec = await addRecord(c.name, { tag: 'a' });
    const empty = await addRecord(c.name, {});
    const setMax = (fields: Field[], maxSelect: number) => fields.map((f) => (f.name === 'tag' ? { ...f, maxSelect } : f));
    let res = await patch(c.id, { fields: setMax(c.fields, 3) });
    expect(res.status, res.text).toBe(200);
    const view = async (id: string) => (await s.request('GET', `/api/collections/${c.name}/records/${id}`, { token: admin })).body.tag;
    expect(await view(rec.id)).toEqual(['a']);
    expect(await view(empty.id)).toEqual([]);
    await s.request('PATCH', `/api/collections/${c.name}/records/${rec.id}`, { token: admin, body: { tag: ['a', 'b'] } });
    res = await patch(c.id, { fields: setMax(res.body.fields, 1) });
    expect(res.status, res.text).toBe(200);
    expect(await view(rec.id)).toBe('b');
    expect(await view(empty.id)).toBe('');
  });

  it('relation maxSelect 1 → 2 converts stored ids too', async () => {
    const target = await create({ name: uniqueName('rt') });
    const t = await addRecord(target.name, {});
    const c = await create({ name: uniqueName('rel'), fields: [{ name: 'link', type: 'relation', collectionId: target.id, maxSelect: 1 }] });
    const rec = await addRecord(c.name, { link: t.id });
    const res = await patch(c.id, { fields: c.fields.map((f: Field) => (f.name === 'link' ? { ...f, maxSelect: 2 } : f)) });
    expect(res.status, res.text).toBe(200);
    expect((await s.request('GET', `/api/collections/${c.name}/records/${rec.id}`, { token: admin })).body.link).toEqual([t.id]);
  });

  it.each([
    ['renaming id', (fields: Field[]) => fields.map((f) => (f.name === 'id' ? { ...f, name: 'pk' } : f))],
    ['renaming email', (fields: Field[]) => fields.map((f) => (f.name === 'email' ? { ...f, name: 'mail' } : f))],
    ['renaming tokenKey', (fields: Field[]) => fields.map((f) => (f.name === 'tokenKey' ? { ...f, name: 'tk' } : f))],
    ['verified → text', (fields: Field[]) => fields.map((f) => (f.name === 'verified' ? { ...f, type: 'text' } : f))],
  ])('system fields can not change: %s → 400', async (_label, edit) => {
    const c = await create({ name: uniqueName('sysf'), type: 'auth' });
    const res = await patch(c.id, { fields: edit(c.fields) });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.fields).toBeDefined();
    expect((await get(c.id)).fields).toEqual(c.fields);
  });

  it.each(['id', 'email', 'tokenKey', 'password'])('a removed system field %s is put back with its id (PocketBase initDefaultFields)', async (name) => {
    const c = await create({ name: uniqueName('sysr'), type: 'auth' });
    const res = await patch(c.id, { fields: c.fields.filter((f: Field) => f.name !== name) });
    expect([200, 400]).toContain(res.status);
    const after = await get(c.id);
    const was = c.fields.find((f: Field) => f.name === name);
    expect(after.fields.find((f: Field) => f.name === name)).toEqual(was);
  });
});

describe('immutable properties', () => {
  it('PATCH id → 400 validation_values_mismatch', async () => {
    const c = await create({ name: uniqueName('imm') });
    const res = await patch(c.id, { id: 'another_id' });
    expect(res.status).toBe(400);
    expect(res.body.data.id.code).toBe('validation_values_mismatch');
    expect((await get(c.id)).id).toBe(c.id);
  });

  it('PATCH type → 400 validation_collection_type_change', async () => {
    const c = await create({ name: uniqueName('imm') });
    const res = await patch(c.id, { type: 'auth' });
    expect(res.status).toBe(400);
    expect(res.body.data.type.code).toBe('validation_collection_type_change');
  });

  it('a relation collectionId can not change; a base collection can not point at a view', async () => {
    const target = await create({ name: uniqueName('imt') });
    const c = await create({ name: uniqueName('imr'), fields: [{ name: 'r', type: 'relation', collectionId: target.id }] });
    const res = await patch(c.id, { fields: c.fields.map((f: Field) => (f.name === 'r' ? { ...f, collectionId: '_pb_users_auth_' } : f)) });
    expect(res.status).toBe(400);
    expect(res.body.data.fields['1'].collectionId.code).toBe('validation_field_relation_change');
    const view = await create({ name: uniqueName('imv'), type: 'view', viewQuery: `SELECT id FROM ${target.name}` });
    const toView = await s.request('POST', '/api/collections', { token: admin, body: { name: uniqueName('imx'), fields: [{ name: 'r', type: 'relation', collectionId: view.id }] } });
    expect(toView.status).toBe(400);
    expect(toView.body.data.fields['1'].collectionId.code).toMatch(/^validation_/);
  });

  it.each([
    ['authRule', { authRule: 'nope = 1' }, 'authRule'],
    ['manageRule', { manageRule: 'nope ~' }, 'manageRule'],
    ['empty manageRule', { manageRule: '' }, 'manageRule'],
  ])('auth %s invalid → 400', async (_label, body, key) => {
    const c = await create({ name: uniqueName('aur'), type: 'auth' });
    const res = await patch(c.id, body);
    expect(res.status, res.text).toBe(400);
    expect(res.body.data[key].code).toMatch(/^validation_/);
    expect(await get(c.id)).toEqual(c);
  });
});

describe('system collections', () => {
  it.each([
    ['rename _superusers', '_superusers', { name: 'admins' }, 'name'],
    ['rename _mfas', '_mfas', { name: 'mfas2' }, 'name'],
    ['_superusers listRule', '_superusers', { listRule: '' }, 'listRule'],
    ['_otps viewRule', '_otps', { viewRule: '' }, 'viewRule'],
    ['_externalAuths deleteRule', '_externalAuths', { deleteRule: null }, 'deleteRule'],
    ['type change', '_superusers', { type: 'base' }, 'type'],
    ['system flag off', '_mfas', { system: false }, 'system'],
  ])('%s → 400', async (_label, name, body, key) => {
    const before = await get(name);
    const res = await patch(name, body);
    expect(res.status, res.text).toBe(400);
    expect(res.body.data[key]?.code, res.text).toMatch(/^validation_/);
    const after = await get(name);
    expect({ ...after, updated: '' }).toEqual({ ...before, updated: '' });
  });

  it('users (not a system collection) can have its rules changed', async () => {
    const before = await get('users');
    const res = await patch('users', { listRule: 'id = @request.auth.id && verified = false' });
    expect(res.status, res.text).toBe(200);
    await patch('users', { listRule: before.listRule });
  });
});

describe('indexes across changes', () => {
  // What identifies the index now: its oid on PostgreSQL; on SQLite the schema's version, which every DDL moves.
  const stamp = async (index: string) => {
    const db = s.node.db();
    if (testDialect() === 'postgres') return (await sql<{ v: number }>`SELECT oid::int8 AS v FROM pg_class WHERE relname = ${index}`.execute(db)).rows[0]?.v;
    return (await sql<{ v: number }>`SELECT schema_version AS v FROM pragma_schema_version()`.execute(db)).rows[0]?.v;
  };

  it('a change of rules or of the searchable option keeps an unchanged index as it is; a changed one is rebuilt', async () => {
    const c = await create({ name: uniqueName('keepidx'), fields: [{ name: 'title', type: 'text' }], indexes: ['CREATE INDEX idx_keep_title ON x (title)'] });
    await addRecord(c.name, { title: 'one' });
    const before = await stamp('idx_keep_title');
    expect(before).toBeDefined();
    expect((await patch(c.id, { listRule: '' })).status).toBe(200);
    expect(await stamp('idx_keep_title')).toBe(before);
    if (testDialect() === 'postgres') {
      // SQLite's FTS5 table is DDL of its own: only PostgreSQL's index can show it was kept.
      const fields = (await get(c.id)).fields.map((f: Field) => (f.name === 'title' ? { ...f, searchable: true } : f));
      expect((await patch(c.id, { fields })).status).toBe(200);
      expect(await stamp('idx_keep_title')).toBe(before);
    }
    const res = await patch(c.id, { indexes: ['CREATE INDEX idx_keep_title ON x (title, id)'] });
    expect(res.status, res.text).toBe(200);
    expect(await stamp('idx_keep_title')).not.toBe(before);
    expect((await records(c.name)).map((r: { title: string }) => r.title)).toEqual(['one']);
  });
});

describe('rules take effect at once', () => {
  it('opening and closing listRule/createRule changes what guests and users get', async () => {
    const c = await create({ name: uniqueName('rules'), fields: [{ name: 'title', type: 'text' }, { name: 'pub', type: 'bool' }] });
    await addRecord(c.name, { title: 'open', pub: true });
    await addRecord(c.name, { title: 'closed', pub: false });
    const list = (token?: string) => s.request('GET', `/api/collections/${c.name}/records`, { token });

    expect((await list()).status).toBe(403);
    expect((await patch(c.id, { listRule: '' })).status).toBe(200);
    expect((await list()).body.items).toHaveLength(2);
    expect((await patch(c.id, { listRule: 'pub = true' })).status).toBe(200);
    expect((await list()).body.items.map((r: { title: string }) => r.title)).toEqual(['open']);
    expect((await patch(c.id, { listRule: "@request.auth.id != ''" })).status).toBe(200);
    expect((await list()).body.items).toHaveLength(0);
    expect((await list(user)).body.items).toHaveLength(2);
    expect((await patch(c.id, { listRule: null })).status).toBe(200);
    expect((await list(user)).status).toBe(403);

    const createAs = () => s.request('POST', `/api/collections/${c.name}/records`, { body: { title: 'x' } });
    expect((await createAs()).status).toBe(403);
    expect((await patch(c.id, { createRule: '' })).status).toBe(200);
    expect((await createAs()).status).toBe(200);
  });

  it('a PATCH with an invalid rule → 400 and the old rule stays', async () => {
    const c = await create({ name: uniqueName('badrule'), listRule: '' });
    const res = await patch(c.id, { listRule: 'nope = 1' });
    expect(res.status).toBe(400);
    expect(res.body.data.listRule.code).toBe('validation_invalid_rule');
    expect((await get(c.id)).listRule).toBe('');
  });
});

describe('auth options merge key-wise (docs/api.md §2 PATCH)', () => {
  it('nested objects merge, arrays replace, secrets kept', async () => {
    const c = await create({ name: uniqueName('authm'), type: 'auth', fields: [{ name: 'username', type: 'text' }], indexes: ['CREATE UNIQUE INDEX idx_un ON x (username)'] });
    let res = await patch(c.id, { otp: { duration: 300 }, authToken: { duration: 7200 } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.otp).toMatchObject({ enabled: false, duration: 300, length: 8 });
    expect(res.body.otp.emailTemplate).toEqual(c.otp.emailTemplate);
    expect(res.body.authToken).toEqual({ duration: 7200 });
    res = await patch(c.id, { passwordAuth: { identityFields: ['username'] } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.passwordAuth).toEqual({ enabled: true, identityFields: ['username'] });
    res = await patch(c.id, { otp: { emailTemplate: { subject: 'New subject' } } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.otp.emailTemplate).toEqual({ subject: 'New subject', body: c.otp.emailTemplate.body });
    expect(JSON.stringify(res.body)).not.toContain('"secret"');
  });

  it('auth tokens keep working after an unrelated option change, and die when authRule changes', async () => {
    const c = await create({ name: uniqueName('tok'), type: 'auth', listRule: "@request.auth.id != ''" });
    const email = `${uniqueName('t')}@example.com`;
    await addRecord(c.name, { email, password: 'password-123', passwordConfirm: 'password-123' });
    const auth = await s.request('POST', `/api/collections/${c.name}/auth-with-password`, { body: { identity: email, password: 'password-123' } });
    expect(auth.status, auth.text).toBe(200);
    const token = auth.body.token;
    const listAs = () => s.request('GET', `/api/collections/${c.name}/records`, { token });
    expect((await listAs()).body.items).toHaveLength(1);
    expect((await patch(c.id, { otp: { duration: 200 } })).status).toBe(200);
    expect((await listAs()).body.items).toHaveLength(1);
    expect((await patch(c.id, { authRule: 'verified = false' })).status).toBe(200);
    expect((await listAs()).body.items).toHaveLength(0);
  });

  it('an identity field without a UNIQUE index → 400 validation_missing_unique_constraint', async () => {
    const c = await create({ name: uniqueName('idf'), type: 'auth', fields: [{ name: 'nick', type: 'text' }] });
    const res = await patch(c.id, { passwordAuth: { identityFields: ['nick'] } });
    expect(res.status, res.text).toBe(400);
    expect(JSON.stringify(res.body.data)).toContain('validation_missing_unique_constraint');
  });
});

describe('a schema change and its DDL are one transaction', () => {
  it('a UNIQUE index over duplicate values → 400; definition and records unchanged', async () => {
    const c = await create({ name: uniqueName('ddl'), fields: [{ name: 'slug', type: 'text' }, { name: 'n', type: 'number' }] });
    await addRecord(c.name, { slug: 'same', n: 1 });
    await addRecord(c.name, { slug: 'same', n: 2 });
    // A rename, a new field and a removed field ride along and must all be undone.
    const fields = [...c.fields.filter((f: Field) => f.name !== 'n'), { name: 'extra', type: 'text' }];
    const res = await patch(c.id, { name: uniqueName('ddl_new'), fields, indexes: ['CREATE UNIQUE INDEX idx_ddl_slug ON x (slug)'] });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toMatch(/^Failed to update collection\./);
    expect(res.body.data).toEqual({});
    expect(await get(c.id)).toEqual(c);
    const items = await records(c.name);
    expect(items.map((r: { n: number }) => r.n)).toEqual([1, 2]);
    expect(items[0]).not.toHaveProperty('extra');
    await addRecord(c.name, { slug: 'same', n: 3 });
    // The index was not left behind: the same index name is still free elsewhere.
    const other = await create({ name: uniqueName('ddl_other'), fields: [{ name: 'slug', type: 'text' }], indexes: ['CREATE UNIQUE INDEX idx_ddl_slug ON x (slug)'] });
    expect(other.indexes).toHaveLength(1);
  });
});

describe('hostile PATCH bodies', () => {
  it.each([
    ['array', [{ name: 'x' }]],
    ['string', '"x"'],
    ['number', '5'],
    ['fields not an array', { fields: 'title' }],
    ['fields items null', { fields: [null] }],
    ['rule object', { listRule: { x: 1 } }],
    ['rule number', { listRule: 1 }],
    ['name object', { name: { a: 1 } }],
    ['name huge', { name: 'x'.repeat(50_000) }],
    ['name unicode', { name: 'ünï' }],
    ['name sql', { name: 'x; DROP TABLE users' }],
    ['indexes sql', { indexes: ['CREATE INDEX a ON x (title); DROP TABLE users'] }],
    ['rule sql', { listRule: "1=1) OR (1=1" }],
    ['viewQuery on a base collection is ignored, rule junk refused', { viewQuery: 'DROP TABLE users', updateRule: '((' }],
  ])('%s → 400, never 500; nothing changed', async (_label, body) => {
    const c = await create({ name: uniqueName('hp'), listRule: null, fields: [{ name: 'title', type: 'text' }] });
    await addRecord(c.name, { title: 'x' });
    const res = await s.request('PATCH', `/api/collections/${c.id}`, { token: admin, body: typeof body === 'string' ? body : JSON.stringify(body) });
    expect(res.status, res.text).toBe(400);
    expect(res.body.status).toBe(400);
    expect(await get(c.id)).toEqual(c);
    expect(await records(c.name)).toHaveLength(1);
    expect((await s.request('GET', '/api/collections/users/records', { token: admin })).status).toBe(200);
  });

  it('unknown collection → 404', async () => {
    expect((await patch('nope_nope', { listRule: '' })).status).toBe(404);
  });
});
