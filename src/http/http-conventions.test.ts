import Fastify, { type FastifyInstance } from 'fastify';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badRequest } from '../errors/app-error.js';
import { fastifyOptions, registerHttpConventions } from './http-conventions.js';

const record = { id: 'r1', title: 'Hello', body: '<p>Some <b>long</b> text here</p>', expand: { author: { id: 'a1', name: 'Ann' } } };
const list = { page: 1, perPage: 30, totalItems: 2, totalPages: 1, items: [record, { ...record, id: 'r2' }] };

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify(fastifyOptions());
  await registerHttpConventions(app, { origins: ['*'], bodyLimit: 1024 });
  app.get('/record', async () => record);
  app.get('/list', async () => list);
  app.get('/auth', async () => ({ token: 't0k', record }));
  app.get('/raw', { config: { skipFieldsPicker: true } }, async () => record);
  app.get('/created', async (_request, reply) => reply.code(201).send(record));
  app.get('/bad', async () => {
    throw badRequest('Nope.');
  });
  app.get('/string-json', async (_request, reply) => reply.type('application/json').send('{"a":1}'));
  app.get('/text', async (_request, reply) => reply.type('text/plain').send('plain'));
  app.delete('/empty', async (_request, reply) => reply.code(204).send());
  app.get('/id', async (request) => ({ id: request.id }));
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

describe('fields picker on responses', () => {
  it.each<[string, string, unknown]>([
    ['/record', '', record],
    ['/record?fields=id,title', '', { id: 'r1', title: 'Hello' }],
    ['/record?fields=id,expand.author.name', '', { id: 'r1', expand: { author: { name: 'Ann' } } }],
    ['/record?fields=*,body:excerpt(9,true)', '', { ...record, body: 'Some long...' }],
    ['/record?fields=id&fields=title', 'repeated param: the first wins', { id: 'r1' }],
    ['/list?fields=id', '', { page: 1, perPage: 30, totalItems: 2, totalPages: 1, items: [{ id: 'r1' }, { id: 'r2' }] }],
    ['/auth?fields=token,record.id', '', { token: 't0k', record: { id: 'r1' } }],
    ['/auth?fields=record.id', 'omitting token drops it', { record: { id: 'r1' } }],
    ['/raw?fields=id', 'route opted out', record],
    ['/created?fields=id', 'any 2xx', { id: 'r1' }],
    ['/bad?fields=id', 'ignored on errors', { status: 400, message: 'Nope.', data: {} }],
    ['/nope?fields=id', 'ignored on 404', { status: 404, message: "The requested resource wasn't found.", data: {} }],
  ])('%s %s', async (url, _note, expected) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.json()).toEqual(expected);
  });

  it('answers a bad modifier with a 400 JSON error', async () => {
    const res = await app.inject({ method: 'GET', url: '/record?fields=title:excerpt(x)' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ status: 400, message: 'Something went wrong while processing your request.', data: {} });
  });
});

describe('JSON response format', () => {
  it.each(['/record', '/list', '/string-json', '/bad', '/nope'])('%s is application/json ending with a newline', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body.endsWith('\n')).toBe(true);
    expect(res.body.endsWith('\n\n')).toBe(false);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
  });

  it('leaves non-JSON bodies alone', async () => {
    const res = await app.inject({ method: 'GET', url: '/text' });
    expect(res.body).toBe('plain');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('sends 204 with an empty body', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/empty', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
  });

  it('answers HEAD on GET routes without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/record' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['content-type']).toBe('application/json');
  });
});

describe('fastifyOptions', () => {
  it('sets what the conventions need', () => {
    const options = fastifyOptions({ bodyLimit: 99 });
    expect(options).toMatchObject({
      bodyLimit: 99,
      exposeHeadRoutes: true,
      trustProxy: false,
      requestIdHeader: false,
      routerOptions: { ignoreTrailingSlash: false, maxParamLength: 500 },
    });
    expect(fastifyOptions().bodyLimit).toBe(32 * 1024 * 1024);
  });

  it('generates request ids and ignores a client-sent one', async () => {
    const first = (await app.inject({ method: 'GET', url: '/id', headers: { 'request-id': 'forged' } })).json().id;
    const second = (await app.inject({ method: 'GET', url: '/id' })).json().id;
    expect(first).not.toBe('forged');
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    expect(second).not.toBe(first);
  });

  it('serves path parameters longer than 100 characters', async () => {
    const local = Fastify(fastifyOptions());
    await registerHttpConventions(local, { origins: ['*'], bodyLimit: 1024 });
    local.get('/files/:name', async (request) => ({ name: (request.params as { name: string }).name }));
    const name = 'x'.repeat(200) + '.png';
    const res = await local.inject({ method: 'GET', url: `/files/${name}` });
    expect(res.json()).toEqual({ name });
    await local.close();
  });
});

describe('through the pocketbase SDK', () => {
  let server: FastifyInstance;
  let pb: PocketBase;

  beforeAll(async () => {
    server = Fastify(fastifyOptions());
    await registerHttpConventions(server, { origins: ['*'], bodyLimit: 1 << 20 });
    server.post('/api/echo', async (request) => ({
      body: request.body,
      files: Object.fromEntries(Object.entries(request.uploadedFiles).map(([k, v]) => [k, v.map((f) => ('data' in f ? f.data.toString() : ''))])),
    }));
    server.get('/api/list', async () => list);
    const address = await server.listen({ host: '127.0.0.1', port: 0 });
    pb = new PocketBase(address);
    pb.autoCancellation(false);
  });

  afterAll(async () => {
    await server.close();
  });

  it('sends a JSON body', async () => {
    const res = await pb.send('/api/echo', { method: 'POST', body: { a: 1, tags: ['x'] } });
    expect(res).toEqual({ body: { a: 1, tags: ['x'] }, files: {} });
  });

  it('sends files as multipart with @jsonPayload for objects', async () => {
    const res = await pb.send('/api/echo', {
      method: 'POST',
      body: { title: 'hi', count: 12, tags: ['a', 'b'], meta: { n: '1' }, doc: new Blob(['content']) },
    });
    expect(res).toEqual({ body: { title: 'hi', count: 12, tags: ['a', 'b'], meta: { n: '1' } }, files: { doc: ['content'] } });
  });

  it('reads picked list fields', async () => {
    const res = await pb.send('/api/list', { query: { fields: 'id' } });
    expect(res.items).toEqual([{ id: 'r1' }, { id: 'r2' }]);
  });

  it('surfaces the error body as ClientResponseError', async () => {
    const err = await pb.send('/api/unknown', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientResponseError);
    expect((err as ClientResponseError).status).toBe(404);
    expect((err as ClientResponseError).response).toEqual({ status: 404, message: "The requested resource wasn't found.", data: {} });
  });
});
