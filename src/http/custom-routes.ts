/**
 * The routes app code adds (docs/hooks.md §3): `routerAdd(method, path, handler,
 * ...middlewares)` and `routerUse(middleware)` collect them here; `register` puts
 * them on the Fastify server once, before it listens. They join the root instance
 * beside the built-in API, so CORS, security headers, auth, rate limits, body
 * parsing, request logs and the error shape apply to them alike.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { asUserCodeError } from '../errors/user-code-error.js';
import type { DocumentedRoute, Operation } from '../core/openapi/openapi-types.js';
import { Hook } from '../tools/hook.js';
import { RequestEvent } from './request-event.js';

/** A route handler: sets the answer on `e` (`e.json(…)`); none set answers 204. */
export type RouteHandler<A = unknown> = (e: RequestEvent<A>) => unknown;

/**
 * A middleware: a handler that calls `await e.next()` to go on to the rest of the
 * chain and the route; one that returns without calling it answers what it set (or 204).
 */
export interface Middleware<A = unknown> {
  (e: RequestEvent<A>): unknown;
  /** The request body limit the middleware sets for its routes (`apis.bodyLimit`), in bytes. */
  readonly bodyLimit?: number;
  /** The route's OpenAPI operation (`apis.openapi`); such a middleware is documentation only. */
  readonly openapi?: Operation;
}

/** The methods a custom route may answer. */
export const ROUTE_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** A route path translated to Fastify's syntax. */
export interface RoutePath {
  /** The Fastify pattern: `{name}` → `:name`, a trailing `{name...}` → `*`. */
  url: string;
  /** The name of the trailing wildcard parameter, if any. */
  wildcard?: string;
}

interface CustomRoute<A> {
  method: string;
  /** The path as app code wrote it (for messages). */
  path: string;
  target: RoutePath;
  handler: RouteHandler<A>;
  middlewares: Middleware<A>[];
}

/** The custom routes of one app, registered on its server when it starts. */
export class CustomRoutes<A> {
  private readonly routes: CustomRoute<A>[] = [];
  private readonly global: Middleware<A>[] = [];
  private registered = false;

  /** Adds a route; throws on a bad method or path, or a second route of the same method and pattern. */
  add(method: string, path: string, handler: RouteHandler<A>, middlewares: Middleware<A>[]): void {
    this.assertOpen();
    const verb = typeof method === 'string' ? method.toUpperCase() : '';
    if (!ROUTE_METHODS.includes(verb)) throw new Error(`routerAdd: unsupported method ${JSON.stringify(method)} (expected one of ${ROUTE_METHODS.join(', ')})`);
    if (typeof handler !== 'function') throw new TypeError(`routerAdd ${verb} ${path}: the handler must be a function`);
    for (const m of middlewares) if (typeof m !== 'function') throw new TypeError(`routerAdd ${verb} ${path}: every middleware must be a function`);
    const target = parseRoutePath(path);
    const clash = this.routes.find((r) => r.method === verb && samePattern(r.target.url, target.url));
    if (clash) throw new Error(`the route ${verb} ${path} collides with the custom route ${clash.method} ${clash.path}`);
    this.routes.push({ method: verb, path, target, handler, middlewares });
  }

  /** Adds a middleware run before the own middlewares of every custom route. */
  use(middleware: Middleware<A>): void {
    this.assertOpen();
    if (typeof middleware !== 'function') throw new TypeError('routerUse: the middleware must be a function');
    this.global.push(middleware);
  }

  /**
   * Registers every route on `http` (once, before it is ready); a route whose method and
   * pattern a built-in route already has fails with an error naming both.
   */
  register(http: FastifyInstance, app: A): void {
    this.assertOpen();
    this.registered = true;
    for (const route of this.routes) {
      const builtIn = builtInRoute(http, route.method, route.target.url);
      if (builtIn) throw new Error(`the custom route ${route.method} ${route.path} collides with the built-in route ${route.method} ${builtIn}`);
      http.route({
        method: route.method as HTTPMethods,
        url: route.target.url,
        ...bodyLimitOption([...this.global, ...route.middlewares]),
        handler: routeHandler(app, route, this.global),
      });
    }
  }

  /** The routes that declared an OpenAPI operation (the last `apis.openapi` of a route wins). */
  documented(): DocumentedRoute[] {
    const out: DocumentedRoute[] = [];
    for (const route of this.routes) {
      let operation: Operation | undefined;
      for (const m of route.middlewares) if (m.openapi !== undefined) operation = m.openapi;
      if (operation) out.push({ method: route.method, path: route.path, operation });
    }
    return out;
  }

  private assertOpen(): void {
    if (this.registered) throw new Error('routes and middlewares must be added before the app starts');
  }
}

/** The Fastify handler of one custom route: its middlewares as a chain around its handler. */
function routeHandler<A>(app: A, route: CustomRoute<A>, global: readonly Middleware<A>[]) {
  const chain = new Hook<RequestEvent<A>>();
  for (const m of [...global, ...route.middlewares]) if (m.openapi === undefined) chain.bind(m);
  const { handler } = route;
  const wildcard = route.target.wildcard;
  // The handler is app code: what it throws that is not an AppError answers the generic 400.
  const action = async (e: RequestEvent<A>): Promise<void> => {
    try {
      await handler(e);
    } catch (err) {
      throw asUserCodeError(err);
    }
  };
  return async function customRoute(request: FastifyRequest, reply: FastifyReply) {
    const e = new RequestEvent(app, request, 'default', { wildcard });
    await chain.trigger(e, [], action);
    return e.respond(reply);
  };
}

/** The route option of the last `bodyLimit` middleware among a route's (a later one overrides, as in PocketBase). */
function bodyLimitOption(middlewares: readonly { bodyLimit?: number }[]): { bodyLimit?: number } {
  let limit: number | undefined;
  for (const m of middlewares) if (m.bodyLimit !== undefined) limit = m.bodyLimit;
  if (limit === undefined) return {};
  return { bodyLimit: limit > 0 ? limit : Number.MAX_SAFE_INTEGER };
}

/**
 * Translates a route path of PocketBase's form to Fastify's: `/api/shop/{id}` →
 * `/api/shop/:id`, `/static/{path...}` → `/static/*`. A parameter fills a whole segment;
 * a `{name...}` one only the last. Throws an Error naming what is wrong.
 */
export function parseRoutePath(path: string): RoutePath {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new Error(`routerAdd: the path ${JSON.stringify(path)} must start with "/"`);
  const segments = path.split('/');
  const out: string[] = [];
  const names = new Set<string>();
  let wildcard: string | undefined;
  for (const [i, segment] of segments.entries()) {
    const bad = (why: string) => new Error(`routerAdd: invalid path ${JSON.stringify(path)}: ${why}`);
    if (segment.startsWith('{') && segment.endsWith('}')) {
      let name = segment.slice(1, -1);
      const rest = name.endsWith('...');
      if (rest) name = name.slice(0, -3);
      if (!isParamName(name)) throw bad(`${JSON.stringify(segment)} is not a parameter name (letters, digits, _)`);
      if (names.has(name)) throw bad(`the parameter {${name}} appears twice`);
      names.add(name);
      if (rest) {
        if (i !== segments.length - 1) throw bad(`{${name}...} must be the last segment`);
        wildcard = name;
        out.push('*');
      } else {
        out.push(`:${name}`);
      }
      continue;
    }
    if (segment.includes('{') || segment.includes('}')) throw bad('a parameter must fill a whole segment, as {name}');
    if (segment.includes('*')) throw bad('"*" is not allowed; use a trailing {name...} parameter');
    // Fastify reads ":" as a parameter; "::" is a literal colon.
    out.push(segment.split(':').join('::'));
  }
  return wildcard === undefined ? { url: out.join('/') } : { url: out.join('/'), wildcard };
}

function isParamName(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  for (const ch of name) {
    const ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch === '_';
    if (!ok) return false;
  }
  return true;
}

/** Whether two Fastify patterns route the same requests (parameter names aside). */
function samePattern(a: string, b: string): boolean {
  const shape = (url: string) => url.split('/').map((s) => (s.startsWith(':') ? ':' : s)).join('/');
  return shape(a) === shape(b);
}

/** The pattern of the built-in route that `url` collides with, written as registered, or undefined. */
function builtInRoute(http: FastifyInstance, method: string, url: string): string | undefined {
  if (!http.hasRoute({ method: method as HTTPMethods, url })) return undefined;
  // Looking the pattern up as a URL binds each of the built-in's parameters to ours (`collection: ':c'`).
  const found = http.findRoute({ method: method as HTTPMethods, url });
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(found?.params ?? {})) if (typeof value === 'string') names.set(value, name);
  return url.split('/').map((s) => (s.startsWith(':') && names.has(s) ? `:${names.get(s)}` : s)).join('/');
}
