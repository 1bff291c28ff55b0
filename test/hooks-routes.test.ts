/**
 * Custom routes (docs/hooks.md §3) on a real server: path parameters, answers,
 * every `app.apis` middleware, `routerUse`, what built-in routes get (CORS,
 * security headers, rate limits, body parsing, the error shape), errors thrown by
 * app code (AppErrors keep their status, anything else is the generic 400 and rolls
 * back), `recordAuthResponse`, and collisions that fail the start.
 */
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientResponseError } from 'pocketbase';
import { createPlinth } from '../src/app/create-plinth.js';
import type { PlinthApp } from '../src/app/plinth-app.js';
import { RecordModel } from '../src/core/records/record-model.js';
import { ApiError, BadRequestError } from '../src/errors/api-errors.js';
import { createTestDatabase, testDialect } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { allRecords, createCollection, signIn, uniqueName } from './helpers/record-scenarios.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GENERIC = 'Something went wrong while processing your request.';

let s: TestServer;
let admin: string;
let user: { id: string; token: string };
let other: { id: string; token: string };
const notes = uniqueName('notes');
const logLines: string[] = [];

function routes(app: PlinthApp): void {
  app.routerUse(async (e) => {
    e.setHeader('X-Custom-Global', 'yes');
    await e.next();
  });
  app.routerAdd('GET', '/api/custom/hello/{name}', (e) => e.json(200, { hello: e.request.pathValue('name'), q: e.request.query.q ?? null }));
  app.routerAdd('GET', '/api/custom/files/{rest...}', (e) => e.string(200, `rest=${e.request.pathValue('rest')}`));
  app.routerAdd('POST', '/api/custom/echo', async (e) => {
    const body = await e.bindBody();
    return e.json(201, { body, method: e.request.method, auth: e.auth?.id ?? null, info: e.requestInfo().body });
  });
  app.routerAdd('GET', '/api/custom/nothing', () => undefined);
  app.routerAdd('GET', '/api/custom/html', (e) => e.html(200, '<p>hi</p>'));
  app.routerAdd('GET', '/api/custom/redirect', (e) => e.redirect(307, '/api/custom/html'));
  app.routerAdd('GET', '/api/custom/auth', (e) => e.json(200, { id: e.auth!.id }), app.apis.requireAuth());
  app.routerAdd('GET', '/api/custom/users-only', (e) => e.json(200, { ok: true }), app.apis.requireAuth('users'));
  app.routerAdd('GET', '/api/custom/superuser', (e) => e.json(200, { ok: e.hasSuperuserAuth() }), app.apis.requireSuperuserAuth());
  app.routerAdd('GET', '/api/custom/owner/{id}', (e) => e.json(200, { ok: true }), app.apis.requireSuperuserOrOwnerAuth('id'));
  app.routerAdd('GET', '/api/custom/guest', (e) => e.json(200, { ok: true }), app.apis.requireGuestOnly());
  app.routerAdd('POST', '/api/custom/small', async (e) => e.json(200, await e.bindBody()), app.apis.bodyLimit(64));
  app.routerAdd('GET', '/api/custom/gzip', (e) => e.json(200, { text: 'x'.repeat(2000) }), app.apis.gzip());
  app.routerAdd('GET', '/api/custom/quiet', (e) => e.json(200, { ok: true }), app.apis.skipSuccessActivityLog());
  app.routerAdd('GET', '/api/custom/quiet-fail', (e) => e.json(200, { ok: true }), app.apis.skipSuccessActivityLog(), app.apis.requireAuth());
  app.routerAdd('GET', '/api/custom/stop', () => e2e(), async (e) => {
    e.json(418, { stopped: true }); // no e.next(): the handler does not run
  });
  app.routerAdd('GET', '/api/custom/limited', (e) => e.json(200, { ok: true }));
  app.routerAdd('GET', '/api/custom/api-error', () => {
    throw new ApiError(409, 'Already paid.', { order: { code: 'paid', message: 'Paid.' } });
  });
  app.routerAdd('GET', '/api/custom/bad-request', () => {
    throw new BadRequestError('Price must be positive.');
  });
  app.routerAdd('GET', '/api/custom/throws', () => {
    throw new Error('secret internals');
  });
  app.routerAdd('GET', '/api/custom/middleware-throws', () => undefined, () => {
    throw new TypeError('middleware bug');
  });
  app.routerAdd('POST', '/api/custom/write-then-throw', async (e) => {
    const { title, fail } = await e.bindBody<{ title: string; fail: string }>();
    await app.runInTransaction(async (tx) => {
      const r = new RecordModel(tx.findCollectionByNameOrId(notes));
      r.set('title', title);
      await tx.save(r);
      if (fail === 'error') throw new Error('after the write');
      if (fail === 'api') throw new ApiError(422, 'Refused.');
    });
    return e.noContent();
  });
  app.routerAdd('POST', '/api/custom/login/{id}', async (e) => {
    const record = await app.findRecordById('users', e.request.pathValue('id'));
    await app.apis.recordAuthResponse(e, record, 'password', { custom: true });
  });
}

function e2e(): never {
  throw new Error('the route handler must not run');
}

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  s = await startTestServer({ logLevel: 'debug' }, { plugins: [routes], logger: { level: 'debug', stream: logStream } });
  admin = await s.adminToken();
  await createCollection(s, { name: notes, listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text', required: true }] });
  const mk = async (email: string) => {
    const r = await s.request('POST', '/api/collections/users/records', { token: admin, body: { email, password: 'user-password-1', passwordConfirm: 'user-password-1' } });
    expect(r.status, r.text).toBe(200);
    return { id: r.body.id as string, token: await signIn(s, 'users', email, 'user-password-1') };
  };
  user = await mk(`${uniqueName('u')}@example.com`);
  other = await mk(`${uniqueName('u')}@example.com`);
});

afterAll(async () => {
  await s?.close();
});

describe('custom routes', () => {
  it('answers with path parameters, a trailing {name...} and the query, through the SDK', async () => {
    const pb = s.client();
    expect(await pb.send('/api/custom/hello/ada', { query: { q: 'x' } })).toEqual({ hello: 'ada', q: 'x' });
    const r = await s.request('GET', '/api/custom/files/a/b/c.txt');
    expect(r.status).toBe(200);
    expect(r.text).toBe('rest=a/b/c.txt');
    expect(r.headers.get('x-custom-global')).toBe('yes');
  });

  it('parses JSON and multipart bodies as built-in routes do, with the auth of the request', async () => {
    const json = await s.request('POST', '/api/custom/echo', { body: { a: 1 }, token: user.token });
    expect(json.status).toBe(201);
    expect(json.body).toEqual({ body: { a: 1 }, method: 'POST', auth: user.id, info: { a: 1 } });
    const form = new FormData();
    form.set('title', 'hello');
    form.set('n', '5');
    const res = await fetch(`${s.url}/api/custom/echo`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { body: unknown }).body).toEqual({ title: 'hello', n: 5 });
  });

  it('answers 204 when the handler sets no answer, and html, redirects as set', async () => {
    const none = await s.request('GET', '/api/custom/nothing');
    expect(none.status).toBe(204);
    expect(none.text).toBe('');
    const html = await s.request('GET', '/api/custom/html');
    expect(html.headers.get('content-type')).toContain('text/html');
    const res = await fetch(`${s.url}/api/custom/redirect`, { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('/api/custom/html');
  });

  it('applies routerUse middlewares to custom routes only', async () => {
    const health = await s.request('GET', '/api/health');
    expect(health.headers.get('x-custom-global')).toBeNull();
  });

  it('stops at a middleware that answers without calling next', async () => {
    const r = await s.request('GET', '/api/custom/stop');
    expect(r.status).toBe(418);
    expect(r.body).toEqual({ stopped: true });
  });
});

describe('app.apis middlewares', () => {
  it('requireAuth: 401 for a guest, 403 outside the named collections', async () => {
    expect((await s.request('GET', '/api/custom/auth')).body).toEqual({ status: 401, message: 'The request requires valid record authorization token.', data: {} });
    expect((await s.request('GET', '/api/custom/auth', { token: user.token })).body).toEqual({ id: user.id });
    const wrong = await s.request('GET', '/api/custom/users-only', { token: admin });
    expect(wrong.body).toEqual({ status: 403, message: 'The authorized record is not allowed to perform this action.', data: {} });
    expect((await s.request('GET', '/api/custom/users-only', { token: user.token })).status).toBe(200);
  });

  it('requireSuperuserAuth: 401 for a guest, 403 for a user', async () => {
    expect((await s.request('GET', '/api/custom/superuser')).status).toBe(401);
    expect((await s.request('GET', '/api/custom/superuser', { token: user.token })).status).toBe(403);
    expect((await s.request('GET', '/api/custom/superuser', { token: admin })).body).toEqual({ ok: true });
  });

  it('requireSuperuserOrOwnerAuth: the owner named by the path, or a superuser', async () => {
    const guest = await s.request('GET', `/api/custom/owner/${user.id}`);
    expect(guest.body).toEqual({ status: 401, message: 'The request requires superuser or record authorization token.', data: {} });
    expect((await s.request('GET', `/api/custom/owner/${user.id}`, { token: user.token })).status).toBe(200);
    const notOwner = await s.request('GET', `/api/custom/owner/${user.id}`, { token: other.token });
    expect(notOwner.body).toEqual({ status: 403, message: 'You are not allowed to perform this request.', data: {} });
    expect((await s.request('GET', `/api/custom/owner/${user.id}`, { token: admin })).status).toBe(200);
  });

  it('requireGuestOnly: 400 for a signed-in request', async () => {
    expect((await s.request('GET', '/api/custom/guest')).status).toBe(200);
    const signed = await s.request('GET', '/api/custom/guest', { token: user.token });
    expect(signed.body).toEqual({ status: 400, message: 'The request can be accessed only by guests.', data: {} });
  });

  it('bodyLimit: 413 over the limit, before the handler', async () => {
    expect((await s.request('POST', '/api/custom/small', { body: { a: 'x' } })).status).toBe(200);
    const big = await s.request('POST', '/api/custom/small', { body: { a: 'x'.repeat(100) } });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ status: 413, message: 'Request entity too large.', data: {} });
    // Without a declared length the limit still holds: it is the route's own, applied while the body is read.
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(JSON.stringify({ a: 'x'.repeat(100) })));
        c.close();
      },
    });
    const chunked = await fetch(`${s.url}/api/custom/small`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('gzip: compresses for a client that accepts it', async () => {
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(`${s.url}/api/custom/gzip`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers.vary).toContain('Accept-Encoding');
    expect(JSON.parse(gunzipSync(raw.body).toString())).toEqual({ text: 'x'.repeat(2000) });
    expect(raw.body.length).toBeLessThan(2000);
    const plain = await new Promise<Record<string, unknown>>((resolve, reject) => {
      httpRequest(`${s.url}/api/custom/gzip`, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers));
      }).on('error', reject).end();
    });
    expect(plain['content-encoding']).toBeUndefined();
  });

  it('skipSuccessActivityLog: a success is left out of the request log, a failure is logged', async () => {
    const count = (path: string, msg: string) => logLines.filter((l) => l.includes(msg) && l.includes(path)).length;
    logLines.length = 0;
    await s.request('GET', '/api/custom/hello/x');
    await s.request('GET', '/api/custom/quiet');
    expect((await s.request('GET', '/api/custom/quiet-fail')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    const completed = logLines.filter((l) => l.includes('"request completed"'));
    expect(completed.length).toBe(2);
    expect(count('/api/custom/quiet"', 'request completed')).toBe(0);
    expect(count('/api/custom/quiet-fail"', 'request completed')).toBe(1);
  });

  it('recordAuthResponse: a token and the record, as the built-in sign-in answers', async () => {
    const r = await s.request('POST', `/api/custom/login/${user.id}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.record.id).toBe(user.id);
    expect(r.body.record.email).toContain('@example.com');
    expect(r.body.meta).toEqual({ custom: true });
    const refreshed = await s.request('POST', '/api/collections/users/auth-refresh', { token: r.body.token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.record.id).toBe(user.id);
  });
});

describe('what built-in routes get', () => {
  it('sends CORS and the security headers', async () => {
    const pre = await fetch(`${s.url}/api/custom/echo`, { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBeLessThan(300);
    expect(pre.headers.get('access-control-allow-origin')).toBeTruthy();
    const r = await s.request('GET', '/api/custom/hello/x', { headers: { Origin: 'https://app.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBeTruthy();
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('counts a settings rate-limit rule labelled `METHOD /path`, answering 429 in the error shape', async () => {
    const set = await s.request('PATCH', '/api/settings', {
      token: admin,
      body: { rateLimits: { enabled: true, excludedIPs: [], rules: [{ label: 'GET /api/custom/limited', audience: '', duration: 60, maxRequests: 1 }] } },
    });
    expect(set.status, set.text).toBe(200);
    try {
      expect((await s.request('GET', '/api/custom/limited')).status).toBe(200);
      const limited = await s.request('GET', '/api/custom/limited');
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ status: 429, message: 'Too Many Requests.', data: {} });
      expect((await s.request('GET', '/api/custom/hello/x')).status).toBe(200);
    } finally {
      await s.request('PATCH', '/api/settings', { token: admin, body: { rateLimits: { enabled: false, rules: [] } } });
    }
  });

  it('answers an unknown method or path under a custom prefix with the JSON 404', async () => {
    const r = await s.request('DELETE', '/api/custom/hello/x');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ status: 404, message: "The requested resource wasn't found.", data: {} });
  });
});

describe('errors thrown by app code', () => {
  it('answers an ApiError with its status, message and data', async () => {
    const r = await s.request('GET', '/api/custom/api-error');
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ status: 409, message: 'Already paid.', data: { order: { code: 'paid', message: 'Paid.' } } });
    const pb = s.client();
    const err = await pb.send('/api/custom/bad-request', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientResponseError);
    expect((err as ClientResponseError).status).toBe(400);
    expect((err as ClientResponseError).response.message).toBe('Price must be positive.');
  });

  it('answers anything else with the generic 400, no stack, and logs the stack', async () => {
    logLines.length = 0;
    for (const path of ['/api/custom/throws', '/api/custom/middleware-throws']) {
      const r = await s.request('GET', path);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ status: 400, message: GENERIC, data: {} });
      expect(r.text).not.toContain('secret');
      expect(r.text).not.toContain('at ');
    }
    const logged = logLines.filter((l) => l.includes('app code failed'));
    expect(logged.some((l) => l.includes('secret internals') && l.includes('"stack"'))).toBe(true);
    expect(logged.some((l) => l.includes('middleware bug'))).toBe(true);
  });

  it('rolls back what the transaction wrote when the handler throws, and keeps it when it does not', async () => {
    const before = (await allRecords(s, notes)).length;
    const failed = await s.request('POST', '/api/custom/write-then-throw', { body: { title: 'lost', fail: 'error' } });
    expect(failed.status).toBe(400);
    expect(failed.body.message).toBe(GENERIC);
    const refused = await s.request('POST', '/api/custom/write-then-throw', { body: { title: 'lost too', fail: 'api' } });
    expect(refused.status).toBe(422);
    expect((await allRecords(s, notes)).length).toBe(before);
    const ok = await s.request('POST', '/api/custom/write-then-throw', { body: { title: 'kept', fail: '' } });
    expect(ok.status).toBe(204);
    expect((await allRecords(s, notes)).map((r) => r.title)).toContain('kept');
  });
});

describe('route registration', () => {
  async function buildNode() {
    const dir = mkdtempSync(join(tmpdir(), 'plinth-routes-'));
    const database = testDialect() === 'postgres' ? await createTestDatabase() : undefined;
    const node = await createPlinth({
      http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'silent', bodyLimit: 32 << 20, queryTimeout: 30,
      ...(database ? { databaseUrl: database.url } : {}),
    }, { logger: false });
    return {
      node,
      async close() {
        await node.close();
        await database?.drop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  it('fails the start when a route collides with a built-in one, naming both', async () => {
    const { node, close } = await buildNode();
    try {
      node.routerAdd('GET', '/api/collections/{name}/records', (e) => e.json(200, {}));
      await expect(node.start()).rejects.toThrow('the custom route GET /api/collections/{name}/records collides with the built-in route GET /api/collections/:collection/records');
    } finally {
      await close();
    }
  });

  it('refuses a second custom route of the same method and pattern, bad paths, and routes after the start', async () => {
    const { node, close } = await buildNode();
    try {
      node.routerAdd('POST', '/api/shop/{id}', () => undefined);
      expect(() => node.routerAdd('post', '/api/shop/{other}', () => undefined)).toThrow('the route POST /api/shop/{other} collides with the custom route POST /api/shop/{id}');
      expect(() => node.routerAdd('GET', 'api/x', () => undefined)).toThrow('must start with "/"');
      expect(() => node.routerAdd('GET', '/api/{rest...}/x', () => undefined)).toThrow('must be the last segment');
      expect(() => node.routerAdd('GET', '/api/x{id}', () => undefined)).toThrow('whole segment');
      expect(() => node.routerAdd('FETCH', '/api/x', () => undefined)).toThrow('unsupported method');
      node.onServe(async (e) => {
        node.routerAdd('GET', '/api/added-on-serve', (ev) => ev.string(200, 'served'));
        await e.next();
      });
      const { url } = await node.start();
      expect(await (await fetch(`${url}/api/added-on-serve`)).text()).toBe('served');
      expect(() => node.routerAdd('GET', '/api/late', () => undefined)).toThrow('before the app starts');
    } finally {
      await close();
    }
  });
});
