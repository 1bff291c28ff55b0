/**
 * Record tokens are never accepted when forged, tampered, expired, revoked or of
 * the wrong type (docs/api.md §1.2, §5.9), whether as the Authorization header or as a
 * verification / reset / email-change token. The collection's secrets and the
 * record's tokenKey are set by the superuser, so the test can sign any token.
 */
import { SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, uniqueName } from './helpers/record-scenarios.js';

const SECRETS = {
  authToken: 'a'.repeat(40),
  passwordResetToken: 'r'.repeat(40),
  verificationToken: 'v'.repeat(40),
  emailChangeToken: 'e'.repeat(40),
  fileToken: 'f'.repeat(40),
};
const TOKEN_KEY = 'K'.repeat(50);
const PW = 'password123';

let s: TestServer;
let name: string;
let collectionId: string;
let user: { id: string; email: string };
let other: { id: string; email: string };

const now = () => Math.floor(Date.now() / 1000);
const enc = (text: string) => new TextEncoder().encode(text);

/** Signs claims as the server would, or with any key and algorithm the row wants. */
async function sign(claims: Record<string, unknown>, key = TOKEN_KEY + SECRETS.authToken, alg = 'HS256'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(enc(key));
}

function authClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: user.id, type: 'auth', collectionId, refreshable: true, exp: now() + 3600, ...extra };
}

/** A JWT with `alg: none` and no signature. */
function unsigned(claims: Record<string, unknown>): string {
  const part = (o: unknown) => base64url.encode(JSON.stringify(o));
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** Replaces the payload of a signed token, keeping its header and signature. */
function tamper(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
}

async function refreshStatus(token: string): Promise<number> {
  return (await s.request('POST', `/api/collections/${name}/auth-refresh`, { token })).status;
}

beforeAll(async () => {
  s = await startTestServer();
  name = uniqueName('tok');
  const tokenOptions = Object.fromEntries(Object.entries(SECRETS).map(([k, secret]) => [k, { duration: 3600, secret }]));
  const c = await createCollection(s, { name, type: 'auth', ...tokenOptions, fields: [] });
  collectionId = c.id;
  for (const [who, email] of [['user', `${name}-u@example.com`], ['other', `${name}-o@example.com`]] as const) {
    const r = await createRecord(s, name, { email, password: PW, passwordConfirm: PW, tokenKey: who === 'user' ? TOKEN_KEY : 'O'.repeat(50) });
    if (who === 'user') user = { id: r.id, email };
    else other = { id: r.id, email };
  }
});
afterAll(async () => { await s?.close(); });

describe('auth tokens in the Authorization header', () => {
  it('accepts a correctly signed auth token (the table below can pass only by refusing)', async () => {
    expect(await refreshStatus(await sign(authClaims()))).toBe(200);
  });

  const rows: [string, () => Promise<string>][] = [
    ['alg none', async () => unsigned(authClaims())],
    ['wrong key', async () => sign(authClaims(), TOKEN_KEY + 'x'.repeat(40))],
    ['another record\'s key', async () => sign(authClaims(), 'O'.repeat(50) + SECRETS.authToken)],
    ['the password-reset secret', async () => sign(authClaims(), TOKEN_KEY + SECRETS.passwordResetToken)],
    ['HS512 with the right key', async () => sign(authClaims(), TOKEN_KEY + SECRETS.authToken, 'HS512')],
    ['tampered id', async () => tamper(await sign(authClaims()), authClaims({ id: other.id }))],
    ['tampered exp', async () => tamper(await sign(authClaims({ exp: now() - 10 })), authClaims({ exp: now() + 3600 }))],
    ['expired', async () => sign(authClaims({ exp: now() - 10 }))],
    ['no exp', async () => sign({ id: user.id, type: 'auth', collectionId, refreshable: true })],
    ['password-reset token', async () => sign({ id: user.id, type: 'passwordReset', collectionId, email: user.email, exp: now() + 3600 }, TOKEN_KEY + SECRETS.passwordResetToken)],
    ['verification token', async () => sign({ id: user.id, type: 'verification', collectionId, email: user.email, exp: now() + 3600 }, TOKEN_KEY + SECRETS.verificationToken)],
    ['file token', async () => sign({ id: user.id, type: 'file', collectionId, exp: now() + 3600 }, TOKEN_KEY + SECRETS.fileToken)],
    ['wrong collectionId', async () => sign(authClaims({ collectionId: '_pb_users_auth_' }))],
    ['garbage', async () => 'not.a.jwt'],
  ];
  it.each(rows)('refuses %s', async (_label, make) => {
    // Refused tokens are ignored (docs/api.md §1.2): auth-refresh then sees a guest.
    expect(await refreshStatus(await make())).toBe(401);
  });
});

describe('flow tokens', () => {
  // NOTE: each row signs for a record of its own: the built-in auth limits allow only a
  // few confirm attempts per record, and this table is about signatures, not limits.
  let n = 0;
  async function freshUser(): Promise<{ id: string; email: string; key: string }> {
    n++;
    const key = `F${n}`.padEnd(50, 'k');
    const email = `${name}-f${n}@example.com`;
    const r = await createRecord(s, name, { email, password: PW, passwordConfirm: PW, tokenKey: key });
    return { id: r.id, email, key };
  }
  type Target = { id: string; email: string; key: string };
  const reset = (t: Target, claims: Record<string, unknown> = {}, secret = SECRETS.passwordResetToken) =>
    sign({ id: t.id, type: 'passwordReset', collectionId, email: t.email, exp: now() + 3600, ...claims }, t.key + secret);
  const verification = (t: Target, claims: Record<string, unknown> = {}, secret = SECRETS.verificationToken) =>
    sign({ id: t.id, type: 'verification', collectionId, email: t.email, exp: now() + 3600, ...claims }, t.key + secret);

  const confirmReset = (token: string) =>
    s.request('POST', `/api/collections/${name}/confirm-password-reset`, { body: { token, password: 'brand-new-pw', passwordConfirm: 'brand-new-pw' } });
  const confirmVerification = (token: string) =>
    s.request('POST', `/api/collections/${name}/confirm-verification`, { body: { token } });

  const resetRows: [string, (t: Target) => Promise<string>][] = [
    ['an auth token', (t) => sign({ id: t.id, type: 'auth', collectionId, refreshable: true, exp: now() + 3600 }, t.key + SECRETS.authToken)],
    ['a verification token', (t) => verification(t)],
    ['reset claims signed with the verification secret', (t) => reset(t, {}, SECRETS.verificationToken)],
    ['alg none', async (t) => unsigned({ id: t.id, type: 'passwordReset', collectionId, email: t.email, exp: now() + 3600 })],
    ['an expired reset token', (t) => reset(t, { exp: now() - 10 })],
    ['a tampered reset token', async (t) => tamper(await reset(t), { id: other.id, type: 'passwordReset', collectionId, email: other.email, exp: now() + 3600 })],
  ];
  it.each(resetRows)('confirm-password-reset refuses %s', async (_label, make) => {
    const r = await confirmReset(await make(await freshUser()));
    expect(r.status, r.text).toBe(400);
    expect(r.body.data.token.code).toBe('validation_invalid_token');
  });

  const verificationRows: [string, (t: Target) => Promise<string>, string][] = [
    ['a reset token', (t) => reset(t), 'validation_invalid_token'],
    ['an expired verification token', (t) => verification(t, { exp: now() - 10 }), 'validation_invalid_token'],
    ['a verification token without email', (t) => verification(t, { email: undefined }), 'validation_invalid_token_claims'],
    ['a verification token for another email', (t) => verification(t, { email: 'someone@example.com' }), 'validation_token_email_mismatch'],
  ];
  it.each(verificationRows)('confirm-verification refuses %s', async (_label, make, code) => {
    const r = await confirmVerification(await make(await freshUser()));
    expect(r.status, r.text).toBe(400);
    expect(r.body.data.token.code).toBe(code);
  });

  it('a valid verification token verifies its record', async () => {
    const t = await freshUser();
    expect((await confirmVerification(await verification(t))).status).toBe(204);
    const r = await s.request('GET', `/api/collections/${name}/records/${t.id}`, { token: await s.adminToken() });
    expect(r.body.verified).toBe(true);
  });

  it('a valid reset token works once, then the rotated tokenKey revokes it and every auth token', async () => {
    const t = await freshUser();
    const auth = await sign({ id: t.id, type: 'auth', collectionId, refreshable: true, exp: now() + 3600 }, t.key + SECRETS.authToken);
    expect(await refreshStatus(auth)).toBe(200);
    const token = await reset(t);
    expect((await confirmReset(token)).status).toBe(204);
    expect(await refreshStatus(auth)).toBe(401);
    const again = await confirmReset(token);
    expect(again.status).toBe(400);
    expect(again.body.data.token.code).toBe('validation_invalid_token');
  });
});
