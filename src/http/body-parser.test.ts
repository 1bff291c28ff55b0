import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamicBodyLimit, formatFloat, inferValue, type UploadedFile } from './body-parser.js';
import { fastifyOptions, registerHttpConventions } from './http-conventions.js';

const LIMIT = 4096;

interface Part {
  /** Leave it out for a part without a name parameter. */
  name?: string;
  value?: string;
  filename?: string;
  type?: string;
  data?: Buffer;
}

/** Builds a multipart/form-data body by hand, so every header of every part is under test control. */
function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----plinth-test-boundary';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data`;
    if (part.name !== undefined) head += `; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.type) head += `Content-Type: ${part.type}\r\n`;
    chunks.push(Buffer.from(head + '\r\n'), part.data ?? Buffer.from(part.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

let app: FastifyInstance;
/** Errors that reached the error handler, by URL: a failed multipart read settles with one. */
const errorsByUrl = new Map<string, unknown>();

/** An upload's text, in memory (this server has no uploadDir) or in a file. */
function fileText(f: UploadedFile): string {
  return 'data' in f ? f.data.toString() : readFileSync(f.path, 'utf8');
}

beforeAll(async () => {
  app = Fastify(fastifyOptions({ bodyLimit: LIMIT }));
  await registerHttpConventions(app, { origins: ['*'], bodyLimit: LIMIT });
  const echo = async (request: { body: unknown; uploadedFiles: Record<string, UploadedFile[]> }) => ({
    body: request.body,
    files: Object.fromEntries(
      Object.entries(request.uploadedFiles).map(([k, v]) => [k, v.map((f) => ({ filename: f.filename, mimetype: f.mimetype, text: fileText(f) }))]),
    ),
  });
  app.post('/echo', echo);
  app.delete('/echo', echo);
  app.get('/echo', echo);
  app.post('/big', { bodyLimit: LIMIT * 4 }, echo);
  app.post('/huge', { bodyLimit: 1 << 20 }, echo);
  app.post('/dynamic', dynamicBodyLimit(() => LIMIT), echo);
  app.addHook('onError', (request, _reply, error, done) => {
    errorsByUrl.set(request.url, error);
    done();
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

describe('inferValue', () => {
  it.each<[string, unknown]>([
    ['', ''],
    ['true', true],
    ['false', false],
    ['True', 'True'],
    ['12', 12],
    ['-1.5', -1.5],
    ['0', 0],
    ['0.5', 0.5],
    ['012', '012'],
    ['1.0', '1.0'],
    ['1.', '1.'],
    ['.5', '.5'],
    ['-.5', '-.5'],
    ['+5', '+5'],
    ['1e3', '1e3'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['0x10', '0x10'],
    ['1-2', '1-2'],
    ['-', '-'],
    [' 1', ' 1'],
    ['0.0000001', 0.0000001],
    ['100000000000000000000000', 1e23],
    ['1234567890123456789', '1234567890123456789'],
    ['9007199254740993', '9007199254740993'],
    ['abc', 'abc'],
    ['{"a":1}', '{"a":1}'],
  ])('%j → %j', (raw, expected) => {
    expect(inferValue(raw)).toEqual(expected);
  });
});

describe('formatFloat', () => {
  it.each<[number, string]>([
    [0, '0'], [-0, '-0'], [12, '12'], [-1.5, '-1.5'], [1e21, '1000000000000000000000'], [1e-7, '0.0000001'],
    [123.456, '123.456'], [0.1 + 0.2, '0.30000000000000004'],
  ])('%d → %s', (value, expected) => {
    expect(formatFloat(value)).toBe(expected);
  });
});

describe('request bodies', () => {
  it.each<[string, Record<string, string>, string | undefined, number, unknown]>([
    ['JSON object', { 'content-type': 'application/json' }, '{"a":1,"b":[1,2]}', 200, { a: 1, b: [1, 2] }],
    ['JSON with charset', { 'content-type': 'application/json; charset=utf-8' }, '{"a":"é"}', 200, { a: 'é' }],
    ['empty JSON body', { 'content-type': 'application/json' }, '', 200, {}],
    ['no body, no content type', {}, undefined, 200, {}],
    ['empty body, other content type', { 'content-type': 'text/plain' }, '', 200, {}],
    ['urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1&a=true&b=&c=1.0&d=x%20y', 200, { a: [1, true], b: '', c: '1.0', d: 'x y' }],
    [
      'urlencoded @jsonPayload',
      { 'content-type': 'application/x-www-form-urlencoded' },
      `n=5&@jsonPayload=${encodeURIComponent('{"n":"5","o":{"x":1}}')}`,
      200,
      { n: '5', o: { x: 1 } },
    ],
  ])('%s', async (_name, headers, payload, status, body) => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    expect(res.statusCode).toBe(status);
    expect(res.json().body).toEqual(body);
  });

  it.each<[string, Record<string, string>, string]>([
    ['malformed JSON', { 'content-type': 'application/json' }, '{"a":'],
    ['JSON array', { 'content-type': 'application/json' }, '[1,2]'],
    ['JSON string', { 'content-type': 'application/json' }, '"x"'],
    ['JSON null', { 'content-type': 'application/json' }, 'null'],
    ['JSON with trailing data', { 'content-type': 'application/json' }, '{"a":1} x'],
    ['JSON prototype poisoning', { 'content-type': 'application/json' }, '{"__proto__":{"x":1}}'],
    ['urlencoded bad @jsonPayload', { 'content-type': 'application/x-www-form-urlencoded' }, '@jsonPayload=%7Bx'],
    ['urlencoded non-object @jsonPayload', { 'content-type': 'application/x-www-form-urlencoded' }, '@jsonPayload=%5B1%5D'],
    ['urlencoded __proto__', { 'content-type': 'application/x-www-form-urlencoded' }, '__proto__=1'],
  ])('%s → 400', async (_name, headers, payload) => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ status: 400, message: 'Failed to load the submitted data due to invalid formatting.', data: {} });
  });

  it.each<[string, Record<string, string>]>([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['application/xml', { 'content-type': 'application/xml' }],
    ['no content type', {}],
  ])('a non-empty %s body → 400 Unsupported Content-Type.', async (_name, headers) => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload: 'hello' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ status: 400, message: 'Unsupported Content-Type.', data: {} });
  });

  it.each(['GET', 'DELETE'] as const)('%s with Content-Type: application/json and no body (as the SDK sends) is fine', async (method) => {
    const res = await app.inject({ method, url: '/echo', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().body).toEqual({});
  });

  it.each<[string, Record<string, string>, string]>([
    ['JSON', { 'content-type': 'application/json' }, JSON.stringify({ a: 'x'.repeat(LIMIT) })],
    ['urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=' + 'x'.repeat(LIMIT)],
    ['unknown type', { 'content-type': 'text/plain' }, 'x'.repeat(LIMIT + 1)],
  ])('a %s body over the limit → 413', async (_name, headers, payload) => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ status: 413, message: 'Request entity too large.', data: {} });
  });

  it('a route bodyLimit overrides the default', async () => {
    const payload = JSON.stringify({ a: 'x'.repeat(LIMIT) });
    const res = await app.inject({ method: 'POST', url: '/big', headers: { 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(200);
  });
});

describe('multipart bodies', () => {
  it('infers values, groups repeated keys, merges @jsonPayload in order and collects files', async () => {
    const { payload, headers } = multipart([
      { name: 'title', value: 'hello' },
      { name: 'count', value: '12' },
      { name: 'ratio', value: '-1.5' },
      { name: 'code', value: '012' },
      { name: 'version', value: '1.0' },
      { name: 'on', value: 'true' },
      { name: 'off', value: 'false' },
      { name: 'empty', value: '' },
      { name: 'tags', value: 'a' },
      { name: 'tags', value: '2' },
      { name: '@jsonPayload', value: '{"meta":{"n":"12"},"count":"12","list":["x"]}' },
      { name: '@jsonPayload', value: '{"list":["y"],"flag":"true"}' },
      { name: 'avatar', filename: 'a.png', type: 'image/png', data: Buffer.from('PNGDATA') },
      { name: 'docs', filename: 'one.txt', type: 'text/plain', data: Buffer.from('one') },
      { name: 'docs', filename: 'two.txt', type: 'text/plain', data: Buffer.from('two') },
    ]);
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      body: {
        title: 'hello',
        count: '12',
        ratio: -1.5,
        code: '012',
        version: '1.0',
        on: true,
        off: false,
        empty: '',
        tags: ['a', 2],
        meta: { n: '12' },
        list: ['y'],
        flag: 'true',
      },
      files: {
        avatar: [{ filename: 'a.png', mimetype: 'image/png', text: 'PNGDATA' }],
        docs: [
          { filename: 'one.txt', mimetype: 'text/plain', text: 'one' },
          { filename: 'two.txt', mimetype: 'text/plain', text: 'two' },
        ],
      },
    });
  });

  it('treats a part without a filename as a plain value', async () => {
    const { payload, headers } = multipart([{ name: 'file', type: 'application/octet-stream', value: '' }]);
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ body: { file: '' }, files: {} });
  });

  it('parses a body built by FormData (as the SDK does)', async () => {
    const form = new FormData();
    form.append('name', 'x');
    form.append('@jsonPayload', JSON.stringify({ tags: ['a'] }));
    form.append('doc', new Blob(['content'], { type: 'text/plain' }), 'doc.txt');
    const response = new Response(form);
    const payload = Buffer.from(await response.arrayBuffer());
    const res = await app.inject({
      method: 'POST', url: '/echo', headers: { 'content-type': response.headers.get('content-type') ?? '' }, payload,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().body).toEqual({ name: 'x', tags: ['a'] });
    expect(res.json().files.doc[0]).toMatchObject({ filename: 'doc.txt', text: 'content' });
  });

  it('accepts an empty multipart body', async () => {
    const res = await app.inject({
      method: 'POST', url: '/echo', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ body: {}, files: {} });
  });

  it.each<[string, () => { payload: Buffer | string; headers: Record<string, string> }, number, string]>([
    ['a file over the limit', () => multipart([{ name: 'f', filename: 'f.bin', data: Buffer.alloc(LIMIT + 1) }]), 413, 'Request entity too large.'],
    ['a field over the limit', () => multipart([{ name: 'a', value: 'x'.repeat(LIMIT + 1) }]), 413, 'Request entity too large.'],
    [
      'fields and files adding up over the limit',
      () => multipart([
        { name: 'a', value: 'x'.repeat(LIMIT / 2) },
        { name: 'f', filename: 'f.bin', data: Buffer.alloc(LIMIT / 2) },
      ]),
      413,
      'Request entity too large.',
    ],
    ['a bad @jsonPayload', () => multipart([{ name: '@jsonPayload', value: '{nope' }]), 400, 'Failed to load the submitted data due to invalid formatting.'],
    ['an array @jsonPayload', () => multipart([{ name: '@jsonPayload', value: '[1]' }]), 400, 'Failed to load the submitted data due to invalid formatting.'],
    ['a __proto__ field', () => multipart([{ name: '__proto__', value: 'x' }]), 400, 'Failed to load the submitted data due to invalid formatting.'],
    [
      'a missing boundary',
      () => ({ payload: 'x', headers: { 'content-type': 'multipart/form-data' } }),
      400,
      'Failed to load the submitted data due to invalid formatting.',
    ],
    [
      'truncated multipart data',
      () => ({ payload: '------b\r\nContent-Disposition: form-data; name="a"\r\n\r\nabc', headers: { 'content-type': 'multipart/form-data; boundary=----b' } }),
      400,
      'Failed to load the submitted data due to invalid formatting.',
    ],
  ])('%s', async (_name, build, status, message) => {
    const { payload, headers } = build();
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ status, message, data: {} });
  });

  /** The same body with no Content-Length, so only the limits counted while reading can stop it. */
  const streamed = (body: { payload: Buffer | string; headers: Record<string, string> }) => ({
    payload: Readable.from([Buffer.from(body.payload)]),
    headers: body.headers,
  });

  it.each<[string, () => { payload: Buffer | string | Readable; headers: Record<string, string> }]>([
    ['a file over the limit, streamed', () => streamed(multipart([{ name: 'f', filename: 'f.bin', data: Buffer.alloc(LIMIT + 1) }]))],
    ['a field over the limit, streamed', () => streamed(multipart([{ name: 'a', value: 'x'.repeat(LIMIT + 1) }]))],
    ['a nameless field over the limit, streamed', () => streamed(multipart([{ value: 'x'.repeat(LIMIT + 1) }]))],
    [
      'fields and files adding up over the limit, streamed',
      () => streamed(multipart([
        { name: 'a', value: 'x'.repeat(LIMIT / 2) },
        { name: 'f', filename: 'f.bin', data: Buffer.alloc(LIMIT / 2) },
        { name: 'g', type: 'application/octet-stream', data: Buffer.alloc(16) },
      ])),
    ],
  ])('%s → 413', async (_name, build) => {
    const res = await app.inject({ method: 'POST', url: '/echo', ...build() });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ status: 413, message: 'Request entity too large.', data: {} });
  });

  it('a streamed body within the limit is read whole', async () => {
    const body = multipart([{ name: 'a', value: 'x'.repeat(LIMIT / 4) }, { name: 'f', filename: 'f.txt', data: Buffer.from('abc') }]);
    const res = await app.inject({ method: 'POST', url: '/echo', ...streamed(body) });
    expect(res.statusCode).toBe(200);
    expect(res.json().files.f[0].text).toBe('abc');
  });

  it('counts a streamed body against a per-request limit, whatever its multipart type', async () => {
    const body = multipart([{ name: 'a', value: 'x'.repeat(LIMIT) }]);
    for (const type of ['multipart/form-data', 'multipart/mixed']) {
      const headers = { 'content-type': body.headers['content-type'].replace('multipart/form-data', type) };
      const res = await app.inject({ method: 'POST', url: '/dynamic', payload: Readable.from([body.payload]), headers });
      expect(res.statusCode, type).toBe(413);
    }
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('a field or a file named %s → 400', async (name) => {
    for (const part of [{ name, value: 'x' }, { name, filename: 'a.txt', data: Buffer.from('x') }]) {
      const { payload, headers } = multipart([{ name: 'ok', value: '1' }, part]);
      const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ status: 400, message: 'Failed to load the submitted data due to invalid formatting.', data: {} });
    }
  });

  it('parses a part sent as application/json before inference, and merges such a @jsonPayload', async () => {
    const { payload, headers } = multipart([
      { name: 'meta', type: 'application/json', value: ' { "a" : 1 } ' },
      { name: 'n', type: 'application/json; charset=utf-8', value: ' 12 ' },
      { name: 'raw', value: ' { "a" : 1 } ' },
      { name: '@jsonPayload', type: 'application/json', value: '{"o":{"x":"1"}}' },
    ]);
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    expect(res.statusCode).toBe(200);
    expect(res.json().body).toEqual({ meta: '{"a":1}', n: 12, raw: ' { "a" : 1 } ', o: { x: '1' } });
  });

  it.each<[string, Part]>([
    ['invalid', { name: 'meta', type: 'application/json', value: '{x' }],
    ['empty', { name: 'meta', type: 'application/json', value: '' }],
    ['prototype-poisoning', { name: 'meta', type: 'application/json', value: '{"__proto__":{"x":1}}' }],
    ['truncated (over the field limit)', { name: 'meta', type: 'application/json', value: JSON.stringify({ a: 'x'.repeat(LIMIT) }) }],
  ])('an %s application/json part → 400', async (_name, part) => {
    const { payload, headers } = streamed(multipart([part]));
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ status: 400, message: 'Failed to load the submitted data due to invalid formatting.', data: {} });
  });

  it('accepts 1000 parts and answers 413 to 1001', async () => {
    const parts = (n: number) => multipart(Array.from({ length: n }, () => ({ name: 'a', value: '' })));
    const ok = await app.inject({ method: 'POST', url: '/huge', ...parts(1000) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().body.a).toHaveLength(1000);
    const over = await app.inject({ method: 'POST', url: '/huge', ...parts(1001) });
    expect(over.statusCode).toBe(413);
    expect(over.json()).toEqual({ status: 413, message: 'Request entity too large.', data: {} });
  });

  it('accepts a part name of 1024 bytes and answers 400 to a longer one', async () => {
    const ok = await app.inject({ method: 'POST', url: '/huge', ...multipart([{ name: 'é'.repeat(512), value: 'x' }]) });
    expect(ok.statusCode).toBe(200);
    for (const part of [{ name: 'é'.repeat(512) + 'a', value: 'x' }, { name: 'a'.repeat(1025), filename: 'a.txt', data: Buffer.from('x') }]) {
      const res = await app.inject({ method: 'POST', url: '/huge', ...multipart([part]) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ status: 400, message: 'Failed to load the submitted data due to invalid formatting.', data: {} });
    }
  });

  it('skips parts without a name, as Go\'s multipart reader does', async () => {
    const { payload, headers } = multipart([
      { value: 'x' },
      { name: '', value: 'y' },
      { filename: 'a.txt', data: Buffer.from('z') },
      { name: 'kept', value: 'k' },
    ]);
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ body: { kept: 'k' }, files: {} });
  });

  it('keeps the order of values sent as plain fields and as file parts without a filename', async () => {
    const { payload, headers } = multipart([
      { name: 'tags', value: 'a' },
      { name: 'tags', type: 'application/octet-stream', value: 'b' },
      { name: 'tags', value: 'c' },
    ]);
    const res = await app.inject({ method: 'POST', url: '/echo', headers, payload });
    expect(res.json().body).toEqual({ tags: ['a', 'b', 'c'] });
  });

  it('answers 400 to a body that ends inside a file part', async () => {
    const payload = '------b\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\nabc';
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'multipart/form-data; boundary=----b' }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ status: 400, message: 'Failed to load the submitted data due to invalid formatting.', data: {} });
  });

  it.each(['multipart/mixed', 'multipart/form-datax', 'text/plain'])('a multipart body sent as %s is never parsed as a form', async (type) => {
    const { payload, headers } = multipart([{ name: 'a', value: '1' }]);
    const res = await app.inject({
      method: 'POST', url: '/echo', headers: { 'content-type': headers['content-type'].replace('multipart/form-data', type) }, payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ status: 400, message: 'Unsupported Content-Type.', data: {} });
  });

  it('reads a Content-Type in any case', async () => {
    const { payload, headers } = multipart([{ name: 'a', value: '1' }]);
    const res = await app.inject({
      method: 'POST', url: '/echo', headers: { 'content-type': headers['content-type'].replace('multipart/form-data', 'Multipart/Form-Data') }, payload,
    });
    expect(res.json().body).toEqual({ a: 1 });
  });

  it('settles the request when the client hangs up mid-body, and keeps serving', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 }).then(() => app.server.address() as AddressInfo);
    const { payload, headers } = multipart([{ name: 'f', filename: 'f.bin', data: Buffer.alloc(LIMIT / 2) }]);
    const url = '/echo?abort=1';
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1', port: address.port, method: 'POST', path: url,
        headers: { ...headers, 'content-length': String(payload.length) },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      // Half the body, then the connection drops.
      req.write(payload.subarray(0, payload.length / 2), () => setTimeout(() => req.destroy(), 50));
    });
    // The read fails and its error reaches the error handler instead of hanging.
    await expect.poll(() => errorsByUrl.get(url), { timeout: 2000 }).toBeDefined();
    expect(errorsByUrl.get(url)).toMatchObject({ status: 400 });
    const res = await fetch(`http://127.0.0.1:${address.port}/echo`, { method: 'POST', body: new FormData() });
    expect(res.status).toBe(200);
  });
});
