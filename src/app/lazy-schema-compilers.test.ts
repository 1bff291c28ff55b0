import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';

describe('lazySchemaCompilers', () => {
  it('validates and serializes a route with schemas as fastify does by default', async () => {
    const app = Fastify({ schemaController: lazySchemaCompilers() });
    app.post('/echo', {
      schema: {
        body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
        headers: { type: 'object', required: ['x-token'], properties: { 'x-token': { type: 'string' } } },
        response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
      },
    }, async (req) => ({ ...(req.body as object), secret: 'dropped by the serializer' }));
    await app.ready();

    const ok = await app.inject({ method: 'POST', url: '/echo', headers: { 'x-token': 't' }, payload: { n: 2 } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ n: 2 });
    const badBody = await app.inject({ method: 'POST', url: '/echo', headers: { 'x-token': 't' }, payload: { n: 'two' } });
    expect(badBody.statusCode).toBe(400);
    const noHeader = await app.inject({ method: 'POST', url: '/echo', payload: { n: 2 } });
    expect(noHeader.statusCode).toBe(400);
    await app.close();
  });
});
