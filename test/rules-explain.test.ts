/**
 * The rule explainer (docs/rules-explain.md): its verdict equals what the records API
 * does for the same requester, record, body, query and headers, across a table of rules;
 * its trace names each sub-expression with its result; bad input gets 4xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, makeUser, signIn, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let admin: string;
const users: Record<'alice' | 'bob', { id: string; token: string }> = {} as never;

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  // The authRule and manageRule tables sign in more often than the auth rate limit allows.
  const limits = await s.request('PATCH', '/api/settings', { token: admin, body: { rateLimits: { excludedIPs: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] } } });
  expect(limits.status, limits.text).toBe(200);
  users.alice = await makeUser(s, 'alice@example.com');
  users.bob = await makeUser(s, 'bob@example.com');
});
afterAll(async () => { await s?.close(); });

type Who = 'guest' | 'alice' | 'bob';
const WHO: Who[] = ['guest', 'alice', 'bob'];
/** Two ways to send a request: bare, and with the header and query value some rules read. */
const EXTRAS = [{}, { headers: { 'X-Token': 's3cret' }, query: { k: 'v' } }] as const;

function explain(collection: string, body: Record<string, unknown>, token = admin) {
  return s.request('POST', `/api/collections/${collection}/rules/explain`, { token, body });
}

function authOf(who: Who) {
  return who === 'guest' ? null : { collection: 'users', id: users[who].id };
}

/** One requester with one set of extras: the explain fields and the real request's token, headers and query. */
function requester(who: Who, extra: (typeof EXTRAS)[number]) {
  return {
    request: { auth: authOf(who), ...extra },
    token: who === 'guest' ? undefined : users[who].token,
    headers: 'headers' in extra ? extra.headers : undefined,
    query: 'query' in extra ? extra.query : undefined,
  };
}

function queryString(query: Record<string, string> | undefined, more: Record<string, string> = {}): string {
  const params = new URLSearchParams({ ...query, ...more }).toString();
  return params ? `?${params}` : '';
}

const RULES: (string | null)[] = [
  null,
  '',
  'owner = @request.auth.id',
  'public = true || owner = @request.auth.id',
  'n > 5 && title ~ "a"',
  '@request.auth.id != ""',
  '@request.auth.id != "" && (n >= 3 || public = true)',
  'owner.email ~ "alice"',
  '@request.headers.x_token = "s3cret" || n = 0',
  '@request.query.k = "v" && @request.auth.id != ""',
  '@request.body.title != "forbidden" && (owner = @request.auth.id || @request.body.n > 4)',
  'tags ?= "red" && n < 10',
];

describe('explain agrees with the records API', () => {
  it.each(RULES.map((rule) => [rule]))('for rule %j on every requester, record and action', async (rule) => {
    const name = uniqueName('explain');
    await createCollection(s, {
      name, listRule: rule, viewRule: rule, createRule: rule, updateRule: rule, deleteRule: rule,
      fields: [
        { name: 'title', type: 'text' }, { name: 'n', type: 'number' }, { name: 'public', type: 'bool' },
        { name: 'tags', type: 'json' },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      ],
    });
    const seeds = [
      { title: 'alpha', n: 7, public: false, tags: ['red'], owner: users.alice.id },
      { title: 'beta', n: 3, public: true, tags: ['blue'], owner: users.bob.id },
      { title: 'gamma', n: 0, public: false, tags: [], owner: '' },
      { title: 'delta', n: 9, public: false, tags: ['red', 'blue'], owner: users.bob.id },
    ];
    const ids: string[] = [];
    for (const seed of seeds) ids.push((await createRecord(s, name, seed)).id);
    const base = `/api/collections/${name}/records`;
    let compared = 0;
    for (const who of WHO) {
      for (const extra of EXTRAS) {
        const { request, token, headers, query } = requester(who, extra);
        const real = (method: string, path: string, body?: unknown) => s.request(method, path, { token, headers, body });

        // List as a whole: allowed when the list shows at least one record (a null rule: 403).
        const list = await real('GET', `${base}${queryString(query)}`);
        const listed = await explain(name, { action: 'list', ...request });
        expect(listed.status, listed.text).toBe(200);
        expect(listed.body.allowed, `${who} list ${JSON.stringify(extra)}`).toBe(list.status === 200 && list.body.totalItems > 0);
        const visible = new Set<string>(list.status === 200 ? list.body.items.map((i: { id: string }) => i.id) : []);

        for (const [i, id] of ids.entries()) {
          const label = `${who} ${JSON.stringify(extra)} record ${seeds[i]!.title}`;
          const one = await explain(name, { action: 'list', recordId: id, ...request });
          expect(one.body.allowed, `list ${label}`).toBe(visible.has(id));
          const view = await real('GET', `${base}/${id}${queryString(query)}`);
          const viewed = await explain(name, { action: 'view', recordId: id, ...request });
          expect(viewed.body.allowed, `view ${label}`).toBe(view.status === 200);
          // An update that changes nothing, so every requester meets the same stored records.
          for (const body of [{ title: seeds[i]!.title }, { title: 'forbidden', n: seeds[i]!.n }]) {
            const ruleReads = (rule ?? '').includes('@request.body');
            const updated = await explain(name, { action: 'update', recordId: id, body, ...request });
            if (!ruleReads && body.title === 'forbidden') continue;
            const update = await real('PATCH', `${base}/${id}${queryString(query)}`, body);
            if (update.status === 200 && body.title === 'forbidden') await real('PATCH', `${base}/${id}`, { title: seeds[i]!.title });
            expect(updated.body.allowed, `update ${label} ${JSON.stringify(body)}: ${update.text}`).toBe(update.status === 200);
          }
          compared += 4;
        }
      }
    }

    // Writes that change the table last: create, then delete of fresh copies.
    for (const who of WHO) {
      for (const extra of EXTRAS) {
        const { request, token, headers, query } = requester(who, extra);
        for (const body of [{ title: 'made', n: 6, owner: who === 'guest' ? '' : users[who].id }, { title: 'forbidden', n: 1, tags: ['red'] }]) {
          const created = await explain(name, { action: 'create', body, ...request });
          const create = await s.request('POST', `${base}${queryString(query)}`, { token, headers, body });
          expect(created.body.allowed, `create ${who} ${JSON.stringify(extra)} ${JSON.stringify(body)}: ${create.text}`).toBe(create.status === 200);
          compared++;
        }
        for (const seed of seeds) {
          const copy = (await createRecord(s, name, seed)).id;
          const deleted = await explain(name, { action: 'delete', recordId: copy, ...request });
          const del = await s.request('DELETE', `${base}/${copy}${queryString(query)}`, { token, headers });
          expect(deleted.body.allowed, `delete ${who} ${JSON.stringify(extra)} ${seed.title}`).toBe(del.status === 204);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});

/** An auth collection of three members (password `password123`) for the authRule and manageRule tables. */
async function createMembers(extra: Record<string, unknown> = {}) {
  const name = uniqueName('members');
  await createCollection(s, {
    name, type: 'auth', listRule: '', viewRule: '', updateRule: '', ...extra,
    fields: [{ name: 'role', type: 'text' }, { name: 'team', type: 'text' }, { name: 'n', type: 'number' }],
  });
  const seeds = [
    { email: 'm1@example.com', role: 'admin', team: 'red', n: 5, verified: true },
    { email: 'm2@example.com', role: 'user', team: 'red', n: 1, verified: false },
    { email: 'm3@example.com', role: 'banned', team: 'blue', n: 3, verified: false },
  ];
  const ids: string[] = [];
  for (const seed of seeds) ids.push((await createRecord(s, name, { ...seed, password: 'password123', passwordConfirm: 'password123' })).id);
  return { name, seeds, ids };
}

const AUTH_RULES: (string | null)[] = [
  null,
  '',
  'verified = true',
  'role = "admin" || team = "blue"',
  '@request.auth.id != "" && n > 2',
  '@request.auth.id = id && role != "banned"',
  '@request.context = "password" && @request.auth.team = "red"',
  '@request.body.identity ~ "m1" || n = 3',
  '@request.headers.x_token = "s3cret" || (@request.query.k = "v" && verified = true)',
];

describe('explain agrees with sign-in for the authRule', () => {
  it.each(AUTH_RULES.map((rule) => [rule]))('for authRule %j on every member and sender', async (rule) => {
    const { name, seeds, ids } = await createMembers();
    const patched = await s.request('PATCH', `/api/collections/${name}`, { token: admin, body: { authRule: rule } });
    expect(patched.status, patched.text).toBe(200);
    let compared = 0;
    // The sender's token does not matter to the authRule (the record signing in is @request.auth), except a superuser's.
    for (const sender of ['guest', 'alice'] as const) {
      for (const extra of EXTRAS) {
        const { request, token, headers, query } = requester(sender, extra);
        for (const [i, id] of ids.entries()) {
          const body = { identity: seeds[i]!.email, password: 'password123' };
          const real = await s.request('POST', `/api/collections/${name}/auth-with-password${queryString(query)}`, { token, headers, body });
          expect([200, 403], real.text).toContain(real.status);
          const explained = await explain(name, { action: 'auth', recordId: id, body, ...request });
          expect(explained.status, explained.text).toBe(200);
          expect(explained.body.allowed, `${sender} ${JSON.stringify(extra)} ${seeds[i]!.email}: ${real.text}`).toBe(real.status === 200);
          expect(explained.body.rule).toBe(rule);
          compared++;
        }
      }
    }
    expect(compared).toBe(12);
  });

  it('takes @request.context from signIn, and a superuser sender bypasses the rule', async () => {
    const { name, ids } = await createMembers({ authRule: '@request.context = "otp"' });
    const password = await explain(name, { action: 'auth', recordId: ids[0] });
    expect(password.body).toMatchObject({ allowed: false, trace: [{ expr: '@request.context = "otp"', result: false }] });
    expect(password.body.reason).toMatch(/does not let this record sign in/);
    const otp = await explain(name, { action: 'auth', recordId: ids[0], signIn: 'otp' });
    expect(otp.body).toMatchObject({ allowed: true, trace: [{ expr: '@request.context = "otp"', result: true }] });
    const superuser = await s.request('GET', '/api/collections/_superusers/records', { token: admin });
    const bySuperuser = await explain(name, { action: 'auth', recordId: ids[0], auth: { collection: '_superusers', id: superuser.body.items[0].id } });
    expect(bySuperuser.body).toMatchObject({ allowed: true, reason: 'Superusers bypass API rules.' });
  });
});

const MANAGE_RULES: (string | null)[] = [
  null,
  '@request.auth.id != ""',
  '@request.auth.collectionName = "users" && @request.auth.email ~ "alice"',
  '@request.auth.role = "admin"',
  'team = @request.auth.team && @request.auth.id != id',
  'id = @request.auth.id',
  '@request.body.verified = true && @request.auth.verified = true',
  '@request.headers.x_token = "s3cret" && @request.auth.id != ""',
];

describe('explain agrees with the records API for the manageRule', () => {
  it.each(MANAGE_RULES.map((rule) => [rule]))('for manageRule %j on every requester and member', async (rule) => {
    const { name, seeds, ids } = await createMembers({ manageRule: rule });
    const members = [await signIn(s, name, 'm1@example.com', 'password123'), await signIn(s, name, 'm2@example.com', 'password123')];
    const requesters = [
      ...WHO.map((who) => ({ label: who, auth: authOf(who), token: who === 'guest' ? undefined : users[who].token })),
      ...members.map((token, i) => ({ label: `m${i + 1}`, auth: { collection: name, id: ids[i]! }, token })),
    ];
    const base = `/api/collections/${name}/records`;
    let compared = 0;
    for (const who of requesters) {
      for (const extra of EXTRAS) {
        const headers = 'headers' in extra ? extra.headers : undefined;
        for (const [i, id] of ids.entries()) {
          // Flipping `verified` is a manager's change (docs/api.md §3.7): 200 for managers, 400 for anyone else.
          const body = { verified: !seeds[i]!.verified };
          const explained = await explain(name, { action: 'manage', recordId: id, body, auth: who.auth, ...extra });
          expect(explained.status, explained.text).toBe(200);
          const real = await s.request('PATCH', `${base}/${id}`, { token: who.token, headers, body });
          expect([200, 400], real.text).toContain(real.status);
          if (real.status === 200) await s.request('PATCH', `${base}/${id}`, { token: admin, body: { verified: seeds[i]!.verified } });
          expect(explained.body.allowed, `${who.label} ${JSON.stringify(extra)} m${i + 1}: ${real.text}`).toBe(real.status === 200);
          compared++;
        }
      }
    }
    expect(compared).toBe(30);
  });

  it('says a guest manages nothing and a null manageRule is superusers only', async () => {
    const { name, ids } = await createMembers({ manageRule: 'n > 0' });
    const guest = await explain(name, { action: 'manage', recordId: ids[0] });
    expect(guest.body).toMatchObject({ allowed: false, rule: 'n > 0' });
    expect(guest.body.reason).toMatch(/guest/);
    const alice = await explain(name, { action: 'manage', recordId: ids[0], auth: authOf('alice') });
    expect(alice.body).toMatchObject({ allowed: true, trace: [{ expr: 'n > 0', result: true }] });
    expect(alice.body.reason).toMatch(/manageRule lets/);
    const { name: locked, ids: lockedIds } = await createMembers();
    const none = await explain(locked, { action: 'manage', recordId: lockedIds[0], auth: authOf('alice') });
    expect(none.body).toMatchObject({ allowed: false, rule: null, trace: [{ expr: 'null', result: false }] });
  });
});

describe('explain traces', () => {
  let name: string;
  let mine: string;
  beforeAll(async () => {
    name = uniqueName('trace');
    await createCollection(s, {
      name, listRule: 'public = true || (owner = @request.auth.id && n > 5)', viewRule: null, createRule: '',
      updateRule: 'owner.email ~ "alice"', deleteRule: 'n > 0',
      fields: [{ name: 'n', type: 'number' }, { name: 'public', type: 'bool' }, { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 }],
    });
    mine = (await createRecord(s, name, { n: 3, public: false, owner: users.alice.id })).id;
  });

  it('lists each comparison and group in source form with its result', async () => {
    const r = await explain(name, { action: 'list', recordId: mine, auth: authOf('alice') });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ allowed: false, rule: 'public = true || (owner = @request.auth.id && n > 5)', truncated: false });
    expect(r.body.trace).toEqual([
      { expr: 'public = true || (owner = @request.auth.id && n > 5)', result: false },
      { expr: 'public = true', result: false },
      { expr: 'owner = @request.auth.id && n > 5', result: false },
      { expr: 'owner = @request.auth.id', result: true },
      { expr: 'n > 5', result: false },
    ]);
  });

  it('evaluates joins per requester and record', async () => {
    const alice = await explain(name, { action: 'update', recordId: mine, auth: authOf('alice'), body: { n: 4 } });
    expect(alice.body).toMatchObject({ allowed: true, trace: [{ expr: 'owner.email ~ "alice"', result: true }] });
  });

  it('says a null rule is superusers only and an empty rule lets everyone', async () => {
    const locked = await explain(name, { action: 'view', recordId: mine, auth: null });
    expect(locked.body).toMatchObject({ allowed: false, rule: null, trace: [{ expr: 'null', result: false }] });
    expect(locked.body.reason).toMatch(/superusers/);
    const open = await explain(name, { action: 'create', auth: null, body: { n: 1 } });
    expect(open.body).toMatchObject({ allowed: true, rule: '', trace: [] });
    const superuser = await s.request('GET', '/api/collections/_superusers/records', { token: admin });
    const asSuperuser = await explain(name, { action: 'view', recordId: mine, auth: { collection: '_superusers', id: superuser.body.items[0].id } });
    expect(asSuperuser.body).toMatchObject({ allowed: true, reason: 'Superusers bypass API rules.' });
  });

  it('stops the trace at 50 sub-expressions and says so', async () => {
    const many = uniqueName('many');
    const rule = Array.from({ length: 60 }, (_, i) => `n = ${i}`).join(' || ');
    await createCollection(s, { name: many, listRule: rule, fields: [{ name: 'n', type: 'number' }] });
    const id = (await createRecord(s, many, { n: 59 })).id;
    const r = await explain(many, { action: 'list', recordId: id, auth: null });
    expect(r.body).toMatchObject({ allowed: true, truncated: true });
    expect(r.body.trace).toHaveLength(50);
    expect(r.body.trace[0].result).toBe(true);
    expect(r.body.trace[1]).toEqual({ expr: 'n = 0', result: false });
  });
});

describe('explain refuses bad input', () => {
  let name: string;
  let id: string;
  beforeAll(async () => {
    name = uniqueName('bad');
    await createCollection(s, { name, listRule: '', viewRule: '', fields: [{ name: 'n', type: 'number' }] });
    id = (await createRecord(s, name, { n: 1 })).id;
  });

  const cases: [string, () => Promise<{ status: number; body: any }>, number, string[]][] = [
    ['a guest', () => explain(name, { action: 'view', recordId: id }, ''), 401, []],
    ['a regular user', () => explain(name, { action: 'view', recordId: id }, users.alice.token), 403, []],
    ['an unknown collection', () => explain('nope_nope', { action: 'view', recordId: id }), 404, []],
    ['an unknown action', () => explain(name, { action: 'peek', recordId: id }), 400, ['action']],
    ['a missing action', () => explain(name, { recordId: id }), 400, ['action']],
    ['an auth of the wrong shape', () => explain(name, { action: 'list', auth: 'alice' }), 400, ['auth']],
    ['an auth collection that is not one', () => explain(name, { action: 'list', auth: { collection: name, id } }), 400, ['auth.collection']],
    ['an unknown auth record', () => explain(name, { action: 'list', auth: { collection: 'users', id: 'missingmissing1' } }), 400, ['auth.id']],
    ['an unknown record', () => explain(name, { action: 'view', recordId: 'missingmissing1' }), 404, []],
    ['view without a record', () => explain(name, { action: 'view' }), 400, ['recordId']],
    ['auth on a base collection', () => explain(name, { action: 'auth', recordId: id }), 400, ['action']],
    ['manage on a base collection', () => explain(name, { action: 'manage', recordId: id, auth: { collection: 'users', id: users.alice.id } }), 400, ['action']],
    ['auth without a record', () => explain('users', { action: 'auth' }), 400, ['recordId']],
    ['an unknown sign-in method', () => explain('users', { action: 'auth', recordId: users.alice.id, signIn: 'magic' }), 400, ['signIn']],
    ['a record id that is not text', () => explain(name, { action: 'view', recordId: 5 }), 400, ['recordId']],
    ['a body that is not an object', () => explain(name, { action: 'create', body: [1] }), 400, ['body']],
    ['headers that are not text', () => explain(name, { action: 'list', headers: { a: 1 } }), 400, ['headers']],
    ['too many query values', () => explain(name, { action: 'list', query: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])) }), 400, ['query']],
    ['a JSON array body', () => s.request('POST', `/api/collections/${name}/rules/explain`, { token: admin, body: '[1,2]' }), 400, []],
    ['broken JSON', () => s.request('POST', `/api/collections/${name}/rules/explain`, { token: admin, body: '{"action":' }), 400, []],
  ];
  it.each(cases)('answers %s with its status and field errors', async (_label, send, status, fields) => {
    const r = await send();
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ status, message: expect.any(String), data: expect.any(Object) });
    for (const f of fields) expect(f.split('.').reduce((o, k) => o?.[k], r.body.data)).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });
});
