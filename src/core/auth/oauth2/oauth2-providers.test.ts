/**
 * The first providers' user mappings over recorded user-info answers (the
 * loopback tests in test/auth-oauth2.test.ts drive oidc, github, facebook and
 * apple end to end, and test/auth-oauth2-providers.test.ts every other row of
 * the provider table), and the table itself.
 */
import { OAuth2Tokens } from 'arctic';
import { describe, expect, it } from 'vitest';
import type { OAuth2Identity } from './oauth2-definition.js';
import { OAUTH2_PROVIDERS, findOAuth2Provider } from './oauth2-providers.js';
import { OAuth2Provider, parseProviderConfig } from './oauth2-provider.js';

type Case = [name: string, answers: Record<string, unknown>, expected: Partial<OAuth2Identity>];

const cases: Case[] = [
  ['google', { '/v3/userinfo': { sub: 'g1', name: 'Gee', picture: 'https://p/g.png', email: 'g@x.io', email_verified: true } },
    { id: 'g1', name: 'Gee', avatarURL: 'https://p/g.png', email: 'g@x.io' }],
  ['google', { '/v3/userinfo': { sub: 'g2', email: 'g@x.io', email_verified: false } }, { id: 'g2', email: '' }],
  // Graph's `mail` is set by the tenant's admin: without a verified ID token claim there is no email.
  ['microsoft', { '/v1.0/me': { id: 'm1', displayName: 'Em', mail: 'm@x.io' } }, { id: 'm1', name: 'Em', email: '' }],
  ['gitlab', { '/v4/user': { id: 77, name: 'Gl', username: 'gl', email: 'gl@x.io', avatar_url: 'https://p/gl.png', confirmed_at: '2020-01-01T00:00:00Z' } },
    { id: '77', name: 'Gl', username: 'gl', email: 'gl@x.io', avatarURL: 'https://p/gl.png' }],
  ['gitlab', { '/v4/user': { id: 78, email: 'gl@x.io', confirmed_at: null } }, { id: '78', email: '' }],
  ['gitlab', { '/v4/user': { id: 79, email: 'gl@x.io', confirmed_at: 'not a date' } }, { id: '79', email: '' }],
  ['discord', { '/users/@me': { id: '55', username: 'dd', global_name: 'Dee', avatar: 'abc', email: 'd@x.io', verified: true } },
    { id: '55', name: 'Dee', username: 'dd', email: 'd@x.io', avatarURL: 'https://cdn.discordapp.com/avatars/55/abc.png' }],
  ['discord', { '/users/@me': { id: '56', username: 'dd', email: 'd@x.io', verified: false } }, { id: '56', email: '', avatarURL: '' }],
  ['facebook', { '/me': { id: 'f1', name: 'Ef', email: 'f@x.io', picture: { data: { url: 'https://p/f.png' } } } },
    { id: 'f1', name: 'Ef', email: 'f@x.io', avatarURL: 'https://p/f.png' }],
  ['github', {
    '/user': { id: 9, login: 'octo', name: 'Oct', email: 'public@x.io', avatar_url: 'https://p/o.png' },
    '/user/emails': [{ email: 'o@x.io', primary: true, verified: true }],
  }, { id: '9', username: 'octo', email: 'o@x.io' }],
  // The public /user address is not proof; nor is anything when /user/emails fails.
  ['github', { '/user': { id: 11, login: 'pub', email: 'public@x.io' } }, { id: '11', email: '' }],
  ['github', {
    '/user': { id: 10, login: 'priv', email: null },
    '/user/emails': [{ email: 'a@x.io', primary: true, verified: false }, { email: 'b@x.io', primary: false, verified: true }],
  }, { id: '10', email: '' }],
];

/** A user-info fetch that answers from a table keyed by the URL's path suffix. */
function answering(answers: Record<string, unknown>) {
  return async (url: string) => {
    const path = new URL(url).pathname;
    const key = Object.keys(answers).sort((a, b) => b.length - a.length).find((k) => path.endsWith(k));
    if (!key) throw new Error(`unexpected user-info URL ${url}`);
    return answers[key];
  };
}

describe('provider user mappings', () => {
  it.each(cases)('%s maps its user-info answer', async (name, answers, expected) => {
    const definition = findOAuth2Provider(name)!;
    const tokens = new OAuth2Tokens({ access_token: 't', token_type: 'Bearer' });
    const config = parseProviderConfig({ name, clientId: 'c', clientSecret: 's' });
    const user = await definition.fetchUser({ tokens, config, userInfoURL: definition.userInfoURL, fetchJSON: answering(answers), postJSON: answering(answers) });
    expect(user).toMatchObject(expected);
    expect(user.rawUser).toBeTypeOf('object');
  });
});

describe('provider table', () => {
  it('has the providers the issue asks for, each with endpoints or (self-hosted oidc, mailcow) none by default', () => {
    const names = OAUTH2_PROVIDERS.map((p) => p.name);
    for (const n of ['google', 'github', 'apple', 'microsoft', 'gitlab', 'discord', 'facebook', 'oidc']) expect(names).toContain(n);
    expect(new Set(names).size).toBe(32);
    for (const p of OAUTH2_PROVIDERS) {
      const selfHosted = p.name.startsWith('oidc') || p.name === 'mailcow';
      for (const url of [p.authURL, p.tokenURL, p.userInfoURL]) expect(selfHosted ? url === '' : url.startsWith('https://')).toBe(true);
    }
  });

  it('a provider config overrides the endpoints, the display name and PKCE', () => {
    const provider = new OAuth2Provider(parseProviderConfig({
      name: 'google', clientId: 'cid', clientSecret: 's', authURL: 'http://127.0.0.1:1/auth', displayName: 'Gmail', pkce: false,
    }));
    const start = provider.startAuthorization();
    expect(start.authURL.startsWith('http://127.0.0.1:1/auth?')).toBe(true);
    expect(provider.displayName).toBe('Gmail');
    expect(start.codeVerifier).toBe('');
  });

  it('an oidc config without endpoints, or an unknown name, does not initialise', () => {
    expect(() => new OAuth2Provider(parseProviderConfig({ name: 'oidc', clientId: 'c' }))).toThrow();
    expect(() => new OAuth2Provider(parseProviderConfig({ name: 'myspace', clientId: 'c' }))).toThrow();
  });
});
