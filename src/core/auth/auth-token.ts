/**
 * Record tokens (docs/api.md §5.9): HS256 JWTs without `iat`, signed with the
 * record's tokenKey concatenated with the collection's secret for the token
 * type, so rotating either revokes the tokens at once.
 */
// NOTE: only the decoder loads at start-up; signing and verifying (and the WebCrypto
// parts of jose behind them) load with the first token, keeping start-up fast.
import { decodeJwt } from 'jose/jwt/decode';
import type { AuthCollection, TokenConfig } from '../collections/collection.js';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { Lru } from '../../tools/lru.js';
import { lazyModule } from '../../tools/lazy-module.js';

const joseSign = lazyModule(() => import('jose/jwt/sign'));
const joseVerify = lazyModule(() => import('jose/jwt/verify'));

/** The token types of docs/api.md §5.9. */
export type TokenType = 'auth' | 'file' | 'verification' | 'passwordReset' | 'emailChange';

/** The claims every record token carries. */
export interface TokenClaims {
  id: string;
  type: TokenType;
  collectionId: string;
  refreshable?: boolean;
  email?: string;
  newEmail?: string;
  exp?: number;
}

// Signing keys by their text: jose imports a raw key on every use otherwise, which is
// a tenth of a signed-in request's time. Bounded, since keys change with tokenKey rotations.
const keys = new Lru<string, KeyObject>(10_000);

/** The HMAC key for a record's tokenKey concatenated with the collection's secret. */
function signingKey(text: string): KeyObject {
  let key = keys.get(text);
  if (!key) {
    key = createSecretKey(Buffer.from(text, 'utf8'));
    keys.set(text, key);
  }
  return key;
}

/** The collection's token setting for a token type. */
export function tokenConfig(c: AuthCollection, type: TokenType): TokenConfig {
  switch (type) {
    case 'auth': return c.authToken;
    case 'file': return c.fileToken;
    case 'verification': return c.verificationToken;
    case 'passwordReset': return c.passwordResetToken;
    case 'emailChange': return c.emailChangeToken;
  }
}

/** Signs a token for a record; `duration` overrides the collection's (seconds). */
export async function signRecordToken(c: AuthCollection, tokenKey: string, claims: TokenClaims, duration?: number): Promise<string> {
  const config = tokenConfig(c, claims.type);
  const seconds = duration && duration > 0 ? duration : config.duration;
  const { exp: _ignored, ...payload } = claims;
  const { SignJWT } = await joseSign();
  return new SignJWT({ ...payload })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime(Math.floor(Date.now() / 1000) + seconds)
    .sign(signingKey(tokenKey + config.secret));
}

/** Reads the claims of a token without checking it; null when it is not a JWT with id, type and collectionId. */
export function peekClaims(token: string): TokenClaims | null {
  const known = verifiedTokens.get(token);
  if (known) return known.claims;
  try {
    const claims = decodeJwt(token);
    if (typeof claims.id !== 'string' || typeof claims.type !== 'string' || typeof claims.collectionId !== 'string') return null;
    return claims as unknown as TokenClaims;
  } catch {
    return null;
  }
}

/** A token whose signature was verified, and the exact key text it was verified with. */
interface VerifiedToken {
  keyText: string;
  claims: TokenClaims;
}

// Tokens already verified, by their text: a signed-in client sends the same token on every
// request, and HS256 through WebCrypto is a fifth of such a request's time.
// SECURITY: a hit counts only for the very key text the signature was checked with, so a
// rotated tokenKey or secret (docs/api.md §5.9) revokes at once; expiry is checked on every use.
const verifiedTokens = new Lru<string, VerifiedToken>(5_000);

/** Verifies signature (HS256 only) and expiry; returns the claims or null. */
export async function verifyRecordToken(c: AuthCollection, tokenKey: string, token: string, type: TokenType): Promise<TokenClaims | null> {
  const keyText = tokenKey + tokenConfig(c, type).secret;
  const known = verifiedTokens.get(token);
  if (known && known.keyText === keyText) return unexpired(known.claims) && claimsFit(known.claims, c, type) ? known.claims : null;
  try {
    // SECURITY: pinning algorithms to HS256 refuses `alg: none` and key-confusion tricks.
    const { jwtVerify } = await joseVerify();
    const { payload } = await jwtVerify(token, signingKey(keyText), { algorithms: ['HS256'], requiredClaims: ['exp'] });
    // Frozen: one verified claims object is shared by every request that sends the token.
    const claims = Object.freeze(payload) as unknown as TokenClaims;
    if (!claimsFit(claims, c, type)) return null;
    verifiedTokens.set(token, { keyText, claims });
    return claims;
  } catch {
    return null;
  }
}

function claimsFit(claims: TokenClaims, c: AuthCollection, type: TokenType): boolean {
  return claims.type === type && claims.id !== undefined && claims.collectionId === c.id;
}

/** jose's rule (no clock tolerance): a token is expired from its `exp` second on. */
function unexpired(claims: TokenClaims): boolean {
  return typeof claims.exp === 'number' && claims.exp > Math.floor(Date.now() / 1000);
}
