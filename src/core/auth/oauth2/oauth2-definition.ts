/**
 * The shape of one OAuth2 provider (docs/api.md §5.5): its default endpoints, scopes
 * and PKCE use, and how it turns its user-info answer into an OAuth2 user.
 * Every provider is one entry of the table in oauth2-providers.ts.
 */
import type { OAuth2Tokens } from 'arctic';

/** The user an OAuth2 provider vouches for, as PocketBase's `auth.AuthUser` (the `meta` of docs/api.md §5.5). */
export interface OAuth2User {
  id: string;
  name: string;
  username: string;
  /** Only an address the provider says is verified; otherwise "". */
  email: string;
  avatarURL: string;
  accessToken: string;
  refreshToken: string;
  /** The access token's expiry in the wire datetime format, or "" when the provider gave none. */
  expiry: string;
  rawUser: Record<string, unknown>;
}

/** The identity part of an OAuth2 user, which a provider's mapping fills. */
export type OAuth2Identity = Pick<OAuth2User, 'id' | 'name' | 'username' | 'email' | 'avatarURL' | 'rawUser'>;

/** One provider item of a collection's `oauth2.providers` (docs/api.md §2.1), with defaults filled. */
export interface OAuth2ProviderConfig {
  name: string;
  clientId: string;
  /** SECURITY: write-only; never serialised (collection-json.ts drops it). */
  clientSecret: string;
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  displayName: string;
  pkce: boolean | null;
  extra: Record<string, unknown>;
}

/** What a provider's user mapping gets: the tokens, the effective endpoints and an authorised JSON fetch. */
export interface UserInfoContext {
  tokens: OAuth2Tokens;
  config: OAuth2ProviderConfig;
  /** The effective user-info URL (configured, else the provider's default). */
  userInfoURL: string;
  /** GETs a URL with the access token as a Bearer credential and parses a JSON answer. */
  fetchJSON(url: string, headers?: Record<string, string>): Promise<unknown>;
  /** POSTs a JSON body (a GraphQL query) with the access token as a Bearer credential and parses a JSON answer. */
  postJSON(url: string, body: unknown): Promise<unknown>;
}

/**
 * An OAuth2ProviderDefinition is one row of the provider table: PocketBase's
 * defaults for that provider, and the user mapping of its user-info answer.
 */
export interface OAuth2ProviderDefinition {
  name: string;
  displayName: string;
  authURL: string;
  tokenURL: string;
  userInfoURL: string;
  scopes: readonly string[];
  pkce: boolean;
  /**
   * How the client authenticates at the token endpoint: HTTP Basic (RFC 6749
   * §2.3.1, arctic's OAuth2Client), `client_secret` in the body, which
   * Facebook and Apple require, or `auto`: Basic first and, when the endpoint
   * refuses it, the body, remembered per token URL and client (what
   * PocketBase's Go OAuth2 client does for every provider).
   */
  clientAuth: 'basic' | 'post' | 'auto';
  /** Extra query parameters of the authorization URL (e.g. Apple's `response_mode`). */
  authParams?: Readonly<Record<string, string>>;
  /** The provider's logo as an SVG document. */
  logo: string;
  /** Fetches and maps the signed-in user; throws when the answer is unusable. */
  fetchUser(ctx: UserInfoContext): Promise<OAuth2Identity>;
}
