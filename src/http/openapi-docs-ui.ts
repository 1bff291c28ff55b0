/**
 * `GET /api/docs` (docs/openapi.md, "Docs UI"): Swagger UI over `/api/openapi.json`,
 * served from the swagger-ui-dist package — no CDN — under a strict Content-Security-Policy:
 * every script and style is a file of this server, none inline.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The policy of the docs pages: own scripts, styles, images and requests only. */
export const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/docs-init.js"></script>
</body>
</html>
`;

/**
 * The page's start-up script. It fetches the document the viewer is entitled to and hands
 * it to Swagger UI (docs/openapi.md §4): with the token given in the Authorize dialog, else
 * with the dashboard's session (the pocketbase SDK's LocalAuthStore, key `pocketbase_auth`,
 * same origin), else as a guest; Authorize and Logout fetch it again. A token the server
 * refuses falls back to the guest document, and an expired session is not used at all. The dashboard's token is
 * also pre-authorized, so "Try it out" calls as the same viewer the document was written for.
 * NOTE: BaseLayout has no URL bar, queryConfigEnabled stays off and the document is passed
 * as `spec`, so the page never loads a document from an address given in its own URL.
 */
const INIT = `(function () {
  'use strict';
  var SESSION_KEY = 'pocketbase_auth';
  var SCHEME = 'authToken';
  var token = sessionToken();
  var quiet = false;

  function sessionToken() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(SESSION_KEY) || 'null');
      var value = saved && typeof saved.token === 'string' ? saved.token : '';
      return value && !expired(value) ? value : '';
    } catch (e) {
      return '';
    }
  }

  // As the SDK's isTokenExpired: a token whose payload has no future exp is not used.
  function expired(jwt) {
    var part = jwt.split('.')[1] || '';
    var payload = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
    return !(payload && typeof payload.exp === 'number' && payload.exp > Date.now() / 1000);
  }

  function fetchDocument(auth) {
    var headers = { Accept: 'application/json' };
    if (auth) headers.Authorization = auth;
    return fetch('/api/openapi.json', { headers: headers, credentials: 'omit', cache: 'no-store' }).then(function (res) {
      if (res.status === 401 && auth) {
        if (token === auth) token = '';
        return fetchDocument('');
      }
      if (!res.ok) throw new Error('GET /api/openapi.json answered ' + res.status);
      return res.json();
    });
  }

  function reload() {
    return fetchDocument(token).then(function (doc) {
      window.ui.specActions.updateSpec(JSON.stringify(doc));
    });
  }

  function authValue(payload) {
    var entry = payload && payload[SCHEME];
    if (!entry) return null;
    var value = typeof entry.get === 'function' ? entry.get('value') : entry.value;
    return typeof value === 'string' ? value.trim() : '';
  }

  function ReloadOnAuthorize() {
    return { statePlugins: { auth: { wrapActions: {
      authorize: function (original) {
        return function (payload) {
          var result = original(payload);
          var value = authValue(payload);
          if (value !== null && !quiet) { token = value; reload(); }
          return result;
        };
      },
      logout: function (original) {
        return function (names) {
          var result = original(names);
          var list = names && typeof names.toJS === 'function' ? names.toJS() : names;
          if (!list || list.indexOf(SCHEME) >= 0) { token = ''; reload(); }
          return result;
        };
      },
    } } } };
  }

  window.addEventListener('load', function () {
    fetchDocument(token).then(function (doc) {
      window.ui = SwaggerUIBundle({
        spec: doc,
        dom_id: '#swagger-ui',
        deepLinking: true,
        layout: 'BaseLayout',
        queryConfigEnabled: false,
        presets: [SwaggerUIBundle.presets.apis],
        plugins: [ReloadOnAuthorize],
      });
      var session = sessionToken();
      if (session && session === token) {
        quiet = true;
        try { window.ui.preauthorizeApiKey(SCHEME, session); } finally { quiet = false; }
      }
    });
  });
})();
`;

/** The files served from swagger-ui-dist, with their content types. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Where swagger-ui-dist is installed (its own helper; its main module would load the whole bundle). */
function assetDir(): string {
  const require = createRequire(import.meta.url);
  const absolutePath = require('swagger-ui-dist/absolute-path.js') as () => string;
  return absolutePath();
}

/** Registers the docs page and its assets. */
export function registerOpenApiDocsUi(app: FastifyInstance): void {
  const dir = assetDir();
  // Loaded on first request and kept: the bundle is about 1.5 MB, read once.
  const loaded = new Map<string, Promise<Buffer>>();
  const asset = (name: string) => {
    let bytes = loaded.get(name);
    if (!bytes) {
      bytes = readFile(join(dir, name));
      loaded.set(name, bytes);
      bytes.catch(() => loaded.delete(name));
    }
    return bytes;
  };
  const send = (reply: FastifyReply, type: string, body: string | Buffer, maxAge: number) =>
    reply.type(type).header('Content-Security-Policy', DOCS_CSP).header('Cache-Control', `public, max-age=${maxAge}`).send(body);

  app.get('/api/docs', async function docsPage(_request, reply) {
    return send(reply, 'text/html; charset=utf-8', PAGE, 0);
  });
  // The page's addresses are absolute, so the slash would change nothing but the address.
  app.get('/api/docs/', async function docsSlash(_request, reply) {
    return reply.redirect('/api/docs', 301);
  });
  app.get('/api/docs/docs-init.js', async function docsInit(_request, reply) {
    return send(reply, 'text/javascript; charset=utf-8', INIT, 3600);
  });
  for (const [name, type] of Object.entries(ASSETS)) {
    app.get(`/api/docs/${name}`, async function docsAsset(_request, reply) {
      return send(reply, type, await asset(name), 86400);
    });
  }
}
