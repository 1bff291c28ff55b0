/**
 * The built-in limits of the auth endpoints, always on whatever the settings say: per
 * client IP and per identity, progressive slow-down of failing sign-ins, and a cap on
 * the attempts of one MFA session. The numbers are in AUTH_LIMITS (documented in README).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AttemptLimit } from '../core/ratelimit/store-attempt-limiter.js';
import { FailureBackoff, SIGN_IN_BACKOFF, type BackoffPolicy } from '../core/ratelimit/failure-backoff.js';
import { peekClaims } from '../core/auth/auth-token.js';
import { ipCounterKey } from '../tools/ip-list.js';
import { clientIp } from './client-ip.js';
import { collectionRoute, type RateLimitAction } from './rate-limit-labels.js';
import { cachedIpList, type EnforceRateLimit, type RateLimitDeps } from './rate-limit.js';
import { routeOptionsOf } from './route-options.js';

/** The groups of auth endpoints that share limits. */
export type AuthLimitGroup = 'signIn' | 'mail' | 'confirm' | 'refresh' | 'methods' | 'impersonate';

/** The limits of one group: per client IP (all attempts) and per identity. */
export interface AuthGroupLimits {
  ip: AttemptLimit;
  identity?: AttemptLimit;
}

/** The built-in auth limits. */
export interface AuthLimits {
  groups: Record<AuthLimitGroup, AuthGroupLimits>;
  /** The slow-down of sign-in attempts per identity (password identity, OTP id). */
  signInBackoff: BackoffPolicy;
  /** Attempts with one `mfaId` (docs/api.md §5.4). */
  mfaAttempts: AttemptLimit;
}

/**
 * The default built-in limits.
 * - signIn (auth-with-password, -otp, -oauth2): 60 per minute per IP, plus the back-off per identity.
 * - mail (request-otp, -password-reset, -verification, -email-change): 30 per 10 min per IP,
 *   15 per hour per address (request-otp must still reach its cap of 9 live codes).
 * - confirm (confirm-*): 30 per 10 min per IP, 10 per 10 min per record the token names.
 * - refresh: 300 per minute per IP, 60 per minute per record (SDK auto-refresh stays far below).
 * - methods (auth-methods) and impersonate: 300 and 60 per minute per IP.
 */
export const DEFAULT_AUTH_LIMITS: AuthLimits = {
  groups: {
    signIn: { ip: { max: 60, windowSeconds: 60 } },
    mail: { ip: { max: 30, windowSeconds: 600 }, identity: { max: 15, windowSeconds: 3600 } },
    confirm: { ip: { max: 30, windowSeconds: 600 }, identity: { max: 10, windowSeconds: 600 } },
    refresh: { ip: { max: 300, windowSeconds: 60 }, identity: { max: 60, windowSeconds: 60 } },
    methods: { ip: { max: 300, windowSeconds: 60 } },
    impersonate: { ip: { max: 60, windowSeconds: 60 } },
  },
  signInBackoff: SIGN_IN_BACKOFF,
  mfaAttempts: { max: 10, windowSeconds: 600 },
};

const GROUP_OF: Partial<Record<RateLimitAction, AuthLimitGroup>> = {
  authWithPassword: 'signIn',
  authWithOTP: 'signIn',
  authWithOAuth2: 'signIn',
  requestOTP: 'mail',
  requestPasswordReset: 'mail',
  requestVerification: 'mail',
  requestEmailChange: 'mail',
  confirmPasswordReset: 'confirm',
  confirmVerification: 'confirm',
  confirmEmailChange: 'confirm',
  authRefresh: 'refresh',
  listAuthMethods: 'methods',
  impersonate: 'impersonate',
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The back-off key of a sign-in attempt, cleared when the attempt succeeds. */
    plinthBackoffKey: string | null;
  }
}

/**
 * Registers the built-in auth limits. Per-IP limits are counted as the request arrives
 * (before its body is read); per-identity limits once the body is parsed; a successful
 * sign-in clears its identity's back-off.
 *
 * SECURITY: identities are counted whether or not a record has them and answered with the
 * same 429, so limits reveal nothing about which accounts exist; they are hashed into keys
 * so the store never holds e-mail addresses. `excludedIPs` lifts the per-IP limits (a
 * server-side app signing users in from one address) but never the per-identity ones.
 */
export function registerAuthLimits(app: FastifyInstance, deps: RateLimitDeps, enforce: EnforceRateLimit, limits: AuthLimits = DEFAULT_AUTH_LIMITS): void {
  const excluded = cachedIpList(() => deps.settings().rateLimits.excludedIPs);
  const backoff = new FailureBackoff(deps.store, limits.signInBackoff, 'rl:auth:backoff');
  const target = (request: FastifyRequest) => {
    const route = collectionRoute(request.method, routeOptionsOf(request).url);
    const group = route ? GROUP_OF[route.actions[0]] : undefined;
    if (!route || !group) return null;
    const param = (request.params as Record<string, string | undefined>)[route.param] ?? '';
    const scope = deps.findCollection(param)?.id ?? param;
    return { action: route.actions[0], group, scope };
  };

  app.decorateRequest('plinthBackoffKey', null);

  // Callback hooks: the common case (not an auth route) costs no promise.
  app.addHook('onRequest', (request, _reply, done) => {
    const t = target(request);
    const ip = t ? clientIp(request) : '';
    if (!t || excluded().has(ip)) return done();
    const limit = limits.groups[t.group].ip;
    enforce(request, { key: `rl:auth:${t.group}:ip:${ipCounterKey(ip)}`, max: limit.max, windowMs: limit.windowSeconds * 1000, rule: `auth:${t.group}:ip` })
      .then(() => done(), done);
  });

  const limitIdentity = async (request: FastifyRequest, t: NonNullable<ReturnType<typeof target>>): Promise<void> => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const mfaId = stringOf(body.mfaId) ?? stringOf((request.query as Record<string, unknown> | undefined)?.mfaId);
    if (t.group === 'signIn' && mfaId) {
      const m = limits.mfaAttempts;
      await enforce(request, { key: `rl:auth:mfa:${digest(mfaId)}`, max: m.max, windowMs: m.windowSeconds * 1000, rule: 'auth:mfa' });
    }
    const identity = identityOf(t.action, body, request);
    if (identity === null) return;
    const key = `${t.scope}:${digest(identity)}`;
    if (t.group === 'signIn') {
      request.plinthBackoffKey = key;
      await backoff.attempt(key);
      return;
    }
    const limit = limits.groups[t.group].identity;
    if (limit) await enforce(request, { key: `rl:auth:${t.group}:id:${key}`, max: limit.max, windowMs: limit.windowSeconds * 1000, rule: `auth:${t.group}:id` });
  };
  app.addHook('preHandler', (request, _reply, done) => {
    const t = target(request);
    if (!t) return done();
    limitIdentity(request, t).then(() => done(), done);
  });

  // A 200, or the 401 MFA challenge (docs/api.md §5.4), means the credentials were right; a 400
  // is a failed sign-in. A 429 (the attempt never ran) changes nothing.
  app.addHook('onResponse', (request, reply, done) => {
    const key = request.plinthBackoffKey;
    const status = reply.statusCode;
    if (!key || (status !== 200 && status !== 401 && status !== 400)) return done();
    const settle = status === 400 ? backoff.failed(key) : backoff.succeeded(key);
    settle.then(() => done(), (err: Error) => {
      request.log.warn({ err }, 'could not update the sign-in back-off');
      done();
    });
  });
}

/**
 * The identity an auth request acts on, or null when it names none.
 * NOTE: registerAuthFormStrings (a preValidation hook) has made every body field read here
 * text or absent, so the key is made of the very value the handler reads.
 */
function identityOf(action: RateLimitAction, body: Record<string, unknown>, request: FastifyRequest): string | null {
  switch (action) {
    case 'authWithPassword':
      return normalizeIdentity(body.identity);
    case 'authWithOTP':
      return stringOf(body.otpId) ?? null;
    case 'requestOTP':
    case 'requestPasswordReset':
    case 'requestVerification':
      return normalizeIdentity(body.email);
    case 'requestEmailChange':
    case 'authRefresh':
      return request.auth ? String(request.auth.record.id) : null;
    case 'confirmPasswordReset':
    case 'confirmVerification':
    case 'confirmEmailChange': {
      // Unverified on purpose: the limit only needs a name for the record a token targets
      // (confirm-email-change takes a password, which must not be guessable by retrying).
      const token = stringOf(body.token);
      const claims = token ? peekClaims(token) : null;
      return claims ? `${claims.collectionId}/${claims.id}` : null;
    }
    default:
      return null;
  }
}

function normalizeIdentity(value: unknown): string | null {
  const text = stringOf(value);
  return text ? text.trim().toLowerCase() : null;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A short digest that names an identity in a store key without revealing it. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
