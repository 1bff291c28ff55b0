/**
 * An OAuth2Provider is one configured provider of an auth collection: a row
 * of the provider table with the collection's client id, secret and endpoint
 * overrides. It builds authorization URLs with PKCE and exchanges codes for
 * tokens through arctic's OAuth2 client, then fetches the user.
 */
import { randomInt } from 'node:crypto';
// NOTE: arctic's generic client is imported from its own module: the package index
// loads arctic's seventy provider classes, which Plinth does not use, at start-up.
import { CodeChallengeMethod, OAuth2Client } from 'arctic/dist/client.js';
import type { OAuth2Tokens } from 'arctic/dist/oauth2.js';
// NOTE: arctic exports its token-request helpers only from this module; the
// `post` client authentication of Facebook and Apple needs them with our endpoints.
import { createOAuth2Request, sendTokenRequest } from 'arctic/dist/request.js';
import { formatDateTime } from '../../../tools/datetime.js';
import type { OAuth2ProviderConfig, OAuth2ProviderDefinition, OAuth2User } from './oauth2-definition.js';
import { fetchProviderJSON, obj, PROVIDER_TIMEOUT_MS, str } from './oauth2-fetch.js';
import { findOAuth2Provider } from './oauth2-providers.js';

/** The start of an authorization-code flow, as auth-methods lists it (docs/api.md §5.2). */
export interface AuthorizationStart {
  state: string;
  /** The authorization URL ending with an empty `redirect_uri=` for the client to complete. */
  authURL: string;
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of `length` characters from `[A-Za-z0-9]` (PocketBase's `security.RandomString`). */
export function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** The provider config of a stored `oauth2.providers` item, with every key present. */
export function parseProviderConfig(raw: Record<string, unknown>): OAuth2ProviderConfig {
  return {
    name: str(raw.name), clientId: str(raw.clientId), clientSecret: str(raw.clientSecret),
    authURL: str(raw.authURL), tokenURL: str(raw.tokenURL), userInfoURL: str(raw.userInfoURL),
    displayName: str(raw.displayName), pkce: typeof raw.pkce === 'boolean' ? raw.pkce : null, extra: obj(raw.extra),
  };
}

/** OAuth2Provider runs one provider's side of the authorization-code flow. */
export class OAuth2Provider {
  readonly name: string;
  readonly displayName: string;
  readonly pkce: boolean;
  readonly logo: string;
  private readonly authURL: string;
  private readonly tokenURL: string;
  private readonly userInfoURL: string;

  /** Builds the provider of a config; throws when the name is unknown or an endpoint is missing. */
  constructor(readonly config: OAuth2ProviderConfig, private readonly definition: OAuth2ProviderDefinition = mustFind(config.name)) {
    this.name = config.name;
    this.displayName = config.displayName || definition.displayName || config.name;
    this.pkce = config.pkce ?? definition.pkce;
    this.logo = definition.logo;
    this.authURL = config.authURL || definition.authURL;
    this.tokenURL = config.tokenURL || definition.tokenURL;
    this.userInfoURL = config.userInfoURL || definition.userInfoURL;
    for (const url of [this.authURL, this.tokenURL]) {
      if (!URL.canParse(url)) throw new Error(`provider ${config.name} has no valid endpoint URL`);
    }
  }

  /** A new state, PKCE pair (when the provider uses PKCE) and authorization URL (docs/api.md §5.2). */
  startAuthorization(): AuthorizationStart {
    const state = randomString(30);
    // No redirect URI here: the client appends its own to the trailing `redirect_uri=`.
    const client = new OAuth2Client(this.config.clientId, null, null);
    const scopes = [...this.definition.scopes];
    let codeVerifier = '';
    let url: URL;
    if (this.pkce) {
      codeVerifier = randomString(43);
      url = client.createAuthorizationURLWithPKCE(this.authURL, state, CodeChallengeMethod.S256, codeVerifier, scopes);
    } else {
      url = client.createAuthorizationURL(this.authURL, state, scopes);
    }
    for (const [key, value] of Object.entries(this.definition.authParams ?? {})) url.searchParams.set(key, value);
    return {
      state,
      authURL: `${url.toString()}&redirect_uri=`,
      codeVerifier,
      codeChallenge: this.pkce ? url.searchParams.get('code_challenge') ?? '' : '',
      codeChallengeMethod: this.pkce ? 'S256' : '',
    };
  }

  /** Exchanges an authorization code (and PKCE verifier) for tokens; throws on any failure. */
  async exchangeCode(code: string, codeVerifier: string, redirectURL: string): Promise<OAuth2Tokens> {
    const verifier = this.pkce && codeVerifier !== '' ? codeVerifier : null;
    return withTimeout(this.requestTokens(code, verifier, redirectURL || null));
  }

  /** Fetches the user the tokens belong to; throws when the provider's answer has no user id. */
  async fetchUser(tokens: OAuth2Tokens): Promise<OAuth2User> {
    const accessToken = tokens.accessToken();
    const identity = await this.definition.fetchUser({
      tokens,
      config: this.config,
      userInfoURL: this.userInfoURL,
      fetchJSON: (url, headers) => fetchProviderJSON(url, accessToken, headers),
      postJSON: (url, body) => fetchProviderJSON(url, accessToken, {}, body),
    });
    if (identity.id === '') throw new Error(`provider ${this.name} returned no user id`);
    return {
      ...identity,
      accessToken,
      refreshToken: tokens.hasRefreshToken() ? tokens.refreshToken() : '',
      expiry: expiryOf(tokens.data),
    };
  }

  /** The token request in the provider's client authentication; `auto` probes Basic, then the body. */
  private async requestTokens(code: string, verifier: string | null, redirectURI: string | null): Promise<OAuth2Tokens> {
    const secret = this.config.clientSecret || null;
    if (secret === null) return this.tokenRequest('basic', secret, code, verifier, redirectURI);
    if (this.definition.clientAuth !== 'auto') return this.tokenRequest(this.definition.clientAuth, secret, code, verifier, redirectURI);
    const key = `${this.tokenURL} ${this.config.clientId}`;
    const known = probedClientAuth.get(key);
    if (known) return this.tokenRequest(known, secret, code, verifier, redirectURI);
    let style: 'basic' | 'post' = 'basic';
    // NOTE: as Go's oauth2 package, any failure of the Basic attempt (a refused client, an
    // error answer, no access token) is taken for the wrong client authentication.
    const tokens = await this.tokenRequest(style, secret, code, verifier, redirectURI).catch(() => {
      style = 'post';
      return this.tokenRequest(style, secret, code, verifier, redirectURI);
    });
    if (probedClientAuth.size >= MAX_PROBED) probedClientAuth.clear();
    probedClientAuth.set(key, style);
    return tokens;
  }

  /** One token request; throws on an error answer or one without an access token. */
  private async tokenRequest(style: 'basic' | 'post', secret: string | null, code: string, verifier: string | null, redirectURI: string | null): Promise<OAuth2Tokens> {
    let tokens: OAuth2Tokens;
    if (style === 'basic' || secret === null) {
      tokens = await new OAuth2Client(this.config.clientId, secret, redirectURI).validateAuthorizationCode(this.tokenURL, code, verifier);
    } else {
      const body = new URLSearchParams({ grant_type: 'authorization_code', code, client_id: this.config.clientId, client_secret: secret });
      if (redirectURI !== null) body.set('redirect_uri', redirectURI);
      if (verifier !== null) body.set('code_verifier', verifier);
      tokens = await sendTokenRequest(createOAuth2Request(this.tokenURL, body));
    }
    // GitHub answers a bad code with 200 and an `error` member.
    if ('error' in tokens.data) throw new Error(`token endpoint error: ${str((tokens.data as { error: unknown }).error)}`);
    tokens.accessToken(); // throws when the answer has no access token
    return tokens;
  }
}

/** How many token endpoints' probed client authentication is remembered before the memory starts over. */
const MAX_PROBED = 1000;
/** The client authentication an `auto` provider's token endpoint took, by token URL and client id. */
const probedClientAuth = new Map<string, 'basic' | 'post'>();

function mustFind(name: string): OAuth2ProviderDefinition {
  const definition = findOAuth2Provider(name);
  if (!definition) throw new Error(`unknown OAuth2 provider ${name}`);
  return definition;
}

function expiryOf(data: object): string {
  const raw = (data as { expires_in?: unknown }).expires_in;
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? formatDateTime(new Date(Date.now() + seconds * 1000)) : '';
}

// NOTE: arctic's token request takes no AbortSignal; a provider that never answers fails the sign-in here.
async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('OAuth2 provider timed out')), PROVIDER_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
