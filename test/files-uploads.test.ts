/**
 * Uploads in record create/update (docs/api.md §8.1, §2.5 `file`, §1.1, §3.5): the
 * field modifiers, replace and clear, bad input that writes nothing, failed
 * writes that leave no orphan, deleted records that take their files along,
 * and the per-collection body limit.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, uniqueName } from './helpers/record-scenarios.js';
import { form, png, send, storedFiles } from './helpers/files.js';

let s: TestServer;
let token: string;
let image: Buffer;

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
  image = await png(20, 20);
});
afterAll(async () => { await s?.close(); });

const create = (c: any, body: FormData | object) =>
  send(s, 'POST', `/api/collections/${c.name}/records`, body instanceof FormData ? { token, form: body } : { token, json: body });
const update = (c: any, id: string, body: FormData | object) =>
  send(s, 'PATCH', `/api/collections/${c.name}/records/${id}`, body instanceof FormData ? { token, form: body } : { token, json: body });
const txt = (name: string, data = name) => ({ name, data });
const keys = (c: any, id: string, names: string[]) => names.map((n) => `${c.id}/${id}/${n}`).sort();

describe('modifiers, replace and clear', () => {
  let c: any;
  beforeAll(async () => {
    c = await createCollection(s, {
      name: uniqueName('gal'),
      fields: [
        { name: 'title', type: 'text' },
        { name: 'one', type: 'file', maxSelect: 1 },
        { name: 'many', type: 'file', maxSelect: 4 },
      ],
    });
  });

  it('appends, prepends, removes, replaces, re-lists and clears, deleting dropped files', async () => {
    const made = await create(c, form([['many', txt('bravo.txt')]]));
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const id = made.body.id;
    const [b] = made.body.many;
    expect(b).toMatch(/^bravo_[a-z0-9]{10}\.txt$/);

    const appended = await update(c, id, form([['many+', txt('charlie.txt')]]));
    const [, cc] = appended.body.many;
    expect(appended.body.many).toEqual([b, cc]);

    const prepended = await update(c, id, form([['+many', txt('alpha.txt')]]));
    const [a] = prepended.body.many;
    expect(prepended.body.many).toEqual([a, b, cc]);
    expect(storedFiles(s, `${c.id}/${id}`)).toEqual(keys(c, id, [a, b, cc]));

    const removed = await update(c, id, { 'many-': [b] });
    expect(removed.body.many).toEqual([a, cc]);
    expect(storedFiles(s, `${c.id}/${id}`)).toEqual(keys(c, id, [a, cc]));

    const relisted = await update(c, id, form([['many', a], ['many', txt('delta.txt')]]));
    const d = relisted.body.many[1];
    expect(relisted.body.many).toEqual([a, d]);
    expect(storedFiles(s, `${c.id}/${id}`)).toEqual(keys(c, id, [a, cc, d].filter((n) => n !== cc)));

    const replaced = await update(c, id, form([['many', txt('echo.txt')]]));
    const [e] = replaced.body.many;
    expect(replaced.body.many).toEqual([e]);
    expect(storedFiles(s, `${c.id}/${id}`)).toEqual(keys(c, id, [e]));

    const cleared = await update(c, id, { many: [] });
    expect(cleared.body.many).toEqual([]);
    expect(storedFiles(s, `${c.id}/${id}`)).toEqual([]);
  });

  it('takes the JSON payload and files of one multipart body together', async () => {
    const fd = form([['one', txt('xray.txt')]]);
    fd.append('@jsonPayload', JSON.stringify({ title: 'from json' }));
    const res = await create(c, fd);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: 'from json', one: expect.stringMatching(/^xray_[a-z0-9]{10}\.txt$/) });
  });

  const clears: Array<[string, unknown]> = [['null', null], ['empty string', ''], ['empty list', []]];
  it.each(clears)('clears a single file with %s and deletes it and its thumbs', async (_name, value) => {
    const made = await create(c, form([['one', { name: 'p.png', data: image }]]));
    const id = made.body.id;
    const thumb = await send(s, 'GET', `/api/files/${c.name}/${id}/${made.body.one}?thumb=100x100`);
    expect(thumb.status).toBe(200);
    expect(storedFiles(s, `${c.id}/${id}`)).toHaveLength(2);
    const cleared = await update(c, id, { one: value });
    expect(cleared.body.one).toBe('');
    expect(storedFiles(s, `${c.id}/${id}`)).toEqual([]);
  });

  it('replaces a single file and deletes the old one', async () => {
    const made = await create(c, form([['one', txt('old.txt')]]));
    const res = await update(c, made.body.id, form([['one', txt('new.txt')]]));
    expect(res.body.one).toMatch(/^new_/);
    expect(storedFiles(s, `${c.id}/${made.body.id}`)).toEqual(keys(c, made.body.id, [res.body.one]));
  });

  it('keeps files when an update does not touch the field', async () => {
    const made = await create(c, form([['one', txt('keep.txt')]]));
    const res = await update(c, made.body.id, { title: 'renamed' });
    expect(res.body.one).toBe(made.body.one);
    expect(storedFiles(s, `${c.id}/${made.body.id}`)).toEqual(keys(c, made.body.id, [made.body.one]));
  });
});

describe('bad input gets a 400 and writes nothing', () => {
  let c: any;
  beforeAll(async () => {
    c = await createCollection(s, {
      name: uniqueName('strict'),
      fields: [
        { name: 'title', type: 'text' },
        { name: 'img', type: 'file', maxSelect: 2, maxSize: 2000, mimeTypes: ['image/png'] },
      ],
    });
  });

  it('refuses wrong types, sizes, counts and unknown names per field', async () => {
    const big = await png(100, 100, true);
    expect(big.length).toBeGreaterThan(2000);
    const rows: Array<[string, FormData | object, string]> = [
      ['text named .png', form([['img', { name: 'fake.png', data: 'not an image', type: 'image/png' }]]), 'validation_invalid_mime_type'],
      ['too large', form([['img', { name: 'big.png', data: big }]]), 'validation_file_size_limit'],
      ['too many', form([['img', { name: 'a.png', data: image }], ['img', { name: 'b.png', data: image }], ['img', { name: 'c.png', data: image }]]), 'validation_too_many_files'],
      ['traversal as a name', { img: ['../../etc/passwd'] }, 'validation_invalid_file'],
      ['NUL in a name', { img: 'a\u0000.png' }, 'validation_invalid_file'],
      ['very long name', { img: 'x'.repeat(5000) }, 'validation_invalid_file'],
      ['another record\'s file', { img: 'someone_else_abcdefghij.png' }, 'validation_invalid_file'],
    ];
    for (const [name, body, code] of rows) {
      const res = await create(c, body);
      expect(res.status, name).toBe(400);
      expect(res.body, name).toMatchObject({ message: 'Failed to create record.', data: { img: { code } } });
      expect(storedFiles(s, c.id), name).toEqual([]);
    }
  });

  it('names a too-large file and the allowed types in the messages', async () => {
    const res = await create(c, form([['img', { name: 'doc.txt', data: 'hello' }]]));
    expect(res.body.data.img.message).toMatch(/^"doc_[a-z0-9]{10}\.txt" mime type must be one of: image\/png\.$/);
  });

  it('never takes a JSON object for an upload', async () => {
    const res = await create(c, { title: 't', img: { name: 'x.png', data: 'aGVsbG8=' } });
    expect(res.status).toBe(200);
    expect(res.body.img).toEqual([]);
    expect(storedFiles(s, `${c.id}/${res.body.id}`)).toEqual([]);
  });

  it('sanitises tricky upload names so they stay inside the record folder', async () => {
    const rows: Array<[string, RegExp]> = [
      ['../../evil.png', /^evil_[a-z0-9]{10}\.png$/],
      // busboy keeps only the last path part of a part's filename, \ included.
      ['..\\..\\evil.png', /^evil_[a-z0-9]{10}\.png$/],
      ['a\u0001b.png', /^a_b_[a-z0-9]{10}\.png$/],
      [`${'L'.repeat(400)}.png`, new RegExp(`^${'l'.repeat(100)}_[a-z0-9]{10}\\.png$`)],
    ];
    for (const [original, pattern] of rows) {
      const res = await create(c, form([['img', { name: original, data: image }]]));
      expect(res.status, original).toBe(200);
      const [stored] = res.body.img;
      expect(stored, original).toMatch(pattern);
      expect(storedFiles(s, `${c.id}/${res.body.id}`)).toEqual([`${c.id}/${res.body.id}/${stored}`]);
    }
  });
});

describe('a failed write leaves no orphan file', () => {
  let c: any;
  beforeAll(async () => {
    const name = uniqueName('uniq');
    c = await createCollection(s, {
      name,
      fields: [{ name: 'title', type: 'text', required: true }, { name: 'f', type: 'file', maxSelect: 3 }],
      indexes: [`CREATE UNIQUE INDEX idx_${name}_title ON ${name} (title)`],
    });
  });

  it('on a validation error', async () => {
    const res = await create(c, form([['f', txt('a.txt')]]));
    expect(res.status).toBe(400);
    expect(res.body.data.title.code).toBe('validation_required');
    expect(storedFiles(s, c.id)).toEqual([]);
  });

  it('on a database error after the files were written (create and update)', async () => {
    const first = await create(c, form([['title', 'dup'], ['f', txt('first.txt')]]));
    expect(first.status).toBe(200);
    const second = await create(c, form([['title', 'dup'], ['f', txt('second.txt')]]));
    expect(second.status).toBe(400);
    expect(second.body.data.title.code).toBe('validation_not_unique');
    const other = await create(c, form([['title', 'other'], ['f', txt('other.txt')]]));
    const clash = await update(c, other.body.id, form([['title', 'dup'], ['f', txt('new.txt')]]));
    expect(clash.status).toBe(400);
    expect(storedFiles(s, c.id)).toEqual([...keys(c, first.body.id, first.body.f), ...keys(c, other.body.id, other.body.f)].sort());
  });
});

describe('deleting records deletes their files', () => {
  it('for the record and its cascaded records', async () => {
    const parent = await createCollection(s, { name: uniqueName('par'), fields: [{ name: 'f', type: 'file' }] });
    const child = await createCollection(s, {
      name: uniqueName('chi'),
      fields: [{ name: 'p', type: 'relation', collectionId: parent.id, maxSelect: 1, cascadeDelete: true }, { name: 'f', type: 'file' }],
    });
    const p = (await create(parent, form([['f', { name: 'p.png', data: image }]]))).body;
    await send(s, 'GET', `/api/files/${parent.name}/${p.id}/${p.f}?thumb=100x100`);
    const ch = (await create(child, form([['p', p.id], ['f', txt('c.txt')]]))).body;
    const keep = (await create(parent, form([['f', txt('keep.txt')]]))).body;
    expect(storedFiles(s, `${parent.id}/${p.id}`)).toHaveLength(2);
    expect(storedFiles(s, `${child.id}/${ch.id}`)).toHaveLength(1);
    const res = await send(s, 'DELETE', `/api/collections/${parent.name}/records/${p.id}`, { token });
    expect(res.status).toBe(204);
    expect(storedFiles(s, parent.id)).toEqual(keys(parent, keep.id, [keep.f]));
    expect(storedFiles(s, child.id)).toEqual([]);
  });

  it('but not when the delete is refused', async () => {
    const parent = await createCollection(s, { name: uniqueName('rp'), fields: [{ name: 'f', type: 'file' }] });
    const child = await createCollection(s, { name: uniqueName('rc'), fields: [{ name: 'p', type: 'relation', collectionId: parent.id, maxSelect: 1, required: true }] });
    const p = (await create(parent, form([['f', txt('x.txt')]]))).body;
    await create(child, { p: p.id });
    expect((await send(s, 'DELETE', `/api/collections/${parent.name}/records/${p.id}`, { token })).status).toBe(400);
    expect(storedFiles(s, `${parent.id}/${p.id}`)).toEqual(keys(parent, p.id, [p.f]));
  });
});

describe('the record body limit is per collection (docs/api.md §1.1)', () => {
  /** Sends only the headers of a body of `length` bytes and returns the status the server answers with. */
  function declare(path: string, contentType: string, length: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(s.url + path, { method: 'POST', headers: { 'Content-Type': contentType, 'Content-Length': String(length), Authorization: token } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
  }

  /** Streams `size` bytes of a JSON string value in chunks, without Content-Length. */
  function chunked(path: string, size: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(s.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: token } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)));
      req.write('{"j":"');
      const chunk = Buffer.alloc(1 << 20, 'a');
      for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk);
      req.end('"}');
    });
  }

  it('counts a body sent without Content-Length against the collection limit', async () => {
    const plain = await createCollection(s, { name: uniqueName('chunk'), fields: [{ name: 't', type: 'text' }] });
    expect(await chunked(`/api/collections/${plain.name}/records`, (32 << 20) + (1 << 20))).toBe(413);
    const withJson = await createCollection(s, { name: uniqueName('chunkj'), fields: [{ name: 'j', type: 'json', maxSize: 40 << 20 }] });
    expect(await chunked(`/api/collections/${withJson.name}/records`, (32 << 20) + (1 << 20))).toBe(200);
  });

  it('adds maxSize × maxSelect of file fields to the 32 MiB default', async () => {
    const plain = await createCollection(s, { name: uniqueName('plain'), fields: [{ name: 't', type: 'text' }] });
    const big = await createCollection(s, { name: uniqueName('big'), fields: [{ name: 'f', type: 'file', maxSize: 2 << 20 }] });
    expect(await declare(`/api/collections/${plain.name}/records`, 'application/json', (32 << 20) + 1000)).toBe(413);
    expect(await declare(`/api/collections/${big.name}/records`, 'multipart/form-data; boundary=x', (34 << 20) + 1000)).toBe(413);
    // 33 MiB passes the body limit of `big` (34 MiB) and then fails the field's own 2 MiB cap.
    const res = await create(big, form([['f', { name: 'huge.bin', data: Buffer.alloc(33 << 20, 1) }]]));
    expect(res.status).toBe(400);
    expect(res.body.data.f.code).toBe('validation_file_size_limit');
    expect(storedFiles(s, big.id)).toEqual([]);
  });
});
