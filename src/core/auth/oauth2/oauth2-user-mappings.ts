/**
 * The user mappings of the providers that complete PocketBase's list (its
 * `tools/auth/*.go`): each turns a provider's user-info answer into an OAuth2
 * identity, with the same fields, the same refusals of inactive accounts and
 * the same trust in the provider's email. The table rows that use them are in
 * oauth2-providers.ts.
 */
import { isEmail } from '../../fields/field-email.js';
import type { OAuth2Identity, UserInfoContext } from './oauth2-definition.js';
import { obj, str } from './oauth2-fetch.js';

type Json = Record<string, unknown>;

/** The value as a list of JSON objects (anything else in it becomes an empty object). */
function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj) : [];
}

/** A GET whose failure only leaves a detail out: an optional email list behind a scope the user may refuse. */
async function optionalJSON(ctx: UserInfoContext, url: string): Promise<unknown> {
  return ctx.fetchJSON(url).catch(() => undefined);
}

async function userInfo(ctx: UserInfoContext, headers?: Record<string, string>): Promise<Json> {
  return obj(await ctx.fetchJSON(ctx.userInfoURL, headers));
}

function identity(raw: Json, fields: Omit<OAuth2Identity, 'rawUser'>): OAuth2Identity {
  return { ...fields, rawUser: raw };
}

/** Bitbucket: an active account; the email is the primary confirmed one of `/user/emails`. */
export async function bitbucketUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  if (raw.account_status !== 'active') throw new Error('the Bitbucket user is not active');
  const emails = objects(obj(await optionalJSON(ctx, `${ctx.userInfoURL}/emails`)).values);
  const primary = emails.find((e) => e.is_primary === true && e.is_confirmed === true);
  return identity(raw, {
    id: str(raw.uuid), name: str(raw.display_name), username: str(raw.username),
    email: primary ? str(primary.email) : '', avatarURL: str(obj(obj(raw.links).avatar).href),
  });
}

/** Box: an active account, whose login is its (verified) email. */
export async function boxUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  if (raw.status !== 'active') throw new Error(`the Box user account is not active (status: ${JSON.stringify(raw.status)})`);
  return identity(raw, { id: str(raw.id), name: str(raw.name), username: '', email: str(raw.login), avatarURL: str(raw.avatar_url) });
}

/** Gitea/Forgejo: an active account; the email is the verified primary one of `/user/emails`. */
export async function giteaUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  if (raw.active !== true) throw new Error('the Gitea user account is not active');
  const primary = objects(await optionalJSON(ctx, `${ctx.userInfoURL}/emails`)).find((e) => e.verified === true && e.primary === true);
  return identity(raw, {
    id: str(raw.id), name: str(raw.full_name), username: str(raw.login),
    email: primary ? str(primary.email) : '', avatarURL: str(raw.avatar_url),
  });
}

/**
 * Gitee: the public address when it is one, else the confirmed primary one of
 * `emails` beside the user endpoint (PocketBase asks gitee.com's; the sibling URL
 * follows an overridden user-info URL).
 */
export async function giteeUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  let email = str(raw.email);
  if (email === '' || !isEmail(email)) {
    const emails = objects(await optionalJSON(ctx, new URL('emails', ctx.userInfoURL).toString()));
    const primary = emails.find((e) => e.state === 'confirmed' && Array.isArray(e.scope) && e.scope.includes('primary') && isEmail(str(e.email)));
    email = primary ? str(primary.email) : '';
  }
  return identity(raw, { id: str(raw.id), name: str(raw.name), username: str(raw.login), email, avatarURL: str(raw.avatar_url) });
}

/** Instagram (Instagram Login): no email; the token answer's granted permissions join the raw user. */
export async function instagramUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const permissions = (ctx.tokens.data as Json).permissions;
  if (!('permissions' in raw) && permissions !== undefined && permissions !== null) raw.permissions = permissions;
  return identity(raw, { id: str(raw.user_id), name: str(raw.name), username: str(raw.username), email: '', avatarURL: str(raw.profile_picture_url) });
}

/** Kakao: the nickname is the username; the email counts when Kakao says it is valid and verified. */
export async function kakaoUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const profile = obj(raw.properties);
  const account = obj(raw.kakao_account);
  return identity(raw, {
    id: str(raw.id), name: '', username: str(profile.nickname), avatarURL: str(profile.profile_image),
    email: account.is_email_valid === true && account.is_email_verified === true ? str(account.email) : '',
  });
}

/** Lark (Feishu): the user's union id, which is the same across the apps of one developer. */
export async function larkUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const data = obj(raw.data);
  return identity(raw, { id: str(data.union_id), name: str(data.name), username: '', email: '', avatarURL: str(data.avatar_url) });
}

/** Linear: the `viewer` of its GraphQL API, which must be active. */
export async function linearUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = obj(await ctx.postJSON(ctx.userInfoURL, { query: 'query Me { viewer { id displayName name email avatarUrl active } }' }));
  const viewer = obj(obj(raw.data).viewer);
  if (viewer.active !== true) throw new Error('the Linear user account is not active');
  return identity(raw, {
    id: str(viewer.id), name: str(viewer.name), username: str(viewer.displayName), email: str(viewer.email), avatarURL: str(viewer.avatarUrl),
  });
}

/** LiveChat: the email counts when LiveChat says it is verified. */
export async function livechatUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  return identity(raw, {
    id: str(raw.account_id), name: str(raw.name), username: '', avatarURL: str(raw.avatar_url),
    email: raw.email_verified === true ? str(raw.email) : '',
  });
}

/** mailcow: an active mailbox; its username is usually the address, of which the local part is kept. */
export async function mailcowUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  if (str(raw.active) !== '1') throw new Error('the mailcow user is not active');
  const username = str(raw.username);
  const at = username.indexOf('@');
  return identity(raw, {
    id: str(raw.id), name: str(raw.full_name), username: at >= 0 ? username.slice(0, at) : username, email: str(raw.email), avatarURL: '',
  });
}

/** monday.com: `me` of its GraphQL API, which must be enabled; the email counts when verified. */
export async function mondayUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = obj(await ctx.postJSON(ctx.userInfoURL, { query: 'query { me { id enabled name email is_verified photo_small }}' }));
  const me = obj(obj(raw.data).me);
  if (me.enabled !== true) throw new Error('the monday.com user account is not enabled');
  return identity(raw, {
    id: str(me.id), name: str(me.name), username: '', avatarURL: str(me.photo_small), email: me.is_verified === true ? str(me.email) : '',
  });
}

/** Notion: the person who owns the integration's bot user; Notion wants a version header. */
export async function notionUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx, { 'Notion-Version': '2022-06-28' });
  const user = obj(obj(obj(raw.bot).owner).user);
  return identity(raw, {
    id: str(user.id), name: str(user.name), username: '', email: str(obj(user.person).email), avatarURL: str(user.avatar_url),
  });
}

/** Patreon: the identity's attributes; the email counts when verified. */
export async function patreonUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const data = obj(raw.data);
  const attributes = obj(data.attributes);
  return identity(raw, {
    id: str(data.id), name: str(attributes.full_name), username: str(attributes.vanity), avatarURL: str(attributes.image_url),
    email: attributes.is_email_verified === true ? str(attributes.email) : '',
  });
}

/** Planning Center: an active person; no email (a person may have several, none known verified). */
export async function planningcenterUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const data = obj(raw.data);
  const attributes = obj(data.attributes);
  if (attributes.status !== 'active') throw new Error('the Planning Center user is not active');
  return identity(raw, { id: str(data.id), name: str(attributes.name), username: '', email: '', avatarURL: str(attributes.avatar) });
}

/** Spotify: no email (Spotify says it is unverified); the first image is the avatar. */
export async function spotifyUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const [image] = objects(raw.images);
  return identity(raw, { id: str(raw.id), name: str(raw.display_name), username: '', email: '', avatarURL: image ? str(image.url) : '' });
}

/** Strava: the athlete, named by first and last name; Strava gives no email. */
export async function stravaUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const id = str(raw.id);
  return identity(raw, {
    id: id === '0' ? '' : id, name: `${str(raw.firstname)} ${str(raw.lastname)}`.trim(), username: str(raw.username), email: '', avatarURL: str(raw.profile),
  });
}

/** Trakt: the user of `/users/settings`; Trakt wants the client id as its API key. */
export async function traktUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx, { 'Content-Type': 'application/json', 'trakt-api-key': ctx.config.clientId, 'trakt-api-version': '2' });
  const user = obj(raw.user);
  return identity(raw, {
    id: str(obj(user.ids).uuid), name: str(user.name), username: str(user.username), email: '', avatarURL: str(obj(obj(user.images).avatar).full),
  });
}

/** Twitch: the first user of Helix's `/users`; Twitch wants the client id in a header. */
export async function twitchUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx, { 'Client-Id': ctx.config.clientId });
  const [user] = objects(raw.data);
  if (!user) throw new Error('the Twitch answer names no user');
  return identity(raw, {
    id: str(user.id), name: str(user.display_name), username: str(user.login), email: str(user.email), avatarURL: str(user.profile_image_url),
  });
}

/** X/Twitter: `/2/users/me`, whose `confirmed_email` is the email. */
export async function twitterUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const data = obj(raw.data);
  return identity(raw, {
    id: str(data.id), name: str(data.name), username: str(data.username), email: str(data.confirmed_email), avatarURL: str(data.profile_image_url),
  });
}

/** VK: the first user of `users.get`; the email comes with the token answer, not the user. */
export async function vkUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const [user] = objects(raw.response);
  if (!user) throw new Error('the VK answer names no user');
  return identity(raw, {
    id: str(user.id), name: `${str(user.first_name)} ${str(user.last_name)}`.trim(), username: str(user.screen_name),
    email: str((ctx.tokens.data as Json).email), avatarURL: str(user.photo_max),
  });
}

/** WakaTime: the email counts when confirmed; the photo only when public. */
export async function wakatimeUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const data = obj(raw.data);
  return identity(raw, {
    id: str(data.id), name: str(data.display_name), username: str(data.username),
    email: data.is_email_confirmed === true ? str(data.email) : '', avatarURL: data.photo_public === true ? str(data.photo) : '',
  });
}

/** Yandex: the default email; the avatar from Yandex's avatar service unless the user has none. */
export async function yandexUser(ctx: UserInfoContext): Promise<OAuth2Identity> {
  const raw = await userInfo(ctx);
  const avatarId = str(raw.default_avatar_id);
  return identity(raw, {
    id: str(raw.id), name: str(raw.real_name), username: str(raw.login), email: str(raw.default_email),
    avatarURL: raw.is_avatar_empty === true || avatarId === '' ? '' : `https://avatars.yandex.net/get-yapic/${encodeURIComponent(avatarId)}/islands-200`,
  });
}
