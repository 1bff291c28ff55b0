/**
 * A small OAuth2 / OpenID Connect provider served on loopback for tests: it
 * authorizes (redirecting with a code), exchanges codes for tokens — checking
 * client credentials, redirect URI and the PKCE S256 verifier — and answers
 * user-info requests in the shapes of OIDC, GitHub, GitLab, Discord, Microsoft
 * Graph and Facebook, and in any shape a test adds to `routes`. It also
 * publishes a JWKS and signs ID tokens, for Apple-style providers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** The 1×1 PNG served at `/avatars/<name>.png`. */
export const AVATAR_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

/** A person who can sign in at the provider. */
export interface ProviderUser {
  sub: string;
  name: string;
  login: string;
  email: string;
  emailVerified: boolean;
  picture: string;
  /** The address GitHub's /user shows publicly (not necessarily verified); null by default. */
  publicEmail?: string;
  /** Extra claims of the ID tokens issued for this person (Microsoft's `xms_edov`, `verified_primary_email`). */
  idTokenClaims?: Record<string, unknown>;
  /** Extra members of the token answers for this person (VK's `email`, Instagram's `permissions`). */
  tokenExtra?: Record<string, unknown>;
  /** Anything else a test's routes read (an account status, a private profile photo). */
  attributes?: Record<string, unknown>;
}

/** A registered client application. */
export interface ProviderClient {
  secret: string;
  /** The `iss` of the ID tokens issued to this client. */
  issuer: string;
  /** The only client authentication the token endpoint accepts from this client; any by default. */
  auth?: 'basic' | 'post';
}

/** A user-info request as a route sees it. */
export interface UserInfoRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An answer other than 200 from a user-info route. */
export class RouteAnswer {
  constructor(readonly status: number, readonly body: unknown) {}
}

/** A user-info endpoint added by a test: the JSON answer for the signed-in person, or a RouteAnswer. */
export type UserInfoRoute = (user: ProviderUser, request: UserInfoRequest) => unknown;

interface Grant {
  user: ProviderUser;
  clientId: string;
  redirectUri: string;
  challenge: string | null;
}

/** A running loopback provider. */
export interface OAuth2ProviderServer {
  url: string;
  users: Map<string, ProviderUser>;
  clients: Map<string, ProviderClient>;
  /** How the last token request authenticated its client. */
  lastClientAuth: 'basic' | 'post' | 'none' | null;
  /** How many token requests arrived. */
  tokenRequests: number;
  /** User-info endpoints by path, answered for a valid access token (GET or POST). */
  routes: Map<string, UserInfoRoute>;
  /** When set, /userinfo answers this status instead of the user. */
  userInfoStatus: number | null;
  /** Opens the authorize URL as a browser whose user `login` consents; returns the redirect's code and state. */
  authorize(authURL: string, login: string): Promise<{ code: string; state: string; location: URL }>;
  close(): Promise<void>;
}

/** Starts the provider on 127.0.0.1 with a free port. */
export async function startOAuth2ProviderServer(): Promise<OAuth2ProviderServer> {
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, ProviderUser>();
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };

  const state: Omit<OAuth2ProviderServer, 'authorize' | 'close' | 'url'> & { url: string } = {
    url: '',
    users: new Map(),
    clients: new Map(),
    lastClientAuth: null,
    tokenRequests: 0,
    routes: new Map(),
    userInfoStatus: null,
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => json(res, 500, { error: 'server_error', error_description: String(err) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', state.url);
    if (req.method === 'GET' && url.pathname === '/authorize') return authorizeEndpoint(url, res);
    if (req.method === 'POST' && url.pathname === '/token') return tokenEndpoint(req, res, privateKey);
    if (req.method === 'GET' && url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && /^\/avatars\/\w+\.png$/.test(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'image/png' }).end(AVATAR_PNG);
      return;
    }
    // An avatar URL that redirects elsewhere, and one that answers a page, not an image.
    if (req.method === 'GET' && url.pathname === '/redirect') {
      res.writeHead(302, { Location: url.searchParams.get('to') ?? '/' }).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/page.png') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>internal admin page</html>');
      return;
    }
    const user = accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!user) return json(res, 401, { error: 'invalid_token' });
    if (state.userInfoStatus !== null) return json(res, state.userInfoStatus, { error: 'unavailable' });
    const route = state.routes.get(url.pathname);
    if (route) {
      const answer = route(user, { method: req.method ?? 'GET', url, headers: req.headers, body: await readBody(req) });
      return answer instanceof RouteAnswer ? json(res, answer.status, answer.body) : json(res, 200, answer);
    }
    switch (url.pathname) {
      case '/userinfo':
        return json(res, 200, {
          sub: user.sub, name: user.name, preferred_username: user.login, email: user.email,
          email_verified: user.emailVerified, picture: user.picture,
        });
      case '/github/user':
        // GitHub hides a private address from /user; /user/emails lists it.
        return json(res, 200, { id: Number(user.sub), login: user.login, name: user.name, email: user.publicEmail ?? null, avatar_url: user.picture });
      case '/github/user/emails':
        return json(res, 200, [
          { email: `old-${user.email}`, primary: false, verified: true },
          { email: user.email, primary: true, verified: user.emailVerified },
        ]);
      case '/gitlab/user':
        // GitLab answers an unconfirmed primary address with `confirmed_at: null`.
        return json(res, 200, {
          id: Number(user.sub), username: user.login, name: user.name, email: user.email, avatar_url: user.picture,
          confirmed_at: user.emailVerified ? '2024-01-02T03:04:05.000Z' : null,
        });
      case '/discord/users/@me':
        return json(res, 200, { id: user.sub, username: user.login, global_name: user.name, avatar: null, email: user.email, verified: user.emailVerified });
      case '/microsoft/me':
        // Graph's `mail` is whatever the account's tenant admin set: verified or not, it is there.
        return json(res, 200, { id: user.sub, displayName: user.name, mail: user.email, userPrincipalName: user.login });
      case '/facebook/me':
        return json(res, 200, { id: user.sub, name: user.name, email: user.email, picture: { data: { url: user.picture } } });
      default:
        return json(res, 404, { error: 'not_found' });
    }
  }

  function authorizeEndpoint(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const user = state.users.get(q.get('login') ?? '');
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!user || !state.clients.has(clientId) || q.get('response_type') !== 'code' || !URL.canParse(redirectUri)) {
      return json(res, 400, { error: 'invalid_request' });
    }
    const method = q.get('code_challenge_method');
    if (q.has('code_challenge') && method !== 'S256') return json(res, 400, { error: 'invalid_request' });
    const code = randomBytes(16).toString('hex');
    grants.set(code, { user, clientId, redirectUri, challenge: q.get('code_challenge') });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('state', q.get('state') ?? '');
    res.writeHead(302, { Location: target.toString() }).end();
  }

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse, key: CryptoKey): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    let clientId = form.get('client_id') ?? '';
    let secret = form.get('client_secret');
    state.lastClientAuth = secret !== null ? 'post' : 'none';
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) {
      const [id, pass] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      clientId = id ?? '';
      secret = pass ?? '';
      state.lastClientAuth = 'basic';
    }
    state.tokenRequests++;
    const client = state.clients.get(clientId);
    if (!client || client.secret !== secret) return json(res, 401, { error: 'invalid_client' });
    if (client.auth !== undefined && client.auth !== state.lastClientAuth) return json(res, 401, { error: 'invalid_client', error_description: `use ${client.auth}` });
    const code = form.get('code') ?? '';
    const grant = grants.get(code);
    grants.delete(code);
    if (form.get('grant_type') !== 'authorization_code' || !grant || grant.clientId !== clientId) return json(res, 400, { error: 'invalid_grant' });
    if (form.get('redirect_uri') !== grant.redirectUri) return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri' });
    if (grant.challenge !== null) {
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (challenge !== grant.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
    }
    const accessToken = randomBytes(16).toString('hex');
    accessTokens.set(accessToken, grant.user);
    const claims = { email: grant.user.email, email_verified: grant.user.emailVerified ? 'true' : 'false', name: grant.user.name, oid: grant.user.sub, aud: clientId, ...grant.user.idTokenClaims };
    const idToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setSubject(grant.user.sub).setIssuer(client.issuer)
      .setIssuedAt().setExpirationTime('5m')
      .sign(key);
    json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, refresh_token: `refresh-${accessToken}`, id_token: idToken, ...grant.user.tokenExtra });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = state as OAuth2ProviderServer;
  provider.authorize = async (authURL, login) => {
    const res = await fetch(`${authURL}&login=${encodeURIComponent(login)}`, { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? 'http://invalid/');
    if (res.status !== 302) throw new Error(`authorize failed with ${res.status}: ${await res.text()}`);
    return { code: location.searchParams.get('code') ?? '', state: location.searchParams.get('state') ?? '', location };
  };
  provider.close = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return provider;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
