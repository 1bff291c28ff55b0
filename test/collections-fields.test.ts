/**
 * Collections API create (docs/api.md §2.1–§2.5, §1.5): field types and options,
 * defaults, ids, name rules, indexes and rules, as scenario tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { collectionIdFor, fieldIdFor, uniqueName } from './helpers/collections.js';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
});
afterAll(async () => { await s?.close(); });

const post = (body: unknown) => s.request('POST', '/api/collections', { token: admin, body });

async function create(body: Record<string, unknown>) {
  const res = await post(body);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const byName = (c: { fields: { name: string }[] }, name: string) => c.fields.find((f) => f.name === name) as Record<string, any>;

describe('create with every field type', () => {
  it('stores each type with its options and serves records', async () => {
    const target = await create({ name: uniqueName('rel_target') });
    const name = uniqueName('all');
    const fields = [
      { name: 'title', type: 'text', required: true, min: 2, max: 20, pattern: '^[a-z ]+$', help: 'the title' },
      { name: 'code', type: 'text', autogeneratePattern: '[A-Z]{4}' },
      { name: 'views', type: 'number', min: 0, max: 100, onlyInt: true },
      { name: 'flag', type: 'bool' },
      { name: 'mail', type: 'email', onlyDomains: ['example.com'] },
      { name: 'site', type: 'url', exceptDomains: ['bad.com'] },
      { name: 'body', type: 'editor', maxSize: 1000, convertURLs: true },
      { name: 'when', type: 'date', min: '2020-01-01 00:00:00.000Z', max: '' },
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
      { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 2 },
      { name: 'one', type: 'select', values: ['x', 'y'], maxSelect: 1 },
      { name: 'link', type: 'relation', collectionId: target.id, maxSelect: 3, minSelect: 0, cascadeDelete: true },
      { name: 'meta', type: 'json', maxSize: 2000 },
      { name: 'secret', type: 'password', min: 6, max: 50, cost: 4 },
      { name: 'where', type: 'geoPoint' },
      { name: 'doc', type: 'file', maxSelect: 2, maxSize: 1024, mimeTypes: ['image/png'], thumbs: ['100x100', '0x50'], protected: true },
    ];
    const c = await create({ name, listRule: '', viewRule: '', createRule: '', fields });
    expect(c.id).toBe(collectionIdFor('base', name));
    expect(c.fields.map((f: { name: string }) => f.name)).toEqual(['id', ...fields.map((f) => f.name)]);
    for (const f of fields) {
      const got = byName(c, f.name);
      expect(got.id, f.name).toBe(fieldIdFor(f.type, f.name));
      expect(got, f.name).toMatchObject({ ...f, system: false, hidden: false, presentable: false });
    }
    // Defaults filled on options that were not sent.
    expect(byName(c, 'flag')).toMatchObject({ required: false });
    expect(byName(c, 'meta')).toMatchObject({ maxSize: 2000 });
    expect(byName(c, 'code')).toMatchObject({ min: 0, max: 0, pattern: '', primaryKey: false });
    expect(byName(c, 'id')).toMatchObject({ type: 'text', system: true, primaryKey: true, required: true, min: 15, max: 15, pattern: '^[a-z0-9]+$', autogeneratePattern: '[a-z0-9]{15}' });
    expect(byName(c, 'created')).not.toHaveProperty('help');

    // The stored collection reads back the same.
    const again = await s.request('GET', `/api/collections/${c.id}`, { token: admin });
    expect(again.body.fields).toEqual(c.fields);

    const rec = await s.request('POST', `/api/collections/${name}/records`, {
      body: { title: 'hello', views: 3, flag: true, mail: 'a@example.com', site: 'https://ok.com', body: '<p>x</p>', when: '2024-05-01', tags: ['a', 'b'], one: 'y', meta: { k: 1 }, secret: 'abcdefg', where: { lon: 1, lat: 2 } },
    });
    expect(rec.status, rec.text).toBe(200);
    expect(rec.body).toMatchObject({ title: 'hello', views: 3, flag: true, tags: ['a', 'b'], one: 'y', meta: { k: 1 }, where: { lon: 1, lat: 2 }, when: '2024-05-01 00:00:00.000Z', link: [], doc: [] });
    expect(rec.body.code).toMatch(/^[A-Z]{4}$/);
    expect(rec.body).not.toHaveProperty('secret');
    const bad = await s.request('POST', `/api/collections/${name}/records`, { body: { title: 'hello', mail: 'a@other.com', views: 1.5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.data.mail.code).toBe('validation_email_domain_not_allowed');
    expect(bad.body.data.views.code).toBe('validation_only_int_constraint');
  });

  it.each([
    ['select without values', { name: 'x', type: 'select', values: [] }, 'values'],
    ['select maxSelect > values', { name: 'x', type: 'select', values: ['a'], maxSelect: 3 }, 'maxSelect'],
    ['relation without collectionId', { name: 'x', type: 'relation' }, 'collectionId'],
    ['relation to unknown collection', { name: 'x', type: 'relation', collectionId: 'nope_nope' }, 'collectionId'],
    ['autodate with neither flag', { name: 'x', type: 'autodate', onCreate: false, onUpdate: false }, null],
    ['email with both domain lists', { name: 'x', type: 'email', onlyDomains: ['a.com'], exceptDomains: ['b.com'] }, null],
    ['file with 0x0 thumb', { name: 'x', type: 'file', thumbs: ['0x0'] }, 'thumbs'],
    ['password cost 99', { name: 'x', type: 'password', cost: 99 }, 'cost'],
    ['text with bad regex', { name: 'x', type: 'text', pattern: '(' }, 'pattern'],
    ['text primaryKey on non-id', { name: 'x', type: 'text', primaryKey: true }, null],
    ['number min as string', { name: 'x', type: 'number', min: 'five' }, null],
    ['unknown field type', { name: 'x', type: 'nope' }, 'type'],
    ['help too long', { name: 'x', type: 'text', help: 'h'.repeat(301) }, 'help'],
  ])('invalid options: %s → 400 on fields.1', async (_label, field, key) => {
    const name = uniqueName('opt');
    const res = await post({ name, fields: [field] });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toBe('Failed to create collection.');
    const err = res.body.data.fields?.['1'];
    expect(err, res.text).toBeDefined();
    if (key) expect(JSON.stringify(err[key]), res.text).toMatch(/"code":"validation_/);
    expect((await s.request('GET', `/api/collections/${name}`, { token: admin })).status).toBe(404);
  });
});

describe('auth collection defaults (docs/api.md §2.1, §2.4)', () => {
  it('gets system fields, default indexes, options; secrets never returned', async () => {
    const name = uniqueName('members');
    const c = await create({ name, type: 'auth', fields: [{ name: 'nick', type: 'text' }] });
    expect(c.id).toBe(collectionIdFor('auth', name));
    expect(c.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'nick', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified']);
    expect(byName(c, 'password')).toMatchObject({ type: 'password', system: true, hidden: true, required: true, min: 8 });
    expect(byName(c, 'tokenKey')).toMatchObject({ type: 'text', system: true, hidden: true, required: true, min: 30, max: 60, autogeneratePattern: '[a-zA-Z0-9]{50}' });
    expect(byName(c, 'email')).toMatchObject({ type: 'email', system: true, required: true });
    expect(byName(c, 'emailVisibility')).toMatchObject({ type: 'bool', system: true });
    expect(byName(c, 'verified')).toMatchObject({ type: 'bool', system: true });
    expect(c.indexes).toEqual([
      `CREATE UNIQUE INDEX \`idx_tokenKey_${c.id}\` ON \`${name}\` (\`tokenKey\`)`,
      `CREATE UNIQUE INDEX \`idx_email_${c.id}\` ON \`${name}\` (\`email\`) WHERE \`email\` != ''`,
    ]);
    expect(c).toMatchObject({
      authRule: '', manageRule: null,
      passwordAuth: { enabled: true, identityFields: ['email'] },
      mfa: { enabled: false, duration: 600, rule: '' },
      otp: { enabled: false, duration: 180, length: 8 },
      oauth2: { enabled: false, providers: [] },
      authToken: { duration: 432000 }, passwordResetToken: { duration: 1800 }, emailChangeToken: { duration: 1800 },
      verificationToken: { duration: 86400 }, fileToken: { duration: 180 },
    });
    expect(c.authAlert.enabled).toBe(true);
    for (const key of ['verificationTemplate', 'resetPasswordTemplate', 'confirmEmailChangeTemplate']) {
      expect(c[key].subject.length, key).toBeGreaterThan(0);
      expect(c[key].body.length, key).toBeGreaterThan(0);
    }
    const listed = await s.request('GET', '/api/collections?' + new URLSearchParams({ filter: `name = '${name}'` }), { token: admin });
    for (const text of [JSON.stringify(c), listed.text, (await s.request('GET', `/api/collections/${name}`, { token: admin })).text]) {
      expect(text).not.toContain('"secret"');
      expect(text).not.toContain('clientSecret');
    }
  });

  it('a sent token secret is accepted and still not returned; a short one is refused', async () => {
    const ok = await post({ name: uniqueName('sec'), type: 'auth', authToken: { duration: 100, secret: 's'.repeat(40) } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.authToken).toEqual({ duration: 100 });
    const bad = await post({ name: uniqueName('sec'), type: 'auth', authToken: { duration: 100, secret: 'short' } });
    expect(bad.status).toBe(400);
    expect(bad.body.data.authToken.secret.code).toMatch(/^validation_/);
    const dur = await post({ name: uniqueName('sec'), type: 'auth', authToken: { duration: 1 } });
    expect(dur.status).toBe(400);
  });

  it.each(['passwordConfirm', 'oldPassword'])('reserved auth field name %s → 400', async (field) => {
    const res = await post({ name: uniqueName('resv'), type: 'auth', fields: [{ name: field, type: 'text' }] });
    expect(res.status).toBe(400);
    expect(res.body.data.fields).toBeDefined();
  });
});

describe('ids (docs/api.md §1.5)', () => {
  it('custom collection id and field id are kept', async () => {
    const id = `custom_${Date.now()}`;
    const c = await create({ id, name: uniqueName('cid'), fields: [{ id: 'myfield1', name: 'title', type: 'text' }] });
    expect(c.id).toBe(id);
    expect(byName(c, 'title').id).toBe('myfield1');
    expect((await s.request('GET', `/api/collections/${id}`, { token: admin })).body.name).toBe(c.name);
  });

  it('an id clash gets a numeric suffix for generated ids', async () => {
    const name = uniqueName('clash');
    const first = await create({ name });
    await s.request('PATCH', `/api/collections/${first.id}`, { token: admin, body: { name: uniqueName('moved') } });
    const second = await create({ name });
    expect(second.id).toBe(`${first.id}2`);
  });

  it.each([
    ['bad characters', 'bad-id!', 'validation_match_invalid'],
    ['too long', 'x'.repeat(101), 'validation_length_out_of_range'],
    ['already used', 'pbc_3142635823', 'validation_invalid_or_existing_id'],
  ])('collection id %s → 400', async (_label, id, code) => {
    const res = await post({ id, name: uniqueName('badid') });
    expect(res.status).toBe(400);
    expect(res.body.data.id.code).toBe(code);
  });
});

describe('collection name rules (docs/api.md §2.1)', () => {
  it.each([
    ['empty', '', 'validation_required'],
    ['dash', 'bad-name', 'validation_match_invalid'],
    ['space', 'bad name', 'validation_match_invalid'],
    ['unicode', 'naïve', 'validation_match_invalid'],
    ['emoji', 'posts😀', 'validation_match_invalid'],
    ['too long', 'n'.repeat(256), 'validation_length_out_of_range'],
    ['huge', 'n'.repeat(100_000), 'validation_length_out_of_range'],
    ['_via_', 'posts_via_x', 'validation_found_via'],
    ['exists, other case', 'USERS', 'validation_collection_name_exists'],
    ['exists', '_superusers', 'validation_collection_name_exists'],
    ['another collection id', '_pb_users_auth_', 'validation_collection_name_id_duplicate'],
    ['internal table', '_collections', 'validation_collection_name_invalid'],
    ['internal table other case', '_PARAMS', 'validation_collection_name_invalid'],
    ['sqlite table', 'sqlite_master', 'validation_collection_name_invalid'],
    ['__proto__', '__proto__', 'validation_collection_name_invalid'],
    ['sql fragment', 'x; DROP TABLE users; --', 'validation_match_invalid'],
    ['quote', 'x`y', 'validation_match_invalid'],
  ])('%s → 400 %s', async (_label, name, code) => {
    const res = await post({ name });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toBe('Failed to create collection.');
    expect(res.body.data.name.code).toBe(code);
  });

  it('a 255-char name is fine', async () => {
    const name = ('n' + uniqueName('long')).padEnd(255, 'x');
    const c = await create({ name });
    expect(c.name).toBe(name);
  });

  it('the users table is untouched by the hostile names', async () => {
    expect((await s.request('GET', '/api/collections/users/records', { token: admin })).status).toBe(200);
  });
});

describe('field name rules (docs/api.md §2.3)', () => {
  it.each([
    ['empty', '', 'validation_required'],
    ['dash', 'a-b', 'validation_match_invalid'],
    ['unicode', 'tïtle', 'validation_match_invalid'],
    ['too long', 'f'.repeat(101), 'validation_length_out_of_range'],
    ['null', 'null', 'validation_not_in_invalid'],
    ['true', 'TRUE', 'validation_not_in_invalid'],
    ['expand', 'expand', 'validation_not_in_invalid'],
    ['collectionId', 'collectionId', 'validation_not_in_invalid'],
    ['collectionName', 'collectionName', 'validation_not_in_invalid'],
    ['_rowid_', '_rowid_', 'validation_not_in_invalid'],
    ['__proto__', '__proto__', 'validation_not_in_invalid'],
    ['_via_', 'a_via_b', 'validation_found_via'],
    ['sql', 'x"; DROP TABLE users; --', 'validation_match_invalid'],
  ])('%s → 400 %s', async (_label, fieldName, code) => {
    const res = await post({ name: uniqueName('fname'), fields: [{ name: fieldName, type: 'text' }] });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.fields['1'].name.code).toBe(code);
  });

  it('same name, different case → 400 validation_field_name_duplicate', async () => {
    const res = await post({ name: uniqueName('dup'), fields: [{ name: 'title', type: 'text' }, { name: 'Title', type: 'number' }] });
    expect(res.status).toBe(400);
    expect(res.body.data.fields['2'].name.code).toBe('validation_field_name_duplicate');
  });

  it('same name and same type without ids collapse (last wins)', async () => {
    const c = await create({ name: uniqueName('dup'), fields: [{ name: 'title', type: 'text', max: 5 }, { name: 'title', type: 'text', max: 9 }] });
    expect(c.fields.filter((f: { name: string }) => f.name === 'title')).toHaveLength(1);
    expect(byName(c, 'title').max).toBe(9);
  });

  it('duplicate field ids → 400', async () => {
    const res = await post({ name: uniqueName('dupid'), fields: [{ id: 'f1', name: 'a', type: 'text' }, { id: 'f1', name: 'b', type: 'text' }] });
    // A later field with the same id replaces the earlier one (PocketBase's FieldsList.Add), so this is one field.
    expect(res.status, res.text).toBe(200);
    expect(res.body.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'b']);
  });
});

describe('SQL keywords as names', () => {
  it.each(['order', 'select', 'group', 'table'])('collection %s with keyword fields works end to end', async (kw) => {
    const name = `${kw}_${uniqueName('kw').replace(/^kw_/, '')}`.slice(0, 30);
    // The bare keyword itself as a collection name, once per keyword, when it is free.
    const names = [name, ...((await s.request('GET', `/api/collections/${kw}`, { token: admin })).status === 404 ? [kw] : [])];
    for (const n of names) {
      const c = await create({
        name: n, listRule: '', createRule: '',
        fields: [{ name: 'from', type: 'text' }, { name: 'where', type: 'number' }, { name: 'index', type: 'select', values: ['a', 'b'], maxSelect: 2 }],
        indexes: [`CREATE UNIQUE INDEX idx_${n}_from ON x (\`from\`)`],
      });
      expect(c.name).toBe(n);
      const rec = await s.request('POST', `/api/collections/${n}/records`, { body: { from: 'x', where: 2, index: ['a'] } });
      expect(rec.status, rec.text).toBe(200);
      const dup = await s.request('POST', `/api/collections/${n}/records`, { body: { from: 'x' } });
      expect(dup.status).toBe(400);
      expect(dup.body.data.from.code).toBe('validation_not_unique');
      const list = await s.request('GET', `/api/collections/${n}/records?` + new URLSearchParams({ filter: "from = 'x' && where > 1 && index:each ?= 'a'", sort: '-where,from' }));
      expect(list.status, list.text).toBe(200);
      expect(list.body.items).toHaveLength(1);
      const renamed = await s.request('PATCH', `/api/collections/${n}`, { token: admin, body: { name: `${n}_2` } });
      expect(renamed.status, renamed.text).toBe(200);
      expect((await s.request('DELETE', `/api/collections/${n}_2/truncate`, { token: admin })).status).toBe(204);
      expect((await s.request('DELETE', `/api/collections/${n}_2`, { token: admin })).status).toBe(204);
    }
  });
});

describe('indexes (docs/api.md §2.1)', () => {
  it('a UNIQUE index is created for real: a duplicate record → 400 validation_not_unique', async () => {
    const name = uniqueName('uniq');
    const c = await create({
      name, createRule: '',
      fields: [{ name: 'slug', type: 'text' }, { name: 'other', type: 'text' }],
      indexes: ['CREATE UNIQUE INDEX idx_slug_x ON anything (slug)', 'CREATE INDEX `idx_other_x` ON `anything` (`other`)'],
    });
    expect(c.indexes).toEqual([
      `CREATE UNIQUE INDEX \`idx_slug_x\` ON \`${name}\` (\`slug\`)`,
      `CREATE INDEX \`idx_other_x\` ON \`${name}\` (\`other\`)`,
    ]);
    expect((await s.request('POST', `/api/collections/${name}/records`, { body: { slug: 'a', other: 'o' } })).status).toBe(200);
    const dup = await s.request('POST', `/api/collections/${name}/records`, { body: { slug: 'a', other: 'o' } });
    expect(dup.status, dup.text).toBe(400);
    expect(dup.body.data.slug.code).toBe('validation_not_unique');
    expect(dup.body.data).not.toHaveProperty('other');
  });

  it.each([
    ['not an index', 'DROP TABLE users'],
    ['two statements', 'CREATE INDEX i1 ON x (title); DROP TABLE users'],
    ['comment', 'CREATE INDEX i1 ON x (title) WHERE 1 -- ) '],
    ['unknown column', 'CREATE INDEX i1 ON x (nope)'],
    ['expression column', 'CREATE INDEX i1 ON x (lower(title))'],
    ['subquery in where', "CREATE INDEX i1 ON x (title) WHERE title IN (SELECT email FROM _superusers)"],
    ['unbalanced where', "CREATE INDEX i1 ON x (title) WHERE title = 'a"],
    ['name taken elsewhere', 'CREATE INDEX idx_tokenKey_pbc_3142635823 ON x (title)'],
    ['not a string', 42],
  ])('index %s → 400, nothing created', async (_label, index) => {
    const name = uniqueName('badidx');
    const res = await post({ name, fields: [{ name: 'title', type: 'text' }], indexes: [index] });
    expect(res.status, res.text).toBe(400);
    expect(res.body.status).toBe(400);
    expect((await s.request('GET', `/api/collections/${name}`, { token: admin })).status).toBe(404);
    expect((await s.request('GET', '/api/collections/_superusers/records', { token: admin })).status).toBe(200);
    expect((await s.request('GET', '/api/collections/users/records', { token: admin })).status).toBe(200);
  });

  it('indexes that are not an array → 400', async () => {
    const res = await post({ name: uniqueName('idx'), indexes: 'CREATE INDEX a ON b (id)' });
    expect(res.status).toBe(400);
  });
});

describe('rules (docs/api.md §2.2)', () => {
  it.each([
    ['unknown field', 'nope = 1'],
    ['syntax', "title = 'x"],
    ['unknown macro', "title = @nope"],
    ['sql', "title = ''; DROP TABLE users; --"],
    ['unknown collection ref', "@collection.nope.id = id"],
  ])('invalid %s → 400 validation_invalid_rule', async (_label, rule) => {
    const name = uniqueName('rule');
    const res = await post({ name, fields: [{ name: 'title', type: 'text' }], listRule: rule });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.listRule.code).toBe('validation_invalid_rule');
    expect((await s.request('GET', `/api/collections/${name}`, { token: admin })).status).toBe(404);
  });

  it('valid rules and null are stored as sent', async () => {
    const c = await create({
      name: uniqueName('rules'), fields: [{ name: 'title', type: 'text' }],
      listRule: '', viewRule: "title != ''", createRule: '@request.auth.id != ""', updateRule: null,
    });
    expect(c).toMatchObject({ listRule: '', viewRule: "title != ''", createRule: '@request.auth.id != ""', updateRule: null, deleteRule: null });
  });

  it('view collections must have null create/update/delete rules', async () => {
    const res = await post({ name: uniqueName('vr'), type: 'view', viewQuery: 'SELECT id FROM users', createRule: '' });
    expect(res.status).toBe(400);
    expect(res.body.data.createRule.code).toBe('validation_nil');
  });
});

describe('hostile bodies', () => {
  it.each([
    ['array', [{ name: 'x' }]],
    ['string', 'hello'],
    ['number', 42],
    ['null', null],
    ['fields is an object', { name: 'hx1', fields: { name: 'a' } }],
    ['fields items are strings', { name: 'hx2', fields: ['a'] }],
    ['fields items are null', { name: 'hx3', fields: [null] }],
    ['name is an object', { name: { a: 1 } }],
    ['type is unknown', { name: 'hx4', type: 'table' }],
    ['type is an array', { name: 'hx5', type: ['base'] }],
    ['auth options are strings', { name: 'hx6', type: 'auth', passwordAuth: 'yes' }],
    ['identityFields not a list', { name: 'hx7', type: 'auth', passwordAuth: { identityFields: 'email' } }],
    ['oauth2 providers not objects', { name: 'hx8', type: 'auth', oauth2: { providers: [1, 2] } }],
    ['rule is an object', { name: 'hx9', listRule: { a: 1 } }],
    ['deeply nested junk', { name: 'hx10', fields: [{ name: 'a', type: 'json', maxSize: { x: [1] } }] }],
  ])('%s → 400, never 500', async (_label, body) => {
    const before = (await s.request('GET', '/api/collections?perPage=1', { token: admin })).body.totalItems;
    const res = await s.request('POST', '/api/collections', { token: admin, body: JSON.stringify(body) });
    expect(res.status, res.text).toBe(400);
    expect(res.body).toMatchObject({ status: 400 });
    expect(typeof res.body.message).toBe('string');
    expect(res.body.data).toBeTypeOf('object');
    expect((await s.request('GET', '/api/collections?perPage=1', { token: admin })).body.totalItems).toBe(before);
  });

  it('malformed JSON → 400', async () => {
    const res = await s.request('POST', '/api/collections', { token: admin, body: '{"name": ' });
    expect(res.status).toBe(400);
  });
});
