/**
 * OAuth2 sign-in and sign-up (docs/api.md §5.5, §5.2, §2) through the `pocketbase` SDK
 * against a loopback OAuth2/OIDC provider: the real arctic token exchange with
 * PKCE, each provider module's user mapping, record creation, linking and the
 * `_externalAuths` records API.
 */
import { createHash } from 'node:crypto';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/record-scenarios.js';
import { OutboundHttp } from '../src/tools/outbound-http.js';
import { AVATAR_PNG, startOAuth2ProviderServer, type OAuth2ProviderServer, type ProviderUser } from './helpers/oauth2-provider-server.js';

let s: TestServer;
let p: OAuth2ProviderServer;
let admin: PocketBase;
// The provider and its avatars are fakes on loopback over http, which only this test-only guard reaches.
const outbound = OutboundHttp.allowingLoopbackForTests();
const REDIRECT = 'http://127.0.0.1:9/oauth2-callback';
const LOADING = 'An error occurred while loading the submitted data.';

beforeAll(async () => {
  s = await startTestServer({}, { outbound });
  p = await startOAuth2ProviderServer();
  admin = await s.admin();
  // The built-in per-IP auth limits would stop this file's many sign-ins from one address.
  await admin.settings.update({ rateLimits: { excludedIPs: ['127.0.0.1'] } });
  p.clients.set('oidc-client', { secret: 'oidc-secret', issuer: p.url });
  p.clients.set('gh-client', { secret: 'gh-secret', issuer: p.url });
  p.clients.set('fb-client', { secret: 'fb-secret', issuer: p.url });
  p.clients.set('apple-client', { secret: 'apple-secret', issuer: 'https://appleid.apple.com' });
  p.clients.set('apple-wrong-iss', { secret: 'apple-secret', issuer: 'https://evil.example' });
});
afterAll(async () => {
  await s?.close();
  await p?.close();
});

let userSeq = 0;
/** Registers a new person at the provider and returns their login. */
function providerUser(overrides: Partial<ProviderUser> = {}): ProviderUser & { key: string } {
  userSeq++;
  const key = `person${userSeq}_${Math.random().toString(36).slice(2, 7)}`;
  const user: ProviderUser = {
    sub: String(1000 + userSeq), name: `Person ${userSeq}`, login: key, email: `${key}@example.com`,
    emailVerified: true, picture: `https://cdn.example.com/${key}.png`, ...overrides,
  };
  p.users.set(key, user);
  return { ...user, key };
}

function oidcConfig(extra: Record<string, unknown> = {}) {
  return {
    name: 'oidc', clientId: 'oidc-client', clientSecret: 'oidc-secret', displayName: 'Loopback ID',
    authURL: `${p.url}/authorize`, tokenURL: `${p.url}/token`, userInfoURL: `${p.url}/userinfo`, ...extra,
  };
}

/** Creates an auth collection with OAuth2 on and the given providers; returns its name. */
async function authCollection(providers: Record<string, unknown>[] = [oidcConfig()], extra: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueName('people');
  await admin.collections.create({
    name, type: 'auth', listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', createRule: '',
    updateRule: 'id = @request.auth.id', deleteRule: null,
    fields: [{ name: 'name', type: 'text' }, { name: 'avatarUrl', type: 'url' }],
    oauth2: { enabled: true, mappedFields: { name: 'name', avatarURL: 'avatarUrl' }, providers },
    ...extra,
  });
  return name;
}

function client(): PocketBase {
  return s.client().autoCancellation(false);
}

/** The provider entry of auth-methods, then the browser leg at the loopback provider. */
async function authorize(pb: PocketBase, collection: string, provider: string, login: string) {
  const methods = await pb.collection(collection).listAuthMethods();
  const info = methods.oauth2.providers.find((x) => x.name === provider)!;
  expect(info).toBeDefined();
  const grant = await p.authorize(info.authURL + encodeURIComponent(REDIRECT), login);
  expect(grant.state).toBe(info.state);
  return { info, code: grant.code };
}

/** The whole flow as an app runs it: auth-methods, the provider's consent, then authWithOAuth2Code. */
async function signIn(pb: PocketBase, collection: string, provider: string, login: string, createData?: Record<string, unknown>) {
  const { info, code } = await authorize(pb, collection, provider, login);
  return pb.collection(collection).authWithOAuth2Code(provider, code, info.codeVerifier, REDIRECT, createData);
}

async function sdkError(call: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(ClientResponseError);
    return err as ClientResponseError;
  }
  throw new Error('expected the SDK call to fail');
}

async function links(collection: string, recordId: string) {
  return admin.collection('_externalAuths').getFullList({ filter: admin.filter('recordRef = {:id} && collectionRef = {:c}', { id: recordId, c: (await admin.collections.getOne(collection)).id }) });
}

describe('auth-methods and the provider list', () => {
  it('lists each configured provider with a fresh state and an S256 PKCE pair', async () => {
    const name = await authCollection([oidcConfig(), { name: 'github', clientId: 'gh-client', clientSecret: 'gh-secret' }]);
    const res = await s.request('GET', `/api/collections/${name}/auth-methods`);
    expect(res.status).toBe(200);
    const [oidc, github] = res.body.oauth2.providers;
    expect(res.body.oauth2.enabled).toBe(true);
    expect(oidc).toMatchObject({ name: 'oidc', displayName: 'Loopback ID', codeChallengeMethod: 'S256' });
    expect(github).toMatchObject({ name: 'github', displayName: 'GitHub' });
    expect(github.authURL.startsWith('https://github.com/login/oauth/authorize?')).toBe(true);
    for (const info of [oidc, github]) {
      expect(info.state).toMatch(/^[A-Za-z0-9]{30}$/);
      expect(info.codeVerifier).toMatch(/^[A-Za-z0-9]{43}$/);
      expect(info.codeChallenge).toBe(createHash('sha256').update(info.codeVerifier).digest('base64url'));
      expect(info.authUrl).toBe(info.authURL);
      expect(info.authURL.endsWith('&redirect_uri=')).toBe(true);
      expect(info.logo.startsWith('<svg')).toBe(true);
      const url = new URL(info.authURL);
      expect(url.searchParams.get('state')).toBe(info.state);
      expect(url.searchParams.get('code_challenge')).toBe(info.codeChallenge);
      expect(url.searchParams.get('response_type')).toBe('code');
    }
    expect(new URL(oidc.authURL).searchParams.get('client_id')).toBe('oidc-client');
    expect(oidc.authURL.startsWith(`${p.url}/authorize?`)).toBe(true);
    expect(res.body.authProviders).toHaveLength(2);
    expect(res.body.authProviders[0]).not.toHaveProperty('logo');
    expect(res.body.authProviders[0].state).toBe(oidc.state);
    // Each call starts a new flow.
    const again = await s.request('GET', `/api/collections/${name}/auth-methods`);
    expect(again.body.oauth2.providers[0].state).not.toBe(oidc.state);
  });

  it('omits the PKCE fields when a provider config turns PKCE off', async () => {
    const name = await authCollection([oidcConfig({ pkce: false })]);
    const [info] = (await s.request('GET', `/api/collections/${name}/auth-methods`)).body.oauth2.providers;
    expect(info).toMatchObject({ codeVerifier: '', codeChallenge: '', codeChallengeMethod: '' });
    expect(new URL(info.authURL).searchParams.has('code_challenge')).toBe(false);
  });

  it('skips a provider whose config cannot initialise and never returns client secrets', async () => {
    const name = await authCollection([oidcConfig(), { name: 'oidc2', clientId: 'x', clientSecret: 'top-secret-value' }]);
    const res = await s.request('GET', `/api/collections/${name}/auth-methods`);
    expect(res.body.oauth2.providers.map((x: { name: string }) => x.name)).toEqual(['oidc']);
    expect(res.text).not.toContain('secret');
    const json = await s.request('GET', `/api/collections/${name}`, { token: await s.adminToken() });
    expect(json.body.oauth2.providers).toHaveLength(2);
    expect(json.text).not.toContain('top-secret-value');
    expect(json.body.oauth2.providers[0]).not.toHaveProperty('clientSecret');
  });

  it('disabled OAuth2: empty providers, null authProviders, and 403 on sign-in', async () => {
    const name = await authCollection([oidcConfig()], { oauth2: { enabled: false, providers: [oidcConfig()] } });
    const res = await s.request('GET', `/api/collections/${name}/auth-methods`);
    expect(res.body.oauth2).toEqual({ enabled: false, providers: [] });
    expect(res.body.authProviders).toBeNull();
    const err = await sdkError(client().collection(name).authWithOAuth2Code('oidc', 'code', 'v', REDIRECT));
    expect(err.status).toBe(403);
    expect(err.message).toBe('The collection is not configured to allow OAuth2 authentication.');
  });

  it('superusers cannot sign in with OAuth2', async () => {
    const res = await s.request('POST', '/api/collections/_superusers/auth-with-oauth2', { body: { provider: 'oidc', code: 'x' } });
    expect(res.status).toBe(403);
  });

  it('GET /api/collections/meta/oauth2-providers lists the supported providers for superusers', async () => {
    const res = await s.request('GET', '/api/collections/meta/oauth2-providers', { token: await s.adminToken() });
    expect(res.status).toBe(200);
    const names = res.body.map((x: { name: string }) => x.name);
    for (const n of ['google', 'github', 'apple', 'microsoft', 'gitlab', 'discord', 'facebook', 'oidc']) expect(names).toContain(n);
    for (const item of res.body) {
      expect(Object.keys(item).sort()).toEqual(['displayName', 'logo', 'name']);
      expect(item.logo.startsWith('<svg')).toBe(true);
    }
    expect((await s.request('GET', '/api/collections/meta/oauth2-providers')).status).toBe(401);
  });
});

describe('sign-up and sign-in', () => {
  it('signs up a new verified record with mapped fields, a link and OAuth2 meta', async () => {
    const name = await authCollection();
    const person = providerUser();
    const pb = client();
    const auth = await signIn(pb, name, 'oidc', person.key);
    expect(auth.record).toMatchObject({ email: person.email, verified: true, name: person.name, avatarUrl: person.picture });
    expect(auth.meta).toMatchObject({
      id: person.sub, name: person.name, username: person.login, email: person.email,
      avatarURL: person.picture, avatarUrl: person.picture, isNew: true,
    });
    expect(auth.meta!.accessToken).toMatch(/^[0-9a-f]{32}$/);
    expect(auth.meta!.refreshToken).toBe(`refresh-${auth.meta!.accessToken}`);
    expect(auth.meta!.expiry).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(auth.meta!.rawUser).toMatchObject({ sub: person.sub, email_verified: true });
    expect(pb.authStore.isValid).toBe(true);
    expect(pb.authStore.record?.id).toBe(auth.record.id);
    expect((await pb.collection(name).authRefresh()).record.id).toBe(auth.record.id);

    const external = await pb.collection(name).listExternalAuths(auth.record.id);
    expect(external).toHaveLength(1);
    expect(external[0]).toMatchObject({ provider: 'oidc', providerId: person.sub, recordRef: auth.record.id });
  });

  it('signs the same provider account in again to the same record', async () => {
    const name = await authCollection();
    const person = providerUser();
    const first = await signIn(client(), name, 'oidc', person.key);
    const second = await signIn(client(), name, 'oidc', person.key);
    expect(second.record.id).toBe(first.record.id);
    expect(second.meta!.isNew).toBe(false);
    expect(await links(name, first.record.id)).toHaveLength(1);
  });

  it('accepts the deprecated redirectUrl key', async () => {
    const name = await authCollection();
    const person = providerUser();
    const { info, code } = await authorize(client(), name, 'oidc', person.key);
    const res = await s.request('POST', `/api/collections/${name}/auth-with-oauth2`, {
      body: { provider: 'oidc', code, codeVerifier: info.codeVerifier, redirectUrl: REDIRECT },
    });
    expect(res.status).toBe(200);
    expect(res.body.meta.isNew).toBe(true);
  });

  it('links the provider to the signed-in record of the same collection', async () => {
    const name = await authCollection();
    const owner = client();
    const email = `own${userSeq}@example.org`;
    const created = await owner.collection(name).create({ email, password: 'owner-pass-123', passwordConfirm: 'owner-pass-123' });
    await owner.collection(name).authWithPassword(email, 'owner-pass-123');
    const person = providerUser();
    const linked = await signIn(owner, name, 'oidc', person.key);
    expect(linked.record.id).toBe(created.id);
    expect(linked.record.email).toBe(email);
    expect(linked.meta!.isNew).toBe(false);
    // The signed-in record keeps its password: it proved it already.
    await owner.collection(name).authWithPassword(email, 'owner-pass-123');
    // Afterwards the provider account alone signs in to that record.
    expect((await signIn(client(), name, 'oidc', person.key)).record.id).toBe(created.id);
  });

  it('refuses to link a second account of the same provider to the signed-in record', async () => {
    const name = await authCollection();
    const pb = client();
    const first = await signIn(pb, name, 'oidc', providerUser().key);
    const second = providerUser();
    const err = await sdkError(signIn(pb, name, 'oidc', second.key));
    expect(err.status).toBe(400);
    expect(err.message).toBe('Failed to authenticate.');
    expect((await links(name, first.record.id)).map((l) => l.providerId)).toEqual([first.meta!.id]);
    expect(await admin.collection(name).getFullList()).toHaveLength(1);
  });

  it('signs in to a verified record with the provider email and keeps its password', async () => {
    const name = await authCollection();
    const person = providerUser();
    const existing = await admin.collection(name).create({ email: person.email, password: 'keep-pass-123', passwordConfirm: 'keep-pass-123', verified: true });
    const auth = await signIn(client(), name, 'oidc', person.key);
    expect(auth.record.id).toBe(existing.id);
    expect(auth.meta!.isNew).toBe(false);
    await client().collection(name).authWithPassword(person.email, 'keep-pass-123');
  });

  it('takes over an unverified record with the provider email: new password, old links gone, verified', async () => {
    const name = await authCollection([oidcConfig(), { name: 'github', clientId: 'gh-client', clientSecret: 'gh-secret', authURL: `${p.url}/authorize`, tokenURL: `${p.url}/token`, userInfoURL: `${p.url}/github/user` }]);
    const victim = providerUser();
    // Someone registered the victim's address first, and linked their own GitHub account to it.
    const squatter = client();
    const squat = await squatter.collection(name).create({ email: victim.email, password: 'squat-pass-123', passwordConfirm: 'squat-pass-123' });
    await squatter.collection(name).authWithPassword(victim.email, 'squat-pass-123');
    const squatterGitHub = providerUser({ sub: String(700000 + userSeq) });
    await signIn(squatter, name, 'github', squatterGitHub.key);
    expect((await links(name, squat.id)).map((l) => l.provider)).toEqual(['github']);

    const auth = await signIn(client(), name, 'oidc', victim.key);
    expect(auth.record.id).toBe(squat.id);
    expect(auth.record.verified).toBe(true);
    expect((await links(name, squat.id)).map((l) => l.provider)).toEqual(['oidc']);
    const err = await sdkError(client().collection(name).authWithPassword(victim.email, 'squat-pass-123'));
    expect(err.status).toBe(400);
    // The password change rotated the token key: the squatter's token no longer works.
    expect((await s.request('POST', `/api/collections/${name}/auth-refresh`, { token: squatter.authStore.token })).status).toBe(401);
  });

  it('fills an empty email from the provider and marks it verified', async () => {
    const name = await authCollection([oidcConfig()], {
      fields: [{ name: 'email', type: 'email', system: true, required: false }, { name: 'name', type: 'text' }, { name: 'avatarUrl', type: 'url' }],
    });
    const noEmail = providerUser({ email: '', emailVerified: false });
    const first = await signIn(client(), name, 'oidc', noEmail.key);
    expect(first.record.email).toBe('');
    expect(first.record.verified).toBe(true);
    // The provider later confirms an address: the record takes it over.
    p.users.set(noEmail.key, { ...noEmail, email: `${noEmail.key}@later.example.com`, emailVerified: true });
    const second = await signIn(client(), name, 'oidc', noEmail.key);
    expect(second.record.id).toBe(first.record.id);
    expect(second.record.email).toBe(`${noEmail.key}@later.example.com`);
  });

  it('ignores an email the provider has not verified', async () => {
    const name = await authCollection();
    const person = providerUser({ emailVerified: false });
    const existing = await admin.collection(name).create({ email: person.email, password: 'keep-pass-123', passwordConfirm: 'keep-pass-123', verified: true });
    const auth = await signIn(client(), name, 'oidc', person.key, { email: `own-${person.key}@example.org` });
    expect(auth.record.id).not.toBe(existing.id);
    expect(auth.meta!.email).toBe('');
    expect(auth.record.verified).toBe(false);
  });

  it('a deleted record leaves no link behind that blocks a new sign-up', async () => {
    const name = await authCollection();
    const person = providerUser();
    const first = await signIn(client(), name, 'oidc', person.key);
    await admin.collection(name).delete(first.record.id);
    const again = await signIn(client(), name, 'oidc', person.key);
    expect(again.meta!.isNew).toBe(true);
    expect(again.record.id).not.toBe(first.record.id);
    expect(await links(name, again.record.id)).toHaveLength(1);
  });

  it('downloads the avatar into a file field (users collection) and maps the name', async () => {
    await admin.collections.update('users', { oauth2: { enabled: true, providers: [oidcConfig()] } });
    const person = providerUser();
    p.users.set(person.key, { ...person, picture: `${p.url}/avatars/${person.key}.png` });
    const pb = client();
    const auth = await signIn(pb, 'users', 'oidc', person.key);
    expect(auth.record).toMatchObject({ email: person.email, name: person.name, verified: true });
    expect(auth.record.avatar).toMatch(new RegExp(`^${person.key.toLowerCase()}_\\w+\\.png$`));
    const file = await fetch(pb.files.getURL(auth.record, auth.record.avatar));
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(AVATAR_PNG)).toBe(true);
  });

  it('a failed avatar download does not fail the sign-up', async () => {
    await admin.collections.update('users', { oauth2: { enabled: true, providers: [oidcConfig()] } });
    const person = providerUser();
    p.users.set(person.key, { ...person, picture: `${p.url}/no-such-avatar.png` });
    const auth = await signIn(client(), 'users', 'oidc', person.key);
    expect(auth.record).toMatchObject({ email: person.email, avatar: '' });
    expect(auth.meta!.avatarURL).toBe(`${p.url}/no-such-avatar.png`);
  });
});

describe('the avatar download goes through the outbound guard', () => {
  async function signUpWithAvatar(server: TestServer, picture: string) {
    const pb = server.client().autoCancellation(false);
    const config = oidcConfig();
    const serverAdmin = server === s ? admin : await server.admin();
    await serverAdmin.collections.update('users', { oauth2: { enabled: true, providers: [config] } });
    const person = providerUser();
    p.users.set(person.key, { ...person, picture });
    const methods = await pb.collection('users').listAuthMethods();
    const info = methods.oauth2.providers.find((x) => x.name === 'oidc')!;
    const { code } = await p.authorize(info.authURL + encodeURIComponent(REDIRECT), person.key);
    return { person, auth: await pb.collection('users').authWithOAuth2Code('oidc', code, info.codeVerifier, REDIRECT) };
  }

  it('a production node refuses an avatar URL on this host: the sign-up succeeds without it', async () => {
    const production = await startTestServer();
    try {
      const { person, auth } = await signUpWithAvatar(production, `${p.url}/avatars/internal.png`);
      expect(auth.record).toMatchObject({ email: person.email, verified: true, avatar: '' });
      expect(auth.meta!.avatarURL).toBe(`${p.url}/avatars/internal.png`);
    } finally {
      await production.close();
    }
  });

  it.each([
    ['a redirect to the cloud metadata address', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['a redirect to a private address', 'http://10.0.0.1/admin'],
    ['a redirect to an IPv4-mapped metadata address', 'http://[::ffff:a9fe:a9fe]/latest/meta-data/'],
  ])('%s is not followed: the sign-up succeeds without the avatar', async (_label, target) => {
    const { person, auth } = await signUpWithAvatar(s, `${p.url}/redirect?to=${encodeURIComponent(target)}`);
    expect(auth.record).toMatchObject({ email: person.email, avatar: '' });
  });

  it('an answer that is not an image is dropped: the sign-up succeeds without the avatar', async () => {
    const { person, auth } = await signUpWithAvatar(s, `${p.url}/page.png`);
    expect(auth.record).toMatchObject({ email: person.email, avatar: '' });
  });

  it('a redirect that stays allowed is followed', async () => {
    const { auth } = await signUpWithAvatar(s, `${p.url}/redirect?to=${encodeURIComponent('/avatars/moved.png')}`);
    expect(auth.record.avatar).toMatch(/^moved_\w+\.png$/);
  });
});

describe('with MFA', () => {
  it('OAuth2 is one MFA method: it answers 401 {mfaId}, and a password sign-in with the mfaId completes', async () => {
    const name = await authCollection([oidcConfig()], { mfa: { enabled: true, duration: 600, rule: '' } });
    const person = providerUser();
    await admin.collection(name).create({ email: person.email, password: 'mfa-pass-1234', passwordConfirm: 'mfa-pass-1234', verified: true });
    const err = await sdkError(signIn(client(), name, 'oidc', person.key));
    expect(err.status).toBe(401);
    const mfaId = err.response.mfaId as string;
    expect(mfaId).toBeTruthy();
    const pb = client();
    const auth = await pb.collection(name).authWithPassword(person.email, 'mfa-pass-1234', { mfaId });
    expect(auth.record.email).toBe(person.email);
    expect(pb.authStore.isValid).toBe(true);
  });
});

describe('createData and the createRule', () => {
  it('creates through the normal pipeline: createRule sees @request.context = "oauth2" and the body', async () => {
    const name = await authCollection([oidcConfig()], { createRule: '@request.context = "oauth2" && @request.body.name != "blocked"' });
    const person = providerUser();
    const refused = await sdkError(signIn(client(), name, 'oidc', person.key, { name: 'blocked' }));
    expect(refused.status).toBe(400);
    expect(await admin.collection(name).getFullList()).toHaveLength(0);
    expect(await admin.collection('_externalAuths').getFullList({ filter: admin.filter('providerId = {:id}', { id: person.sub }) })).toHaveLength(0);

    const auth = await signIn(client(), name, 'oidc', person.key, { name: 'Chosen Name' });
    expect(auth.record.name).toBe('Chosen Name');
    expect(auth.meta!.isNew).toBe(true);
    // A plain create is not in the oauth2 context.
    const direct = await sdkError(client().collection(name).create({ email: 'x@example.org', password: 'plain-pass-123', passwordConfirm: 'plain-pass-123' }));
    expect(direct.status).toBe(400);
  });

  it('a locked createRule refuses OAuth2 sign-up', async () => {
    const name = await authCollection([oidcConfig()], { createRule: null });
    const err = await sdkError(signIn(client(), name, 'oidc', providerUser().key));
    expect(err.status).toBe(403);
  });

  it('reports invalid createData values per field and creates nothing', async () => {
    const name = await authCollection();
    const err = await sdkError(signIn(client(), name, 'oidc', providerUser().key, { avatarUrl: 'not a url' }));
    expect(err.status).toBe(400);
    expect(err.response.data.avatarUrl.code).toBe('validation_invalid_url');
    expect(await admin.collection(name).getFullList()).toHaveLength(0);
  });
});

describe('failures', () => {
  it.each([
    ['a made-up code', async (name: string) => ({ code: 'no-such-code', verifier: 'a'.repeat(43) })],
    ['a PKCE verifier that does not match the challenge', async (name: string) => {
      const { code } = await authorize(client(), name, 'oidc', providerUser().key);
      return { code, verifier: 'b'.repeat(43) };
    }],
    ['no PKCE verifier', async (name: string) => {
      const { code } = await authorize(client(), name, 'oidc', providerUser().key);
      return { code, verifier: '' };
    }],
  ])('%s → 400 Failed to fetch OAuth2 token.', async (_label, grant) => {
    const name = await authCollection();
    const { code, verifier } = await grant(name);
    const err = await sdkError(client().collection(name).authWithOAuth2Code('oidc', code, verifier, REDIRECT));
    expect(err.status).toBe(400);
    expect(err.message).toBe('Failed to fetch OAuth2 token.');
    expect(await admin.collection(name).getFullList()).toHaveLength(0);
  });

  it('a code is good once', async () => {
    const name = await authCollection();
    const { info, code } = await authorize(client(), name, 'oidc', providerUser().key);
    await client().collection(name).authWithOAuth2Code('oidc', code, info.codeVerifier, REDIRECT);
    const err = await sdkError(client().collection(name).authWithOAuth2Code('oidc', code, info.codeVerifier, REDIRECT));
    expect(err.message).toBe('Failed to fetch OAuth2 token.');
  });

  it('a wrong client secret → 400 Failed to fetch OAuth2 token.', async () => {
    const name = await authCollection([oidcConfig({ clientSecret: 'wrong-secret' })]);
    const { info, code } = await authorize(client(), name, 'oidc', providerUser().key);
    const err = await sdkError(client().collection(name).authWithOAuth2Code('oidc', code, info.codeVerifier, REDIRECT));
    expect(err.message).toBe('Failed to fetch OAuth2 token.');
  });

  it('a failing user-info endpoint → 400 Failed to fetch OAuth2 user.', async () => {
    const name = await authCollection();
    const { info, code } = await authorize(client(), name, 'oidc', providerUser().key);
    p.userInfoStatus = 500;
    try {
      const err = await sdkError(client().collection(name).authWithOAuth2Code('oidc', code, info.codeVerifier, REDIRECT));
      expect(err.status).toBe(400);
      expect(err.message).toBe('Failed to fetch OAuth2 user.');
    } finally {
      p.userInfoStatus = null;
    }
  });

  it.each([
    ['unknown provider', { provider: 'myspace', code: 'c' }, { provider: 'validation_invalid_provider' }],
    ['known but not configured provider', { provider: 'google', code: 'c' }, { provider: 'validation_invalid_provider' }],
    ['missing provider and code', {}, { provider: 'validation_required', code: 'validation_required' }],
    ['over-long provider', { provider: 'x'.repeat(101), code: 'c' }, { provider: 'validation_length_out_of_range' }],
  ])('%s → 400 with field codes', async (_label, body, codes) => {
    const name = await authCollection();
    const res = await s.request('POST', `/api/collections/${name}/auth-with-oauth2`, { body });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('An error occurred while loading the submitted data.');
    for (const [key, code] of Object.entries(codes)) expect(res.body.data[key].code).toBe(code);
  });

  it('a numeric code → 400 loading error naming the field', async () => {
    const name = await authCollection();
    const res = await s.request('POST', `/api/collections/${name}/auth-with-oauth2`, { body: { provider: 'oidc', code: 5 } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 400, message: LOADING, data: { code: { code: 'validation_not_a_string', message: 'Must be a string.' } } });
  });

  it.each([
    ['an array body', [1, 2], 'Failed to load the submitted data due to invalid formatting.'],
    ['createData that is not an object', { provider: 'oidc', code: 'c', createData: 'x' }, LOADING],
  ])('%s → 400 loading error', async (_label, body, message) => {
    const name = await authCollection();
    const res = await s.request('POST', `/api/collections/${name}/auth-with-oauth2`, { body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 400, message, data: {} });
  });

  it('a base collection → 404', async () => {
    const res = await s.request('POST', '/api/collections/_externalAuths/auth-with-oauth2', { body: { provider: 'oidc', code: 'c' } });
    expect(res.status).toBe(404);
  });
});

describe('named provider modules against the loopback provider', () => {
  it('github: Basic client auth, numeric id, login as username, private email from /user/emails', async () => {
    const name = await authCollection([{ name: 'github', clientId: 'gh-client', clientSecret: 'gh-secret', authURL: `${p.url}/authorize`, tokenURL: `${p.url}/token`, userInfoURL: `${p.url}/github/user` }]);
    const person = providerUser({ sub: '4242424' });
    const auth = await signIn(client(), name, 'github', person.key);
    expect(p.lastClientAuth).toBe('basic');
    expect(auth.meta).toMatchObject({ id: '4242424', username: person.login, email: person.email, avatarURL: person.picture });
    expect(auth.record).toMatchObject({ email: person.email, verified: true });
  });

  it('facebook: client secret in the body, avatar from picture.data.url', async () => {
    const name = await authCollection([{ name: 'facebook', clientId: 'fb-client', clientSecret: 'fb-secret', authURL: `${p.url}/authorize`, tokenURL: `${p.url}/token`, userInfoURL: `${p.url}/facebook/me` }]);
    const person = providerUser();
    const auth = await signIn(client(), name, 'facebook', person.key);
    expect(p.lastClientAuth).toBe('post');
    expect(auth.meta).toMatchObject({ id: person.sub, name: person.name, email: person.email, avatarURL: person.picture });
  });

  it('apple: the user comes from the ID token checked against the JWKS; form_post response mode', async () => {
    const apple = { name: 'apple', clientId: 'apple-client', clientSecret: 'apple-secret', authURL: `${p.url}/authorize`, tokenURL: `${p.url}/token`, userInfoURL: `${p.url}/jwks` };
    const name = await authCollection([apple]);
    const person = providerUser();
    const { info } = await authorize(client(), name, 'apple', person.key);
    expect(new URL(info.authURL).searchParams.get('response_mode')).toBe('form_post');
    const auth = await signIn(client(), name, 'apple', person.key);
    expect(p.lastClientAuth).toBe('post');
    expect(auth.meta).toMatchObject({ id: person.sub, email: person.email, isNew: true });
    expect(auth.meta!.rawUser).toMatchObject({ iss: 'https://appleid.apple.com', aud: 'apple-client' });

    // An ID token from another issuer is refused.
    const wrong = await authCollection([{ ...apple, clientId: 'apple-wrong-iss' }]);
    const err = await sdkError(signIn(client(), wrong, 'apple', person.key));
    expect(err.message).toBe('Failed to fetch OAuth2 user.');
  });

  it('oidc without a user-info URL trusts the ID token verified with extra.jwksURL', async () => {
    const name = await authCollection([oidcConfig({ userInfoURL: '', extra: { jwksURL: `${p.url}/jwks`, issuers: [p.url] } })]);
    const person = providerUser();
    const auth = await signIn(client(), name, 'oidc', person.key);
    expect(auth.meta).toMatchObject({ id: person.sub, email: person.email, name: person.name });
  });
});

describe('a provider email reaches an existing account only when the provider vouches for it', () => {
  const endpoints = (name: string, userInfoURL: string) => ({
    name, clientId: 'oidc-client', clientSecret: 'oidc-secret', authURL: `${p.url}/authorize`, tokenURL: `${p.url}/token`, userInfoURL: `${p.url}${userInfoURL}`,
  });
  type Shape = [provider: string, userInfoURL: string, unproven: Partial<ProviderUser>, proven: Partial<ProviderUser>];
  const shapes: Shape[] = [
    ['google', '/userinfo', { emailVerified: false }, { emailVerified: true }],
    // GitHub: a public /user address is no proof; the verified primary one of /user/emails is.
    ['github', '/github/user', { emailVerified: false, publicEmail: 'VICTIM' }, { emailVerified: true }],
    ['gitlab', '/gitlab/user', { emailVerified: false }, { emailVerified: true }],
    ['discord', '/discord/users/@me', { emailVerified: false }, { emailVerified: true }],
    // Microsoft: Graph's `mail` (set by any tenant admin) is no proof; a verified ID token claim is.
    ['microsoft', '/microsoft/me', { emailVerified: true }, { idTokenClaims: { xms_edov: true } }],
    ['microsoft', '/microsoft/me', { idTokenClaims: { xms_edov: false } }, { idTokenClaims: { verified_primary_email: ['VICTIM'] } }],
    ['oidc', '/userinfo', { emailVerified: false }, { emailVerified: true }],
  ];
  const withVictim = (user: Partial<ProviderUser>, email: string): Partial<ProviderUser> =>
    JSON.parse(JSON.stringify(user).replaceAll('VICTIM', email)) as Partial<ProviderUser>;

  it.each(shapes)('%s (%s): an unverified address signs up apart; a verified one signs in', async (provider, userInfoURL, unproven, proven) => {
    const name = await authCollection([endpoints(provider, userInfoURL)]);
    const email = `victim${++userSeq}_${Math.random().toString(36).slice(2, 7)}@example.com`;
    const victim = await admin.collection(name).create({ email, password: 'victim-pass-123', passwordConfirm: 'victim-pass-123', verified: true });

    const attacker = providerUser({ email, ...withVictim(unproven, email) });
    const own = `own-${attacker.key}@example.org`;
    const auth = await signIn(client(), name, provider, attacker.key, { email: own });
    expect(auth.record.id).not.toBe(victim.id);
    expect(auth.record).toMatchObject({ email: own, verified: false });
    expect(auth.meta!.email).toBe('');
    expect(await links(name, victim.id)).toHaveLength(0);
    await client().collection(name).authWithPassword(email, 'victim-pass-123');

    const owner = providerUser({ email, ...withVictim(proven, email) });
    const mine = await signIn(client(), name, provider, owner.key);
    expect(mine.record.id).toBe(victim.id);
    expect(mine.meta).toMatchObject({ email, isNew: false });
  });

  it('microsoft: an ID token of another Graph user or another client vouches for nothing', async () => {
    const name = await authCollection([endpoints('microsoft', '/microsoft/me')]);
    const email = `victim${++userSeq}@example.com`;
    const victim = await admin.collection(name).create({ email, password: 'victim-pass-123', passwordConfirm: 'victim-pass-123', verified: true });
    for (const claims of [{ xms_edov: true, oid: 'someone-else' }, { xms_edov: true, aud: 'another-client' }]) {
      const attacker = providerUser({ email, idTokenClaims: claims });
      const auth = await signIn(client(), name, 'microsoft', attacker.key, { email: `own-${attacker.key}@example.org` });
      expect(auth.record.id).not.toBe(victim.id);
      expect(auth.meta!.email).toBe('');
    }
  });
});

describe('_externalAuths through the SDK', () => {
  it('lists and unlinks a record\'s own links; others cannot touch them', async () => {
    const name = await authCollection();
    const person = providerUser();
    const pb = client();
    const auth = await signIn(pb, name, 'oidc', person.key);
    const other = client();
    await signIn(other, name, 'oidc', providerUser().key);

    expect(await other.collection(name).listExternalAuths(auth.record.id)).toHaveLength(0);
    const err = await sdkError(other.collection(name).unlinkExternalAuth(auth.record.id, 'oidc'));
    expect(err.status).toBe(404);

    expect(await pb.collection(name).listExternalAuths(auth.record.id)).toHaveLength(1);
    expect(await pb.collection(name).unlinkExternalAuth(auth.record.id, 'oidc')).toBe(true);
    expect(await pb.collection(name).listExternalAuths(auth.record.id)).toHaveLength(0);

    // Unlinked, the same provider account finds the record again by its verified email.
    const again = await signIn(client(), name, 'oidc', person.key);
    expect(again.record.id).toBe(auth.record.id);
    expect(again.meta!.isNew).toBe(false);
  });
});

describe('onRecordAuthWithOAuth2Request', () => {
  it('sees the provider user before the record is settled, may change it, and learns the record after e.next()', async () => {
    const name = await authCollection();
    const u = providerUser();
    const seen: unknown[] = [];
    const handle = s.node.onRecordAuthWithOAuth2Request(async (e) => {
      seen.push({ provider: e.providerName, email: e.oauth2User.email, createData: e.createData, record: e.record });
      e.oauth2User = { ...e.oauth2User, name: 'Named By Hook' };
      await e.next();
      seen.push({ record: e.record?.getString('email'), isNew: e.isNewRecord });
    }, name);
    try {
      const auth = await signIn(client(), name, 'oidc', u.key);
      expect(auth.record.email).toBe(u.email);
      expect(auth.meta?.isNew).toBe(true);
      const stored = await admin.collection(name).getOne(auth.record.id);
      expect(stored.name).toBe('Named By Hook');
      expect(seen).toEqual([
        { provider: 'oidc', email: u.email, createData: {}, record: null },
        { record: u.email, isNew: true },
      ]);
    } finally {
      handle.unbind();
    }
  });

  it('a handler that does not go on answers 204 and creates no record', async () => {
    const name = await authCollection();
    const u = providerUser();
    const handle = s.node.onRecordAuthWithOAuth2Request(() => undefined, name);
    try {
      const pb = client();
      const { info, code } = await authorize(pb, name, 'oidc', u.key);
      const r = await s.request('POST', `/api/collections/${name}/auth-with-oauth2`, {
        body: { provider: 'oidc', code, codeVerifier: info.codeVerifier, redirectURL: REDIRECT },
      });
      expect(r.status).toBe(204);
      expect(await admin.collection(name).getFullList()).toHaveLength(0);
    } finally {
      handle.unbind();
    }
  });
});
