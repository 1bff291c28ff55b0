/**
 * The matched route's options, read once per request. Fastify's `request.routeOptions` is a
 * getter that builds a new object (and asks the router about version constraints) on every
 * read; the plumbing hooks read it five times per request, so the first read is kept.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

type RouteOptions = FastifyRequest['routeOptions'];

declare module 'fastify' {
  interface FastifyRequest {
    /** The first read of `routeOptions`; read it through routeOptionsOf(). */
    plinthRouteOptions: Readonly<RouteOptions> | null;
  }
}

/** Declares the request property the options are kept in, so every request keeps one shape. */
export function registerRouteOptions(app: FastifyInstance): void {
  app.decorateRequest('plinthRouteOptions', null);
}

/** The options of the route `request` matched (its `url` is undefined for a 404). */
export function routeOptionsOf(request: FastifyRequest): Readonly<RouteOptions> {
  return (request.plinthRouteOptions ??= request.routeOptions);
}
