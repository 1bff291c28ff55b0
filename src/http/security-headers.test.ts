import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notFound } from '../errors/app-error.js';
import { fastifyOptions, registerHttpConventions } from './http-conventions.js';
import { removeSecurityHeaders } from './security-headers.js';

async function buildApp(origins: string[]): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions({ bodyLimit: 64 }));
  await registerHttpConventions(app, { origins, bodyLimit: 64 });
  app.get('/ok', async () => ({ ok: true }));
  app.post('/ok', async () => ({ ok: true }));
  app.get('/missing', async () => {
    throw notFound();
  });
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  app.get('/download', async (_request, reply) => {
    removeSecurityHeaders(reply);
    return reply.type('text/plain').send('file');
  });
  app.get('/hijacked', (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.end('data: x\n\n');
  });
  await app.ready();
  return app;
}

const securityHeaders = {
  'x-xss-protection': '1; mode=block',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
};

describe('security headers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(['*']);
  });
  afterAll(async () => {
    await app.close();
  });

  it.each<[string, string, string, Record<string, string>, string | undefined, number]>([
    ['200', 'GET', '/ok', {}, undefined, 200],
    ['HEAD', 'HEAD', '/ok', {}, undefined, 200],
    ['thrown 404', 'GET', '/missing', {}, undefined, 404],
    ['unknown route', 'GET', '/nope', {}, undefined, 404],
    ['500', 'GET', '/boom', {}, undefined, 500],
    ['413', 'POST', '/ok', { 'content-type': 'application/json' }, JSON.stringify({ a: 'x'.repeat(100) }), 413],
    ['400 bad JSON', 'POST', '/ok', { 'content-type': 'application/json' }, '{', 400],
    ['400 unsupported type', 'POST', '/ok', { 'content-type': 'text/csv' }, 'a,b', 400],
    ['preflight', 'OPTIONS', '/ok', { origin: 'http://x', 'access-control-request-method': 'POST' }, undefined, 204],
    ['hijacked stream', 'GET', '/hijacked', {}, undefined, 200],
  ])('are on a %s response', async (_name, method, url, headers, payload, status) => {
    const res = await app.inject({ method: method as 'GET', url, headers, payload });
    expect(res.statusCode).toBe(status);
    expect(res.headers).toMatchObject(securityHeaders);
  });

  it('sends none of helmet\'s other headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/ok' });
    for (const name of ['content-security-policy', 'strict-transport-security', 'cross-origin-opener-policy', 'cross-origin-embedder-policy', 'cross-origin-resource-policy', 'origin-agent-cluster', 'referrer-policy']) {
      expect(res.headers[name]).toBeUndefined();
    }
  });

  it('can be removed for a file download', async () => {
    const res = await app.inject({ method: 'GET', url: '/download' });
    expect(res.statusCode).toBe(200);
    for (const name of Object.keys(securityHeaders)) expect(res.headers[name]).toBeUndefined();
  });
});

describe('CORS', () => {
  describe('with the default origin *', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      app = await buildApp(['*']);
    });
    afterAll(async () => {
      await app.close();
    });

    it('answers a preflight with 204, the methods and the echoed request headers', async () => {
      const res = await app.inject({
        method: 'OPTIONS',
        url: '/api/collections/posts/records',
        headers: { origin: 'http://app.test', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type,x-custom' },
      });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, PUT, PATCH, POST, DELETE');
      expect(res.headers['access-control-allow-headers']).toBe('authorization,content-type,x-custom');
    });

    it('answers a bare OPTIONS with 204 too', async () => {
      const res = await app.inject({ method: 'OPTIONS', url: '/ok' });
      expect(res.statusCode).toBe(204);
    });

    it('adds Access-Control-Allow-Origin to normal and error responses', async () => {
      for (const url of ['/ok', '/nope']) {
        const res = await app.inject({ method: 'GET', url, headers: { origin: 'http://app.test' } });
        expect(res.headers['access-control-allow-origin']).toBe('*');
      }
    });
  });

  describe('with a list of origins', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      app = await buildApp(['http://a.test', 'http://b.test']);
    });
    afterAll(async () => {
      await app.close();
    });

    it.each<[string, string | undefined]>([
      ['http://a.test', 'http://a.test'],
      ['http://b.test', 'http://b.test'],
      ['http://evil.test', undefined],
    ])('origin %s → allow-origin %s', async (origin, allowed) => {
      const res = await app.inject({ method: 'GET', url: '/ok', headers: { origin } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(allowed);
    });
  });
});
