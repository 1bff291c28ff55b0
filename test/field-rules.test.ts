/**
 * Field-level rules (docs/field-rules.md) at the HTTP boundary: readRule and writeRule
 * saved and validated with the collection, fields left out of list, view, write, auth,
 * batch, expand and realtime responses, filters and sorts that cannot see through a
 * readRule, and writes refused field by field (the sign-up-as-staff trap of issue 16).
 */
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollection, createRecord } from './helpers/collections.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// Node 20 has no EventSource; the SDK uses the global one.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

let s: TestServer;
let admin: string;
const PASSWORD = 'user-password-123';
const tok: Record<'alice' | 'bob', string> = { alice: '', bob: '' };
const uid: Record<'alice' | 'bob', string> = { alice: '', bob: '' };
const staff: Record<'a' | 'b', string> = { a: '', b: '' };
let staffId = '';

const FORBIDDEN = { code: 'validation_field_write_forbidden', message: 'You are not allowed to set this field.' };

async function signIn(email: string): Promise<string> {
  const r = await s.request('POST', '/api/collections/users/auth-with-password', { body: { identity: email, password: PASSWORD } });
  expect(r.status, r.text).toBe(200);
  return r.body.token;
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  // The trap of issue 16: the default users rules let anyone sign up, so a `role` field
  // is only safe with a writeRule. `phone` is the owner's; `internal` the superusers'.
  const patched = await s.request('PATCH', '/api/collections/users', {
    token: admin,
    body: {
      fields: [
        ...(await s.request('GET', '/api/collections/users', { token: admin })).body.fields,
        { name: 'role', type: 'text', writeRule: null },
        { name: 'phone', type: 'text', readRule: '@request.auth.id = id' },
        { name: 'internal', type: 'text', readRule: null },
      ],
    },
  });
  expect(patched.status, patched.text).toBe(200);
  for (const [name, role] of [['alice', 'staff'], ['bob', '']] as const) {
    uid[name] = await createRecord(s, admin, 'users', {
      email: `${name}@example.com`, password: PASSWORD, passwordConfirm: PASSWORD, role, phone: `${name}-phone`, internal: `${name}-internal`,
    });
    tok[name] = await signIn(`${name}@example.com`);
  }
  const created = await createCollection(s, admin, {
    name: 'fr_staff',
    listRule: '', viewRule: '', createRule: '@request.auth.id != ""', updateRule: '@request.auth.id != ""', deleteRule: null,
    fields: [
      { name: 'name', type: 'text' },
      { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      { name: 'salary', type: 'number', readRule: 'owner = @request.auth.id' },
      { name: 'secret', type: 'text', readRule: null },
      { name: 'notes', type: 'text', readRule: '@request.auth.role = "staff"' },
      { name: 'level', type: 'number', writeRule: '@request.auth.role = "staff" && @request.body.level < 10' },
      { name: 'title', type: 'text', writeRule: 'owner = @request.auth.id' },
      { name: 'profile', type: 'json', readRule: 'owner = @request.auth.id' },
    ],
  });
  staffId = created.id;
  staff.a = await createRecord(s, admin, 'fr_staff', { name: 'A', owner: uid.alice, salary: 100, secret: 'sa', notes: 'na', profile: { band: 3 } });
  staff.b = await createRecord(s, admin, 'fr_staff', { name: 'B', owner: uid.bob, salary: 50, secret: 'sb', notes: 'nb', profile: { band: 1 } });
  await createCollection(s, admin, {
    name: 'fr_tasks', listRule: '', viewRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'staff', type: 'relation', collectionId: staffId, maxSelect: 1 },
      { name: 'reviewer', type: 'relation', collectionId: staffId, maxSelect: 1, readRule: null },
    ],
  });
  await createRecord(s, admin, 'fr_tasks', { title: 't1', staff: staff.a, reviewer: staff.b });
  await createRecord(s, admin, 'fr_tasks', { title: 't2', staff: staff.b, reviewer: staff.a });
});
afterAll(async () => { await s?.close(); });

describe('saving field rules with the collection', () => {
  it('keeps readRule and writeRule in the field JSON, and leaves an absent one absent', async () => {
    const r = await s.request('GET', '/api/collections/fr_staff', { token: admin });
    const field = (name: string) => r.body.fields.find((f: any) => f.name === name);
    expect(field('salary').readRule).toBe('owner = @request.auth.id');
    expect(field('secret').readRule).toBeNull();
    expect(field('level').writeRule).toBe('@request.auth.role = "staff" && @request.body.level < 10');
    expect('readRule' in field('name')).toBe(false);
    expect('writeRule' in field('salary')).toBe(false);
  });

  it('survives an import of the exported collections', async () => {
    const exported = (await s.request('GET', '/api/collections/fr_staff', { token: admin })).body;
    const r = await s.request('PUT', '/api/collections/import', { token: admin, body: { collections: [exported], deleteMissing: false } });
    expect(r.status, r.text).toBe(204);
    const again = (await s.request('GET', '/api/collections/fr_staff', { token: admin })).body;
    expect(again.fields).toEqual(exported.fields);
  });

  it.each([
    ['readRule', 'owner ==== 1', 'validation_invalid_rule'],
    ['writeRule', 'missing_field = 1', 'validation_invalid_rule'],
    ['readRule', 42, 'validation_invalid_value'],
  ])('refuses a %s of %j with a 400 on that field (%s)', async (key, rule, code) => {
    const r = await s.request('POST', '/api/collections', {
      token: admin, body: { name: `fr_bad_${code.length}_${key}`, fields: [{ name: 'a', type: 'text' }, { name: 'b', type: 'text', [key]: rule }] },
    });
    expect(r.status).toBe(400);
    expect(r.body.data.fields[2][key].code).toBe(code);
  });

  it('refuses a readRule on the id field', async () => {
    const r = await s.request('POST', '/api/collections', {
      token: admin, body: { name: 'fr_bad_id', fields: [{ name: 'id', type: 'text', primaryKey: true, required: true, pattern: '^[a-z0-9]+$', readRule: '' }] },
    });
    expect(r.status).toBe(400);
    expect(r.body.data.fields[0].readRule.code).toBe('validation_nil');
  });
});

describe('a field rule that no longer compiles', () => {
  it('denies reads, filters and writes (fail closed), never a 500', async () => {
    const users = (await s.request('GET', '/api/collections/users', { token: admin })).body;
    const withNick = await s.request('PATCH', '/api/collections/users', { token: admin, body: { fields: [...users.fields, { name: 'nick', type: 'text' }] } });
    expect(withNick.status, withNick.text).toBe(200);
    await createCollection(s, admin, {
      name: 'fr_stale', listRule: '', viewRule: '', createRule: '', updateRule: '',
      fields: [
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        { name: 'code', type: 'text', readRule: 'owner.nick != "x"', writeRule: 'owner.nick != "x"' },
      ],
    });
    const id = await createRecord(s, admin, 'fr_stale', { owner: uid.bob, code: 'c1' });
    const before = await s.request('GET', `/api/collections/fr_stale/records/${id}`, { token: tok.bob });
    expect(before.body.code).toBe('c1');
    // Removing `nick` from users leaves the rule naming a field that is gone.
    const removed = await s.request('PATCH', '/api/collections/users', { token: admin, body: { fields: users.fields } });
    expect(removed.status, removed.text).toBe(200);
    const view = await s.request('GET', `/api/collections/fr_stale/records/${id}`, { token: tok.bob });
    expect(view.status).toBe(200);
    expect(view.body).not.toHaveProperty('code');
    const filtered = await s.request('GET', '/api/collections/fr_stale/records?filter=code="c1"', { token: tok.bob });
    expect(filtered.status).toBe(200);
    expect(filtered.body.items).toEqual([]);
    const write = await s.request('PATCH', `/api/collections/fr_stale/records/${id}`, { token: tok.bob, body: { code: 'c2' } });
    expect(write.status).toBe(400);
    expect(write.body.data).toEqual({ code: FORBIDDEN });
    const su = await s.request('GET', `/api/collections/fr_stale/records/${id}`, { token: admin });
    expect(su.body.code).toBe('c1');
  });
});

describe('field rules and views', () => {
  it('keeps a column copied from a field with a readRule to superusers, and drops the writeRule', async () => {
    const view = await createCollection(s, admin, { name: 'fr_view', type: 'view', listRule: '', viewRule: '', viewQuery: 'SELECT id, name, salary, level FROM fr_staff' });
    const field = (name: string) => view.fields.find((f: any) => f.name === name);
    expect(field('salary').readRule).toBeNull();
    expect('writeRule' in field('level')).toBe(false);
    const bob = await s.request('GET', '/api/collections/fr_view/records?filter=name="B"', { token: tok.bob });
    expect(bob.body.items[0]).not.toHaveProperty('salary');
    expect(bob.body.items[0].name).toBe('B');
    const su = await s.request('GET', '/api/collections/fr_view/records?filter=name="B"', { token: admin });
    expect(su.body.items[0].salary).toBe(50);
  });
});

describe('writeRule', () => {
  it('refuses a sign-up that sets role (the issue 16 trap), and accepts one that does not', async () => {
    const pb = new PocketBase(s.url);
    const body = { email: 'mallory@example.com', password: PASSWORD, passwordConfirm: PASSWORD, role: 'staff' };
    const err = await pb.collection('users').create(body).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.response.data).toEqual({ role: FORBIDDEN });
    const none = await s.request('GET', `/api/collections/users/records?filter=${encodeURIComponent('email="mallory@example.com"')}`, { token: admin });
    expect(none.body.items).toEqual([]);
    const { role: _role, ...plain } = body;
    expect((await pb.collection('users').create(plain)).email).toBeUndefined();
  });

  it('refuses a user setting their own role, and lets a superuser set it', async () => {
    const own = await s.request('PATCH', `/api/collections/users/records/${uid.bob}`, { token: tok.bob, body: { role: 'staff' } });
    expect(own.status).toBe(400);
    expect(own.body.data).toEqual({ role: FORBIDDEN });
    const su = await (await s.admin()).collection('users').update(uid.bob, { role: 'guest' });
    expect(su.role).toBe('guest');
  });

  it('judges a rule with @request.auth and @request.body', async () => {
    const bob = await s.request('PATCH', `/api/collections/fr_staff/records/${staff.b}`, { token: tok.bob, body: { level: 5 } });
    expect(bob.status).toBe(400);
    expect(bob.body.data).toEqual({ level: FORBIDDEN });
    const tooHigh = await s.request('PATCH', `/api/collections/fr_staff/records/${staff.b}`, { token: tok.alice, body: { level: 50 } });
    expect(tooHigh.body.data).toEqual({ level: FORBIDDEN });
    const ok = await s.request('PATCH', `/api/collections/fr_staff/records/${staff.b}`, { token: tok.alice, body: { level: 5 } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.level).toBe(5);
  });

  it('judges an update against the stored record, a create against the would-be one', async () => {
    const other = await s.request('PATCH', `/api/collections/fr_staff/records/${staff.a}`, { token: tok.bob, body: { title: 'x', owner: uid.bob } });
    expect(other.status).toBe(400);
    expect(other.body.data).toEqual({ title: FORBIDDEN });
    const mine = await s.request('PATCH', `/api/collections/fr_staff/records/${staff.b}`, { token: tok.bob, body: { title: 'mine' } });
    expect(mine.status, mine.text).toBe(200);
    const created = await s.request('POST', '/api/collections/fr_staff/records', { token: tok.bob, body: { name: 'C', owner: uid.bob, title: 'new' } });
    expect(created.status, created.text).toBe(200);
    const foreign = await s.request('POST', '/api/collections/fr_staff/records', { token: tok.bob, body: { name: 'D', owner: uid.alice, title: 'new' } });
    expect(foreign.body.data).toEqual({ title: FORBIDDEN });
  });

  it('refuses the field inside a batch and rolls the batch back', async () => {
    const settings = await s.request('PATCH', '/api/settings', { token: admin, body: { batch: { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 } } });
    expect(settings.status).toBe(200);
    const r = await s.request('POST', '/api/batch', {
      token: tok.bob,
      body: { requests: [
        { method: 'POST', url: '/api/collections/fr_staff/records', body: { name: 'batched' } },
        { method: 'PATCH', url: `/api/collections/fr_staff/records/${staff.b}`, body: { level: 1 } },
      ] },
    });
    expect(r.status).toBe(400);
    expect(r.body.data.requests[1].response.data).toEqual({ level: FORBIDDEN });
    const list = await s.request('GET', `/api/collections/fr_staff/records?filter=${encodeURIComponent('name="batched"')}`, { token: admin });
    expect(list.body.items).toEqual([]);
  });
});

describe('readRule', () => {
  const names = (items: any[]) => items.map((i) => i.name).sort();

  it('leaves fields out of a list, per record and per requester', async () => {
    const as = async (token?: string) => {
      const r = await s.request('GET', '/api/collections/fr_staff/records?filter=name="A"||name="B"&sort=name', { token });
      expect(r.status, r.text).toBe(200);
      return Object.fromEntries(r.body.items.map((i: any) => [i.name, i]));
    };
    const guest = await as();
    expect(guest.A).not.toHaveProperty('salary');
    expect(guest.A).not.toHaveProperty('notes');
    expect(guest.A).not.toHaveProperty('profile');
    expect(guest.A.name).toBe('A');
    const bob = await as(tok.bob);
    expect(bob.A).not.toHaveProperty('salary');
    expect(bob.B.salary).toBe(50);
    expect(bob.B.profile).toEqual({ band: 1 });
    expect(bob.B).not.toHaveProperty('secret');
    expect(bob.B).not.toHaveProperty('notes');
    const alice = await as(tok.alice);
    expect(alice.A.salary).toBe(100);
    expect(alice.B).not.toHaveProperty('salary');
    expect(alice.A.notes).toBe('na');
    expect(alice.B.notes).toBe('nb');
    const su = await as(admin);
    expect(su.A).toMatchObject({ salary: 100, secret: 'sa', notes: 'na' });
  });

  it('leaves fields out of a view and of a write response', async () => {
    const view = await s.request('GET', `/api/collections/fr_staff/records/${staff.a}`, { token: tok.bob });
    expect(view.body).not.toHaveProperty('salary');
    expect(view.body).not.toHaveProperty('secret');
    const created = await s.request('POST', '/api/collections/fr_staff/records', { token: tok.bob, body: { name: 'E', owner: uid.alice, salary: 7, secret: 's' } });
    expect(created.status, created.text).toBe(200);
    expect(created.body).not.toHaveProperty('salary');
    expect(created.body).not.toHaveProperty('secret');
    const updated = await s.request('PATCH', `/api/collections/fr_staff/records/${staff.b}`, { token: tok.bob, body: { name: 'B' } });
    expect(updated.body.salary).toBe(50);
    expect(updated.body).not.toHaveProperty('secret');
  });

  it('leaves fields out of the auth response record', async () => {
    const r = await s.request('POST', '/api/collections/users/auth-with-password', { body: { identity: 'bob@example.com', password: PASSWORD } });
    expect(r.body.record.phone).toBe('bob-phone');
    expect(r.body.record).not.toHaveProperty('internal');
    const su = await s.request('GET', `/api/collections/users/records/${uid.bob}`, { token: admin });
    expect(su.body.internal).toBe('bob-internal');
  });

  it('refuses a filter or sort on a superusers-only field, as on a hidden one', async () => {
    for (const q of ['filter=secret="sa"', 'sort=secret', 'filter=secret:lower="sa"']) {
      const r = await s.request('GET', `/api/collections/fr_staff/records?${q}`, { token: tok.bob });
      expect(r.status, q).toBe(400);
    }
    const su = await s.request('GET', '/api/collections/fr_staff/records?filter=secret="sa"', { token: admin });
    expect(names(su.body.items)).toEqual(['A']);
  });

  it('matches a filter on a per-record field only where the requester may read it', async () => {
    const list = async (filter: string, token?: string) => {
      const r = await s.request('GET', `/api/collections/fr_staff/records?filter=${encodeURIComponent(filter)}`, { token });
      expect(r.status, r.text).toBe(200);
      return names(r.body.items);
    };
    expect(await list('salary >= 50', tok.bob)).toEqual(['B']);
    expect(await list('salary >= 50', tok.alice)).toEqual(['A']);
    expect(await list('salary >= 50')).toEqual([]);
    expect(await list('salary = null && (name = "A" || name = "B")', tok.bob)).toEqual([]);
    expect(await list('profile.band > 0', tok.bob)).toEqual(['B']);
    expect(await list('notes != ""', tok.bob)).toEqual([]);
    expect(await list('notes = "na"', tok.alice)).toEqual(['A']);
    expect(await list('salary >= 50', admin)).toEqual(['A', 'B']);
  });

  it('sorts a field the requester may not read as if it were empty', async () => {
    const r = await s.request('GET', '/api/collections/fr_staff/records?filter=name="A"||name="B"&sort=-salary,name', { token: tok.alice });
    expect(r.body.items.map((i: any) => i.name)).toEqual(['A', 'B']);
    const bob = await s.request('GET', '/api/collections/fr_staff/records?filter=name="A"||name="B"&sort=-salary,name', { token: tok.bob });
    expect(bob.body.items.map((i: any) => i.name)).toEqual(['B', 'A']);
  });

  it('refuses a filter through a relation the requester may not read', async () => {
    const r = await s.request('GET', `/api/collections/fr_tasks/records?filter=${encodeURIComponent('reviewer.name = "A"')}`, { token: tok.bob });
    expect(r.status).toBe(400);
    const back = await s.request('GET', `/api/collections/fr_staff/records?filter=${encodeURIComponent('fr_tasks_via_reviewer.title = "t1"')}`, { token: tok.bob });
    expect(back.status).toBe(400);
    const through = await s.request('GET', `/api/collections/fr_tasks/records?filter=${encodeURIComponent('staff.salary > 0')}`, { token: tok.bob });
    expect(through.body.items.map((i: any) => i.title)).toEqual(['t2']);
  });

  it('applies each expanded collection its own field rules', async () => {
    const r = await s.request('GET', '/api/collections/fr_tasks/records?expand=staff,reviewer&sort=title', { token: tok.bob });
    expect(r.status, r.text).toBe(200);
    const [t1, t2] = r.body.items;
    expect(t1).not.toHaveProperty('reviewer');
    expect(t1.expand).not.toHaveProperty('reviewer');
    expect(t1.expand.staff.name).toBe('A');
    expect(t1.expand.staff).not.toHaveProperty('salary');
    expect(t2.expand.staff.salary).toBe(50);
    expect(t2.expand.staff).not.toHaveProperty('secret');
    const back = await s.request('GET', `/api/collections/fr_staff/records/${staff.a}?expand=fr_tasks_via_staff,fr_tasks_via_reviewer`, { token: tok.bob });
    expect(back.body.expand.fr_tasks_via_staff.map((t: any) => t.title)).toEqual(['t1']);
    expect(back.body.expand).not.toHaveProperty('fr_tasks_via_reviewer');
    const su = await s.request('GET', `/api/collections/fr_staff/records/${staff.a}?expand=fr_tasks_via_reviewer`, { token: admin });
    expect(su.body.expand.fr_tasks_via_reviewer.map((t: any) => t.title)).toEqual(['t2']);
  });

  it('leaves fields out of realtime events for each subscriber', async () => {
    const subscriber = async (token: string) => {
      const pb = new PocketBase(s.url).autoCancellation(false);
      pb.authStore.save(token, null);
      const events: any[] = [];
      await pb.collection('fr_staff').subscribe('*', (e) => events.push(e), { filter: 'name = "A" || name = "B"' });
      return { pb, events };
    };
    const bob = await subscriber(tok.bob);
    const alice = await subscriber(tok.alice);
    const su = await s.admin();
    await su.collection('fr_staff').update(staff.a, { salary: 101 });
    await su.collection('fr_staff').update(staff.b, { salary: 51 });
    const deadline = Date.now() + 10_000;
    while ((bob.events.length < 2 || alice.events.length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const byName = (events: any[]) => Object.fromEntries(events.map((e) => [e.record.name, e.record]));
    const forBob = byName(bob.events);
    expect(forBob.A).not.toHaveProperty('salary');
    expect(forBob.B.salary).toBe(51);
    expect(forBob.B).not.toHaveProperty('secret');
    const forAlice = byName(alice.events);
    expect(forAlice.A.salary).toBe(101);
    expect(forAlice.A.notes).toBe('na');
    expect(forAlice.B).not.toHaveProperty('salary');
    await bob.pb.realtime.unsubscribe();
    await alice.pb.realtime.unsubscribe();
  });

  it('matches a realtime filter only where the subscriber may read the field, delete events included', async () => {
    const f = await createRecord(s, admin, 'fr_staff', { name: 'F', owner: uid.bob, salary: 9 });
    const g = await createRecord(s, admin, 'fr_staff', { name: 'G', owner: uid.alice, salary: 9 });
    const pb = new PocketBase(s.url).autoCancellation(false);
    pb.authStore.save(tok.bob, null);
    const events: any[] = [];
    await pb.collection('fr_staff').subscribe('*', (e) => events.push(e), { filter: 'salary > 0 && (name = "F" || name = "G")' });
    const su = await s.admin();
    await su.collection('fr_staff').update(g, { salary: 10 });
    await su.collection('fr_staff').update(f, { salary: 10 });
    await su.collection('fr_staff').delete(f);
    const deadline = Date.now() + 10_000;
    while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events.map((e) => [e.action, e.record.name, e.record.salary])).toEqual([['update', 'F', 10], ['delete', 'F', 10]]);
    await pb.realtime.unsubscribe();
  });
});
