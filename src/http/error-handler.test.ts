import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, badRequest, forbidden, internal } from '../errors/app-error.js';
import { toAppError } from './error-handler.js';
import { fastifyOptions, registerHttpConventions } from './http-conventions.js';
import { codeError } from '../errors/code-error.js';

const logLines: string[] = [];
let app: FastifyInstance;

function withStatus(message: string, statusCode: number, code?: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}

beforeAll(async () => {
  app = Fastify(fastifyOptions({ logger: { level: 'error', stream: { write: (line: string) => logLines.push(line) } } }));
  await registerHttpConventions(app, { origins: ['*'], bodyLimit: 1024 });
  app.get('/app-error', async () => {
    throw badRequest('Failed to create record.', { title: codeError('validation_required') });
  });
  app.get('/forbidden', async () => {
    throw forbidden();
  });
  app.get('/internal', async () => {
    throw internal(new Error('database exploded at /var/lib/secret.db'));
  });
  app.get('/plain', async () => {
    throw new Error('secret connection string postgres://u:p@h');
  });
  app.get('/type-error', async () => {
    return (undefined as unknown as { x: () => void }).x();
  });
  app.get('/lib-429', async () => {
    throw withStatus('raw library text', 429);
  });
  app.get('/lib-418', async () => {
    throw withStatus('raw teapot text', 418);
  });
  app.get('/lib-503', async () => {
    throw withStatus('raw upstream text', 503);
  });
  app.get('/db-down', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432 secret'), { code: 'ECONNREFUSED' });
  });
  app.get('/db-lost', async () => {
    throw new Error('Connection terminated unexpectedly');
  });
  app.post(
    '/validated',
    {
      schema: {
        body: {
          type: 'object',
          required: ['title'],
          properties: { title: { type: 'string' }, n: { type: 'integer' } },
        },
      },
    },
    async (request) => request.body,
  );
  app.get('/known', async () => ({ ok: true }));
  app.get('/records/:id', async () => ({ ok: true }));
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

describe('error responses', () => {
  const generic = { status: 500, message: 'Something went wrong while processing your request.', data: {} };
  const notFoundBody = { status: 404, message: "The requested resource wasn't found.", data: {} };

  it.each<[string, string, string, number, unknown]>([
    ['thrown AppError with data', 'GET', '/app-error', 400, {
      status: 400, message: 'Failed to create record.', data: { title: codeError('validation_required') },
    }],
    ['thrown 403 AppError', 'GET', '/forbidden', 403, { status: 403, message: 'You are not allowed to perform this request.', data: {} }],
    ['internal AppError', 'GET', '/internal', 500, generic],
    ['plain Error', 'GET', '/plain', 500, generic],
    ['TypeError', 'GET', '/type-error', 500, generic],
    ['library 429', 'GET', '/lib-429', 429, { status: 429, message: 'Too Many Requests.', data: {} }],
    ['library 4xx without a default message', 'GET', '/lib-418', 418, { status: 418, message: 'Something went wrong while processing your request.', data: {} }],
    ['library 5xx', 'GET', '/lib-503', 500, generic],
    ['a backing service refusing connections', 'GET', '/db-down', 503, { status: 503, message: 'Service temporarily unavailable.', data: {} }],
    ['a database connection lost mid-query', 'GET', '/db-lost', 503, { status: 503, message: 'Service temporarily unavailable.', data: {} }],
    ['unknown path', 'GET', '/nope', 404, notFoundBody],
    ['unknown /api path', 'GET', '/api/unknown/thing', 404, notFoundBody],
    ['wrong method on a known path', 'DELETE', '/known', 404, notFoundBody],
    ['POST on a GET route', 'POST', '/known', 404, notFoundBody],
    ['trailing slash', 'GET', '/known/', 404, notFoundBody],
    ['trailing slash after a param', 'GET', '/records/abc/', 404, notFoundBody],
    ['double slash', 'GET', '//known', 404, notFoundBody],
  ])('%s', async (_name, method, url, status, body) => {
    const res = await app.inject({ method: method as 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body.endsWith('\n')).toBe(true);
    expect(res.json()).toEqual(body);
    expect(res.body).not.toMatch(/secret|raw |exploded|stack|at .*\.ts/);
  });

  it.each([
    ['text/plain', 'x'],
    ['application/json', '{bad'],
    ['application/x-www-form-urlencoded', '__proto__=1'],
  ])('a 404 with a %s body is still a JSON 404', async (type, payload) => {
    const res = await app.inject({ method: 'POST', url: '/nope', headers: { 'content-type': type }, payload });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual(notFoundBody);
  });

  it('HEAD on an unknown path is a 404 without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('');
  });

  it('turns a schema validation failure into a 400 with field data', async () => {
    const res = await app.inject({ method: 'POST', url: '/validated', payload: { n: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      status: 400,
      message: 'Something went wrong while processing your request.',
      data: { title: codeError('validation_required') },
    });
    const wrongType = await app.inject({ method: 'POST', url: '/validated', payload: { title: 'x', n: 'abc' } });
    expect(wrongType.json().data).toEqual({ n: codeError('validation_invalid_value') });
  });

  it('logs an unknown error with the request id and never sends it', async () => {
    logLines.length = 0;
    const res = await app.inject({ method: 'GET', url: '/plain' });
    expect(res.statusCode).toBe(500);
    const logged = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const entry = logged.find((line) => line.level === 50);
    expect(entry).toBeDefined();
    expect(typeof entry?.reqId).toBe('string');
    expect(JSON.stringify(entry)).toContain('secret connection string');
  });

  it('logs the private cause of an internal AppError', async () => {
    logLines.length = 0;
    await app.inject({ method: 'GET', url: '/internal' });
    expect(logLines.join('')).toContain('database exploded');
  });
});

describe('toAppError', () => {
  it.each<[string, unknown, number, string]>([
    ['body too large', withStatus('x', 413, 'FST_ERR_CTP_BODY_TOO_LARGE'), 413, 'Request entity too large.'],
    ['invalid media type', withStatus('x', 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'), 400, 'Unsupported Content-Type.'],
    ['invalid JSON', withStatus('x', 400, 'FST_ERR_CTP_INVALID_JSON_BODY'), 400, 'Failed to load the submitted data due to invalid formatting.'],
    ['empty JSON', withStatus('x', 400, 'FST_ERR_CTP_EMPTY_JSON_BODY'), 400, 'Failed to load the submitted data due to invalid formatting.'],
    ['SyntaxError with 400', Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }), 400, 'Failed to load the submitted data due to invalid formatting.'],
    ['multipart file too large', withStatus('request file too large', 413, 'FST_REQ_FILE_TOO_LARGE'), 413, 'Request entity too large.'],
    ['multipart parts limit', withStatus('reach parts limit', 413, 'FST_PARTS_LIMIT'), 413, 'Request entity too large.'],
    ['other Fastify 400', withStatus('raw', 400, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'), 400, 'Something went wrong while processing your request.'],
    ['a string', 'boom', 500, 'Something went wrong while processing your request.'],
    ['null', null, 500, 'Something went wrong while processing your request.'],
  ])('%s', (_name, error, status, message) => {
    const appError = toAppError(error);
    expect(appError).toBeInstanceOf(AppError);
    expect(appError.status).toBe(status);
    expect(appError.message).toBe(message);
    expect(appError.data).toEqual({});
  });
});
