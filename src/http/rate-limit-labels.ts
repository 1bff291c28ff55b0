/**
 * Which rate-limit labels a request matches (docs/api.md §1.9), and which rule applies: the
 * collection actions of a route (`posts:create`, `*:auth`), then `METHOD /path` and the
 * `/path` prefixes, most specific first, as PocketBase resolves them.
 */
import type { RateLimitRule } from '../core/settings/settings.js';

/** The collection actions rate-limit labels name (docs/api.md §1.9). */
export type RateLimitAction =
  | 'list' | 'view' | 'create' | 'update' | 'delete' | 'file'
  | 'auth' | 'authWithPassword' | 'authWithOAuth2' | 'authWithOTP' | 'authRefresh' | 'listAuthMethods'
  | 'requestOTP' | 'requestPasswordReset' | 'confirmPasswordReset' | 'requestVerification'
  | 'confirmVerification' | 'requestEmailChange' | 'confirmEmailChange' | 'impersonate';

/** A route that acts on one collection: the path parameter naming it and its actions, primary first. */
export interface CollectionRoute {
  /** The name of the route parameter that holds the collection id or name. */
  param: string;
  actions: RateLimitAction[];
}

/** Routes under `/api/collections/:collection/`, keyed by method and the rest of the pattern (`:` = any parameter). */
const COLLECTION_ROUTES: Readonly<Record<string, RateLimitAction[]>> = {
  'GET records': ['list'],
  'GET records/aggregate': ['list'],
  'GET records/:': ['view'],
  'POST records': ['create'],
  'PATCH records/:': ['update'],
  'DELETE records/:': ['delete'],
  'GET auth-methods': ['listAuthMethods'],
  'POST auth-refresh': ['authRefresh'],
  'POST auth-with-password': ['authWithPassword', 'auth'],
  'POST auth-with-oauth2': ['authWithOAuth2', 'auth'],
  'POST auth-with-otp': ['authWithOTP', 'auth'],
  'POST request-otp': ['requestOTP'],
  'POST request-password-reset': ['requestPasswordReset'],
  'POST confirm-password-reset': ['confirmPasswordReset'],
  'POST request-verification': ['requestVerification'],
  'POST confirm-verification': ['confirmVerification'],
  'POST request-email-change': ['requestEmailChange'],
  'POST confirm-email-change': ['confirmEmailChange'],
  'POST impersonate/:': ['impersonate'],
};

const cache = new Map<string, CollectionRoute | null>();

/**
 * The collection and actions of a route, from its method and URL pattern
 * (`/api/collections/:collection/records/:id`); null for other routes. HEAD counts as GET.
 */
export function collectionRoute(method: string, pattern: string | undefined): CollectionRoute | null {
  if (!pattern) return null;
  const verb = method === 'HEAD' ? 'GET' : method;
  const id = `${verb} ${pattern}`;
  let route = cache.get(id);
  if (route === undefined) {
    route = classify(verb, pattern);
    cache.set(id, route);
  }
  return route;
}

function classify(method: string, pattern: string): CollectionRoute | null {
  const segments = pattern.split('/');
  const isParam = (s: string | undefined) => s !== undefined && s.startsWith(':');
  if (segments[1] !== 'api') return null;
  if (segments[2] === 'files' && segments.length === 6 && segments.slice(3).every(isParam) && method === 'GET') {
    return { param: segments[3].slice(1), actions: ['file'] };
  }
  if (segments[2] !== 'collections' || !isParam(segments[3])) return null;
  const rest = segments.slice(4).map((s) => (isParam(s) ? ':' : s)).join('/');
  const actions = COLLECTION_ROUTES[`${method} ${rest}`];
  return actions ? { param: segments[3].slice(1), actions } : null;
}

/**
 * The labels a request matches, most specific first: `name:action` for each action,
 * `*:action` for each action, then `METHOD /path` and `/path` (docs/api.md §1.9).
 */
export function rateLimitLabels(method: string, path: string, collectionName: string | null, actions: readonly RateLimitAction[]): string[] {
  const labels: string[] = [];
  if (collectionName !== null) for (const action of actions) labels.push(`${collectionName}:${action}`);
  for (const action of actions) labels.push(`*:${action}`);
  labels.push(`${method} ${path}`, path);
  return labels;
}

/**
 * The rule for the first label that has one, among rules of the given audiences. A
 * label ending in `/` is a prefix: it matches a path that starts with it (`/api/`
 * matches `/api/health`). For one label an exact rule wins over prefixes and the longest
 * prefix wins over shorter ones (PocketBase takes the first in list order; its dashboard
 * sorts the list so that this comes to the same).
 */
export function findRateLimitRule(rules: readonly RateLimitRule[], labels: readonly string[], audiences: readonly string[]): RateLimitRule | undefined {
  const eligible = rules.filter((r) => audiences.includes(r.audience));
  const prefixes = eligible.filter((r) => r.label.endsWith('/'));
  for (const label of labels) {
    const exact = eligible.find((r) => r.label === label);
    if (exact) return exact;
    let prefix: RateLimitRule | undefined;
    for (const r of prefixes) {
      if (`${label}/`.startsWith(r.label) && (!prefix || r.label.length > prefix.label.length)) prefix = r;
    }
    if (prefix) return prefix;
  }
  return undefined;
}
