/**
 * API rules through the records API (docs/api.md §3.9, §4.2, §4.3): the five rules and
 * what an unsatisfied one answers, `@request.*` values, `@collection.*` joins,
 * update-rule modifiers, and rules that can no longer be evaluated (fail closed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollection, createRecord } from './helpers/collections.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let admin: string;
const tok: Record<string, string> = {};
const id: Record<string, string> = {};
const DEFAULT_404 = { status: 404, message: "The requested resource wasn't found.", data: {} };
const CREATE_400 = { status: 400, message: 'Failed to create record.', data: {} };

const mk = (body: Record<string, unknown>): Promise<any> => createCollection(s, admin, body);
const rec = (collection: string, body: Record<string, unknown>): Promise<string> => createRecord(s, admin, collection, body);

async function login(email: string): Promise<string> {
  const r = await s.request('POST', '/api/collections/ra_users/auth-with-password', { body: { identity: email, password: 'password123' } });
  expect(r.status, r.text).toBe(200);
  return r.body.token;
}

function who(name: string): string | undefined {
  return name === 'guest' ? undefined : name === 'admin' ? admin : tok[name];
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  const teams = await mk({ name: 'ra_teams', listRule: null, viewRule: null, fields: [{ name: 'name', type: 'text' }] });
  const users = await mk({
    name: 'ra_users', type: 'auth', listRule: '', viewRule: '',
    fields: [
      { name: 'name', type: 'text' }, { name: 'role', type: 'text' },
      { name: 'team', type: 'relation', collectionId: teams.id, maxSelect: 1 },
      { name: 'pin', type: 'text', hidden: true },
    ],
  });
  id.red = await rec('ra_teams', { name: 'red' });
  id.blue = await rec('ra_teams', { name: 'blue' });
  const user = async (k: string, extra: Record<string, unknown>) => {
    id[k] = await rec('ra_users', { email: `${k.toLowerCase()}@example.com`, password: 'password123', passwordConfirm: 'password123', ...extra });
    tok[k] = await login(`${k.toLowerCase()}@example.com`);
  };
  await user('U1', { name: 'Alice', role: 'admin', team: id.red, pin: '1111' });
  await user('U2', { name: 'Bob', role: 'user', team: id.blue, pin: '2222' });

  await mk({
    name: 'ra_docs',
    listRule: 'owner = @request.auth.id',
    viewRule: 'owner = @request.auth.id || public = true',
    createRule: '@request.auth.id != "" && owner = @request.auth.id',
    updateRule: 'owner = @request.auth.id && @request.body.owner:isset = false',
    deleteRule: 'owner = @request.auth.id && @request.auth.role = "admin"',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'public', type: 'bool' },
      { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 },
    ],
  });
  id.d1 = await rec('ra_docs', { title: 'd1', owner: id.U1 });
  id.d2 = await rec('ra_docs', { title: 'd2', owner: id.U1, public: true });
  id.d3 = await rec('ra_docs', { title: 'd3', owner: id.U2 });
});
afterAll(async () => { await s?.close(); });

describe('the five rules (docs/api.md §3.9)', () => {
  it.each([
    ['guest', []],
    ['U1', ['d1', 'd2']],
    ['U2', ['d3']],
    ['admin', ['d1', 'd2', 'd3']],
  ] as const)('list as %s silently filters', async (user, titles) => {
    const r = await s.request('GET', '/api/collections/ra_docs/records', { token: who(user) });
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: any) => i.title)).toEqual(titles);
    expect(r.body.totalItems).toBe(titles.length);
  });

  it.each([
    ['guest', 'd1', 404], ['guest', 'd2', 200], ['U2', 'd1', 404], ['U1', 'd1', 200], ['U2', 'd3', 200], ['admin', 'd3', 200],
    ['U1', 'missing', 404], ['guest', 'missing', 404],
  ] as const)('view as %s of %s → %d', async (user, doc, status) => {
    const r = await s.request('GET', `/api/collections/ra_docs/records/${id[doc] ?? 'aaaaaaaaaaaaaaa'}`, { token: who(user) });
    expect(r.status).toBe(status);
    if (status === 404) expect(r.body).toEqual(DEFAULT_404);
  });

  it.each([
    ['guest', 'U1', 400], ['U2', 'U1', 400], ['U1', 'U1', 200], ['U1', '', 400], ['admin', '', 200],
  ] as const)('create as %s with owner %s → %d', async (user, owner, status) => {
    const r = await s.request('POST', '/api/collections/ra_docs/records', { token: who(user), body: { title: 'new', owner: id[owner] ?? '' } });
    expect(r.status, r.text).toBe(status);
    if (status === 400) expect(r.body).toEqual(CREATE_400);
  });

  it.each([
    ['guest', { title: 'x' }, 404],
    ['U2', { title: 'x' }, 404],
    ['U1', { title: 'changed' }, 200],
    // `@request.body.owner:isset = false`: sending the key at all denies, even unchanged or empty.
    ['U1', { owner: 'U1' }, 404],
    ['U1', { title: 'y', owner: '' }, 404],
    ['admin', { owner: 'U2' }, 200],
  ] as const)('update d1 as %s with %j → %d', async (user, body, status) => {
    const payload: Record<string, unknown> = { ...body };
    if (typeof payload.owner === 'string' && payload.owner !== '') payload.owner = id[payload.owner];
    const r = await s.request('PATCH', `/api/collections/ra_docs/records/${id.d1}`, { token: who(user), body: payload });
    expect(r.status, r.text).toBe(status);
    if (status === 404) expect(r.body).toEqual(DEFAULT_404);
    // Restore the owner for the next rows.
    if (user === 'admin') await s.request('PATCH', `/api/collections/ra_docs/records/${id.d1}`, { token: admin, body: { owner: id.U1 } });
  });

  it('delete: a non-plain @request.auth field is joined from the auth collection', async () => {
    // d3 is U2's, but U2's role is "user": the deleteRule needs role "admin".
    expect((await s.request('DELETE', `/api/collections/ra_docs/records/${id.d3}`, { token: tok.U2 })).status).toBe(404);
    expect((await s.request('DELETE', `/api/collections/ra_docs/records/${id.d3}`, { token: tok.U1 })).status).toBe(404);
    expect((await s.request('DELETE', `/api/collections/ra_docs/records/${id.d3}`)).status).toBe(404);
    const d = await rec('ra_docs', { title: 'tmp', owner: id.U1 });
    expect((await s.request('DELETE', `/api/collections/ra_docs/records/${d}`, { token: tok.U2 })).status).toBe(404);
    const ok = await s.request('DELETE', `/api/collections/ra_docs/records/${d}`, { token: tok.U1 });
    expect(ok.status).toBe(204);
    expect(ok.text).toBe('');
    expect((await s.request('GET', `/api/collections/ra_docs/records/${id.d3}`, { token: admin })).status).toBe(200);
  });

  it('a null rule answers 403 to non-superusers even for a missing record', async () => {
    await mk({ name: 'ra_locked', fields: [{ name: 'title', type: 'text' }] });
    const r1 = await rec('ra_locked', { title: 'x' });
    const rows: Array<[string, string, unknown]> = [
      ['GET', '/api/collections/ra_locked/records', undefined],
      ['GET', `/api/collections/ra_locked/records/${r1}`, undefined],
      ['GET', '/api/collections/ra_locked/records/aaaaaaaaaaaaaaa', undefined],
      ['POST', '/api/collections/ra_locked/records', { title: 'y' }],
      ['PATCH', `/api/collections/ra_locked/records/${r1}`, { title: 'y' }],
      ['PATCH', '/api/collections/ra_locked/records/aaaaaaaaaaaaaaa', { title: 'y' }],
      ['DELETE', `/api/collections/ra_locked/records/${r1}`, undefined],
      ['DELETE', '/api/collections/ra_locked/records/aaaaaaaaaaaaaaa', undefined],
    ];
    for (const [method, path, body] of rows) {
      for (const user of ['guest', 'U1']) {
        const r = await s.request(method, path, { token: who(user), body });
        expect(r.status, `${user} ${method} ${path}`).toBe(403);
        expect(r.body).toEqual({ status: 403, message: 'Only superusers can perform this action.', data: {} });
      }
    }
    expect((await s.request('GET', `/api/collections/ra_locked/records/${r1}`, { token: admin })).body.title).toBe('x');
  });
});

describe('@request.* values in rules (docs/api.md §4.2)', () => {
  beforeAll(async () => {
    const users = (await s.request('GET', '/api/collections/ra_users', { token: admin })).body;
    await mk({
      name: 'ra_req',
      listRule: '@request.query.key = "s3cret" && @request.context = "default"',
      viewRule: '@request.headers.x_token = "abc" && @request.method = "GET"',
      createRule: '@request.body.title:lower != "forbidden" && @request.method = "POST" && @request.body.tags:length < 3 && @request.body.tags:each != "bad"',
      updateRule: '@request.body.status:changed = false',
      deleteRule: '@request.method = "GET"',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'status', type: 'text' },
        { name: 'count', type: 'number' },
        { name: 'tags', type: 'select', values: ['a', 'b', 'c', 'bad'], maxSelect: 4 },
        { name: 'author', type: 'relation', collectionId: users.id, maxSelect: 1 },
      ],
    });
    id.q1 = await rec('ra_req', { title: 'q1', status: 'draft' });
  });

  it('@request.query.* is the first query value', async () => {
    const base = '/api/collections/ra_req/records';
    expect((await s.request('GET', `${base}?key=s3cret`)).body.items).toHaveLength(1);
    expect((await s.request('GET', `${base}?key=s3cret&key=other`)).body.items).toHaveLength(1);
    expect((await s.request('GET', `${base}?key=other&key=s3cret`)).body.items).toHaveLength(0);
    expect((await s.request('GET', `${base}?key=S3CRET`)).body.items).toHaveLength(0);
    expect((await s.request('GET', base)).body.items).toHaveLength(0);
  });

  it('@request.headers.* names are snake-cased and lower-cased', async () => {
    const path = `/api/collections/ra_req/records/${id.q1}`;
    expect((await s.request('GET', path, { headers: { 'X-Token': 'abc' } })).status).toBe(200);
    expect((await s.request('GET', path, { headers: { 'x-token': 'abc' } })).status).toBe(200);
    expect((await s.request('GET', path, { headers: { 'X-Token': 'abcd' } })).status).toBe(404);
    expect((await s.request('GET', path, { headers: { 'X-Tok': 'abc' } })).status).toBe(404);
    expect((await s.request('GET', path)).status).toBe(404);
  });

  it.each([
    [{ title: 'ok' }, 200],
    [{ title: 'forbidden' }, 400],
    [{ title: 'FORBIDDEN' }, 400],
    [{ title: 'ok', tags: ['a', 'b'] }, 200],
    [{ title: 'ok', tags: ['a', 'b', 'c'] }, 400],
    [{ title: 'ok', tags: ['a', 'bad'] }, 400],
  ] as const)('create with %j → %d (@request.body, :lower, :length, :each, @request.method)', async (body, status) => {
    const r = await s.request('POST', '/api/collections/ra_req/records', { body });
    expect(r.status, r.text).toBe(status);
    if (status === 400) expect(r.body).toEqual(CREATE_400);
  });

  it.each([
    [{ title: 'retitled' }, 200],
    [{ status: 'draft' }, 200],
    [{ status: 'published' }, 404],
    [{ status: '' }, 404],
    [{ title: 'x', status: 'draft' }, 200],
  ] as const)('update with %j → %d (@request.body.status:changed = false)', async (body, status) => {
    const r = await s.request('PATCH', `/api/collections/ra_req/records/${id.q1}`, { body });
    expect(r.status, r.text).toBe(status);
  });

  it('@request.method is the HTTP method: a rule wanting GET never lets a DELETE through', async () => {
    expect((await s.request('DELETE', `/api/collections/ra_req/records/${id.q1}`)).status).toBe(404);
    expect((await s.request('GET', `/api/collections/ra_req/records/${id.q1}`, { token: admin })).status).toBe(200);
  });

  it('@request.body.<relation>.<field> joins the submitted record', async () => {
    await mk({
      name: 'ra_bodyrel', createRule: '@request.body.author.role = "admin"', listRule: '',
      fields: [{ name: 'author', type: 'relation', collectionId: (await s.request('GET', '/api/collections/ra_users', { token: admin })).body.id, maxSelect: 1 }],
    });
    expect((await s.request('POST', '/api/collections/ra_bodyrel/records', { body: { author: id.U1 } })).status).toBe(200);
    expect((await s.request('POST', '/api/collections/ra_bodyrel/records', { body: { author: id.U2 } })).status).toBe(400);
    expect((await s.request('POST', '/api/collections/ra_bodyrel/records', { body: {} })).status).toBe(400);
  });

  it('@request.auth.<relation>.<field> and hidden auth fields resolve through the auth collection', async () => {
    await mk({ name: 'ra_team_docs', listRule: '@request.auth.team.name = "red"', viewRule: '@request.auth.pin = "2222"', fields: [{ name: 'title', type: 'text' }] });
    const t = await rec('ra_team_docs', { title: 't' });
    expect((await s.request('GET', '/api/collections/ra_team_docs/records', { token: tok.U1 })).body.items).toHaveLength(1);
    expect((await s.request('GET', '/api/collections/ra_team_docs/records', { token: tok.U2 })).body.items).toHaveLength(0);
    expect((await s.request('GET', '/api/collections/ra_team_docs/records')).body.items).toHaveLength(0);
    expect((await s.request('GET', `/api/collections/ra_team_docs/records/${t}`, { token: tok.U2 })).status).toBe(200);
    expect((await s.request('GET', `/api/collections/ra_team_docs/records/${t}`, { token: tok.U1 })).status).toBe(404);
  });

  it('for a guest, `owner = @request.auth.id` matches ownerless rows (NULL ≡ "", docs/api.md §4.5)', async () => {
    const orphan = await rec('ra_docs', { title: 'orphan' });
    const r = await s.request('GET', '/api/collections/ra_docs/records');
    expect(r.body.items.map((i: any) => i.title)).toContain('orphan');
    expect(r.body.items.every((i: any) => i.owner === '')).toBe(true);
    await s.request('DELETE', `/api/collections/ra_docs/records/${orphan}`, { token: admin });
  });

  it('plain @request.auth fields come from the auth record, numeric strings compare as numbers', async () => {
    await mk({
      name: 'ra_plain',
      listRule: '@request.auth.collectionName = "ra_users" && @request.auth.email ~ "u1@" && @request.auth.verified = false',
      viewRule: '@request.query.count > 3',
      createRule: '@request.body.count > 3',
      fields: [{ name: 'count', type: 'number' }],
    });
    const r = await rec('ra_plain', { count: 1 });
    expect((await s.request('GET', '/api/collections/ra_plain/records', { token: tok.U1 })).body.items).toHaveLength(1);
    expect((await s.request('GET', '/api/collections/ra_plain/records', { token: tok.U2 })).body.items).toHaveLength(0);
    // As text "2" > 3 would hold in SQLite; the value is cast for a number field of that name.
    expect((await s.request('GET', `/api/collections/ra_plain/records/${r}?count=10`)).status).toBe(200);
    expect((await s.request('GET', `/api/collections/ra_plain/records/${r}?count=2`)).status).toBe(404);
    expect((await s.request('POST', '/api/collections/ra_plain/records', { body: { count: '10' } })).status).toBe(200);
    expect((await s.request('POST', '/api/collections/ra_plain/records', { body: { count: '2' } })).status).toBe(400);
  });

  it('an invalid or foreign token is a guest, never an error', async () => {
    for (const token of ['garbage', 'Bearer x.y.z', `${tok.U1}x`]) {
      const r = await s.request('GET', '/api/collections/ra_docs/records', { token });
      expect(r.status).toBe(200);
      expect(r.body.items.filter((i: any) => i.owner !== '')).toEqual([]);
    }
    const bearer = await s.request('GET', '/api/collections/ra_docs/records', { token: `Bearer ${tok.U1}` });
    expect(bearer.body.items.length).toBeGreaterThan(0);
    expect(bearer.body.items.every((i: any) => i.owner === id.U1)).toBe(true);
  });
});

describe('@collection.* in rules (docs/api.md §4.2)', () => {
  beforeAll(async () => {
    const users = (await s.request('GET', '/api/collections/ra_users', { token: admin })).body;
    await mk({
      name: 'ra_allow', listRule: null,
      fields: [{ name: 'user', type: 'relation', collectionId: users.id, maxSelect: 1 }, { name: 'level', type: 'text' }],
    });
    await rec('ra_allow', { user: id.U1, level: 'silver' });
    await rec('ra_allow', { user: id.U2, level: 'gold' });
    // Same join: one allow row must both name me and be gold.
    await mk({
      name: 'ra_gold_same', listRule: '@collection.ra_allow.user ?= @request.auth.id && @collection.ra_allow.level ?= "gold"',
      fields: [{ name: 'title', type: 'text' }],
    });
    // An alias is an independent join: some row names me, some (other) row is gold.
    await mk({
      name: 'ra_gold_alias', listRule: '@collection.ra_allow.user ?= @request.auth.id && @collection.ra_allow:other.level ?= "gold"',
      fields: [{ name: 'title', type: 'text' }],
    });
    // Plain `=` over @collection is "all" semantics: every allow row must match.
    await mk({ name: 'ra_gold_all', listRule: '@collection.ra_allow.level = "gold"', fields: [{ name: 'title', type: 'text' }] });
    await mk({ name: 'ra_gold_any', listRule: '@collection.ra_allow.level ?= "gold"', fields: [{ name: 'title', type: 'text' }] });
    for (const c of ['ra_gold_same', 'ra_gold_alias', 'ra_gold_all', 'ra_gold_any']) await rec(c, { title: c });
  });

  it.each([
    ['ra_gold_same', 'U1', 0], ['ra_gold_same', 'U2', 1], ['ra_gold_same', 'guest', 0],
    ['ra_gold_alias', 'U1', 1], ['ra_gold_alias', 'U2', 1], ['ra_gold_alias', 'guest', 0],
    ['ra_gold_all', 'U1', 0], ['ra_gold_any', 'U1', 1], ['ra_gold_any', 'guest', 1],
  ] as const)('%s as %s sees %d', async (c, user, n) => {
    const r = await s.request('GET', `/api/collections/${c}/records`, { token: who(user) });
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(n);
  });
});

describe('rules that cannot be evaluated fail closed', () => {
  it('refuses to save a rule naming an unknown field, and refuses to drop a field a rule uses', async () => {
    const bad = await s.request('POST', '/api/collections', { token: admin, body: { name: 'ra_bad', listRule: 'nope = 1', fields: [{ name: 'title', type: 'text' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.data.listRule.code).toBe('validation_invalid_rule');

    const c = await mk({ name: 'ra_flagged', listRule: 'flag = true', viewRule: 'flag = true', fields: [{ name: 'flag', type: 'bool' }, { name: 'title', type: 'text' }] });
    const keep = c.fields.filter((f: any) => f.name !== 'flag');
    const drop = await s.request('PATCH', `/api/collections/${c.id}`, { token: admin, body: { fields: keep } });
    expect(drop.status).toBe(400);
    expect(drop.body.data.listRule.code).toBe('validation_invalid_rule');
    expect((await s.request('GET', '/api/collections/ra_flagged/records')).status).toBe(200);
  });

  it('a rule broken by a change in another collection denies instead of erroring', async () => {
    const other = await mk({ name: 'ra_other', listRule: null, fields: [{ name: 'x', type: 'number' }, { name: 'y', type: 'text' }] });
    await rec('ra_other', { x: 1 });
    await mk({
      name: 'ra_dependent',
      listRule: '@collection.ra_other.x ?= 1', viewRule: '@collection.ra_other.x ?= 1', createRule: '@collection.ra_other.x ?= 1',
      updateRule: '@collection.ra_other.x ?= 1', deleteRule: '@collection.ra_other.x ?= 1',
      fields: [{ name: 'title', type: 'text' }],
    });
    const d = await rec('ra_dependent', { title: 'dep' });
    expect((await s.request('GET', '/api/collections/ra_dependent/records')).body.items).toHaveLength(1);

    // Drop ra_other.x: ra_dependent's rules now name a field that no longer exists.
    const patch = await s.request('PATCH', `/api/collections/${other.id}`, { token: admin, body: { fields: other.fields.filter((f: any) => f.name !== 'x') } });
    expect(patch.status, patch.text).toBe(200);

    const base = '/api/collections/ra_dependent/records';
    const list = await s.request('GET', base);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
    expect((await s.request('GET', `${base}/${d}`)).status).toBe(404);
    expect((await s.request('POST', base, { body: { title: 'n' } })).status).toBe(400);
    expect((await s.request('PATCH', `${base}/${d}`, { body: { title: 'n' } })).status).toBe(404);
    expect((await s.request('DELETE', `${base}/${d}`)).status).toBe(404);
    // Superusers bypass rules and still see the data, unchanged.
    const all = await s.request('GET', base, { token: admin });
    expect(all.body.items.map((i: any) => i.title)).toEqual(['dep']);
  });

  it('deleting a collection a rule joins makes that rule deny', async () => {
    const gone = await mk({ name: 'ra_gone', listRule: '', fields: [{ name: 'v', type: 'text' }] });
    await mk({ name: 'ra_orphan', listRule: '@collection.ra_gone.v ?= ""', viewRule: '', fields: [{ name: 'title', type: 'text' }] });
    await rec('ra_gone', {});
    await rec('ra_orphan', { title: 'o' });
    expect((await s.request('GET', '/api/collections/ra_orphan/records')).body.items).toHaveLength(1);
    const del = await s.request('DELETE', `/api/collections/${gone.id}`, { token: admin });
    expect([204, 400]).toContain(del.status);
    const list = await s.request('GET', '/api/collections/ra_orphan/records');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(del.status === 204 ? 0 : 1);
  });
});
