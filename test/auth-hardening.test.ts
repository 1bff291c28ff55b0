/**
 * Hardening of the auth endpoints (issue 10, items 13 and 16): string fields of the auth
 * forms refuse every other JSON type before the limits and the handler run (so a
 * `["victim"]` identity cannot dodge the sign-in back-off); confirm-email-change says
 * nothing about a forged token's claims; request-otp answers a fresh id for a known address
 * at its cap of live codes; and a superuser's file token is bound by `superuserIPs`.
 *
 * The server trusts 127.0.0.1 as a proxy, so each scenario picks its own client IP with
 * X-Forwarded-For and the per-IP counters of different scenarios never meet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { startSmtpInbox, type SmtpInbox } from './helpers/smtp-inbox.js';
import { form, send } from './helpers/files.js';
import { DEFAULT_AUTH_LIMITS } from '../src/http/rate-limit-auth.js';

let s: TestServer;
let inbox: SmtpInbox;
let admin: string;
let ipSeq = 0;
/** A client IP no other request of this file uses (outside 10.0.0.0/8). */
const freshIp = () => `203.0.${100 + Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;

type Res = Awaited<ReturnType<TestServer['request']>>;
const post = (path: string, body: unknown, options: { ip?: string; token?: string; headers?: Record<string, string> } = {}): Promise<Res> =>
  s.request('POST', path, { body, token: options.token, headers: { 'X-Forwarded-For': options.ip ?? freshIp(), ...options.headers } });
const users = (action: string) => `/api/collections/users/${action}`;
const LOADING = 'An error occurred while loading the submitted data.';
const NOT_A_STRING = { code: 'validation_not_a_string', message: 'Must be a string.' };

/** Creates a user as superuser; returns its id. */
async function createUser(email: string, password = 'own-password-1'): Promise<string> {
  const r = await s.request('POST', '/api/collections/users/records', { token: admin, body: { email, password, passwordConfirm: password } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.id as string;
}

async function signIn(email: string, password: string): Promise<string> {
  const r = await post(users('auth-with-password'), { identity: email, password });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

beforeAll(async () => {
  s = await startTestServer({ trustedProxies: ['127.0.0.1'] });
  inbox = await startSmtpInbox();
  admin = await s.adminToken();
  const settings = await s.request('PATCH', '/api/settings', { token: admin, body: { smtp: { enabled: true, host: '127.0.0.1', port: inbox.port, tls: false } } });
  expect(settings.status).toBe(200);
  const patched = await s.request('PATCH', '/api/collections/users', { token: admin, body: { otp: { enabled: true } } });
  expect(patched.status).toBe(200);
});

afterAll(async () => {
  await s?.close();
  await inbox?.close();
});

describe('string fields of the auth forms', () => {
  it('an array identity cannot dodge the sign-in back-off of that identity', async () => {
    const email = 'hard-victim@example.com';
    await createUser(email, 'right-password-1');
    const { freeAttempts } = DEFAULT_AUTH_LIMITS.signInBackoff;
    for (let i = 0; i < freeAttempts + 1; i++) {
      expect((await post(users('auth-with-password'), { identity: email, password: `wrong-${i}-password` })).status).toBe(400);
    }
    expect((await post(users('auth-with-password'), { identity: email, password: 'right-password-1' })).status).toBe(429);
    for (const identity of [[email], [email, 'x'], { 0: email }]) {
      const r = await post(users('auth-with-password'), { identity, password: 'right-password-1' });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ status: 400, message: LOADING, data: { identity: NOT_A_STRING } });
    }
  });

  // Every string field of every auth endpoint, with each non-string JSON type.
  const routes: [string, string[], boolean][] = [
    ['auth-with-password', ['identity', 'password', 'identityField', 'mfaId'], false],
    ['auth-with-otp', ['otpId', 'password', 'mfaId'], false],
    ['auth-with-oauth2', ['provider', 'code', 'codeVerifier', 'redirectURL', 'redirectUrl', 'mfaId'], false],
    ['request-otp', ['email'], false],
    ['request-verification', ['email'], false],
    ['request-password-reset', ['email'], false],
    ['confirm-verification', ['token'], false],
    ['confirm-password-reset', ['token', 'password', 'passwordConfirm'], false],
    ['request-email-change', ['newEmail'], true],
    ['confirm-email-change', ['token', 'password'], false],
  ];
  const values: unknown[] = [['a@example.com'], 12345678, true, { a: 'b' }];
  const rows = routes.flatMap(([route, fields, signedIn]) => fields.flatMap((field) => values.map((value) => [route, field, JSON.stringify(value), value, signedIn] as const)));
  let userToken = '';
  beforeAll(async () => {
    await createUser('hard-types@example.com', 'types-password-1');
    userToken = await signIn('hard-types@example.com', 'types-password-1');
  });
  it.each(rows)('%s: %s = %s → 400', async (route, field, _shown, value, signedIn) => {
    const r = await post(users(route), { [field]: value }, { token: signedIn ? userToken : undefined });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 400, message: LOADING, data: { [field]: NOT_A_STRING } });
  });

  it('null is an absent value, as PocketBase binds it', async () => {
    const r = await post(users('auth-with-password'), { identity: null, password: null });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('An error occurred while validating the submitted data.');
    expect(r.body.data.identity.code).toBe('validation_required');
  });

  it('form bodies keep their text: a numeric password sent as a form signs in', async () => {
    // Form values are inferred (docs/api.md §1.1): "1000000000000000000000" arrives as the number 1e21.
    const email = 'hard-numeric@example.com';
    const password = '1000000000000000000000';
    await createUser(email, password);
    const urlencoded = await s.request('POST', users('auth-with-password'), {
      body: new URLSearchParams({ identity: email, password }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': freshIp() },
    });
    expect(urlencoded.status, JSON.stringify(urlencoded.body)).toBe(200);
    const multipart = await send(s, 'POST', users('auth-with-password'), { form: form([['identity', email], ['password', password]]), headers: { 'X-Forwarded-For': freshIp() } });
    expect(multipart.status, JSON.stringify(multipart.body)).toBe(200);
    // A key sent twice is a list, which no string field takes.
    const twice = await send(s, 'POST', users('auth-with-password'), { form: form([['identity', email], ['identity', email], ['password', password]]), headers: { 'X-Forwarded-For': freshIp() } });
    expect(twice.status).toBe(400);
    expect(twice.body).toEqual({ status: 400, message: LOADING, data: { identity: NOT_A_STRING } });
  });
});

describe('confirm-email-change checks the signature before it reads any claim', () => {
  it('a forged token answers the same whether its newEmail is taken or free', async () => {
    const c = (await s.request('GET', '/api/collections/users', { token: admin })).body;
    const id = await createUser('hard-change-a@example.com');
    await createUser('hard-change-taken@example.com');
    const forge = (newEmail: string) => new SignJWT({ id, type: 'emailChange', collectionId: c.id, email: 'hard-change-a@example.com', newEmail })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
      .sign(new TextEncoder().encode('not-the-key'));
    const taken = await post(users('confirm-email-change'), { token: await forge('hard-change-taken@example.com'), password: 'own-password-1' });
    const free = await post(users('confirm-email-change'), { token: await forge('hard-change-free@example.com'), password: 'own-password-1' });
    const none = await post(users('confirm-email-change'), { token: await forge(''), password: 'own-password-1' });
    expect(taken.status).toBe(400);
    expect(taken.body.data.token.code).toBe('validation_invalid_token');
    expect(free.body).toEqual(taken.body);
    expect(none.body).toEqual(taken.body);
  });
});

describe('request-otp at the cap of live codes', () => {
  it('a known address gets a fresh id every time, like an unknown one, and never more than 9 live codes', async () => {
    const email = 'hard-otp@example.com';
    const id = await createUser(email);
    const ids = { known: [] as string[], unknown: [] as string[] };
    for (let i = 0; i < 11; i++) {
      const known = await post(users('request-otp'), { email });
      const unknown = await post(users('request-otp'), { email: 'hard-otp-nobody@example.com' });
      expect([known.status, unknown.status]).toEqual([200, 200]);
      ids.known.push(known.body.otpId);
      ids.unknown.push(unknown.body.otpId);
    }
    expect(new Set(ids.unknown).size).toBe(11);
    expect(new Set(ids.known).size).toBe(11);
    const live = await s.request('GET', `/api/collections/_otps/records?perPage=100&filter=${encodeURIComponent(`recordRef="${id}"`)}`, { token: admin });
    expect(live.status).toBe(200);
    expect(live.body.totalItems).toBe(9);
    // The newest code is one of them, and its mail went out.
    expect(live.body.items.map((o: { id: string }) => o.id)).toContain(ids.known[10]);
    for (let i = 0; i < 11; i++) await inbox.next(email);
  });
});

describe('superuserIPs bind superuser file tokens too', () => {
  const inside = '10.1.2.3';
  const outside = '192.0.2.99';
  let path = '';
  beforeAll(async () => {
    const created = await s.request('POST', '/api/collections', {
      token: admin,
      body: { name: 'hard_docs', type: 'base', viewRule: null, fields: [{ name: 'doc', type: 'file', protected: true, maxSelect: 1, maxSize: 1000 }] },
    });
    expect(created.status).toBe(200);
    const record = await send(s, 'POST', '/api/collections/hard_docs/records', { token: admin, form: form([['doc', { name: 'secret.txt', data: 'top secret', type: 'text/plain' }]]) });
    expect(record.status).toBe(200);
    path = `/api/files/hard_docs/${record.body.id}/${record.body.doc}`;
    const set = await s.request('PATCH', '/api/settings', { token: admin, body: { superuserIPs: ['10.0.0.0/8'] }, headers: { 'X-Forwarded-For': inside } });
    expect(set.status).toBe(200);
  });
  afterAll(async () => {
    await s.request('PATCH', '/api/settings', { token: admin, body: { superuserIPs: [] }, headers: { 'X-Forwarded-For': inside } });
  });

  it('a superuser file token opens a protected file from an allowed IP only', async () => {
    const issued = await s.request('POST', '/api/files/token', { token: admin, headers: { 'X-Forwarded-For': inside } });
    expect(issued.status).toBe(200);
    const get = (ip: string) => s.request('GET', `${path}?token=${issued.body.token}`, { headers: { 'X-Forwarded-For': ip } });
    const ok = await get(inside);
    expect([ok.status, ok.text]).toEqual([200, 'top secret']);
    // As PocketBase does, the token counts for nothing outside the list: the file is as hidden as from a guest.
    const refused = await get(outside);
    expect(refused.status).toBe(404);
    expect(refused.text).not.toContain('top secret');
  });

  it('issuing a superuser file token from outside the list is refused', async () => {
    const r = await s.request('POST', '/api/files/token', { token: admin, headers: { 'X-Forwarded-For': outside } });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ status: 403, message: 'You are not allowed to perform this request.', data: {} });
  });
});
