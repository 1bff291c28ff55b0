/**
 * The response headers every API answer carries (docs/api.md §1.1): three security headers
 * and CORS.
 */
import fastifyCors from '@fastify/cors';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The security headers of docs/api.md §1.1, exactly as PocketBase sends them. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-XSS-Protection': '1; mode=block',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
};

/** The methods CORS allows (docs/api.md §1.1). */
export const CORS_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'];

/**
 * Adds SECURITY_HEADERS to every response, errors and 404s included.
 *
 * NOTE: this is three static headers set by one hook rather than @fastify/helmet:
 * helmet 8 can only send `X-XSS-Protection: 0` (the spec wants `1; mode=block`), every
 * other helmet header (CSP, HSTS, COEP/COOP/CORP, Origin-Agent-Cluster, Referrer-Policy…)
 * would have to be switched off for the API, and @fastify/helmet builds its middleware
 * anew on each request through three hooks — a cost on every call for two headers.
 * SECURITY: the headers go on the raw response so they survive Fastify's error path and
 * hijacked replies (SSE); CSP/HSTS stay off because the API serves no HTML and HSTS
 * belongs to the TLS terminator in front of it.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const entries = Object.entries(SECURITY_HEADERS);
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of entries) reply.raw.setHeader(name, value);
    done();
  });
}

/** Removes SECURITY_HEADERS from one response (file downloads go without them, docs/api.md §1.1). */
export function removeSecurityHeaders(reply: FastifyReply): void {
  for (const name of Object.keys(SECURITY_HEADERS)) {
    reply.raw.removeHeader(name);
    reply.removeHeader(name);
  }
}

/** Options of registerCors. */
export interface CorsOptions {
  /** Allowed origins (`serve --origins`); `*` anywhere in the list allows every origin. */
  origins: string[];
}

/**
 * Registers CORS (docs/api.md §1.1): allowed origins from options, methods CORS_METHODS, the
 * preflight echoes Access-Control-Request-Headers and answers 204.
 */
export async function registerCors(app: FastifyInstance, options: CorsOptions): Promise<void> {
  const origins = options.origins.length === 0 || options.origins.includes('*') ? '*' : options.origins;
  await app.register(fastifyCors, {
    origin: origins,
    methods: CORS_METHODS,
    // allowedHeaders stays unset: @fastify/cors then echoes Access-Control-Request-Headers.
    optionsSuccessStatus: 204,
    // NOTE: strict mode answers a bare OPTIONS with a text/plain 400; PocketBase's CORS
    // middleware treats any OPTIONS as a preflight, so we do too.
    strictPreflight: false,
  });
}
