/**
 * The mailed auth flows end to end through the pocketbase SDK (docs/api.md §5.4, §5.6,
 * §5.8): mail goes over SMTP to a real server on loopback, and the link or code
 * is read from the delivered mail.
 */
import { ClientResponseError } from 'pocketbase';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { linkToken, startSmtpInbox, type ReceivedMail, type SmtpInbox } from './helpers/smtp-inbox.js';
import { createCollection, runScenarios, uniqueName } from './helpers/record-scenarios.js';

const PW = 'password123';
let s: TestServer;
let inbox: SmtpInbox;
let n = 0;

beforeAll(async () => {
  s = await startTestServer();
  inbox = await startSmtpInbox();
  const admin = await s.admin();
  await admin.settings.update({
    meta: { appName: 'Plinth Test', appURL: 'http://app.test', senderName: 'Plinth Mailer', senderAddress: 'noreply@plinth.test' },
    smtp: { enabled: true, host: '127.0.0.1', port: inbox.port, tls: false },
    // The built-in per-IP auth limits would stop this file's many requests from one address.
    rateLimits: { excludedIPs: ['127.0.0.1'] },
  });
});
afterAll(async () => {
  await s?.close();
  await inbox?.close();
});

/** Creates an auth record as superuser; returns its id and email. */
async function newUser(collection = 'users', extra: Record<string, unknown> = {}): Promise<{ id: string; email: string }> {
  n++;
  const email = `flow${n}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const admin = await s.admin();
  const r = await admin.collection(collection).create({ email, password: PW, passwordConfirm: PW, ...extra });
  return { id: r.id, email };
}

async function sdkError(p: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClientResponseError) return err;
    throw err;
  }
  throw new Error('expected the SDK call to fail');
}

function otpCode(mail: ReceivedMail, length: number): string {
  const m = new RegExp(`<strong>(\\d{${length}})</strong>`).exec(mail.decoded);
  if (!m) throw new Error(`no OTP in mail:\n${mail.decoded}`);
  return m[1]!;
}

async function getRecord(collection: string, id: string): Promise<any> {
  return (await s.admin()).collection(collection).getOne(id);
}

describe('email verification', () => {
  it('mails a link whose token verifies the record', async () => {
    const u = await newUser();
    const pb = s.client();
    expect(await pb.collection('users').requestVerification(u.email)).toBe(true);
    const mail = await inbox.next(u.email);
    expect(mail.subject).toBe('Verify your Plinth Test email');
    expect(mail.from).toBe('noreply@plinth.test');
    expect(mail.raw).toMatch(/^From: "?Plinth Mailer"? <noreply@plinth\.test>/m);
    expect(mail.decoded).toContain('http://app.test/_/#/auth/confirm-verification/');
    const token = linkToken(mail, 'verification');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ id: u.id, type: 'verification', collectionId: '_pb_users_auth_', email: u.email });
    expect(claims).not.toHaveProperty('iat');
    expect(claims.exp! - Date.now() / 1000).toBeGreaterThan(86400 - 120);
    expect(claims.exp! - Date.now() / 1000).toBeLessThanOrEqual(86400);

    expect((await getRecord('users', u.id)).verified).toBe(false);
    expect(await pb.collection('users').confirmVerification(token)).toBe(true);
    expect((await getRecord('users', u.id)).verified).toBe(true);
    // Confirming again is harmless.
    expect(await pb.collection('users').confirmVerification(token)).toBe(true);
  });

  it('is silent for unknown and verified addresses and for a resend within two minutes', async () => {
    const [a, b, verified] = [await newUser(), await newUser(), await newUser('users', { verified: true })];
    const known = await s.request('POST', '/api/collections/users/request-verification', { body: { email: a.email } });
    const unknown = await s.request('POST', '/api/collections/users/request-verification', { body: { email: 'nobody-v@example.com' } });
    const again = await s.request('POST', '/api/collections/users/request-verification', { body: { email: a.email } });
    const done = await s.request('POST', '/api/collections/users/request-verification', { body: { email: verified.email } });
    for (const r of [known, unknown, again, done]) {
      expect(r.status).toBe(204);
      expect(r.text).toBe('');
    }
    await s.request('POST', '/api/collections/users/request-verification', { body: { email: b.email } });
    await inbox.next(a.email);
    await inbox.next(b.email);
    expect(inbox.mails.filter((m) => m.to.includes(a.email))).toHaveLength(1);
    expect(inbox.mails.some((m) => m.to.includes('nobody-v@example.com') || m.to.includes(verified.email))).toBe(false);
  });

  it('validates its bodies and refuses _superusers', async () => {
    const url = '/api/collections/users/request-verification';
    await runScenarios(s, [
      { name: 'no email', method: 'POST', url, body: {}, status: 400, expect: { message: 'An error occurred while validating the submitted data.', data: { email: { code: 'validation_required' } } } },
      { name: 'bad email', method: 'POST', url, body: { email: 'nope' }, status: 400, expect: { data: { email: { code: 'validation_is_email' } } } },
      { name: 'superusers', method: 'POST', url: '/api/collections/_superusers/request-verification', body: { email: 'admin@example.com' }, status: 400 },
      { name: 'not an auth collection', method: 'POST', url: '/api/collections/_otps/request-verification', body: { email: 'a@b.co' }, status: 404, expect: { message: 'Missing or invalid auth collection context.' } },
      { name: 'no token', method: 'POST', url: '/api/collections/users/confirm-verification', body: {}, status: 400, expect: { data: { token: { code: 'validation_required' } } } },
      { name: 'garbage token', method: 'POST', url: '/api/collections/users/confirm-verification', body: { token: 'x.y.z' }, status: 400, expect: { data: { token: { code: 'validation_invalid_token_claims' } } } },
    ]);
  });

  it('refuses a verification token of another auth collection', async () => {
    const other = uniqueName('vc');
    await createCollection(s, { name: other, type: 'auth', fields: [] });
    const u = await newUser(other);
    await s.client().collection(other).requestVerification(u.email);
    const token = linkToken(await inbox.next(u.email), 'verification');
    const r = await s.request('POST', '/api/collections/users/confirm-verification', { body: { token } });
    expect(r.status).toBe(400);
    expect(r.body.data.token.code).toBe('validation_token_collection_mismatch');
  });
});

describe('password reset', () => {
  it('mails a link whose token sets a new password, verifies the record and revokes old tokens', async () => {
    const u = await newUser();
    const pb = s.client();
    await pb.collection('users').authWithPassword(u.email, PW);
    const oldToken = pb.authStore.token;
    expect(await s.client().collection('users').requestPasswordReset(u.email)).toBe(true);
    const mail = await inbox.next(u.email);
    expect(mail.subject).toBe('Reset your Plinth Test password');
    const token = linkToken(mail, 'password-reset');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ id: u.id, type: 'passwordReset', collectionId: '_pb_users_auth_', email: u.email });
    expect(claims.exp! - Date.now() / 1000).toBeGreaterThan(1800 - 120);
    expect(claims.exp! - Date.now() / 1000).toBeLessThanOrEqual(1800);

    const url = '/api/collections/users/confirm-password-reset';
    await runScenarios(s, [
      { name: 'mismatch', method: 'POST', url, body: { token, password: 'new-password-1', passwordConfirm: 'other-password' }, status: 400, expect: { data: { passwordConfirm: { code: 'validation_values_mismatch' } } } },
      { name: 'short', method: 'POST', url, body: { token, password: 'short', passwordConfirm: 'short' }, status: 400, expect: { data: { password: { code: 'validation_length_out_of_range', params: { min: 8, max: 255 } } } } },
      { name: 'blank', method: 'POST', url, body: {}, status: 400, expect: { data: { token: { code: 'validation_required' }, password: { code: 'validation_required' }, passwordConfirm: { code: 'validation_required' } } } },
    ]);
    expect(await s.client().collection('users').confirmPasswordReset(token, 'new-password-1', 'new-password-1')).toBe(true);

    expect((await getRecord('users', u.id)).verified).toBe(true);
    expect((await sdkError(s.client().collection('users').authWithPassword(u.email, PW))).status).toBe(400);
    await s.client().collection('users').authWithPassword(u.email, 'new-password-1');
    expect((await s.request('POST', '/api/collections/users/auth-refresh', { token: oldToken })).status).toBe(401);
    const reused = await sdkError(s.client().collection('users').confirmPasswordReset(token, 'new-password-2', 'new-password-2'));
    expect(reused.response.data.token.code).toBe('validation_invalid_token');
  });

  it('answers unknown addresses like known ones and needs password auth', async () => {
    const u = await newUser();
    const known = await s.request('POST', '/api/collections/users/request-password-reset', { body: { email: u.email } });
    const unknown = await s.request('POST', '/api/collections/users/request-password-reset', { body: { email: 'nobody-r@example.com' } });
    expect([known.status, known.text]).toEqual([204, '']);
    expect([unknown.status, unknown.text]).toEqual([204, '']);
    await inbox.next(u.email);
    expect(inbox.mails.some((m) => m.to.includes('nobody-r@example.com'))).toBe(false);

    const name = uniqueName('nopw');
    await createCollection(s, { name, type: 'auth', fields: [], passwordAuth: { enabled: false }, otp: { enabled: true } });
    const r = await s.request('POST', `/api/collections/${name}/request-password-reset`, { body: { email: u.email } });
    expect(r.status).toBe(400);
  });
});

describe('email change', () => {
  it('mails the new address a token that, with the password, changes and verifies the email', async () => {
    const u = await newUser();
    const newEmail = `changed-${u.email}`;
    const pb = s.client();
    await pb.collection('users').authWithPassword(u.email, PW);
    expect(await pb.collection('users').requestEmailChange(newEmail)).toBe(true);
    const mail = await inbox.next(newEmail);
    expect(mail.subject).toBe('Confirm your Plinth Test new email address');
    expect(inbox.mails.some((m) => m.to.includes(u.email) && m.decoded.includes('confirm-email-change'))).toBe(false);
    const token = linkToken(mail, 'email-change');
    expect(decodeJwt(token)).toMatchObject({ id: u.id, type: 'emailChange', collectionId: '_pb_users_auth_', email: u.email, newEmail });

    const wrong = await sdkError(pb.collection('users').confirmEmailChange(token, 'wrong-password'));
    expect(wrong.status).toBe(400);
    expect(wrong.response.data.password.code).toBe('validation_invalid_password');
    expect(await pb.collection('users').confirmEmailChange(token, PW)).toBe(true);
    // The SDK drops its auth when the changed record is the signed-in one.
    expect(pb.authStore.isValid).toBe(false);

    const record = await getRecord('users', u.id);
    expect(record).toMatchObject({ email: newEmail, verified: true });
    await s.client().collection('users').authWithPassword(newEmail, PW);
    expect((await sdkError(s.client().collection('users').authWithPassword(u.email, PW))).status).toBe(400);
    const reused = await sdkError(s.client().collection('users').confirmEmailChange(token, PW));
    expect(reused.status).toBe(400);
  });

  it('requires auth of the collection and a new, free, valid address', async () => {
    const [u, taken] = [await newUser(), await newUser()];
    const token = (await s.client().collection('users').authWithPassword(u.email, PW)).token;
    const url = '/api/collections/users/request-email-change';
    await runScenarios(s, [
      { name: 'guest', method: 'POST', url, body: { newEmail: 'x@example.com' }, status: 401 },
      { name: 'superuser on users', method: 'POST', url, token: await s.adminToken(), body: { newEmail: 'x@example.com' }, status: 403 },
      { name: 'superusers', method: 'POST', url: '/api/collections/_superusers/request-email-change', token: await s.adminToken(), body: { newEmail: 'x@example.com' }, status: 400 },
      { name: 'blank', method: 'POST', url, token, body: {}, status: 400, expect: { data: { newEmail: { code: 'validation_required' } } } },
      { name: 'not an email', method: 'POST', url, token, body: { newEmail: 'nope' }, status: 400, expect: { data: { newEmail: { code: 'validation_is_email' } } } },
      { name: 'same email', method: 'POST', url, token, body: { newEmail: u.email }, status: 400, expect: { data: { newEmail: { code: 'validation_not_in_invalid' } } } },
      { name: 'taken', method: 'POST', url, token, body: { newEmail: taken.email.toUpperCase() }, status: 400, expect: { data: { newEmail: { code: 'validation_invalid_new_email' } } } },
      { name: 'confirm blank', method: 'POST', url: '/api/collections/users/confirm-email-change', body: {}, status: 400, expect: { data: { token: { code: 'validation_required' }, password: { code: 'validation_required' } } } },
    ]);
  });

  it('refuses a token whose new address got taken meanwhile', async () => {
    const u = await newUser();
    const newEmail = `race-${u.email}`;
    const pb = s.client();
    await pb.collection('users').authWithPassword(u.email, PW);
    await pb.collection('users').requestEmailChange(newEmail);
    const token = linkToken(await inbox.next(newEmail), 'email-change');
    await (await s.admin()).collection('users').create({ email: newEmail, password: PW, passwordConfirm: PW });
    const err = await sdkError(pb.collection('users').confirmEmailChange(token, PW));
    expect(err.response.data.token.code).toBe('validation_invalid_token_email');
  });
});

describe('OTP', () => {
  let otpName: string;
  beforeAll(async () => {
    otpName = uniqueName('otp');
    await createCollection(s, { name: otpName, type: 'auth', fields: [], otp: { enabled: true, length: 6, duration: 300 } });
  });

  it('mails a code stored hashed that signs in once and verifies the record', async () => {
    const u = await newUser(otpName);
    const pb = s.client();
    const { otpId } = await pb.collection(otpName).requestOTP(u.email);
    expect(otpId).toMatch(/^[a-z0-9]{15}$/);
    const mail = await inbox.next(u.email);
    expect(mail.subject).toBe('OTP for Plinth Test');
    const code = otpCode(mail, 6);

    const stored = await (await s.admin()).collection('_otps').getOne(otpId);
    expect(stored).toMatchObject({ collectionRef: (await (await s.admin()).collections.getOne(otpName)).id, recordRef: u.id, sentTo: u.email });
    expect(stored.password).toMatch(/^\$argon2id\$/);

    const auth = await pb.collection(otpName).authWithOTP(otpId, code);
    expect(auth.record.id).toBe(u.id);
    expect(pb.authStore.isValid).toBe(true);
    expect((await getRecord(otpName, u.id)).verified).toBe(true);
    // Without MFA the password of an account first verified by OTP is replaced (docs/api.md §5.6).
    expect((await sdkError(s.client().collection(otpName).authWithPassword(u.email, PW))).status).toBe(400);
    const again = await sdkError(s.client().collection(otpName).authWithOTP(otpId, code));
    expect(again.status).toBe(400);
    expect(again.response.message).toBe('Invalid or expired OTP.');
  });

  it('answers unknown addresses with a fake id, and refuses wrong codes', async () => {
    const u = await newUser(otpName, { verified: true });
    const fake = await s.request('POST', `/api/collections/${otpName}/request-otp`, { body: { email: 'nobody-o@example.com' } });
    expect(fake.status).toBe(200);
    expect(Object.keys(fake.body)).toEqual(['otpId']);
    expect(fake.body.otpId).toMatch(/^[a-z0-9]{15}$/);
    const bad = await s.request('POST', `/api/collections/${otpName}/auth-with-otp`, { body: { otpId: fake.body.otpId, password: '123456' } });
    expect([bad.status, bad.body.message]).toEqual([400, 'Invalid or expired OTP.']);

    const { otpId } = await s.client().collection(otpName).requestOTP(u.email);
    const code = otpCode(await inbox.next(u.email), 6);
    const wrong = code === '000000' ? '111111' : '000000';
    const r = await s.request('POST', `/api/collections/${otpName}/auth-with-otp`, { body: { otpId, password: wrong } });
    expect([r.status, r.body.message]).toEqual([400, 'Invalid or expired OTP.']);
    // A verified record keeps its password after an OTP sign-in.
    await s.client().collection(otpName).authWithOTP(otpId, code);
    await s.client().collection(otpName).authWithPassword(u.email, PW);
  });

  it('allows five tries per record in 180 s, across its codes, then answers 429', async () => {
    const u = await newUser(otpName, { verified: true });
    const pb = s.client();
    const first = await pb.collection(otpName).requestOTP(u.email);
    await inbox.next(u.email);
    const second = await pb.collection(otpName).requestOTP(u.email);
    const code = otpCode(await inbox.next(u.email), 6);
    const wrong = code === '000000' ? '111111' : '000000';
    const statuses = [];
    for (const otpId of [first.otpId, first.otpId, first.otpId, second.otpId, second.otpId]) {
      statuses.push((await s.request('POST', `/api/collections/${otpName}/auth-with-otp`, { body: { otpId, password: wrong } })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    const blocked = await s.request('POST', `/api/collections/${otpName}/auth-with-otp`, { body: { otpId: second.otpId, password: code } });
    expect(blocked.status).toBe(429);
  });

  it('replaces the oldest live code once a record holds nine, so every answer is a new id', async () => {
    const u = await newUser(otpName, { verified: true });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await s.client().collection(otpName).requestOTP(u.email)).otpId);
    expect(new Set(ids).size).toBe(10);
    const rows = await (await s.admin()).collection('_otps').getFullList({ filter: `recordRef = '${u.id}'` });
    expect(rows.map((r) => r.id).sort()).toEqual(ids.slice(1).sort());
  });

  it('is refused when OTP is disabled and validates its bodies', async () => {
    await runScenarios(s, [
      { name: 'request disabled', method: 'POST', url: '/api/collections/users/request-otp', body: { email: 'a@example.com' }, status: 403 },
      { name: 'auth disabled', method: 'POST', url: '/api/collections/users/auth-with-otp', body: { otpId: 'x', password: 'y' }, status: 403 },
      { name: 'no email', method: 'POST', url: `/api/collections/${otpName}/request-otp`, body: {}, status: 400, expect: { data: { email: { code: 'validation_required' } } } },
      { name: 'bad email', method: 'POST', url: `/api/collections/${otpName}/request-otp`, body: { email: 'x' }, status: 400, expect: { data: { email: { code: 'validation_is_email' } } } },
      { name: 'blank', method: 'POST', url: `/api/collections/${otpName}/auth-with-otp`, body: {}, status: 400, expect: { data: { otpId: { code: 'validation_required' }, password: { code: 'validation_required' } } } },
    ]);
  });

  it('applies the authRule to OTP sign-ins', async () => {
    const name = uniqueName('otprule');
    await createCollection(s, { name, type: 'auth', fields: [], authRule: 'verified = true', otp: { enabled: true, length: 6 } });
    const u = await newUser(name);
    const { otpId } = await s.client().collection(name).requestOTP(u.email);
    const code = otpCode(await inbox.next(u.email), 6);
    // The OTP verifies the record first, so the rule holds.
    await s.client().collection(name).authWithOTP(otpId, code);

    await (await s.admin()).collections.update(name, { authRule: null });
    const second = await s.client().collection(name).requestOTP(u.email);
    const code2 = otpCode(await inbox.next(u.email), 6);
    const err = await sdkError(s.client().collection(name).authWithOTP(second.otpId, code2));
    expect(err.status).toBe(403);
  });
});

describe('MFA', () => {
  let mfaName: string;
  beforeAll(async () => {
    mfaName = uniqueName('mfa');
    await createCollection(s, { name: mfaName, type: 'auth', fields: [], mfa: { enabled: true, duration: 600, rule: "email !~ 'solo'" }, otp: { enabled: true, length: 6 } });
  });

  async function otpFor(email: string): Promise<{ otpId: string; code: string }> {
    const { otpId } = await s.client().collection(mfaName).requestOTP(email);
    return { otpId, code: otpCode(await inbox.next(email), 6) };
  }

  it('asks for a second method with 401 {mfaId}, then signs in with OTP', async () => {
    const u = await newUser(mfaName);
    const pb = s.client();
    const challenge = await sdkError(pb.collection(mfaName).authWithPassword(u.email, PW));
    expect(challenge.status).toBe(401);
    expect(Object.keys(challenge.response)).toEqual(['mfaId']);
    const mfaId = challenge.response.mfaId as string;
    expect(pb.authStore.isValid).toBe(false);

    const { otpId, code } = await otpFor(u.email);
    const auth = await pb.collection(mfaName).authWithOTP(otpId, code, { mfaId });
    expect(auth.record.id).toBe(u.id);
    expect(pb.authStore.isValid).toBe(true);
    // The completed session is gone: it cannot be used again.
    const reuse = await s.request('POST', `/api/collections/${mfaName}/auth-with-password`, { body: { identity: u.email, password: PW, mfaId } });
    expect([reuse.status, reuse.body.message]).toEqual([400, 'Invalid or expired MFA session.']);
    // With MFA on, the OTP sign-in that verified the record kept its password.
    expect((await sdkError(s.client().collection(mfaName).authWithPassword(u.email, PW))).status).toBe(401);
  });

  it('works OTP first, then password with mfaId in the body', async () => {
    const u = await newUser(mfaName);
    const { otpId, code } = await otpFor(u.email);
    const first = await s.request('POST', `/api/collections/${mfaName}/auth-with-otp`, { body: { otpId, password: code } });
    expect(first.status).toBe(401);
    expect(first.body).toEqual({ mfaId: expect.stringMatching(/^[a-z0-9]{15}$/) });
    const second = await s.request('POST', `/api/collections/${mfaName}/auth-with-password`, { body: { identity: u.email, password: PW, mfaId: first.body.mfaId } });
    expect(second.status, second.text).toBe(200);
    expect(second.body.record.id).toBe(u.id);
  });

  it('refuses the same method twice, unknown sessions and sessions of another record', async () => {
    const [u, v] = [await newUser(mfaName), await newUser(mfaName)];
    const url = `/api/collections/${mfaName}/auth-with-password`;
    const mfaOf = async (email: string) => (await s.request('POST', url, { body: { identity: email, password: PW } })).body.mfaId as string;
    const mfaU = await mfaOf(u.email);
    const mfaV = await mfaOf(v.email);
    await runScenarios(s, [
      { name: 'same method', method: 'POST', url, body: { identity: u.email, password: PW, mfaId: mfaU }, status: 400, expect: { message: 'A different authentication method is required.' } },
      { name: 'unknown session', method: 'POST', url, body: { identity: u.email, password: PW, mfaId: 'nosuchsession12' }, status: 400, expect: { message: 'Invalid or expired MFA session.' } },
      { name: 'other record', method: 'POST', url: `${url}?mfaId=${mfaV}`, body: { identity: u.email, password: PW }, status: 400, expect: { message: 'Invalid MFA session.' } },
      { name: 'wrong password still fails first', method: 'POST', url, body: { identity: u.email, password: 'wrong-password', mfaId: mfaU }, status: 400, expect: { message: 'Failed to authenticate.' } },
    ]);
  });

  it('skips records the mfa.rule does not select', async () => {
    const n2 = `solo-${Math.random().toString(36).slice(2, 7)}@example.com`;
    await (await s.admin()).collection(mfaName).create({ email: n2, password: PW, passwordConfirm: PW });
    const auth = await s.client().collection(mfaName).authWithPassword(n2, PW);
    expect(auth.token).toBeTruthy();
  });
});

describe('auth-with-password identity fields', () => {
  it('signs in by any unique field, case-insensitively only under COLLATE NOCASE', async () => {
    const name = uniqueName('ident');
    await createCollection(s, {
      name, type: 'auth',
      fields: [{ name: 'username', type: 'text' }, { name: 'code', type: 'text' }],
      indexes: [`CREATE UNIQUE INDEX idx_${name}_username ON ${name} (username COLLATE NOCASE)`, `CREATE UNIQUE INDEX idx_${name}_code ON ${name} (code)`],
      passwordAuth: { enabled: true, identityFields: ['email', 'username', 'code'] },
    });
    const u = await newUser(name, { username: 'Alice', code: 'AbC123' });
    const url = `/api/collections/${name}/auth-with-password`;
    const failed = { status: 400, message: 'Failed to authenticate.', data: {} };
    await runScenarios(s, [
      { name: 'username', method: 'POST', url, body: { identity: 'Alice', password: PW }, status: 200, expect: { record: { id: u.id } } },
      { name: 'username other case', method: 'POST', url, body: { identity: 'aLICE', password: PW }, status: 200 },
      { name: 'email upper case', method: 'POST', url, body: { identity: u.email.toUpperCase(), password: PW }, status: 200 },
      { name: 'code', method: 'POST', url, body: { identity: 'AbC123', password: PW, identityField: 'code' }, status: 200 },
      { name: 'code other case', method: 'POST', url, body: { identity: 'abc123', password: PW }, status: 400, expect: failed },
      { name: 'identityField restricts', method: 'POST', url, body: { identity: 'Alice', password: PW, identityField: 'code' }, status: 400, expect: failed },
      { name: 'unknown', method: 'POST', url, body: { identity: 'nobody', password: PW }, status: 400, expect: failed },
      { name: 'wrong password', method: 'POST', url, body: { identity: 'Alice', password: 'wrong-password' }, status: 400, expect: failed },
    ]);
  });
});

describe('new-location alerts', () => {
  it('remembers origins and mails the record when it signs in from a new one, but not the first time', async () => {
    const u = await newUser();
    const url = '/api/collections/users/auth-with-password';
    const signInWith = async (ua: string) => {
      const r = await s.request('POST', url, { body: { identity: u.email, password: PW }, headers: { 'User-Agent': ua } });
      expect(r.status, r.text).toBe(200);
      return r.body.token as string;
    };
    const token = await signInWith('Browser-One/1.0');
    await signInWith('Browser-One/1.0');
    await signInWith('Browser-Two/2.0');
    const mail = await inbox.next(u.email);
    expect(mail.subject).toBe('Login from a new location');
    expect(mail.decoded).toContain('Browser-Two/2.0');
    expect(mail.decoded).not.toContain('Browser-One/1.0');
    expect(inbox.mails.filter((m) => m.to.includes(u.email))).toHaveLength(1);

    // The record sees its own origins through the records API (docs/api.md §2.4).
    const origins = await s.request('GET', '/api/collections/_authOrigins/records', { token });
    expect(origins.status).toBe(200);
    expect(origins.body.items).toHaveLength(2);
    expect(origins.body.items.every((o: any) => o.recordRef === u.id && /^[0-9a-f]{64}$/.test(o.fingerprint))).toBe(true);
  });

  it('sends nothing when authAlert is disabled', async () => {
    const name = uniqueName('noalert');
    await createCollection(s, { name, type: 'auth', fields: [], authAlert: { enabled: false } });
    const u = await newUser(name);
    for (const ua of ['A/1', 'B/1']) {
      const r = await s.request('POST', `/api/collections/${name}/auth-with-password`, { body: { identity: u.email, password: PW }, headers: { 'User-Agent': ua } });
      expect(r.status).toBe(200);
    }
    const origins = await s.request('GET', `/api/collections/_authOrigins/records?filter=${encodeURIComponent(`recordRef = '${u.id}'`)}`, { token: await s.adminToken() });
    expect(origins.body.items).toHaveLength(0);
  });
});

describe('POST /api/settings/test/email', () => {
  it.each([
    ['verification', 'Verify your Plinth Test email', 'confirm-verification/'],
    ['password-reset', 'Reset your Plinth Test password', 'confirm-password-reset/'],
    ['email-change', 'Confirm your Plinth Test new email address', 'confirm-email-change/'],
    ['otp', 'OTP for Plinth Test', '<strong>'],
    ['login-alert', 'Login from a new location', 'Test browser'],
  ])('sends the %s template', async (template, subject, content) => {
    const to = `test-${template}@example.com`;
    const r = await s.request('POST', '/api/settings/test/email', { token: await s.adminToken(), body: { email: to, template, collection: 'users' } });
    expect(r.status, r.text).toBe(204);
    const mail = await inbox.next(to);
    expect(mail.subject).toBe(subject);
    expect(mail.decoded).toContain(content);
  });

  it('is for superusers and validates its body', async () => {
    const url = '/api/settings/test/email';
    const admin = await s.adminToken();
    await runScenarios(s, [
      { name: 'guest', method: 'POST', url, body: { email: 'a@example.com', template: 'otp' }, status: 401 },
      { name: 'blank', method: 'POST', url, token: admin, body: {}, status: 400, expect: { data: { email: { code: 'validation_required' }, template: { code: 'validation_required' } } } },
      { name: 'bad template', method: 'POST', url, token: admin, body: { email: 'a@example.com', template: 'nope' }, status: 400, expect: { data: { template: { code: 'validation_in_invalid' } } } },
      { name: 'not an auth collection', method: 'POST', url, token: admin, body: { email: 'a@example.com', template: 'otp', collection: '_otps' }, status: 404 },
    ]);
  });
});
