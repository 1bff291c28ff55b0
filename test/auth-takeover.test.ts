/**
 * Pre-account takeover (ownership-claim.ts) at the HTTP boundary: a squatter
 * signs up with the victim's address and a password, signs in, and links their
 * own OAuth2 account to the unverified record. When the real owner then proves
 * the address — a verification link, a password-reset link, an OTP, an OAuth2
 * provider's verified email — the squatter's link, sessions and (where the owner
 * does not need it) password stop working.
 */
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundHttp } from '../src/tools/outbound-http.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { linkToken, startSmtpInbox, type ReceivedMail, type SmtpInbox } from './helpers/smtp-inbox.js';
import { startOAuth2ProviderServer, type OAuth2ProviderServer, type ProviderUser } from './helpers/oauth2-provider-server.js';
import { uniqueName } from './helpers/record-scenarios.js';

const REDIRECT = 'http://127.0.0.1:9/oauth2-callback';
const SQUAT_PW = 'squat-pass-123';
let s: TestServer;
let p: OAuth2ProviderServer;
let inbox: SmtpInbox;
let admin: PocketBase;
let seq = 0;

beforeAll(async () => {
  s = await startTestServer({}, { outbound: OutboundHttp.allowingLoopbackForTests() });
  p = await startOAuth2ProviderServer();
  inbox = await startSmtpInbox();
  admin = await s.admin();
  await admin.settings.update({
    meta: { appName: 'Takeover Test', appURL: 'http://app.test', senderName: 'Mailer', senderAddress: 'noreply@plinth.test' },
    smtp: { enabled: true, host: '127.0.0.1', port: inbox.port, tls: false },
    rateLimits: { excludedIPs: ['127.0.0.1'] },
  });
  p.clients.set('oidc-client', { secret: 'oidc-secret', issuer: p.url });
});
afterAll(async () => {
  await s?.close();
  await p?.close();
  await inbox?.close();
});

const provider = (name: string, userInfoURL: string) => ({
  name, clientId: 'oidc-client', clientSecret: 'oidc-secret', authURL: `${p.url}/authorize`, tokenURL: `${p.url}/token`, userInfoURL: `${p.url}${userInfoURL}`,
});

/** An auth collection with password, OTP and OAuth2 (oidc for owners, github for squatters) sign-in. */
async function collection(extra: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueName('takeover');
  await admin.collections.create({
    name, type: 'auth', listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', createRule: '', updateRule: 'id = @request.auth.id',
    otp: { enabled: true, length: 6, duration: 300 },
    oauth2: { enabled: true, providers: [provider('oidc', '/userinfo'), provider('github', '/github/user')] },
    ...extra,
  });
  return name;
}

function person(overrides: Partial<ProviderUser> = {}): ProviderUser & { key: string } {
  seq++;
  const key = `tk${seq}_${Math.random().toString(36).slice(2, 7)}`;
  const user: ProviderUser = { sub: String(50_000 + seq), name: key, login: key, email: `${key}@example.com`, emailVerified: true, picture: '', ...overrides };
  p.users.set(key, user);
  return { ...user, key };
}

async function signIn(pb: PocketBase, name: string, providerName: string, login: string) {
  const methods = await pb.collection(name).listAuthMethods();
  const info = methods.oauth2.providers.find((x) => x.name === providerName)!;
  const { code } = await p.authorize(info.authURL + encodeURIComponent(REDIRECT), login);
  return pb.collection(name).authWithOAuth2Code(providerName, code, info.codeVerifier, REDIRECT);
}

async function linksOf(name: string, recordId: string): Promise<string[]> {
  const c = await admin.collections.getOne(name);
  const list = await admin.collection('_externalAuths').getFullList({ filter: admin.filter('recordRef = {:r} && collectionRef = {:c}', { r: recordId, c: c.id }) });
  return list.map((l) => l.provider as string).sort();
}

async function status(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    if (err instanceof ClientResponseError) return err.status;
    throw err;
  }
}

interface Squat {
  victim: string;
  recordId: string;
  /** The squatter's signed-in session. */
  token: string;
  /** The squatter's own GitHub login, linked to the record. */
  github: string;
}

/** The squatter registers the victim's address with a password, signs in, and links their own GitHub account. */
async function squat(name: string): Promise<Squat> {
  seq++;
  const victim = `victim${seq}_${Math.random().toString(36).slice(2, 7)}@example.com`;
  const pb = s.client().autoCancellation(false);
  const record = await pb.collection(name).create({ email: victim, password: SQUAT_PW, passwordConfirm: SQUAT_PW });
  await pb.collection(name).authWithPassword(victim, SQUAT_PW);
  const github = person({ sub: String(900_000 + seq) });
  await signIn(pb, name, 'github', github.key);
  expect(await linksOf(name, record.id)).toEqual(['github']);
  expect((await admin.collection(name).getOne(record.id)).verified).toBe(false);
  return { victim, recordId: record.id, token: pb.authStore.token, github: github.key };
}

/** The squatter's link and session no longer reach the record. */
async function expectLinkAndSessionGone(name: string, sq: Squat, keptLinks: string[] = []): Promise<void> {
  expect((await admin.collection(name).getOne(sq.recordId)).verified).toBe(true);
  expect(await linksOf(name, sq.recordId)).toEqual(keptLinks);
  // The session (refreshable forever until the tokenKey rotates) is dead.
  expect((await s.request('POST', `/api/collections/${name}/auth-refresh`, { token: sq.token })).status).toBe(401);
  // Their GitHub account now signs up a record of its own instead (under MFA, up to its challenge).
  await signIn(s.client().autoCancellation(false), name, 'github', sq.github).then(
    (again) => expect(again.record.id).not.toBe(sq.recordId),
    (err: unknown) => expect(err instanceof ClientResponseError && err.status === 401 && err.response.mfaId).toBeTruthy(),
  );
  expect(await linksOf(name, sq.recordId)).toEqual(keptLinks);
}

const passwordWorks = (name: string, email: string, password: string) =>
  status(s.client().autoCancellation(false).collection(name).authWithPassword(email, password));

function otpCode(mail: ReceivedMail): string {
  const m = /<strong>(\d{6})<\/strong>/.exec(mail.decoded);
  if (!m) throw new Error(`no OTP in mail:\n${mail.decoded}`);
  return m[1]!;
}

describe('the owner proves the address of a squatted record', () => {
  it('confirm-verification: the squatter\'s links and sessions end', async () => {
    const name = await collection();
    const sq = await squat(name);
    await s.client().collection(name).requestVerification(sq.victim);
    const token = linkToken(await inbox.next(sq.victim), 'verification');
    expect((await s.request('POST', `/api/collections/${name}/confirm-verification`, { body: { token } })).status).toBe(204);
    await expectLinkAndSessionGone(name, sq);
    // NOTE: with password sign-in on, the password stays (as PocketBase): in the usual
    // sign-up → verify → sign-in flow it is the owner's own.
    expect(await passwordWorks(name, sq.victim, SQUAT_PW)).toBe(200);
  });

  it('confirm-verification with password sign-in off: the password is replaced, so enabling it later revives nothing', async () => {
    const name = await collection();
    const sq = await squat(name);
    await admin.collections.update(name, { passwordAuth: { enabled: false } });
    await s.client().collection(name).requestVerification(sq.victim);
    const token = linkToken(await inbox.next(sq.victim), 'verification');
    expect((await s.request('POST', `/api/collections/${name}/confirm-verification`, { body: { token } })).status).toBe(204);
    await expectLinkAndSessionGone(name, sq);
    await admin.collections.update(name, { passwordAuth: { enabled: true } });
    expect(await passwordWorks(name, sq.victim, SQUAT_PW)).toBe(400);
  });

  it('confirm-password-reset: the owner\'s new password stands; the squatter\'s password, links and sessions end', async () => {
    const name = await collection();
    const sq = await squat(name);
    await s.client().collection(name).requestPasswordReset(sq.victim);
    const token = linkToken(await inbox.next(sq.victim), 'password-reset');
    const body = { token, password: 'owner-pass-456', passwordConfirm: 'owner-pass-456' };
    expect((await s.request('POST', `/api/collections/${name}/confirm-password-reset`, { body })).status).toBe(204);
    await expectLinkAndSessionGone(name, sq);
    expect(await passwordWorks(name, sq.victim, SQUAT_PW)).toBe(400);
    expect(await passwordWorks(name, sq.victim, 'owner-pass-456')).toBe(200);
  });

  it('auth-with-otp: the squatter\'s password, links and sessions end', async () => {
    const name = await collection();
    const sq = await squat(name);
    const { otpId } = await s.client().collection(name).requestOTP(sq.victim);
    const code = otpCode(await inbox.next(sq.victim));
    const owner = s.client().autoCancellation(false);
    const auth = await owner.collection(name).authWithOTP(otpId, code);
    expect(auth.record.id).toBe(sq.recordId);
    await expectLinkAndSessionGone(name, sq);
    expect(await passwordWorks(name, sq.victim, SQUAT_PW)).toBe(400);
    // The owner's own session, issued after the change, works.
    expect((await s.request('POST', `/api/collections/${name}/auth-refresh`, { token: owner.authStore.token })).status).toBe(200);
  });

  it('auth-with-otp under MFA: links and sessions end, so the squatter\'s password is one factor short', async () => {
    const name = await collection({ mfa: { enabled: true, duration: 600, rule: '' } });
    // Under MFA the squatter signs up through their GitHub account with the victim's address and a
    // password of their choosing, then completes MFA with those two factors.
    seq++;
    const victim = `victim${seq}_${Math.random().toString(36).slice(2, 7)}@example.com`;
    const github = person({ sub: String(900_000 + seq) });
    const squatter = s.client().autoCancellation(false);
    const methods = await squatter.collection(name).listAuthMethods();
    const info = methods.oauth2.providers.find((x) => x.name === 'github')!;
    const grant = await p.authorize(info.authURL + encodeURIComponent(REDIRECT), github.key);
    const createData = { email: victim, password: SQUAT_PW, passwordConfirm: SQUAT_PW };
    const challenge = await squatter.collection(name).authWithOAuth2Code('github', grant.code, info.codeVerifier, REDIRECT, createData)
      .then(() => null, (e: ClientResponseError) => e);
    expect(challenge?.status).toBe(401);
    const mfaId = challenge!.response.mfaId as string;
    const { token, record } = await squatter.collection(name).authWithPassword(victim, SQUAT_PW, { mfaId });
    expect(record.verified).toBe(false);
    expect(await linksOf(name, record.id)).toEqual(['github']);

    const { otpId } = await s.client().collection(name).requestOTP(victim);
    const code = otpCode(await inbox.next(victim));
    expect(await status(s.client().collection(name).authWithOTP(otpId, code))).toBe(401);
    await expectLinkAndSessionGone(name, { victim, recordId: record.id, token, github: github.key });
    // The password still opens an MFA session (the owner may need it as a factor), which the
    // squatter's GitHub account can no longer complete.
    const retry = s.client().autoCancellation(false);
    const second = await retry.collection(name).authWithPassword(victim, SQUAT_PW).then(() => null, (e: ClientResponseError) => e);
    expect(second?.status).toBe(401);
    const again = await retry.collection(name).listAuthMethods();
    const step = again.oauth2.providers.find((x) => x.name === 'github')!;
    const next = await p.authorize(step.authURL + encodeURIComponent(REDIRECT), github.key);
    const done = await retry.collection(name).authWithOAuth2Code('github', next.code, step.codeVerifier, REDIRECT, undefined, { mfaId: second!.response.mfaId })
      .then(() => 200, (e: ClientResponseError) => e.status);
    expect(done).not.toBe(200);
  });

  it('auth-with-otp with MFA on but its rule not selecting the record: the password goes too, since alone it signs in', async () => {
    const name = await collection({ mfa: { enabled: true, duration: 600, rule: 'email ~ "@admins.test"' } });
    const sq = await squat(name);
    expect(await passwordWorks(name, sq.victim, SQUAT_PW)).toBe(200);
    const { otpId } = await s.client().collection(name).requestOTP(sq.victim);
    const code = otpCode(await inbox.next(sq.victim));
    expect((await s.client().autoCancellation(false).collection(name).authWithOTP(otpId, code)).record.id).toBe(sq.recordId);
    await expectLinkAndSessionGone(name, sq);
    expect(await passwordWorks(name, sq.victim, SQUAT_PW)).toBe(400);
  });

  it('an OAuth2 sign-in with the verified address: only the proving link stays', async () => {
    const name = await collection();
    const sq = await squat(name);
    const owner = person({ email: sq.victim });
    const auth = await signIn(s.client().autoCancellation(false), name, 'oidc', owner.key);
    expect(auth.record.id).toBe(sq.recordId);
    await expectLinkAndSessionGone(name, sq, ['oidc']);
    expect(await passwordWorks(name, sq.victim, SQUAT_PW)).toBe(400);
  });

  it('an OAuth2 sign-in through its own link to an unverified record keeps that link', async () => {
    const name = await collection();
    const user = person();
    // Signed up with another address than the provider's: the record stays unverified.
    const pb = s.client().autoCancellation(false);
    const methods = await pb.collection(name).listAuthMethods();
    const info = methods.oauth2.providers.find((x) => x.name === 'oidc')!;
    const { code } = await p.authorize(info.authURL + encodeURIComponent(REDIRECT), user.key);
    const first = await pb.collection(name).authWithOAuth2Code('oidc', code, info.codeVerifier, REDIRECT, { email: `other-${user.key}@example.org` });
    expect(first.record.verified).toBe(false);
    for (let i = 0; i < 2; i++) {
      const again = await signIn(s.client().autoCancellation(false), name, 'oidc', user.key);
      expect(again.record.id).toBe(first.record.id);
      expect(await linksOf(name, first.record.id)).toEqual(['oidc']);
    }
  });
});
