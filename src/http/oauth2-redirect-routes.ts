/**
 * The browser end of the all-in-one OAuth2 flow (docs/api.md §5.5): the SDK subscribes
 * its realtime client to `@oauth2` and sends the user to the provider with
 * `state` = that client's id; the provider sends the browser back to
 * `GET|POST /api/oauth2-redirect`, which hands `{state, code, error?}` to the
 * client as an `@oauth2` event. The SDK then calls auth-with-oauth2 itself.
 *
 * NOTE: PocketBase redirects the browser to its admin UI's success/failure page,
 * `../_/#/auth/oauth2-redirect-success` (or `-failure`). Plinth does the same when the
 * node serves its dashboard (docs/dashboard.md, "Mailed links"); without one it
 * redirects to two static pages of its own, `/api/oauth2-redirect-success` and
 * `/api/oauth2-redirect-failure`. Either way 307 after GET, 303 after POST, as the spec
 * says: redirecting rather than answering in place keeps the spec's status codes and
 * means a reload never re-posts Apple's form.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppleRedirectNames } from '../core/auth/oauth2/apple-redirect-names.js';
import type { RealtimeHub } from '../core/realtime/realtime-hub.js';
import { escapeHtml } from '../core/mail/mail-template.js';
import { formatFloat } from './body-parser.js';
import { clientIp } from './client-ip.js';

/** The realtime topic the SDK waits on (docs/api.md §6.2). */
export const OAUTH2_TOPIC = '@oauth2';

/** What the redirect routes need. */
export interface OAuth2RedirectDeps {
  /** Sends the code to the waiting realtime client (RealtimeHub.sendToClient). */
  realtime: Pick<RealtimeHub, 'sendToClient'>;
  /** Keeps the name Apple sends only here for the sign-in that follows. */
  appleNames: Pick<AppleRedirectNames, 'remember'>;
  /** Whether the node serves the dashboard at /_/, whose pages then show the result. */
  dashboard?: boolean;
}

/** The redirect's fields: the query of a GET, the form (or JSON) body of a POST. */
interface RedirectData {
  state: string;
  code: string;
  error: string;
  /** Apple's `user` JSON, sent with form_post on a user's first sign-in. */
  user: string;
}

// Relative, like PocketBase's, so the pages are found behind a proxy that serves Plinth under a sub-path.
const STATIC_PAGES = { success: 'oauth2-redirect-success', failure: 'oauth2-redirect-failure' };
const DASHBOARD_PAGES = { success: '../_/#/auth/oauth2-redirect-success', failure: '../_/#/auth/oauth2-redirect-failure' };
/** Realtime client ids are 40 characters; the subscribe API caps them at 255 (docs/api.md §6.2). */
const MAX_STATE = 255;
/** Apple's form is a few hundred bytes; nothing larger is worth reading. */
const BODY_LIMIT = 64 * 1024;

/** Registers `/api/oauth2-redirect` and its two result pages. */
export function registerOAuth2RedirectRoutes(app: FastifyInstance, deps: OAuth2RedirectDeps): void {
  const pages = deps.dashboard ? DASHBOARD_PAGES : STATIC_PAGES;
  app.route({
    method: ['GET', 'POST'],
    url: '/api/oauth2-redirect',
    // A HEAD (a link prefetcher) must not hand the code over.
    exposeHeadRoute: false,
    bodyLimit: BODY_LIMIT,
    // The browser, not an SDK, reads this answer: an unreadable body is a failed sign-in, not JSON.
    errorHandler(error: Error & { statusCode?: number; status?: number }, request, reply) {
      const status = error.statusCode ?? error.status ?? 500;
      if (status !== 400 && status !== 413 && status !== 415) throw error;
      return redirect(request, reply, pages.failure);
    },
    handler: async function oauth2Redirect(request, reply) {
      const data = request.method === 'POST' ? readFields(request.body) : readFields(request.query);
      // SECURITY: without a plausible client id nothing is looked up, here or on other nodes.
      if (data.state === '' || data.state.length > MAX_STATE) return redirect(request, reply, pages.failure);
      if (data.user !== '' && data.error === '' && data.code !== '') {
        // The name is a nicety: a bus failure must not fail the sign-in.
        await deps.appleNames.remember(data.code, data.user).catch((err: unknown) => request.log.warn({ err }, 'could not share the Apple user name'));
      }
      const event: Record<string, string> = { state: data.state, code: data.code };
      if (data.error !== '') event.error = data.error;
      // SECURITY: the hub delivers only to the client that subscribed to @oauth2 from this
      // browser's IP, and only once, so a leaked state cannot be used to inject a code.
      const delivered = await deps.realtime.sendToClient(data.state, OAUTH2_TOPIC, event, clientIp(request));
      // An error or a missing code still reaches the SDK (its promise rejects), but the sign-in failed.
      const ok = delivered && data.error === '' && data.code !== '';
      return redirect(request, reply, ok ? pages.success : pages.failure);
    },
  });

  app.get('/api/oauth2-redirect-success', function oauth2Success(_request, reply) {
    return sendPage(reply, 'Sign-in complete', 'You can close this window and go back to the app.');
  });
  app.get('/api/oauth2-redirect-failure', function oauth2Failure(_request, reply) {
    return sendPage(reply, 'Sign-in failed', 'The sign-in could not be completed. You can close this window and go back to the app to try again.');
  });
}

/** 307 keeps a GET a GET; 303 turns Apple's POST into a GET of the page (docs/api.md §5.5). */
function redirect(request: FastifyRequest, reply: FastifyReply, location: string): FastifyReply {
  return reply.header('Cache-Control', 'no-store').redirect(location, request.method === 'GET' ? 307 : 303);
}

/** The redirect's fields from a query or a parsed body; a repeated key counts once, the first. */
function readFields(source: unknown): RedirectData {
  const input = (typeof source === 'object' && source !== null && !Array.isArray(source) ? source : {}) as Record<string, unknown>;
  return { state: text(input.state), code: text(input.code), error: text(input.error), user: text(input.user) };
}

/**
 * A field as the text that was sent. The form parser infers `true`, `false` and
 * numbers (docs/api.md §1.1); inference keeps only numbers that print back as sent, so
 * printing them again restores the text exactly.
 */
function text(value: unknown): string {
  if (Array.isArray(value)) return text(value[0]);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatFloat(value);
  if (typeof value === 'boolean') return String(value);
  return '';
}

/**
 * A small self-contained HTML page. SECURITY: it loads nothing, runs no script (the
 * CSP forbids both) and shows no request data, so it cannot be turned against the user.
 */
function sendPage(reply: FastifyReply, title: string, message: string): FastifyReply {
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.5}h1{font-size:1.4rem}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
</body>
</html>
`;
  return reply
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
    .header('Referrer-Policy', 'no-referrer')
    .header('Cache-Control', 'no-store')
    .send(html);
}
