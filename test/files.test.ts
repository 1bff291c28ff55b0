/**
 * Files through the pocketbase SDK and raw HTTP (docs/api.md §8.2, §8.3): upload and
 * `pb.files.getURL` with and without token, thumbs, protected files, the
 * response headers, ranges, conditional requests, view collections and 404s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PocketBase, { getTokenPayload } from 'pocketbase';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, uniqueName } from './helpers/record-scenarios.js';
import { form, imageSize, png, send, storedFiles } from './helpers/files.js';

let s: TestServer;
let admin: PocketBase;
let docs: any;
let image: Buffer;
let rec: any;

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.admin();
  image = await png(200, 100);
  docs = await createCollection(s, {
    name: uniqueName('docs'),
    listRule: '', viewRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'doc', type: 'file', maxSelect: 1, thumbs: ['50x50', '0x40', '40x0', '60x30f', '50x20t', '50x20b'] },
      { name: 'files', type: 'file', maxSelect: 5 },
    ],
  });
  rec = await admin.collection(docs.name).create({
    title: 'hello',
    doc: new File([image], 'My Photo.PNG', { type: 'image/png' }),
    files: [
      new File(['plain text body'], 'notes.txt'),
      new File(['<svg xmlns="http://www.w3.org/2000/svg"></svg>'], 'pic.svg'),
      new File(['body { color: red }'], 'style.css'),
    ],
  });
});
afterAll(async () => { await s?.close(); });

const fileOf = (r: any, prefix: string): string => r.files.find((n: string) => n.startsWith(prefix));

describe('upload and getURL through the SDK', () => {
  it('stores normalised names and serves the bytes back', async () => {
    expect(rec.doc).toMatch(/^my_photo_[a-z0-9]{10}\.PNG$/);
    expect(rec.files).toHaveLength(3);
    expect(fileOf(rec, 'notes_')).toMatch(/^notes_[a-z0-9]{10}\.txt$/);
    expect(storedFiles(s, `${docs.id}/${rec.id}`)).toEqual(
      [rec.doc, ...rec.files].map((n: string) => `${docs.id}/${rec.id}/${n}`).sort(),
    );
    const res = await fetch(s.client().files.getURL(rec, rec.doc));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(image)).toBe(true);
  });

  it('updates with a new file through the SDK', async () => {
    const other = await admin.collection(docs.name).create({ title: 'x' });
    const updated = await admin.collection(docs.name).update(other.id, { doc: new File([image], 'second.png') });
    expect(updated.doc).toMatch(/^second_[a-z0-9]{10}\.png$/);
    expect((await fetch(admin.files.getURL(updated, updated.doc))).status).toBe(200);
  });

  const thumbs: Array<[string, { width: number; height: number }]> = [
    ['100x100', { width: 100, height: 100 }],
    ['50x50', { width: 50, height: 50 }],
    ['0x40', { width: 80, height: 40 }],
    ['40x0', { width: 40, height: 20 }],
    ['60x30f', { width: 60, height: 30 }],
    ['50x20t', { width: 50, height: 20 }],
    ['50x20b', { width: 50, height: 20 }],
  ];
  it.each(thumbs)('makes the %s thumb once and keeps it', async (size, expected) => {
    const url = s.client().files.getURL(rec, rec.doc, { thumb: size });
    const res = await send(s, 'GET', url.slice(s.url.length));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe(`inline; filename=${size}_${rec.doc}`);
    expect(await imageSize(res.bytes)).toMatchObject({ ...expected, format: 'png' });
    const key = `${docs.id}/${rec.id}/thumbs_${rec.doc}/${size}_${rec.doc}`;
    expect(storedFiles(s, `${docs.id}/${rec.id}/thumbs_${rec.doc}`)).toContain(key);
    const again = await send(s, 'GET', url.slice(s.url.length));
    expect(again.bytes.equals(res.bytes)).toBe(true);
  });

  it('serves the original for a size the field does not list, and for non-images', async () => {
    const res = await send(s, 'GET', `/api/files/${docs.name}/${rec.id}/${rec.doc}?thumb=30x30`);
    expect(res.bytes.equals(image)).toBe(true);
    const txt = fileOf(rec, 'notes_');
    const text = await send(s, 'GET', `/api/files/${docs.name}/${rec.id}/${txt}?thumb=100x100`);
    expect(text.bytes.toString()).toBe('plain text body');
    expect(storedFiles(s, `${docs.id}/${rec.id}`).some((k) => k.includes('30x30') || k.includes(`thumbs_${txt}`))).toBe(false);
  });
});

describe('protected files and file tokens', () => {
  let secrets: any;
  let secret: any;
  let alice: PocketBase;
  let bob: PocketBase;

  beforeAll(async () => {
    const mk = async () => {
      const pb = s.client();
      const email = `${uniqueName('u')}@example.com`;
      await admin.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });
      await pb.collection('users').authWithPassword(email, 'password123');
      return pb;
    };
    alice = await mk();
    bob = await mk();
    secrets = await createCollection(s, {
      name: uniqueName('secrets'),
      viewRule: 'owner = @request.auth.id && @request.context = "protectedFile"',
      fields: [
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        { name: 'paper', type: 'file', protected: true },
        { name: 'open', type: 'file' },
      ],
    });
    secret = await admin.collection(secrets.name).create({
      owner: alice.authStore.record!.id,
      paper: new File(['top secret'], 'paper.txt'),
      open: new File(['public'], 'open.txt'),
    });
  });

  it('issues a file token of type file to any auth record', async () => {
    const token = await alice.files.getToken();
    const claims = getTokenPayload(token);
    expect(claims).toMatchObject({ id: alice.authStore.record!.id, type: 'file', collectionId: '_pb_users_auth_' });
    expect(claims.exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(180);
    expect(getTokenPayload(await admin.files.getToken())).toMatchObject({ type: 'file', collectionId: 'pbc_3142635823' });
    const guest = await send(s, 'POST', '/api/files/token');
    expect(guest.status).toBe(401);
    expect(guest.body).toMatchObject({ status: 401, data: {} });
  });

  it('answers 404 unless the token\'s record passes the viewRule', async () => {
    const url = (pb: PocketBase, token?: string) => pb.files.getURL(secret, secret.paper, token ? { token } : {}).slice(s.url.length);
    const aliceToken = await alice.files.getToken();
    const rows: Array<[string, string, number]> = [
      ['no token', url(s.client()), 404],
      ['owner token', url(alice, aliceToken), 200],
      ['other user token', url(bob, await bob.files.getToken()), 404],
      ['superuser token', url(admin, await admin.files.getToken()), 200],
      ['auth token instead of file token', url(alice, alice.authStore.token), 404],
      ['garbage token', url(alice, 'abc.def.ghi'), 404],
      ['tampered token', url(alice, aliceToken.slice(0, -2) + 'xx'), 404],
    ];
    for (const [name, path, status] of rows) {
      const res = await send(s, 'GET', path);
      expect(res.status, name).toBe(status);
      if (status === 200) expect(res.bytes.toString(), name).toBe('top secret');
      else expect(res.body, name).toEqual({ status: 404, message: "The requested resource wasn't found.", data: {} });
    }
    // The field next to it is not protected: anyone may fetch it.
    expect((await send(s, 'GET', s.client().files.getURL(secret, secret.open).slice(s.url.length))).status).toBe(200);
  });

  it('refuses everyone but superusers when the viewRule is null', async () => {
    const locked = await createCollection(s, { name: uniqueName('locked'), viewRule: null, fields: [{ name: 'f', type: 'file', protected: true }] });
    const r = await admin.collection(locked.name).create({ f: new File(['x'], 'x.txt') });
    const path = (token: string) => `/api/files/${locked.name}/${r.id}/${r.f}?token=${token}`;
    expect((await send(s, 'GET', path(await alice.files.getToken()))).status).toBe(404);
    expect((await send(s, 'GET', path(await admin.files.getToken()))).status).toBe(200);
  });
});

describe('response headers, ranges and conditional requests', () => {
  const path = (name: string, query = '') => `/api/files/${docs.id}/${rec.id}/${name}${query}`;

  it('sends the headers of docs/api.md §8.2', async () => {
    const res = await send(s, 'GET', path(rec.doc));
    expect(res.status).toBe(200);
    expect(Object.fromEntries(['content-type', 'content-length', 'content-disposition', 'content-security-policy', 'cache-control', 'accept-ranges', 'x-content-type-options'].map((h) => [h, res.headers.get(h)]))).toEqual({
      'content-type': 'image/png',
      'content-length': String(image.length),
      'content-disposition': `inline; filename=${rec.doc}`,
      'content-security-policy': "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
      'cache-control': 'max-age=2592000, stale-while-revalidate=86400',
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
    });
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(new Date(res.headers.get('last-modified')!).getTime()).toBeGreaterThan(0);
  });

  const types: Array<[string, string, string, string]> = [
    ['png inline', 'doc', 'image/png', 'inline'],
    ['png download=1', 'doc?download=1', 'image/png', 'attachment'],
    ['png download=true', 'doc?download=true', 'image/png', 'attachment'],
    ['png download=0', 'doc?download=0', 'image/png', 'inline'],
    ['text from content', 'notes_', 'text/plain; charset=utf-8', 'attachment'],
    ['svg override', 'pic_', 'image/svg+xml', 'attachment'],
    ['css override', 'style_', 'text/css', 'attachment'],
  ];
  it.each(types)('%s', async (_name, which, type, disposition) => {
    const [prefix, query] = which.split('?');
    const name = prefix === 'doc' ? rec.doc : fileOf(rec, prefix!);
    const res = await send(s, 'GET', path(name, query ? `?${query}` : ''));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('content-disposition')).toBe(`${disposition}; filename=${name}`);
  });

  it('answers byte ranges with 206 and impossible ones with 416', async () => {
    const name = fileOf(rec, 'notes_');
    const body = 'plain text body';
    const rows: Array<[string, number, string | null, string | null]> = [
      ['bytes=0-4', 206, 'bytes 0-4/15', 'plain'],
      ['bytes=6-', 206, 'bytes 6-14/15', 'text body'],
      ['bytes=-4', 206, 'bytes 11-14/15', 'body'],
      ['bytes=10-999', 206, 'bytes 10-14/15', ' body'],
      ['bytes=15-', 416, 'bytes */15', null],
      ['bytes=abc', 200, null, body],
      ['bytes=0-1,3-4', 200, null, body],
    ];
    for (const [range, status, contentRange, text] of rows) {
      const res = await send(s, 'GET', path(name), { headers: { Range: range } });
      expect(res.status, range).toBe(status);
      expect(res.headers.get('content-range'), range).toBe(contentRange);
      if (text !== null) {
        expect(res.bytes.toString(), range).toBe(text);
        expect(res.headers.get('content-length'), range).toBe(String(Buffer.byteLength(text)));
      }
    }
  });

  it('answers 304 to matching conditional requests and honours If-Range', async () => {
    const first = await send(s, 'GET', path(rec.doc));
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    const rows: Array<[string, Record<string, string>, number]> = [
      ['If-None-Match match', { 'If-None-Match': etag }, 304],
      ['If-None-Match list', { 'If-None-Match': `"nope", ${etag}` }, 304],
      ['If-None-Match other', { 'If-None-Match': '"nope"' }, 200],
      ['If-Modified-Since same', { 'If-Modified-Since': lastModified }, 304],
      ['If-Modified-Since older', { 'If-Modified-Since': new Date(Date.parse(lastModified) - 60_000).toUTCString() }, 200],
      ['If-Range etag', { Range: 'bytes=0-1', 'If-Range': etag }, 206],
      ['If-Range stale', { Range: 'bytes=0-1', 'If-Range': '"old"' }, 200],
    ];
    for (const [name, headers, status] of rows) {
      const res = await send(s, 'GET', path(rec.doc), { headers });
      expect(res.status, name).toBe(status);
      if (status === 304) expect(res.bytes.length, name).toBe(0);
    }
  });

  it('answers HEAD with the headers only', async () => {
    const res = await fetch(s.url + path(rec.doc), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(image.length));
    expect(res.headers.get('content-type')).toBe('image/png');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('what is not found', () => {
  it('answers 404 for every unknown or crafted path', async () => {
    const other = await admin.collection(docs.name).create({ title: 'other', doc: new File([image], 'other.png') });
    const rows: Array<[string, string]> = [
      ['unknown collection', `/api/files/nope/${rec.id}/${rec.doc}`],
      ['unknown record', `/api/files/${docs.name}/nope123/${rec.doc}`],
      ['unknown name', `/api/files/${docs.name}/${rec.id}/nope.png`],
      ['name of another record', `/api/files/${docs.name}/${rec.id}/${other.doc}`],
      ['encoded traversal', `/api/files/${docs.name}/${rec.id}/..%2F..%2F${other.id}%2F${other.doc}`],
      ['dot-dot record', `/api/files/${docs.name}/..%2F${other.id}/${other.doc}`],
      ['NUL byte', `/api/files/${docs.name}/${rec.id}/${rec.doc}%00`],
      ['thumbs folder', `/api/files/${docs.name}/${rec.id}/thumbs_${rec.doc}`],
      ['trailing slash', `/api/files/${docs.name}/${rec.id}/${rec.doc}/`],
      ['too long', `/api/files/${docs.name}/${rec.id}/${'a'.repeat(5000)}`],
    ];
    for (const [name, path] of rows) {
      const res = await send(s, 'GET', path);
      expect(res.status, name).toBe(404);
      expect(res.body, name).toMatchObject({ status: 404, data: {} });
    }
  });
});

describe('view collections', () => {
  it('serve the file of the source record', async () => {
    const view = await createCollection(s, { name: uniqueName('docview'), type: 'view', viewRule: '', viewQuery: `SELECT id, title, doc FROM ${docs.name}` });
    expect(view.fields.find((f: any) => f.name === 'doc')).toMatchObject({ type: 'file' });
    const res = await send(s, 'GET', `/api/files/${view.name}/${rec.id}/${rec.doc}`);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(image)).toBe(true);
    const thumb = await send(s, 'GET', `/api/files/${view.name}/${rec.id}/${rec.doc}?thumb=100x100`);
    expect(await imageSize(thumb.bytes)).toMatchObject({ width: 100, height: 100 });
    expect((await send(s, 'GET', `/api/files/${view.name}/${rec.id}/nope.png`)).status).toBe(404);
  });
});

describe('form helper sanity', () => {
  it('a file part without a file field is ignored', async () => {
    const res = await send(s, 'POST', `/api/collections/${docs.name}/records`, {
      token: admin.authStore.token,
      form: form([['title', 'x'], ['nosuch', { name: 'a.txt', data: 'a' }]]),
    });
    expect(res.status).toBe(200);
    expect(storedFiles(s, `${docs.id}/${res.body.id}`)).toEqual([]);
  });
});
