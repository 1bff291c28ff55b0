/**
 * The OAuth2 provider table (docs/api.md §5.5): PocketBase's provider names, default
 * endpoints, scopes and PKCE use, and each provider's user-info mapping. A
 * provider config may override every endpoint (authURL, tokenURL, userInfoURL).
 * The rows keep PocketBase's order, which is the order of its provider list.
 */
import type { OAuth2Identity, OAuth2ProviderDefinition, UserInfoContext } from './oauth2-definition.js';
import { isTrue, obj, str, verifyIdToken } from './oauth2-fetch.js';
import { badgeLogo } from './oauth2-logos.js';
import {
  bitbucketUser, boxUser, giteaUser, giteeUser, instagramUser, kakaoUser, larkUser, linearUser, livechatUser, mailcowUser,
  mondayUser, notionUser, patreonUser, planningcenterUser, spotifyUser, stravaUser, traktUser, twitchUser, twitterUser,
  vkUser, wakatimeUser, yandexUser,
} from './oauth2-user-mappings.js';

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
    name: 'yandex', displayName: 'Yandex',
    authURL: 'https://oauth.yandex.com/authorize', tokenURL: 'https://oauth.yandex.com/token',
    userInfoURL: 'https://login.yandex.ru/info',
    scopes: ['login:email', 'login:avatar', 'login:info'], pkce: true, clientAuth: 'auto', logo: badgeLogo('Я', '#fc3f1d'), fetchUser: yandexUser,
  },
  {
    name: 'facebook', displayName: 'Facebook',
    authURL: 'https://www.facebook.com/v17.0/dialog/oauth', tokenURL: 'https://graph.facebook.com/v17.0/oauth/access_token',
    userInfoURL: 'https://graph.facebook.com/me?fields=name,email,picture.type(large)',
    scopes: ['email'], pkce: true, clientAuth: 'post', logo: badgeLogo('f', '#1877f2'), fetchUser: facebookUser,
  },
  {
    name: 'instagram2', displayName: 'Instagram',
    authURL: 'https://www.instagram.com/oauth/authorize', tokenURL: 'https://api.instagram.com/oauth/access_token',
    userInfoURL: 'https://graph.instagram.com/me?fields=id,username,account_type,user_id,name,profile_picture_url,followers_count,follows_count,media_count',
    // PocketBase's name: `instagram` was the retired Basic Display API.
    scopes: ['instagram_business_basic'], pkce: true, clientAuth: 'auto', logo: badgeLogo('IG', '#e1306c'), fetchUser: instagramUser,
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
    name: 'bitbucket', displayName: 'Bitbucket',
    authURL: 'https://bitbucket.org/site/oauth2/authorize', tokenURL: 'https://bitbucket.org/site/oauth2/access_token',
    userInfoURL: 'https://api.bitbucket.org/2.0/user',
    scopes: ['account'], pkce: false, clientAuth: 'auto', logo: badgeLogo('BB', '#0052cc'), fetchUser: bitbucketUser,
  },
  {
    name: 'gitee', displayName: 'Gitee',
    authURL: 'https://gitee.com/oauth/authorize', tokenURL: 'https://gitee.com/oauth/token',
    userInfoURL: 'https://gitee.com/api/v5/user',
    scopes: ['user_info', 'emails'], pkce: true, clientAuth: 'auto', logo: badgeLogo('G', '#c71d23'), fetchUser: giteeUser,
  },
  {
    name: 'gitea', displayName: 'Gitea/Forgejo',
    authURL: 'https://gitea.com/login/oauth/authorize', tokenURL: 'https://gitea.com/login/oauth/access_token',
    userInfoURL: 'https://gitea.com/api/v1/user',
    scopes: ['read:user', 'user:email'], pkce: true, clientAuth: 'auto', logo: badgeLogo('Gt', '#609926'), fetchUser: giteaUser,
  },
  {
    name: 'discord', displayName: 'Discord',
    authURL: 'https://discord.com/api/oauth2/authorize', tokenURL: 'https://discord.com/api/oauth2/token',
    userInfoURL: 'https://discord.com/api/users/@me',
    scopes: ['identify', 'email'], pkce: true, clientAuth: 'basic', logo: badgeLogo('D', '#5865f2'), fetchUser: discordUser,
  },
  {
    name: 'twitter', displayName: 'X/Twitter',
    authURL: 'https://x.com/i/oauth2/authorize', tokenURL: 'https://api.x.com/2/oauth2/token',
    userInfoURL: 'https://api.x.com/2/users/me?user.fields=id,name,username,profile_image_url,confirmed_email',
    // `/2/users/me` refuses a token without `tweet.read`.
    scopes: ['users.read', 'users.email', 'tweet.read'], pkce: true, clientAuth: 'auto', logo: badgeLogo('X', '#000000'), fetchUser: twitterUser,
  },
  {
    name: 'kakao', displayName: 'Kakao',
    authURL: 'https://kauth.kakao.com/oauth/authorize', tokenURL: 'https://kauth.kakao.com/oauth/token',
    userInfoURL: 'https://kapi.kakao.com/v2/user/me',
    scopes: ['account_email', 'profile_nickname', 'profile_image'], pkce: true, clientAuth: 'auto', logo: badgeLogo('K', '#3c1e1e'), fetchUser: kakaoUser,
  },
  {
    name: 'vk', displayName: 'ВКонтакте',
    authURL: 'https://oauth.vk.com/authorize', tokenURL: 'https://oauth.vk.com/access_token',
    userInfoURL: 'https://api.vk.com/method/users.get?fields=photo_max,screen_name&v=5.131',
    // VK refuses an authorization request with PKCE parameters.
    scopes: ['email'], pkce: false, clientAuth: 'auto', logo: badgeLogo('VK', '#0077ff'), fetchUser: vkUser,
  },
  {
    name: 'linear', displayName: 'Linear',
    authURL: 'https://linear.app/oauth/authorize', tokenURL: 'https://api.linear.app/oauth/token',
    userInfoURL: 'https://api.linear.app/graphql',
    // Linear refuses an authorization request with PKCE parameters.
    scopes: ['read'], pkce: false, clientAuth: 'auto', logo: badgeLogo('L', '#5e6ad2'), fetchUser: linearUser,
  },
  {
    name: 'notion', displayName: 'Notion',
    authURL: 'https://api.notion.com/v1/oauth/authorize', tokenURL: 'https://api.notion.com/v1/oauth/token',
    userInfoURL: 'https://api.notion.com/v1/users/me',
    scopes: [], pkce: true, clientAuth: 'auto', logo: badgeLogo('N', '#000000'), fetchUser: notionUser,
  },
  {
    name: 'monday', displayName: 'monday.com',
    authURL: 'https://auth.monday.com/oauth2/authorize', tokenURL: 'https://auth.monday.com/oauth2/token',
    userInfoURL: 'https://api.monday.com/v2',
    scopes: ['me:read'], pkce: true, clientAuth: 'auto', logo: badgeLogo('M', '#ff3d57'), fetchUser: mondayUser,
  },
  {
    name: 'lark', displayName: 'Lark',
    authURL: 'https://accounts.feishu.cn/open-apis/authen/v1/authorize', tokenURL: 'https://open.feishu.cn/open-apis/authen/v2/oauth/token',
    userInfoURL: 'https://open.feishu.cn/open-apis/authen/v1/user_info',
    // Feishu (China) by default, as Lark's SDK; larksuite.com hosts the same API for other regions.
    scopes: [], pkce: true, clientAuth: 'auto', logo: badgeLogo('L', '#3370ff'), fetchUser: larkUser,
  },
  {
    name: 'box', displayName: 'Box',
    authURL: 'https://account.box.com/api/oauth2/authorize', tokenURL: 'https://api.box.com/oauth2/token',
    userInfoURL: 'https://api.box.com/2.0/users/me',
    scopes: ['root_readonly'], pkce: true, clientAuth: 'auto', logo: badgeLogo('B', '#0061d5'), fetchUser: boxUser,
  },
  {
    name: 'spotify', displayName: 'Spotify',
    authURL: 'https://accounts.spotify.com/authorize', tokenURL: 'https://accounts.spotify.com/api/token',
    userInfoURL: 'https://api.spotify.com/v1/me',
    // No `user-read-email`: Spotify does not say whether the address is verified.
    scopes: ['user-read-private'], pkce: true, clientAuth: 'auto', logo: badgeLogo('S', '#1db954'), fetchUser: spotifyUser,
  },
  {
    name: 'trakt', displayName: 'Trakt',
    authURL: 'https://trakt.tv/oauth/authorize', tokenURL: 'https://api.trakt.tv/oauth/token',
    userInfoURL: 'https://api.trakt.tv/users/settings',
    scopes: [], pkce: true, clientAuth: 'auto', logo: badgeLogo('T', '#ed1c24'), fetchUser: traktUser,
  },
  {
    name: 'twitch', displayName: 'Twitch',
    authURL: 'https://id.twitch.tv/oauth2/authorize', tokenURL: 'https://id.twitch.tv/oauth2/token',
    userInfoURL: 'https://api.twitch.tv/helix/users',
    scopes: ['user:read:email'], pkce: true, clientAuth: 'auto', logo: badgeLogo('T', '#9146ff'), fetchUser: twitchUser,
  },
  {
    name: 'patreon', displayName: 'Patreon',
    authURL: 'https://www.patreon.com/oauth2/authorize', tokenURL: 'https://www.patreon.com/api/oauth2/token',
    userInfoURL: 'https://www.patreon.com/api/oauth2/v2/identity?fields%5Buser%5D=full_name,email,vanity,image_url,is_email_verified',
    scopes: ['identity', 'identity[email]'], pkce: true, clientAuth: 'auto', logo: badgeLogo('P', '#ff424d'), fetchUser: patreonUser,
  },
  {
    name: 'strava', displayName: 'Strava',
    authURL: 'https://www.strava.com/oauth/authorize', tokenURL: 'https://www.strava.com/api/v3/oauth/token',
    userInfoURL: 'https://www.strava.com/api/v3/athlete',
    scopes: ['profile:read_all'], pkce: true, clientAuth: 'auto', logo: badgeLogo('S', '#fc4c02'), fetchUser: stravaUser,
  },
  {
    name: 'wakatime', displayName: 'WakaTime',
    authURL: 'https://wakatime.com/oauth/authorize', tokenURL: 'https://wakatime.com/oauth/token',
    userInfoURL: 'https://wakatime.com/api/v1/users/current',
    scopes: ['email'], pkce: true, clientAuth: 'auto', logo: badgeLogo('W', '#000000'), fetchUser: wakatimeUser,
  },
  {
    name: 'livechat', displayName: 'LiveChat',
    authURL: 'https://accounts.livechat.com/', tokenURL: 'https://accounts.livechat.com/token',
    userInfoURL: 'https://accounts.livechat.com/v2/accounts/me',
    // The scopes are chosen in LiveChat's developer console.
    scopes: [], pkce: true, clientAuth: 'auto', logo: badgeLogo('LC', '#ff5100'), fetchUser: livechatUser,
  },
  {
    // A self-hosted server: every endpoint comes from the provider config, as for oidc.
    name: 'mailcow', displayName: 'mailcow', authURL: '', tokenURL: '', userInfoURL: '',
    scopes: ['profile'], pkce: true, clientAuth: 'auto', logo: badgeLogo('mc', '#0e2a47'), fetchUser: mailcowUser,
  },
  {
    name: 'planningcenter', displayName: 'Planning Center',
    authURL: 'https://api.planningcenteronline.com/oauth/authorize', tokenURL: 'https://api.planningcenteronline.com/oauth/token',
    userInfoURL: 'https://api.planningcenteronline.com/people/v2/me',
    scopes: ['people'], pkce: true, clientAuth: 'auto', logo: badgeLogo('PC', '#2266f7'), fetchUser: planningcenterUser,
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
