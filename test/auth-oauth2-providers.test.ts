/**
 * The providers that complete PocketBase's list of 32 (docs/api.md §5.5), each through
 * the whole auth-with-oauth2 flow of the `pocketbase` SDK against the loopback
 * provider: auth-methods (PKCE or not), the provider's consent, the token
 * exchange (Basic client authentication, else the body), the provider's
 * user-info request in its own shape (GraphQL POSTs, required headers) and the
 * user mapping into the record, the OAuth2 meta and the `_externalAuths` link.
 */
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/record-scenarios.js';
import { RouteAnswer, startOAuth2ProviderServer, type OAuth2ProviderServer, type ProviderUser, type UserInfoRoute } from './helpers/oauth2-provider-server.js';

let s: TestServer;
let p: OAuth2ProviderServer;
let admin: PocketBase;
let collection: string;
const REDIRECT = 'http://127.0.0.1:9/oauth2-callback';

/** The user fields of an OAuth2 sign-in's meta. */
interface MappedUser {
  id: string;
  name: string;
  username: string;
  email: string;
  avatarURL: string;
}

/** One provider: its PocketBase defaults that show in the flow, its loopback endpoints and its user mapping. */
interface ProviderCase {
  provider: string;
  displayName: string;
  pkce: boolean;
  /** The client authentication the loopback token endpoint insists on (the provider probes Basic first). */
  auth?: 'basic' | 'post';
  /** The config's userInfoURL, on the loopback provider. */
  userInfo: string;
  /** The provider's user-info endpoints by path, in the provider's shape. */
  routes: Record<string, UserInfoRoute>;
  /** What the sign-in of person `u` maps to. */
  mapped(u: ProviderUser): MappedUser;
  /** Gives a new person what this provider sends beside the user-info answer. */
  setUp?(u: ProviderUser): void;
}

/** A GraphQL user-info endpoint: a POST of a JSON query naming `field`, or a 400. */
function graphql(field: string, answer: (u: ProviderUser) => unknown): UserInfoRoute {
  return (u, req) => {
    const query = req.method === 'POST' && String(req.headers['content-type']).startsWith('application/json') ? String(JSON.parse(req.body).query) : '';
    return query.includes(field) ? answer(u) : new RouteAnswer(400, { error: 'not a GraphQL query' });
  };
}

/** An endpoint that answers only when the request has these headers, or a 400. */
function requiringHeaders(headers: Record<string, string>, answer: (u: ProviderUser) => unknown): UserInfoRoute {
  return (u, req) => {
    const missing = Object.entries(headers).find(([name, value]) => req.headers[name] !== value);
    return missing ? new RouteAnswer(400, { error: `missing ${missing[0]}` }) : answer(u);
  };
}

const attr = (u: ProviderUser, key: string, fallback: unknown) => (u.attributes && key in u.attributes ? u.attributes[key] : fallback);

const CASES: ProviderCase[] = [
  {
    provider: 'yandex', displayName: 'Yandex', pkce: true, userInfo: '/yandex/info',
    routes: {
      '/yandex/info': (u) => ({
        id: u.sub, real_name: u.name, login: u.login, default_email: u.email, is_avatar_empty: attr(u, 'noAvatar', false), default_avatar_id: `av-${u.sub}`,
      }),
    },
    mapped: (u) => ({
      id: u.sub, name: u.name, username: u.login, email: u.email,
      avatarURL: attr(u, 'noAvatar', false) === true ? '' : `https://avatars.yandex.net/get-yapic/av-${u.sub}/islands-200`,
    }),
  },
  {
    provider: 'instagram2', displayName: 'Instagram', pkce: true, auth: 'post', userInfo: '/instagram/me?fields=id,username,user_id,name,profile_picture_url',
    routes: { '/instagram/me': (u) => ({ id: `app-${u.sub}`, user_id: u.sub, username: u.login, name: u.name, profile_picture_url: u.picture }) },
    mapped: (u) => ({ id: u.sub, name: u.name, username: u.login, email: '', avatarURL: u.picture }),
    setUp: (u) => {
      u.tokenExtra = { permissions: 'instagram_business_basic' };
    },
  },
  {
    provider: 'bitbucket', displayName: 'Bitbucket', pkce: false, userInfo: '/bitbucket/2.0/user',
    routes: {
      '/bitbucket/2.0/user': (u) => ({
        uuid: `{${u.sub}}`, username: u.login, display_name: u.name, account_status: attr(u, 'status', 'active'), links: { avatar: { href: u.picture } },
      }),
      '/bitbucket/2.0/user/emails': (u) => ({
        values: [{ email: `old-${u.email}`, is_primary: false, is_confirmed: true }, { email: u.email, is_primary: true, is_confirmed: u.emailVerified }],
      }),
    },
    mapped: (u) => ({ id: `{${u.sub}}`, name: u.name, username: u.login, email: u.emailVerified ? u.email : '', avatarURL: u.picture }),
  },
  {
    provider: 'gitee', displayName: 'Gitee', pkce: true, auth: 'post', userInfo: '/gitee/api/v5/user',
    routes: {
      '/gitee/api/v5/user': (u) => ({ id: Number(u.sub), login: u.login, name: u.name, avatar_url: u.picture, email: attr(u, 'publicEmail', null) }),
      '/gitee/api/v5/emails': (u) => [{ email: u.email, state: u.emailVerified ? 'confirmed' : 'unconfirmed', scope: ['primary', 'secure'] }],
    },
    mapped: (u) => ({
      id: u.sub, name: u.name, username: u.login, avatarURL: u.picture,
      email: String(attr(u, 'publicEmail', '') ?? '') || (u.emailVerified ? u.email : ''),
    }),
  },
  {
    provider: 'gitea', displayName: 'Gitea/Forgejo', pkce: true, userInfo: '/gitea/api/v1/user',
    routes: {
      '/gitea/api/v1/user': (u) => ({ id: Number(u.sub), login: u.login, full_name: u.name, avatar_url: u.picture, active: attr(u, 'active', true), email: 'public@example.com' }),
      '/gitea/api/v1/user/emails': (u) => [{ email: u.email, verified: u.emailVerified, primary: true }],
    },
    mapped: (u) => ({ id: u.sub, name: u.name, username: u.login, email: u.emailVerified ? u.email : '', avatarURL: u.picture }),
  },
  {
    provider: 'twitter', displayName: 'X/Twitter', pkce: true, userInfo: '/x/2/users/me?user.fields=id,name,username,profile_image_url,confirmed_email',
    routes: {
      '/x/2/users/me': (u) => ({ data: { id: u.sub, name: u.name, username: u.login, profile_image_url: u.picture, ...(u.emailVerified ? { confirmed_email: u.email } : {}) } }),
    },
    mapped: (u) => ({ id: u.sub, name: u.name, username: u.login, email: u.emailVerified ? u.email : '', avatarURL: u.picture }),
  },
  {
    provider: 'kakao', displayName: 'Kakao', pkce: true, auth: 'post', userInfo: '/kakao/v2/user/me',
    routes: {
      '/kakao/v2/user/me': (u) => ({
        id: Number(u.sub), properties: { nickname: u.login, profile_image: u.picture },
        kakao_account: { email: u.email, is_email_valid: true, is_email_verified: u.emailVerified },
      }),
    },
    mapped: (u) => ({ id: u.sub, name: '', username: u.login, email: u.emailVerified ? u.email : '', avatarURL: u.picture }),
  },
  {
    provider: 'vk', displayName: 'ВКонтакте', pkce: false, auth: 'post', userInfo: '/vk/method/users.get?fields=photo_max,screen_name&v=5.131',
    routes: { '/vk/method/users.get': (u) => ({ response: [{ id: Number(u.sub), first_name: u.name, last_name: 'Jr', screen_name: u.login, photo_max: u.picture }] }) },
    mapped: (u) => ({ id: u.sub, name: `${u.name} Jr`, username: u.login, email: String(u.tokenExtra?.email ?? ''), avatarURL: u.picture }),
    // VK sends the address with the token answer.
    setUp: (u) => {
      u.tokenExtra = { email: u.email };
    },
  },
  {
    provider: 'linear', displayName: 'Linear', pkce: false, auth: 'post', userInfo: '/linear/graphql',
    routes: {
      '/linear/graphql': graphql('viewer', (u) => ({
        data: { viewer: { id: u.sub, name: u.name, displayName: u.login, email: u.email, avatarUrl: u.picture, active: attr(u, 'active', true) } },
      })),
    },
    mapped: (u) => ({ id: u.sub, name: u.name, username: u.login, email: u.email, avatarURL: u.picture }),
  },
  {
    provider: 'notion', displayName: 'Notion', pkce: true, userInfo: '/notion/v1/users/me',
    routes: {
      '/notion/v1/users/me': requiringHeaders({ 'notion-version': '2022-06-28' }, (u) => ({
        object: 'user', id: 'bot-1', type: 'bot', name: 'Integration',
        bot: { owner: { type: 'user', user: { id: u.sub, name: u.name, avatar_url: u.picture, person: { email: u.email } } }, workspace_name: 'Home' },
      })),
    },
    mapped: (u) => ({ id: u.sub, name: u.name, username: '', email: u.email, avatarURL: u.picture }),
  },
  {
    provider: 'monday', displayName: 'monday.com', pkce: true, auth: 'post', userInfo: '/monday/v2',
    routes: {
      '/monday/v2': graphql('me', (u) => ({
        data: { me: { id: u.sub, enabled: attr(u, 'enabled', true), name: u.name, email: u.email, is_verified: u.emailVerified, photo_small: u.picture } },
      })),
    },
    mapped: (u) => ({ id: u.sub, name: u.name, username: '', email: u.emailVerified ? u.email : '', avatarURL: u.picture }),
  },
  {
    provider: 'lark', displayName: 'Lark', pkce: true, auth: 'post', userInfo: '/lark/open-apis/authen/v1/user_info',
    routes: { '/lark/open-apis/authen/v1/user_info': (u) => ({ code: 0, data: { union_id: `on_${u.sub}`, open_id: `ou_${u.sub}`, name: u.name, avatar_url: u.picture, email: u.email } }) },
    mapped: (u) => ({ id: `on_${u.sub}`, name: u.name, username: '', email: '', avatarURL: u.picture }),
  },
  {
    provider: 'box', displayName: 'Box', pkce: true, auth: 'post', userInfo: '/box/2.0/users/me',
    routes: { '/box/2.0/users/me': (u) => ({ id: u.sub, name: u.name, login: u.email, avatar_url: u.picture, status: attr(u, 'status', 'active') }) },
    mapped: (u) => ({ id: u.sub, name: u.name, username: '', email: u.email, avatarURL: u.picture }),
  },
  {
    provider: 'spotify', displayName: 'Spotify', pkce: true, userInfo: '/spotify/v1/me',
    routes: { '/spotify/v1/me': (u) => ({ id: u.login, display_name: u.name, email: u.email, images: [{ url: u.picture }, { url: 'https://cdn.example.com/small.png' }] }) },
    mapped: (u) => ({ id: u.login, name: u.name, username: '', email: '', avatarURL: u.picture }),
  },
  {
    provider: 'trakt', displayName: 'Trakt', pkce: true, auth: 'post', userInfo: '/trakt/users/settings',
    routes: {
      '/trakt/users/settings': requiringHeaders({ 'trakt-api-key': 'trakt-client', 'trakt-api-version': '2' }, (u) => ({
        user: { username: u.login, name: u.name, ids: { slug: u.login, uuid: `uuid-${u.sub}` }, images: { avatar: { full: u.picture } } },
      })),
    },
    mapped: (u) => ({ id: `uuid-${u.sub}`, name: u.name, username: u.login, email: '', avatarURL: u.picture }),
  },
  {
    provider: 'twitch', displayName: 'Twitch', pkce: true, auth: 'post', userInfo: '/twitch/helix/users',
    routes: {
      '/twitch/helix/users': requiringHeaders({ 'client-id': 'twitch-client' }, (u) => ({
        data: attr(u, 'empty', false) === true ? [] : [{ id: u.sub, login: u.login, display_name: u.name, email: u.email, profile_image_url: u.picture }],
      })),
    },
    mapped: (u) => ({ id: u.sub, name: u.name, username: u.login, email: u.email, avatarURL: u.picture }),
  },
  {
    provider: 'patreon', displayName: 'Patreon', pkce: true, auth: 'post', userInfo: '/patreon/api/oauth2/v2/identity?fields%5Buser%5D=full_name,email,vanity,image_url,is_email_verified',
    routes: {
      '/patreon/api/oauth2/v2/identity': (u) => ({
        data: { id: u.sub, type: 'user', attributes: { full_name: u.name, vanity: u.login, image_url: u.picture, email: u.email, is_email_verified: u.emailVerified } },
      }),
    },
    mapped: (u) => ({ id: u.sub, name: u.name, username: u.login, email: u.emailVerified ? u.email : '', avatarURL: u.picture }),
  },
  {
    provider: 'strava', displayName: 'Strava', pkce: true, auth: 'post', userInfo: '/strava/api/v3/athlete',
    routes: { '/strava/api/v3/athlete': (u) => ({ id: Number(u.sub), firstname: u.name, lastname: 'Runner', username: u.login, profile: u.picture }) },
    mapped: (u) => ({ id: u.sub, name: `${u.name} Runner`, username: u.login, email: '', avatarURL: u.picture }),
  },
  {
    provider: 'wakatime', displayName: 'WakaTime', pkce: true, auth: 'post', userInfo: '/wakatime/api/v1/users/current',
    routes: {
      '/wakatime/api/v1/users/current': (u) => ({
        data: { id: u.sub, display_name: u.name, username: u.login, email: u.email, is_email_confirmed: u.emailVerified, photo: u.picture, photo_public: attr(u, 'photoPublic', true) },
      }),
    },
    mapped: (u) => ({
      id: u.sub, name: u.name, username: u.login, email: u.emailVerified ? u.email : '', avatarURL: attr(u, 'photoPublic', true) === true ? u.picture : '',
    }),
  },
  {
    provider: 'livechat', displayName: 'LiveChat', pkce: true, auth: 'post', userInfo: '/livechat/v2/accounts/me',
    routes: { '/livechat/v2/accounts/me': (u) => ({ account_id: u.sub, name: u.name, email: u.email, email_verified: u.emailVerified, avatar_url: u.picture }) },
    mapped: (u) => ({ id: u.sub, name: u.name, username: '', email: u.emailVerified ? u.email : '', avatarURL: u.picture }),
  },
  {
    provider: 'mailcow', displayName: 'mailcow', pkce: true, userInfo: '/mailcow/oauth/profile',
    routes: { '/mailcow/oauth/profile': (u) => ({ id: u.sub, username: u.email, full_name: u.name, email: u.email, active: attr(u, 'active', 1) }) },
    mapped: (u) => ({ id: u.sub, name: u.name, username: u.email.split('@')[0]!, email: u.email, avatarURL: '' }),
  },
  {
    provider: 'planningcenter', displayName: 'Planning Center', pkce: true, auth: 'post', userInfo: '/planningcenter/people/v2/me',
    routes: {
      '/planningcenter/people/v2/me': (u) => ({ data: { type: 'Person', id: u.sub, attributes: { name: u.name, avatar: u.picture, status: attr(u, 'status', 'active') } } }),
    },
    mapped: (u) => ({ id: u.sub, name: u.name, username: '', email: '', avatarURL: u.picture }),
  },
];

const byName = new Map(CASES.map((c) => [c.provider, c]));

function providerConfig(c: ProviderCase) {
  return {
    name: c.provider, clientId: `${c.provider}-client`, clientSecret: `${c.provider}-secret`,
    authURL: `${p.url}/authorize`, tokenURL: `${p.url}/token`, userInfoURL: `${p.url}${c.userInfo}`,
  };
}

beforeAll(async () => {
  s = await startTestServer();
  p = await startOAuth2ProviderServer();
  admin = await s.admin();
  // The built-in per-IP auth limits would stop this file's many sign-ins from one address.
  await admin.settings.update({ rateLimits: { excludedIPs: ['127.0.0.1'] } });
  for (const c of CASES) {
    p.clients.set(`${c.provider}-client`, { secret: `${c.provider}-secret`, issuer: p.url, ...(c.auth ? { auth: c.auth } : {}) });
    for (const [path, route] of Object.entries(c.routes)) p.routes.set(path, route);
  }
  collection = uniqueName('members');
  await admin.collections.create({
    name: collection, type: 'auth', listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', createRule: '',
    // Optional email: several providers vouch for no address, and a sign-up needs none then.
    fields: [{ name: 'email', type: 'email', system: true, required: false }, { name: 'name', type: 'text' }, { name: 'handle', type: 'text' }, { name: 'avatarUrl', type: 'url' }],
    oauth2: { enabled: true, mappedFields: { name: 'name', username: 'handle', avatarURL: 'avatarUrl' }, providers: CASES.map(providerConfig) },
  });
});
afterAll(async () => {
  await s?.close();
  await p?.close();
});

let seq = 0;
/** A new person at the loopback provider. */
function person(overrides: Partial<ProviderUser> = {}): ProviderUser {
  seq++;
  const login = `member${seq}_${Math.random().toString(36).slice(2, 7)}`;
  const user: ProviderUser = {
    sub: String(5000 + seq), name: `Member ${seq}`, login, email: `${login}@example.com`, emailVerified: true,
    picture: `https://cdn.example.com/${login}.png`, ...overrides,
  };
  p.users.set(login, user);
  return user;
}

/** auth-methods, the consent at the loopback provider, then authWithOAuth2Code, as an app runs them. */
async function signIn(provider: string, user: ProviderUser) {
  const pb = s.client().autoCancellation(false);
  const methods = await pb.collection(collection).listAuthMethods();
  const info = methods.oauth2.providers.find((x) => x.name === provider);
  if (!info) throw new Error(`auth-methods does not list ${provider}`);
  const grant = await p.authorize(info.authURL + encodeURIComponent(REDIRECT), user.login);
  return { info, auth: await pb.collection(collection).authWithOAuth2Code(provider, grant.code, info.codeVerifier, REDIRECT) };
}

async function failure(call: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(ClientResponseError);
    return err as ClientResponseError;
  }
  throw new Error('expected the sign-in to fail');
}

async function linksOf(provider: string, providerId: string) {
  return admin.collection('_externalAuths').getFullList({ filter: admin.filter('provider = {:provider} && providerId = {:providerId}', { provider, providerId }) });
}

describe('each provider signs a person up through the whole flow', () => {
  it.each(CASES.map((c) => [c.provider, c] as const))('%s', async (_name, c) => {
    const user = person();
    c.setUp?.(user);
    const { info, auth } = await signIn(c.provider, user);
    expect(info.displayName).toBe(c.displayName);
    expect(info.codeChallengeMethod).toBe(c.pkce ? 'S256' : '');
    expect(new URL(info.authURL).searchParams.has('code_challenge')).toBe(c.pkce);
    expect(p.lastClientAuth).toBe(c.auth ?? 'basic');

    const expected = c.mapped(user);
    expect(expected.id).not.toBe('');
    expect(auth.meta).toMatchObject({ ...expected, isNew: true });
    expect(auth.meta!.accessToken).toMatch(/^[0-9a-f]{32}$/);
    expect(auth.meta!.refreshToken).toBe(`refresh-${auth.meta!.accessToken}`);
    expect(auth.meta!.expiry).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(auth.meta!.rawUser).toBeTypeOf('object');
    if (c.provider === 'instagram2') expect(auth.meta!.rawUser.permissions).toBe('instagram_business_basic');

    expect(auth.record).toMatchObject({ email: expected.email, verified: true, name: expected.name, handle: expected.username, avatarUrl: expected.avatarURL });
    const links = await linksOf(c.provider, expected.id);
    expect(links.map((l) => l.recordRef)).toEqual([auth.record.id]);

    // The same account signs in again to the same record.
    const again = await signIn(c.provider, user);
    expect(again.auth.record.id).toBe(auth.record.id);
    expect(again.auth.meta!.isNew).toBe(false);
  });
});

describe('what a provider does not vouch for, and accounts it refuses', () => {
  const unverified: [string, Partial<ProviderUser>][] = [
    ['bitbucket', { emailVerified: false }],
    ['gitee', { emailVerified: false }],
    ['gitea', { emailVerified: false }],
    ['twitter', { emailVerified: false }],
    ['kakao', { emailVerified: false }],
    ['vk', {}],
    ['monday', { emailVerified: false }],
    ['patreon', { emailVerified: false }],
    ['wakatime', { emailVerified: false, attributes: { photoPublic: false } }],
    ['livechat', { emailVerified: false }],
    ['yandex', { attributes: { noAvatar: true } }],
  ];
  it.each(unverified)('%s: an address or photo it does not vouch for stays out', async (name, overrides) => {
    const c = byName.get(name)!;
    const user = person(overrides);
    const expected = c.mapped(user);
    const { auth } = await signIn(name, user);
    expect(auth.meta).toMatchObject(expected);
    expect(auth.record.email).toBe(expected.email);
    if (name !== 'yandex') expect(expected.email).toBe('');
  });

  it('gitee: a public profile address is the email without asking for the address list', async () => {
    const user = person({ emailVerified: false });
    user.attributes = { publicEmail: `public-${user.email}` };
    const { auth } = await signIn('gitee', user);
    expect(auth.meta!.email).toBe(`public-${user.email}`);
  });

  const refused: [string, Partial<ProviderUser>][] = [
    ['bitbucket', { attributes: { status: 'closed' } }],
    ['box', { attributes: { status: 'inactive' } }],
    ['gitea', { attributes: { active: false } }],
    ['linear', { attributes: { active: false } }],
    ['mailcow', { attributes: { active: 0 } }],
    ['monday', { attributes: { enabled: false } }],
    ['planningcenter', { attributes: { status: 'inactive' } }],
    ['twitch', { attributes: { empty: true } }],
  ];
  it.each(refused)('%s: an inactive or missing account is refused and nothing is created', async (name, overrides) => {
    const user = person(overrides);
    const err = await failure(signIn(name, user));
    expect(err.status).toBe(400);
    expect(err.message).toBe('Failed to fetch OAuth2 user.');
    expect(await linksOf(name, byName.get(name)!.mapped(user).id)).toEqual([]);
  });
});

describe('client authentication at the token endpoint', () => {
  it('probes Basic, falls back to the body, and remembers what the endpoint took', async () => {
    const name = uniqueName('probe');
    p.clients.set('probe-client', { secret: 'probe-secret', issuer: p.url, auth: 'post' });
    await admin.collections.create({
      name, type: 'auth', createRule: '', fields: [{ name: 'email', type: 'email', system: true, required: false }],
      oauth2: { enabled: true, providers: [{ ...providerConfig(byName.get('strava')!), clientId: 'probe-client', clientSecret: 'probe-secret' }] },
    });
    const signInTo = async (user: ProviderUser) => {
      const pb = s.client().autoCancellation(false);
      const info = (await pb.collection(name).listAuthMethods()).oauth2.providers[0]!;
      const grant = await p.authorize(info.authURL + encodeURIComponent(REDIRECT), user.login);
      const before = p.tokenRequests;
      await pb.collection(name).authWithOAuth2Code('strava', grant.code, info.codeVerifier, REDIRECT);
      return p.tokenRequests - before;
    };
    expect(await signInTo(person())).toBe(2);
    expect(p.lastClientAuth).toBe('post');
    expect(await signInTo(person())).toBe(1);
  });

  it('a client the endpoint refuses either way fails with the token error', async () => {
    const name = uniqueName('refused');
    p.clients.set('mismatched-client', { secret: 'another-secret', issuer: p.url });
    await admin.collections.create({
      name, type: 'auth', createRule: '',
      oauth2: { enabled: true, providers: [{ ...providerConfig(byName.get('patreon')!), clientId: 'mismatched-client' }] },
    });
    const pb = s.client().autoCancellation(false);
    const info = (await pb.collection(name).listAuthMethods()).oauth2.providers[0]!;
    const grant = await p.authorize(info.authURL + encodeURIComponent(REDIRECT), person().login);
    const before = p.tokenRequests;
    const err = await failure(pb.collection(name).authWithOAuth2Code('patreon', grant.code, info.codeVerifier, REDIRECT));
    expect(err.message).toBe('Failed to fetch OAuth2 token.');
    expect(p.tokenRequests - before).toBe(2);
    expect(p.lastClientAuth).toBe('post');
  });
});

describe('the provider list and the collection options', () => {
  // PocketBase's provider list, in its order (tools/auth `order`, then name).
  const POCKETBASE_PROVIDERS = [
    'apple', 'google', 'microsoft', 'yandex', 'facebook', 'instagram2', 'github', 'gitlab', 'bitbucket', 'gitee', 'gitea',
    'discord', 'twitter', 'kakao', 'vk', 'linear', 'notion', 'monday', 'lark', 'box', 'spotify', 'trakt', 'twitch',
    'patreon', 'strava', 'wakatime', 'livechat', 'mailcow', 'planningcenter', 'oidc', 'oidc2', 'oidc3',
  ];

  it('GET /api/collections/meta/oauth2-providers lists PocketBase\'s 32 providers in its order', async () => {
    const res = await s.request('GET', '/api/collections/meta/oauth2-providers', { token: await s.adminToken() });
    expect(res.status).toBe(200);
    expect(res.body.map((x: { name: string }) => x.name)).toEqual(POCKETBASE_PROVIDERS);
    for (const c of CASES) expect(res.body.find((x: { name: string }) => x.name === c.provider).displayName).toBe(c.displayName);
  });

  it('auth-methods lists every configured provider', async () => {
    const res = await s.request('GET', `/api/collections/${collection}/auth-methods`);
    expect(res.body.oauth2.providers.map((x: { name: string }) => x.name)).toEqual(CASES.map((c) => c.provider));
  });

  it('a provider name PocketBase does not know is refused with validation_missing_provider', async () => {
    const res = await s.request('POST', '/api/collections', {
      token: await s.adminToken(),
      body: { name: uniqueName('unknown'), type: 'auth', oauth2: { enabled: true, providers: [{ name: 'myspace', clientId: 'c', clientSecret: 's' }] } },
    });
    expect(res.status).toBe(400);
    expect(res.body.data.oauth2.providers['0'].name).toEqual({
      code: 'validation_missing_provider', message: 'Invalid or missing provider with name myspace.', params: { name: 'myspace' },
    });
    // A disabled OAuth2 block is not checked, as in PocketBase.
    const disabled = await s.request('POST', '/api/collections', {
      token: await s.adminToken(),
      body: { name: uniqueName('disabled'), type: 'auth', oauth2: { enabled: false, providers: [{ name: 'myspace', clientId: 'c', clientSecret: 's' }] } },
    });
    expect(disabled.status).toBe(200);
  });

  it('a known provider the collection does not configure is validation_invalid_provider', async () => {
    const res = await s.request('POST', `/api/collections/${collection}/auth-with-oauth2`, { body: { provider: 'google', code: 'c' } });
    expect(res.status).toBe(400);
    expect(res.body.data.provider).toEqual({
      code: 'validation_invalid_provider', message: 'Provider with name google is missing or is not enabled.', params: { name: 'google' },
    });
  });
});
