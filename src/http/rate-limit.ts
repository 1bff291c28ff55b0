/**
 * Rate limiting for the whole server (docs/api.md §1.9): the limiter every limit goes through
 * (@fastify/rate-limit over our RateLimitStore port, keys computed by us), and the
 * settings-driven rules of `settings.rateLimits`.
 */
import { noteRateLimitRule } from './request-logs.js';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimitStore } from '../core/ratelimit/rate-limit-store.js';
import type { Settings } from '../core/settings/settings.js';
import { tooManyRequests } from '../errors/app-error.js';
import { IpList, ipCounterKey } from '../tools/ip-list.js';
import { clientIp } from './client-ip.js';
import { collectionRoute, findRateLimitRule, rateLimitLabels } from './rate-limit-labels.js';
import { isSuperuser } from './request-auth.js';
import { routeOptionsOf } from './route-options.js';

/** One limit to check for a request: at most `max` hits per `windowMs` on `key`. */
export interface RateLimitCheck {
  key: string;
  max: number;
  windowMs: number;
  /** The rule or limit this check applies, as metrics label rejections (docs/observability.md §1). */
  rule?: string;
}

/** Counts one hit of a check and throws 429 with Retry-After once it is over its limit. */
export type EnforceRateLimit = (request: FastifyRequest, check: RateLimitCheck) => Promise<void>;

/** A collection as rate limits see it. */
export interface RateLimitCollection {
  id: string;
  name: string;
}

/** What the rate limits need from the rest of the node. */
export interface RateLimitDeps {
  store: RateLimitStore;
  settings: () => Settings;
  /** The collection a path names (id or name), if any. */
  findCollection: (idOrName: string) => RateLimitCollection | undefined;
}

/**
 * Registers @fastify/rate-limit with the store and returns the enforce function every
 * limit of this node goes through.
 *
 * NOTE: the plugin's own route hooks would run one limit per request (it marks a request
 * as limited after the first), while a request here may meet a settings rule, a per-IP
 * and a per-identity limit. So the plugin is registered with `global: false` and its
 * `createRateLimit` does the counting; the 429 is ours, in the error shape of docs/api.md §1.3.
 */
export async function createRateLimiter(app: FastifyInstance, store: RateLimitStore, onRejected?: (rule: string) => void): Promise<EnforceRateLimit> {
  await app.register(fastifyRateLimit, { global: false, store: storeBridge(store) });
  const checks = new WeakMap<FastifyRequest, RateLimitCheck>();
  const current = (request: FastifyRequest): RateLimitCheck => checks.get(request) as RateLimitCheck;
  const limiter = app.createRateLimit({
    keyGenerator: (request) => current(request).key,
    max: (request) => current(request).max,
    timeWindow: (request) => current(request).windowMs,
  });
  return async (request, check) => {
    checks.set(request, check);
    const result = await limiter(request);
    if (!result.isAllowed && result.isExceeded) {
      onRejected?.(check.rule ?? 'other');
      throw tooManyRequests(result.ttlInSeconds);
    }
  };
}

/** Adapts a RateLimitStore to the store class @fastify/rate-limit instantiates. */
function storeBridge(store: RateLimitStore) {
  return class RateLimitStoreBridge {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      store.hit(key, timeWindow).then((w) => callback(null, { current: w.count, ttl: w.resetMs }), (err: Error) => callback(err));
    }

    read(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void): void {
      store.peek(key).then((w) => callback(null, { current: w.count, ttl: w.resetMs }), (err: Error) => callback(err));
    }

    child(): RateLimitStoreBridge {
      return this;
    }
  };
}

/**
 * Applies `settings.rateLimits` (docs/api.md §1.9) to every request: off unless enabled; never
 * for superusers or `excludedIPs`; otherwise the most specific rule for the request's
 * labels and audience, counted per client IP.
 */
export function registerSettingsRateLimits(app: FastifyInstance, deps: RateLimitDeps, enforce: EnforceRateLimit): void {
  const excluded = cachedIpList(() => deps.settings().rateLimits.excludedIPs);
  const limitByRule = async (request: FastifyRequest, limits: Settings['rateLimits'], ip: string): Promise<void> => {
    const pattern = routeOptionsOf(request).url;
    const route = collectionRoute(request.method, pattern);
    const param = route ? (request.params as Record<string, string | undefined>)[route.param] : undefined;
    const collection = param === undefined ? undefined : deps.findCollection(param);
    const path = request.url.split('?', 1)[0];
    const labels = rateLimitLabels(request.method, path, collection?.name ?? null, route?.actions ?? []);
    const audiences = request.auth ? ['', '@auth'] : ['', '@guest'];
    const rule = findRateLimitRule(limits.rules, labels, audiences);
    if (!rule) return;

    // As PocketBase: a collection route counts per collection and route, anything else
    // per rule. The rule's numbers are in the key so that editing a rule starts afresh.
    const scope = route && collection ? `${collection.id} ${request.method} ${pattern}` : rule.label;
    const key = `rl:rule:${scope}|${rule.audience}|${rule.maxRequests}/${rule.duration}:${ipCounterKey(ip)}`;
    noteRateLimitRule(request, rule.label);
    await enforce(request, { key, max: rule.maxRequests, windowMs: rule.duration * 1000, rule: rule.label });
  };
  // A callback hook: with rate limits off (the default) a request costs no promise.
  app.addHook('onRequest', (request, _reply, done) => {
    const limits = deps.settings().rateLimits;
    if (!limits.enabled || limits.rules.length === 0 || isSuperuser(request)) return done();
    const ip = clientIp(request);
    if (excluded().has(ip)) return done();
    limitByRule(request, limits, ip).then(() => done(), done);
  });
}

/** An IpList rebuilt only when the settings array it comes from changes. */
export function cachedIpList(entries: () => readonly string[]): () => IpList {
  let source: readonly string[] | undefined;
  let list = new IpList([]);
  return () => {
    const next = entries();
    if (next !== source) {
      source = next;
      list = new IpList(next);
    }
    return list;
  };
}
