/**
 * `app.security` (docs/hooks.md §4, PocketBase's `$security`): random strings,
 * HS256 JSON Web Tokens through jose, HMAC-SHA256 and a constant-time compare,
 * for app code that signs links, webhooks or its own tokens.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { BadRequestError } from '../errors/api-errors.js';
import { randomString } from '../tools/ids.js';
import { lazyModule } from '../tools/lazy-module.js';

const joseSign = lazyModule(() => import('jose/jwt/sign'));
const joseVerify = lazyModule(() => import('jose/jwt/verify'));

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The claims of a token: any JSON values. */
export type JwtClaims = Record<string, unknown>;

/** The security helpers of app code. */
export const appSecurity = {
  /** `length` random characters of [A-Za-z0-9], drawn with crypto-quality randomness. */
  randomString(length: number): string {
    return randomString(ALPHANUMERIC, checkedLength(length));
  },

  /** `length` random characters of `alphabet`, drawn with crypto-quality randomness. */
  randomStringWithAlphabet(length: number, alphabet: string): string {
    if (typeof alphabet !== 'string' || alphabet.length === 0) throw new TypeError('the alphabet must be a non-empty string');
    return randomString(alphabet, checkedLength(length));
  },

  /** Signs `claims` as an HS256 JWT with `secret`, valid for `durationSeconds` (0: no expiry). */
  async createJWT(claims: JwtClaims, secret: string, durationSeconds: number): Promise<string> {
    const { SignJWT } = await joseSign();
    const jwt = new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' });
    if (durationSeconds > 0) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + Math.floor(durationSeconds));
    return jwt.sign(secretKey(secret));
  },

  /**
   * The claims of an HS256 JWT signed with `secret`; a 400 BadRequestError when the
   * signature, algorithm or expiry does not hold (SECURITY: only HS256 is accepted).
   */
  async parseJWT(token: string, secret: string): Promise<JwtClaims> {
    const { jwtVerify } = await joseVerify();
    try {
      const { payload } = await jwtVerify(String(token), secretKey(secret), { algorithms: ['HS256'] });
      return payload as JwtClaims;
    } catch {
      throw new BadRequestError('Invalid or expired token.');
    }
  },

  /** The HMAC-SHA256 of `data` with `secret`, as lower-case hex. */
  hs256(data: string, secret: string): string {
    return createHmac('sha256', secret).update(data).digest('hex');
  },

  /** Whether two strings are equal, in time that does not depend on where they differ. */
  equal(a: string, b: string): boolean {
    const x = Buffer.from(String(a));
    const y = Buffer.from(String(b));
    return x.length === y.length && timingSafeEqual(x, y);
  },
};

function checkedLength(length: number): number {
  if (!Number.isInteger(length) || length < 0 || length > 1_000_000) throw new RangeError('the length must be an integer from 0 to 1000000');
  return length;
}

function secretKey(secret: string) {
  if (typeof secret !== 'string' || secret === '') throw new TypeError('the secret must be a non-empty string');
  return createSecretKey(Buffer.from(secret, 'utf8'));
}
