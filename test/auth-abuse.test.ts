/**
 * Abuse resistance of every auth endpoint (issue "Auth"): no user enumeration, built-in
 * rate limits per client IP and per identity (429 + Retry-After), slow-down of failing
 * sign-ins, the MFA attempt cap, tampered/expired/wrong-type tokens running as guests
 * (docs/api.md §1.2), and token invalidation after a password change (docs/api.md §5.9).
 *
 * The server trusts 127.0.0.1 as a proxy, so each scenario picks its own client IP with
 * X-Forwarded-For and counters of different scenarios never meet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, decodeJwt } from 'jose';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { DEFAULT_AUTH_LIMITS } from '../src/http/rate-limit-auth.js';

let s: TestServer;
let admin: string;
const USER = { email: 'abuse-known@example.com', password: 'known-password-1' };
let userId = '';
let ipSeq = 0;
/** A client IP no other request of this file uses. */
const freshIp = () => `198.51.${100 + Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;

type Res = Awaited<ReturnType<TestServer['request']>>;
const post = (path: string, body: unknown, ip = freshIp(), token?: string): Promise<Res> =>
  s.request('POST', path, { body, token, headers: { 'X-Forwarded-For': ip } });
const users = (action: string) => `/api/collections/users/${action}`;
const TOO_MANY = { status: 429, message: 'Too Many Requests.', data: {} };

function expectTooMany(r: Res): void {
  expect(r.status).toBe(429);
  expect(r.body).toEqual(TOO_MANY);
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

/** A JWT with the given header and claims, signed with `secret` (or unsigned for alg none). */
async function forge(claims: Record<string, unknown>, secret = 'not-the-key', alg = 'HS256'): Promise<string> {
  if (alg === 'none') {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
  }
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

/** Replaces the payload of a real token, keeping its header and signature. */
function withClaims(token: string, change: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  const claims = { ...decodeJwt(token), ...change };
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

/** Creates a user of its own for one scenario, so counters of other scenarios never touch it. */
async function createUser(email: string, password = 'own-password-1'): Promise<string> {
  const r = await s.request('POST', '/api/collections/users/records', { token: admin, body: { email, password, passwordConfirm: password } });
  expect(r.status).toBe(200);
  return r.body.id as string;
}

async function signIn(email: string, password: string): Promise<string> {
  const r = await post(users('auth-with-password'), { identity: email, password });
  expect(r.status).toBe(200);
  return r.body.token as string;
}

beforeAll(async () => {
  s = await startTestServer({ trustedProxies: ['127.0.0.1'] });
  admin = await s.adminToken();
  const patched = await s.request('PATCH', '/api/collections/users', { token: admin, body: { otp: { enabled: true } } });
  expect(patched.status).toBe(200);
  const created = await s.request('POST', '/api/collections/users/records', {
    token: admin,
    body: { email: USER.email, password: USER.password, passwordConfirm: USER.password },
  });
  expect(created.status).toBe(200);
  userId = created.body.id;
  const notes = await s.request('POST', '/api/collections', {
    token: admin,
    body: { name: 'abuse_notes', type: 'base', listRule: "@request.auth.id != ''", fields: [{ name: 'title', type: 'text' }] },
  });
  expect(notes.status).toBe(200);
  expect((await s.request('POST', '/api/collections/abuse_notes/records', { token: admin, body: { title: 'secret' } })).status).toBe(200);
});

afterAll(async () => {
  await s?.close();
});

describe('no user enumeration: a known and an unknown identity get the same answer', () => {
  const known = USER.email;
  const unknown = 'abuse-nobody@example.com';
  const otpIdFor = async (email: string) => (await post(users('request-otp'), { email })).body.otpId as string;
  const rows: [string, (email: string) => Promise<Res>][] = [
    ['auth-with-password (wrong password)', (email) => post(users('auth-with-password'), { identity: email, password: 'wrong-password-0' })],
    ['request-password-reset', (email) => post(users('request-password-reset'), { email })],
    ['request-verification', (email) => post(users('request-verification'), { email })],
    ['request-otp', (email) => post(users('request-otp'), { email })],
    ['auth-with-otp (wrong code)', async (email) => post(users('auth-with-otp'), { otpId: await otpIdFor(email), password: '00000000' })],
  ];
  it.each(rows)('%s', async (_name, send) => {
    const [a, b] = [await send(known), await send(unknown)];
    expect(a.status).toBe(b.status);
    expect(a.status).toBeLessThan(500);
    const shape = (r: Res) => (r.body && typeof r.body.otpId === 'string' ? { otpId: r.body.otpId.length } : r.body);
    expect(shape(a)).toEqual(shape(b));
  });

  it('confirm-password-reset with a forged token for a real record and for a made-up one', async () => {
    const c = (await s.request('GET', '/api/collections/users', { token: admin })).body;
    const claims = (id: string) => ({ id, type: 'passwordReset', collectionId: c.id, email: USER.email, exp: Math.floor(Date.now() / 1000) + 600 });
    const body = (token: string) => ({ token, password: 'new-password-12', passwordConfirm: 'new-password-12' });
    const a = await post(users('confirm-password-reset'), body(await forge(claims(userId))));
    const b = await post(users('confirm-password-reset'), body(await forge(claims('abcdefghijklmno'))));
    expect(a.status).toBe(400);
    expect(a.body).toEqual(b.body);
  });
});

describe('built-in limits per client IP', () => {
  const { groups } = DEFAULT_AUTH_LIMITS;
  // Bodies are empty so each request fails validation cheaply: the limit counts requests, not outcomes.
  const rows: [string, string, string, number][] = [
    ['sign-in', 'POST', users('auth-with-password'), groups.signIn.ip.max],
    ['mail', 'POST', users('request-password-reset'), groups.mail.ip.max],
    ['confirm', 'POST', users('confirm-verification'), groups.confirm.ip.max],
    ['refresh', 'POST', users('auth-refresh'), groups.refresh.ip.max],
    ['auth-methods', 'GET', users('auth-methods'), groups.methods.ip.max],
  ];
  it.each(rows)('%s: %s %s allows its limit from one IP, then 429', async (_group, method, path, max) => {
    const ip = freshIp();
    const send = (from: string) => s.request(method, path, { body: method === 'GET' ? undefined : {}, headers: { 'X-Forwarded-For': from } });
    for (let i = 0; i < max; i++) expect((await send(ip)).status).not.toBe(429);
    expectTooMany(await send(ip));
    expect((await send(freshIp())).status).not.toBe(429);
  });

  it('the sign-in endpoints share one per-IP budget', async () => {
    const ip = freshIp();
    for (let i = 0; i < groups.signIn.ip.max; i++) await post(users('auth-with-password'), {}, ip);
    expectTooMany(await post(users('auth-with-otp'), {}, ip));
  });

  it('excludedIPs lifts the per-IP limit but not the per-identity one', async () => {
    const ip = freshIp();
    expect((await s.request('PATCH', '/api/settings', { token: admin, body: { rateLimits: { excludedIPs: [ip] } } })).status).toBe(200);
    try {
      for (let i = 0; i < groups.confirm.ip.max + 2; i++) expect((await post(users('confirm-verification'), {}, ip)).status).toBe(400);
      const email = 'abuse-excluded@example.com';
      for (let i = 0; i < groups.mail.identity!.max; i++) expect((await post(users('request-verification'), { email }, ip)).status).toBe(204);
      expectTooMany(await post(users('request-verification'), { email }, ip));
    } finally {
      await s.request('PATCH', '/api/settings', { token: admin, body: { rateLimits: { excludedIPs: [] } } });
    }
  });
});

describe('built-in limits per identity, whatever the client IP', () => {
  const { groups } = DEFAULT_AUTH_LIMITS;
  it.each([
    ['a known address', 'abuse-mail-known@example.com', true],
    ['an unknown address', 'abuse-ghost@example.com', false],
  ])('request-password-reset for %s: the same limit, the same answers', async (_name, email, exists) => {
    if (exists) await createUser(email);
    const statuses = [];
    for (let i = 0; i < groups.mail.identity!.max; i++) statuses.push((await post(users('request-password-reset'), { email })).status);
    expect(new Set(statuses)).toEqual(new Set([204]));
    // Case and spaces do not make a new identity.
    expectTooMany(await post(users('request-password-reset'), { email: ` ${email.toUpperCase()} ` }));
  });

  it('confirm endpoints count per record the token names', async () => {
    const c = (await s.request('GET', '/api/collections/users', { token: admin })).body;
    const email = 'abuse-confirm@example.com';
    const id = await createUser(email);
    const token = async () => forge({ id, type: 'verification', collectionId: c.id, email, exp: Math.floor(Date.now() / 1000) + 600 });
    for (let i = 0; i < groups.confirm.identity!.max; i++) expect((await post(users('confirm-verification'), { token: await token() })).status).toBe(400);
    expectTooMany(await post(users('confirm-verification'), { token: await token() }));
  });

  it('an MFA session takes a limited number of attempts', async () => {
    const mfaId = 'abusemfa0000001';
    const { max } = DEFAULT_AUTH_LIMITS.mfaAttempts;
    for (let i = 0; i < max; i++) {
      const r = await post(users('auth-with-password'), { identity: `mfa-${i}@example.com`, password: 'whatever-123', mfaId });
      expect(r.status).toBe(400);
    }
    expectTooMany(await post(users('auth-with-password'), { identity: 'mfa-last@example.com', password: 'whatever-123', mfaId }));
  });
});

describe('failed sign-ins slow down the next ones for that identity', () => {
  const { freeAttempts } = DEFAULT_AUTH_LIMITS.signInBackoff;
  const attempt = (identity: string, password: string) => post(users('auth-with-password'), { identity, password });

  it.each([
    ['a known identity', 'abuse-signin-known@example.com', true],
    ['an unknown identity', 'abuse-signin-unknown@example.com', false],
  ])('%s: free attempts, one more that starts a wait, then 429 from any IP', async (_name, identity, exists) => {
    if (exists) await createUser(identity, 'right-password-1');
    for (let i = 0; i < freeAttempts + 1; i++) expect((await attempt(identity, `wrong-password-${i}`)).status).toBe(400);
    // Even the right password waits: the attempt is refused before it is checked.
    const blocked = await attempt(identity, 'right-password-1');
    expectTooMany(blocked);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(DEFAULT_AUTH_LIMITS.signInBackoff.maxDelaySeconds);
  });

  it('a success clears the count', async () => {
    const email = 'abuse-resets@example.com';
    const password = 'reset-password-1';
    await createUser(email, password);
    for (let i = 0; i < freeAttempts - 1; i++) expect((await attempt(email, 'wrong-password')).status).toBe(400);
    expect((await attempt(email, password)).status).toBe(200);
    for (let i = 0; i < freeAttempts; i++) expect((await attempt(email, 'wrong-password')).status).toBe(400);
  });
});

describe('bad tokens run as a guest (docs/api.md §1.2)', () => {
  let valid = '';
  let collectionId = '';
  beforeAll(async () => {
    valid = await signIn(USER.email, USER.password);
    collectionId = (decodeJwt(valid).collectionId as string) ?? '';
  });
  const future = () => Math.floor(Date.now() / 1000) + 3600;

  const rows: [string, () => Promise<string>][] = [
    ['alg none', async () => forge({ id: userId, type: 'auth', collectionId, refreshable: true, exp: future() }, '', 'none')],
    ['signed with the wrong key', async () => forge({ id: userId, type: 'auth', collectionId, refreshable: true, exp: future() })],
    ['claims changed after signing (exp)', async () => withClaims(valid, { exp: future() + 99 })],
    ['claims changed after signing (id)', async () => withClaims(valid, { id: 'abcdefghijklmno' })],
    ['claims changed after signing (type)', async () => withClaims(valid, { type: 'file' })],
    ['wrong type (a file token)', async () => {
      const r = await post('/api/files/token', {}, freshIp(), valid);
      expect(r.status).toBe(200);
      return r.body.token as string;
    }],
    ['garbage', async () => 'not-a-jwt'],
  ];

  it('a valid token is accepted (the control row)', async () => {
    expect((await post(users('auth-refresh'), {}, freshIp(), valid)).status).toBe(200);
    const list = await s.request('GET', '/api/collections/abuse_notes/records', { token: valid });
    expect(list.body.items).toHaveLength(1);
  });

  it.each(rows)('%s: auth-refresh 401, and rules see no @request.auth', async (_name, make) => {
    const token = await make();
    const refresh = await post(users('auth-refresh'), {}, freshIp(), token);
    expect(refresh.status).toBe(401);
    expect(refresh.body).toEqual({ status: 401, message: 'The request requires valid record authorization token.', data: {} });
    const list = await s.request('GET', '/api/collections/abuse_notes/records', { token });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
  });

  it('an expired token', async () => {
    const imp = await post(`/api/collections/users/impersonate/${userId}`, { duration: 1 }, freshIp(), admin);
    expect(imp.status).toBe(200);
    const token = imp.body.token as string;
    const exp = decodeJwt(token).exp as number;
    // Wait until the token's `exp` second has passed.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (exp + 1) * 1000 - Date.now() + 50)));
    expect((await post(users('auth-refresh'), {}, freshIp(), token)).status).toBe(401);
    expect((await s.request('GET', '/api/collections/abuse_notes/records', { token })).body.items).toEqual([]);
  });
});

describe('a password change invalidates the old tokens', () => {
  it('old token → guest; new password signs in', async () => {
    const email = 'abuse-changer@example.com';
    const id = await createUser(email, 'first-password-1');
    const old = await signIn(email, 'first-password-1');
    const changed = await s.request('PATCH', `/api/collections/users/records/${id}`, {
      token: old,
      body: { oldPassword: 'first-password-1', password: 'second-password-2', passwordConfirm: 'second-password-2' },
    });
    expect(changed.status).toBe(200);
    expect((await post(users('auth-refresh'), {}, freshIp(), old)).status).toBe(401);
    expect((await s.request('GET', '/api/collections/abuse_notes/records', { token: old })).body.items).toEqual([]);
    expect((await post(users('auth-with-password'), { identity: email, password: 'first-password-1' })).status).toBe(400);
    const fresh = await signIn(email, 'second-password-2');
    expect((await post(users('auth-refresh'), {}, freshIp(), fresh)).status).toBe(200);
  });
});
