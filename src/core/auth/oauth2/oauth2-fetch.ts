/**
 * The HTTP calls a provider's user mapping makes after the token exchange:
 * authorised JSON GETs of user-info endpoints, and ID-token verification
 * against a provider's published keys (Apple, OpenID Connect without a
 * user-info endpoint).
 */
// NOTE: jose's key-set and verification modules load with the first ID token, not at start-up.
import type { createRemoteJWKSet, JWTPayload } from 'jose';
import { lazyModule } from '../../../tools/lazy-module.js';

const jose = lazyModule(() => import('jose'));

/** How long one provider call may take before the sign-in fails. */
export const PROVIDER_TIMEOUT_MS = 30_000;

/**
 * GETs `url` with a Bearer access token and returns its parsed JSON; throws on a
 * non-2xx answer. With a `body` it POSTs that body as JSON instead (GraphQL APIs).
 */
export async function fetchProviderJSON(url: string, accessToken: string, headers: Record<string, string> = {}, body?: unknown): Promise<unknown> {
  const json = body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) };
  const res = await fetch(url, {
    ...json,
    headers: {
      Accept: 'application/json', 'User-Agent': 'plinth', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers, Authorization: `Bearer ${accessToken}`,
    },
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`user info request failed with status ${res.status}`);
  }
  return res.json();
}

/** Options of an ID-token check. */
export interface IdTokenCheck {
  jwksURL: string;
  audience: string;
  /** Accepted `iss` values; empty accepts any issuer. */
  issuers: readonly string[];
}

// Key sets are cached per URL, as jose refetches a set only on an unknown `kid`.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Verifies an ID token's signature, audience, expiry and (when given) issuer.
 * SECURITY: the claims of an unverified ID token are never trusted.
 */
export async function verifyIdToken(idToken: string, check: IdTokenCheck): Promise<JWTPayload> {
  const { createRemoteJWKSet, jwtVerify } = await jose();
  let keys = keySets.get(check.jwksURL);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(check.jwksURL), { timeoutDuration: PROVIDER_TIMEOUT_MS });
    if (keySets.size > 100) keySets.clear();
    keySets.set(check.jwksURL, keys);
  }
  const { payload } = await jwtVerify(idToken, keys, {
    audience: check.audience,
    ...(check.issuers.length > 0 ? { issuer: [...check.issuers] } : {}),
  });
  return payload;
}

/** The value as a string: strings as they are, finite numbers in decimal, anything else "". */
export function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

/** The value when it is a plain JSON object, else an empty one. */
export function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Whether a provider's `email_verified` claim says yes (some send the string "true"). */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
