/**
 * Auth-collection records through the records API (docs/api.md §3.6, §3.7, §3.5):
 * password and passwordConfirm, secrets never returned, email visibility,
 * oldPassword for non-managers, email/verified locked for non-managers,
 * manageRule, token invalidation on password change, the last superuser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, readRecord, runScenarios, signIn, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let admin: string;
const USERS = '/api/collections/users/records';
const PW = 'password123';

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
});
afterAll(async () => { await s?.close(); });

async function signUp(email: string, extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
  const r = await s.request('POST', USERS, { body: { email, password: PW, passwordConfirm: PW, ...extra } });
  expect(r.status, r.text).toBe(200);
  return { id: r.body.id, token: await signIn(s, 'users', email, PW) };
}

async function signInStatus(email: string, password: string): Promise<number> {
  return (await s.request('POST', '/api/collections/users/auth-with-password', { body: { identity: email, password } })).status;
}

describe('auth record create', () => {
  it('requires matching password and passwordConfirm, never returns secrets', async () => {
    const count = async () => (await s.request('GET', `${USERS}?perPage=1`, { token: admin })).body.totalItems;
    const before = await count();
    await runScenarios(s, [
      { name: 'no password', method: 'POST', url: USERS, body: { email: 'np@example.com' }, status: 400, expect: { message: 'Failed to create record.', data: { password: { code: 'validation_required' }, passwordConfirm: { code: 'validation_required' } } } },
      { name: 'no confirm', method: 'POST', url: USERS, body: { email: 'nc@example.com', password: PW }, status: 400, expect: { data: { passwordConfirm: { code: 'validation_required' } } } },
      { name: 'mismatch', method: 'POST', url: USERS, body: { email: 'mm@example.com', password: PW, passwordConfirm: 'other12345' }, status: 400, expect: { data: { passwordConfirm: { code: 'validation_values_mismatch', message: "Values don't match." } } } },
      { name: 'short password', method: 'POST', url: USERS, body: { email: 'sp@example.com', password: 'short', passwordConfirm: 'short' }, status: 400, expect: { data: { password: { code: 'validation_min_text_constraint', params: { min: 8 } } } } },
      { name: 'no email', method: 'POST', url: USERS, body: { password: PW, passwordConfirm: PW }, status: 400, expect: { data: { email: { code: 'validation_required' } } } },
      { name: 'guest sets verified', method: 'POST', url: USERS, body: { email: 'vv@example.com', password: PW, passwordConfirm: PW, verified: true }, status: 400, expect: { data: { verified: { code: 'validation_values_mismatch' } } } },
      { name: 'guest sets verified as 1', method: 'POST', url: USERS, body: { email: 'v1@example.com', password: PW, passwordConfirm: PW, verified: 1 }, status: 400, expect: { data: { verified: { code: 'validation_values_mismatch' } } } },
      { name: 'verified joins other errors', method: 'POST', url: USERS, body: { email: 'bad', password: PW, passwordConfirm: PW, verified: 'true' }, status: 400, expect: { data: { verified: { code: 'validation_values_mismatch' }, email: { code: 'validation_is_email' } } } },
    ]);
    expect(await count()).toBe(before);
    const r = await s.request('POST', USERS, { body: { email: 'new@example.com', password: PW, passwordConfirm: PW, name: 'New', tokenKey: 'x'.repeat(40) } });
    expect(r.status, r.text).toBe(200);
    // The creator is a guest and emailVisibility is false: the email is hidden.
    expect(r.body).toMatchObject({ collectionName: 'users', name: 'New', verified: false, emailVisibility: false });
    for (const key of ['password', 'passwordConfirm', 'tokenKey', 'email']) expect(r.body).not.toHaveProperty(key);
    const sup = await readRecord(s, 'users', r.body.id);
    expect(sup.email).toBe('new@example.com');
    expect(sup).not.toHaveProperty('password');
    expect(sup).not.toHaveProperty('tokenKey');
    expect(await signInStatus('new@example.com', PW)).toBe(200);
    expect(await signInStatus('new@example.com', 'wrong-password')).toBe(400);
    const dup = await s.request('POST', USERS, { body: { email: 'new@example.com', password: PW, passwordConfirm: PW } });
    expect(dup.status).toBe(400);
    expect(dup.body.data.email.code).toBe('validation_not_unique');
    const superVerified = await s.request('POST', USERS, { token: admin, body: { email: 'sv@example.com', password: PW, passwordConfirm: PW, verified: true } });
    expect(superVerified.status, superVerified.text).toBe(200);
    expect(superVerified.body).toMatchObject({ verified: true, email: 'sv@example.com' });
  });
});

describe('email visibility', () => {
  it('shows email to the owner, superusers and when emailVisibility is on', async () => {
    const hidden = await signUp('hidden@example.com');
    const shown = await signUp('shown@example.com', { emailVisibility: true });
    const other = await createCollection(s, { name: uniqueName('people'), type: 'auth', listRule: '', viewRule: '', createRule: '', fields: [] });
    const base = `/api/collections/${other.name}/records`;
    const a = await s.request('POST', base, { body: { email: 'a@example.com', password: PW, passwordConfirm: PW } });
    const b = await s.request('POST', base, { body: { email: 'b@example.com', password: PW, passwordConfirm: PW, emailVisibility: true } });
    const aToken = await signIn(s, other.name, 'a@example.com', PW);
    await runScenarios(s, [
      { name: 'owner sees own email', method: 'GET', url: `${USERS}/${hidden.id}`, token: hidden.token, status: 200, expect: { email: 'hidden@example.com' }, absent: ['password', 'tokenKey'] },
      { name: 'superuser sees email', method: 'GET', url: `${USERS}/${hidden.id}`, token: admin, status: 200, expect: { email: 'hidden@example.com' }, absent: ['password', 'tokenKey'] },
      { name: 'guest list: hidden email absent', method: 'GET', url: `${base}/${a.body.id}`, status: 200, absent: ['email', 'tokenKey', 'password'] },
      { name: 'guest: visible email shown', method: 'GET', url: `${base}/${b.body.id}`, status: 200, expect: { email: 'b@example.com' } },
      { name: 'other user: hidden email absent', method: 'GET', url: `${base}/${a.body.id}`, token: shown.token, status: 200, absent: ['email'] },
      { name: 'self in other collection', method: 'GET', url: `${base}/${a.body.id}`, token: aToken, status: 200, expect: { email: 'a@example.com' } },
      { name: 'guest cannot filter on a hidden email', method: 'GET', url: `${base}?filter=${encodeURIComponent("email = 'a@example.com'")}`, status: 200, expect: { totalItems: 0 } },
      { name: 'guest can filter on a visible email', method: 'GET', url: `${base}?filter=${encodeURIComponent("email = 'b@example.com'")}`, status: 200, expect: { totalItems: 1 } },
    ]);
  });
});

describe('auth record update', () => {
  it('needs oldPassword and passwordConfirm from non-managers and revokes old tokens', async () => {
    const u = await signUp('pw@example.com');
    const url = `${USERS}/${u.id}`;
    await runScenarios(s, [
      { name: 'no oldPassword', method: 'PATCH', url, token: u.token, body: { password: 'newpass1234', passwordConfirm: 'newpass1234' }, status: 400, expect: { message: 'Failed to update record.', data: { oldPassword: { code: 'validation_required', message: 'Cannot be blank.' } } } },
      { name: 'wrong oldPassword', method: 'PATCH', url, token: u.token, body: { password: 'newpass1234', passwordConfirm: 'newpass1234', oldPassword: 'wrong-one1' }, status: 400, expect: { data: { oldPassword: { code: 'validation_invalid_old_password', message: 'Missing or invalid old password.' } } } },
      { name: 'only oldPassword', method: 'PATCH', url, token: u.token, body: { oldPassword: PW }, status: 400, expect: { data: { password: { code: 'validation_required' }, passwordConfirm: { code: 'validation_required' } } } },
      { name: 'only passwordConfirm', method: 'PATCH', url, token: u.token, body: { passwordConfirm: 'newpass1234' }, status: 400, expect: { data: { password: { code: 'validation_required' }, oldPassword: { code: 'validation_required' } } } },
      { name: 'empty password is no change', method: 'PATCH', url, token: u.token, body: { password: '', name: 'Named' }, status: 200, expect: { name: 'Named' } },
      { name: 'restore name', method: 'PATCH', url, token: u.token, body: { name: '' }, status: 200 },
      { name: 'no confirm', method: 'PATCH', url, token: u.token, body: { password: 'newpass1234', oldPassword: PW }, status: 400, expect: { data: { passwordConfirm: { code: 'validation_required' } } } },
      { name: 'confirm mismatch', method: 'PATCH', url, token: u.token, body: { password: 'newpass1234', passwordConfirm: 'newpass9999', oldPassword: PW }, status: 400, expect: { data: { passwordConfirm: { code: 'validation_values_mismatch' } } } },
      { name: 'email change', method: 'PATCH', url, token: u.token, body: { email: 'changed@example.com' }, status: 400, expect: { data: { email: { code: 'validation_values_mismatch' } } } },
      { name: 'verified change', method: 'PATCH', url, token: u.token, body: { verified: true }, status: 400, expect: { data: { verified: { code: 'validation_values_mismatch' } } } },
      { name: 'tokenKey is hidden, dropped', method: 'PATCH', url, token: u.token, body: { tokenKey: 'y'.repeat(40), emailVisibility: true }, status: 200, expect: { emailVisibility: true }, absent: ['tokenKey'] },
      { name: 'guest update: rule hides it', method: 'PATCH', url, body: { name: 'guest' }, status: 404 },
    ]);
    // Nothing refused changed the stored record.
    const stored = await readRecord(s, 'users', u.id);
    expect(stored).toMatchObject({ email: 'pw@example.com', verified: false, emailVisibility: true, name: '' });
    expect(await signInStatus('pw@example.com', PW)).toBe(200);
    // The old token still works until the password changes.
    expect((await s.request('GET', url, { token: u.token })).status).toBe(200);
    const ok = await s.request('PATCH', url, { token: u.token, body: { password: 'newpass1234', passwordConfirm: 'newpass1234', oldPassword: PW } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).not.toHaveProperty('password');
    expect(await signInStatus('pw@example.com', PW)).toBe(400);
    expect(await signInStatus('pw@example.com', 'newpass1234')).toBe(200);
    // The old token is now ignored: the request runs as a guest.
    await runScenarios(s, [
      { name: 'old token view → 404 as guest', method: 'GET', url, token: u.token, status: 404 },
      { name: 'old token list → empty as guest', method: 'GET', url: USERS, token: u.token, status: 200, expect: { totalItems: 0 } },
      { name: 'old token refresh → 401', method: 'POST', url: '/api/collections/users/auth-refresh', token: u.token, status: 401 },
    ]);
  });

  it('lets superusers and managers set email, verified and password without oldPassword', async () => {
    const staff = await createCollection(s, { name: uniqueName('staff'), type: 'auth', fields: [] });
    await s.request('POST', `/api/collections/${staff.name}/records`, { token: admin, body: { email: 'boss@example.com', password: PW, passwordConfirm: PW } });
    const bossToken = await signIn(s, staff.name, 'boss@example.com', PW);
    const members = await createCollection(s, {
      name: uniqueName('members'), type: 'auth', listRule: '', viewRule: '', createRule: '', updateRule: `id = @request.auth.id || @request.auth.collectionName = '${staff.name}'`,
      manageRule: `@request.auth.collectionName = '${staff.name}'`, fields: [],
    });
    const base = `/api/collections/${members.name}/records`;
    const m = await s.request('POST', base, { body: { email: 'm@example.com', password: PW, passwordConfirm: PW } });
    expect(m.status, m.text).toBe(200);
    const mToken = await signIn(s, members.name, 'm@example.com', PW);
    const url = `${base}/${m.body.id}`;
    await runScenarios(s, [
      { name: 'member cannot verify self', method: 'PATCH', url, token: mToken, body: { verified: true }, status: 400 },
      { name: 'manager sees the hidden email', method: 'GET', url, token: bossToken, status: 200, expect: { email: 'm@example.com' } },
      { name: 'member list hides email to guests', method: 'GET', url, status: 200, absent: ['email'] },
      { name: 'manager verifies and changes email', method: 'PATCH', url, token: bossToken, body: { verified: true, email: 'm2@example.com' }, status: 200, expect: { verified: true, email: 'm2@example.com' } },
      { name: 'manager sets password', method: 'PATCH', url, token: bossToken, body: { password: 'managerset1', passwordConfirm: 'managerset1' }, status: 200 },
      { name: 'superuser sets password', method: 'PATCH', url: `${USERS}/${(await signUp('su@example.com')).id}`, token: admin, body: { password: 'adminset12', passwordConfirm: 'adminset12' }, status: 200 },
    ]);
    // Expanded auth records follow the same email rules as direct reads.
    const notes = await createCollection(s, { name: uniqueName('mnotes'), listRule: '', viewRule: '', fields: [{ name: 'member', type: 'relation', collectionId: members.id, maxSelect: 1 }] });
    const note = await s.request('POST', `/api/collections/${notes.name}/records`, { token: admin, body: { member: m.body.id } });
    const noteUrl = `/api/collections/${notes.name}/records/${note.body.id}?expand=member`;
    expect((await s.request('GET', noteUrl, { token: bossToken })).body.expand.member.email).toBe('m2@example.com');
    expect((await s.request('GET', noteUrl)).body.expand.member).not.toHaveProperty('email');
    expect((await s.request('GET', noteUrl, { token: admin })).body.expand.member.email).toBe('m2@example.com');
    expect((await s.request('POST', `/api/collections/${members.name}/auth-with-password`, { body: { identity: 'm2@example.com', password: 'managerset1' } })).status).toBe(200);
    expect(await signInStatus('su@example.com', 'adminset12')).toBe(200);
    // The email change revoked the member's token.
    expect((await s.request('PATCH', url, { token: mToken, body: { emailVisibility: true } })).status).toBe(404);
  });
});

describe('verified on create', () => {
  it('is false while createRule and manageRule run, so a rule trusting it cannot be forged', async () => {
    const name = uniqueName('vr');
    await createCollection(s, { name, type: 'auth', listRule: '', viewRule: '', createRule: '', manageRule: 'verified = true', fields: [] });
    const base = `/api/collections/${name}/records`;
    const forged = await s.request('POST', base, { body: { email: 'f@example.com', password: PW, passwordConfirm: PW, verified: true } });
    expect(forged.status, forged.text).toBe(400);
    expect(forged.body.data.verified.code).toBe('validation_values_mismatch');
    expect((await s.request('GET', base, { token: admin })).body.totalItems).toBe(0);
    const gated = uniqueName('vg');
    await createCollection(s, { name: gated, type: 'auth', createRule: 'verified = true', fields: [] });
    const r = await s.request('POST', `/api/collections/${gated}/records`, { body: { email: 'g@example.com', password: PW, passwordConfirm: PW, verified: true } });
    expect(r.status, r.text).toBe(400);
    expect(r.body).toEqual({ status: 400, message: 'Failed to create record.', data: {} });
  });
});

describe('superusers', () => {
  it('cannot delete the last superuser', async () => {
    const list = await s.request('GET', '/api/collections/_superusers/records', { token: admin });
    expect(list.body.totalItems).toBe(1);
    const r = await s.request('DELETE', `/api/collections/_superusers/records/${list.body.items[0].id}`, { token: admin });
    expect(r.status, r.text).toBe(400);
    expect(r.body.data).toEqual({});
    expect((await s.request('GET', '/api/collections/_superusers/records', { token: admin })).body.totalItems).toBe(1);
    const second = await s.request('POST', '/api/collections/_superusers/records', { token: admin, body: { email: 'second@example.com', password: PW, passwordConfirm: PW } });
    expect(second.status, second.text).toBe(200);
    const del = await s.request('DELETE', `/api/collections/_superusers/records/${second.body.id}`, { token: admin });
    expect(del.status, del.text).toBe(204);
    const guest = await s.request('GET', '/api/collections/_superusers/records');
    expect(guest.status).toBe(403);
  });
});
