/**
 * Serves the built dashboard (dist/dashboard) at `/_/` (docs/dashboard.md, "Serving").
 *
 * The files are listed once, when the routes are registered: the bundle does not change
 * while the server runs, and a request path is only ever looked up in that list, never
 * joined onto a directory, so no request can name a file outside the bundle.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { skipSuccessLog } from './request-log.js';

/** Where the dashboard is served. */
export const DASHBOARD_PREFIX = '/_/';

/**
 * The dashboard's Content-Security-Policy: scripts, styles and requests from this origin
 * only, no inline script, no framing.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'self'",
  "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** Vite names every file under assets/ by its content hash: it may be cached for good. */
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files, so the browser asks again each time. */
const REVALIDATE_CACHE = 'no-cache';
/** The folder of the hashed files, relative to the bundle. */
const HASHED_FOLDER = 'assets/';
/** More files than a dashboard bundle has; a folder past it is not a dashboard build. */
const MAX_FILES = 5000;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** One file of the bundle. */
interface BundleFile {
  path: string;
  size: number;
  type: string;
  etag: string;
  cacheControl: string;
}

/**
 * Registers `GET /_` (a redirect to `/_/`) and `GET /_/*`: a file of the bundle, or
 * index.html for any other path (the dashboard routes in the URL's hash, so every page
 * starts from index.html) — except under assets/, where a missing file is a 404.
 */
export function registerDashboardRoutes(app: FastifyInstance, options: { dir: string }): void {
  const files = listBundle(options.dir);
  const index = files.get('index.html');
  if (!index) throw new Error(`${options.dir} holds no index.html: build the dashboard with npm run build`);

  app.get('/_', (request, reply) => {
    const query = request.url.indexOf('?');
    return reply.redirect(query >= 0 ? `${DASHBOARD_PREFIX}${request.url.slice(query)}` : DASHBOARD_PREFIX, 301);
  });
  app.get(`${DASHBOARD_PREFIX}*`, (request, reply) => {
    // The dashboard's own files would bury the API's requests in the logs: logged only when they fail.
    skipSuccessLog(request);
    const name = (request.params as { '*': string })['*'];
    const file = files.get(name === '' ? 'index.html' : name);
    if (file) return sendFile(request, reply, file);
    if (name.startsWith(HASHED_FOLDER)) return reply.callNotFound();
    return sendFile(request, reply, index);
  });
}

/** Sends one bundle file with its type, cache policy and the dashboard's security headers; 304 when the ETag matches. */
function sendFile(request: FastifyRequest, reply: FastifyReply, file: BundleFile): FastifyReply {
  reply.raw.setHeader('X-Frame-Options', 'DENY');
  reply.header('Content-Security-Policy', DASHBOARD_CSP);
  reply.header('Referrer-Policy', 'same-origin');
  reply.header('Cache-Control', file.cacheControl);
  reply.header('ETag', file.etag);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  reply.header('Content-Type', file.type);
  reply.header('Content-Length', String(file.size));
  // NOTE: HEAD is Fastify's automatic HEAD route, which sends these headers and drops the body.
  return reply.send(createReadStream(file.path));
}

/** Every regular file under `dir`, keyed by its path relative to it with `/` separators. */
function listBundle(dir: string): Map<string, BundleFile> {
  const files = new Map<string, BundleFile>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    if (files.size >= MAX_FILES) throw new Error(`${dir} holds more than ${MAX_FILES} files: it is not a dashboard build`);
    const path = join(entry.parentPath, entry.name);
    const name = relative(dir, path).split(sep).join('/');
    const stat = statSync(path);
    files.set(name, {
      path,
      size: stat.size,
      type: CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      etag: `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
      cacheControl: name.startsWith(HASHED_FOLDER) ? IMMUTABLE_CACHE : REVALIDATE_CACHE,
    });
  }
  return files;
}
