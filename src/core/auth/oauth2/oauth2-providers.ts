/**
 * The OAuth2 provider table (spec §5.5): PocketBase's provider names, default
 * endpoints, scopes and PKCE use, and each provider's user-info mapping. A
 * provider config may override every endpoint (authURL, tokenURL, userInfoURL).
 */
import type { OAuth2Identity, OAuth2ProviderDefinition, UserInfoContext } from './oauth2-definition.js';
import { isTrue, obj, str, verifyIdToken } from './oauth2-fetch.js';
import { badgeLogo } from './oauth2-logos.js';

async function googleUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = obj(await ctx.fetchJSON(ctx.userInfoURL));
  return {
    id: str(raw.sub), name: str(raw.name), username: '', avatarURL: str(raw.picture),
    email: isTrue(raw.email_verified) ? str(raw.email) : '', rawUser: raw,
  };
}

async function githubUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = obj(await ctx.fetchJSON(ctx.userInfoURL));
  // SECURITY: /user's `email` is the public profile address, which enterprise setups may fill
  // unverified: only the primary address /user/emails marks verified counts (as PocketBase).
  // A failing /user/emails (a missing `user:email` scope) leaves the email empty.
  const list = await ctx.fetchJSON(`${ctx.userInfoURL}/emails`).catch(() => []);
  const primary = (Array.isArray(list) ? list : []).map(obj).find((e) => e.primary === true && e.verified === true);
  return {
    id: str(raw.id), name: str(raw.name), username: str(raw.login), avatarURL: str(raw.avatar_url),
    email: primary ? str(primary.email) : '', rawUser: raw,
  };
}

async function gitlabUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = obj(await ctx.fetchJSON(ctx.userInfoURL));
  // SECURITY: GitLab answers the primary address before its owner confirms it; only a
  // `confirmed_at` date vouches for it.
  const confirmedAt = str(raw.confirmed_at);
  const confirmed = confirmedAt !== '' && Number.isFinite(Date.parse(confirmedAt));
  return {
    id: str(raw.id), name: str(raw.name), username: str(raw.username), avatarURL: str(raw.avatar_url),
    email: confirmed ? str(raw.email) : '', rawUser: raw,
  };
}

async function discordUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = obj(await ctx.fetchJSON(ctx.userInfoURL));
  const id = str(raw.id);
  const avatar = str(raw.avatar);
  return {
    id, name: str(raw.global_name), username: str(raw.username),
    avatarURL: avatar ? `https://cdn.discordapp.com/avatars/${encodeURIComponent(id)}/${encodeURIComponent(avatar)}.png` : '',
    email: raw.verified === true ? str(raw.email) : '', rawUser: raw,
  };
}

async function facebookUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = obj(await ctx.fetchJSON(ctx.userInfoURL));
  // NOTE: Facebook has no verification flag; its Graph API only answers a confirmed contact
  // address (PocketBase, Supabase and Auth0 trust it alike).
  return {
    id: str(raw.id), name: str(raw.name), username: '', avatarURL: str(obj(obj(raw.picture).data).url),
    email: str(raw.email), rawUser: raw,
  };
}

async function microsoftUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = obj(await ctx.fetchJSON(ctx.userInfoURL));
  const id = str(raw.id);
  // SECURITY: Graph's `mail` is whatever the user's tenant admin typed (nOAuth), so it is never
  // the email; only an ID token claim Microsoft marks verified is (microsoftVerifiedEmail).
  return { id, name: str(raw.displayName), username: '', avatarURL: '', email: microsoftVerifiedEmail(ctx, id), rawUser: raw };
}

/**
 * The address Microsoft vouches for in the ID token of this sign-in, or "": the
 * `verified_primary_email` optional claim, else `email` when the `xms_edov` optional
 * claim says its domain owner verified it. Both claims must be added to the app
 * registration's token configuration; without them a Microsoft account has no email.
 * NOTE: the ID token comes straight from the token endpoint over TLS, which vouches
 * for its issuer (OpenID Connect Core §3.1.3.7, as PocketBase); it must still name this
 * client, be unexpired and belong to the Graph user (`oid`).
 */
function microsoftVerifiedEmail(ctx: UserInfoContext, graphId: string): string {
  let claims: Record<string, unknown>;
  try {
    const payload = ctx.tokens.idToken().split('.')[1] ?? '';
    claims = obj(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return '';
  }
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const exp = typeof claims.exp === 'number' ? claims.exp : 0;
  if (!audience.includes(ctx.config.clientId) || exp * 1000 < Date.now() || str(claims.oid) !== graphId || graphId === '') return '';
  const primary = claims.verified_primary_email;
  const first = Array.isArray(primary) ? str(primary[0]) : str(primary);
  if (first !== '') return first;
  return claims.xms_edov === true || claims.xms_edov === 'true' || claims.xms_edov === 1 ? str(claims.email) : '';
}

async function appleUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  // Apple has no user-info endpoint: the user is the verified ID token; userInfoURL names its key set.
  const claims = await verifyIdToken(ctx.tokens.idToken(), {
    jwksURL: ctx.userInfoURL, audience: ctx.config.clientId, issuers: ['https://appleid.apple.com'],
  });
  const raw = { ...claims } as Record<string, unknown>;
  return { id: str(raw.sub), name: '', username: '', avatarURL: '', email: isTrue(raw.email_verified) ? str(raw.email) : '', rawUser: raw };
}

async function oidcUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  let raw: Record<string, unknown>;
  if (ctx.userInfoURL !== '') {
    raw = obj(await ctx.fetchJSON(ctx.userInfoURL));
  } else {
    // Without a user-info endpoint the ID token speaks for the user, once checked against extra.jwksURL.
    const extra = ctx.config.extra;
    const jwksURL = str(extra.jwksURL);
    if (jwksURL === '') throw new Error('oidc provider needs userInfoURL or extra.jwksURL');
    const issuers = Array.isArray(extra.issuers) ? extra.issuers.map(str).filter((i) => i !== '') : [];
    raw = { ...(await verifyIdToken(ctx.tokens.idToken(), { jwksURL, audience: ctx.config.clientId, issuers })) } as Record<string, unknown>;
  }
  return {
    id: str(raw.sub), name: str(raw.name), username: str(raw.preferred_username), avatarURL: str(raw.picture),
    email: isTrue(raw.email_verified) ? str(raw.email) : '', rawUser: raw,
  };
}

function oidc(name: string): OAuth2ProviderDefinition {
  return {
    name, displayName: 'OpenID Connect', authURL: '', tokenURL: '', userInfoURL: '',
    scopes: ['openid', 'email', 'profile'], pkce: true, clientAuth: 'basic', logo: badgeLogo('ID', '#f78c40'), fetchUser: oidcUser,
  };
}

/** Every provider Plinth knows, by name (PocketBase's names). */
export const OAUTH2_PROVIDERS: readonly OAuth2ProviderDefinition[] = [
  {
    name: 'apple', displayName: 'Apple',
    authURL: 'https://appleid.apple.com/auth/authorize', tokenURL: 'https://appleid.apple.com/auth/token',
    userInfoURL: 'https://appleid.apple.com/auth/keys',
    // Apple posts the code back when `name`/`email` scopes are asked for.
    scopes: ['name', 'email'], pkce: true, clientAuth: 'post', authParams: { response_mode: 'form_post' },
    logo: badgeLogo('A', '#000000'), fetchUser: appleUser,
  },
  {
    name: 'google', displayName: 'Google',
    authURL: 'https://accounts.google.com/o/oauth2/v2/auth', tokenURL: 'https://oauth2.googleapis.com/token',
    userInfoURL: 'https://www.googleapis.com/oauth2/v3/userinfo',
    scopes: ['https://www.googleapis.com/auth/userinfo.profile', 'https://www.googleapis.com/auth/userinfo.email'],
    pkce: true, clientAuth: 'basic', logo: badgeLogo('G', '#4285f4'), fetchUser: googleUser,
  },
  {
    name: 'microsoft', displayName: 'Microsoft',
    authURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    userInfoURL: 'https://graph.microsoft.com/v1.0/me',
    // `openid email` bring the ID token whose claims vouch for the address.
    scopes: ['User.Read', 'openid', 'email'], pkce: true, clientAuth: 'basic', logo: badgeLogo('M', '#00a4ef'), fetchUser: microsoftUser,
  },
  {
    name: 'facebook', displayName: 'Facebook',
    authURL: 'https://www.facebook.com/v17.0/dialog/oauth', tokenURL: 'https://graph.facebook.com/v17.0/oauth/access_token',
    userInfoURL: 'https://graph.facebook.com/me?fields=name,email,picture.type(large)',
    scopes: ['email'], pkce: true, clientAuth: 'post', logo: badgeLogo('f', '#1877f2'), fetchUser: facebookUser,
  },
  {
    name: 'github', displayName: 'GitHub',
    authURL: 'https://github.com/login/oauth/authorize', tokenURL: 'https://github.com/login/oauth/access_token',
    userInfoURL: 'https://api.github.com/user',
    scopes: ['read:user', 'user:email'], pkce: true, clientAuth: 'basic', logo: badgeLogo('GH', '#181717'), fetchUser: githubUser,
  },
  {
    name: 'gitlab', displayName: 'GitLab',
    authURL: 'https://gitlab.com/oauth/authorize', tokenURL: 'https://gitlab.com/oauth/token',
    userInfoURL: 'https://gitlab.com/api/v4/user',
    scopes: ['read_user'], pkce: true, clientAuth: 'basic', logo: badgeLogo('GL', '#fc6d26'), fetchUser: gitlabUser,
  },
  {
    name: 'discord', displayName: 'Discord',
    authURL: 'https://discord.com/api/oauth2/authorize', tokenURL: 'https://discord.com/api/oauth2/token',
    userInfoURL: 'https://discord.com/api/users/@me',
    scopes: ['identify', 'email'], pkce: true, clientAuth: 'basic', logo: badgeLogo('D', '#5865f2'), fetchUser: discordUser,
  },
  oidc('oidc'),
  oidc('oidc2'),
  oidc('oidc3'),
];

const byName = new Map(OAUTH2_PROVIDERS.map((p) => [p.name, p]));

/** The provider definition of that name, or undefined. */
export function findOAuth2Provider(name: string): OAuth2ProviderDefinition | undefined {
  return byName.get(name);
}
