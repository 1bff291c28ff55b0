/**
 * `POST /api/batch` (docs/api.md §7) through the pocketbase SDK and raw requests: results
 * in order, all-or-nothing rollback with the failing index, each sub-request's own
 * rules with the outer auth, upsert, expand and fields, files, the settings limits,
 * and 400s (never 500s) for malformed bodies.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import { ClientResponseError } from 'pocketbase';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { allRecords, createCollection, createRecord, readRecord, signIn, uniqueName } from './helpers/record-scenarios.js';

// Node 20 has no EventSource; the SDK's realtime client uses the global one.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

let s: TestServer;
let admin: string;

const BATCH_FAILED = 'Batch transaction failed.';
const INVALID = 'Invalid batch request data.';

async function setBatch(batch: Record<string, unknown>): Promise<void> {
  const r = await s.request('PATCH', '/api/settings', { token: admin, body: { batch } });
  expect(r.status, r.text).toBe(200);
}

async function batch(requests: unknown, token?: string, path = '/api/batch') {
  return s.request('POST', path, { token, body: { requests } });
}

/** An open collection (every rule `""`) with a required title. */
async function openCollection(prefix: string, extra: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueName(prefix);
  await createCollection(s, {
    name, listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
    fields: [{ name: 'title', type: 'text', required: true }],
    ...extra,
  });
  return name;
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  await setBatch({ enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 });
});
afterAll(async () => { await s?.close(); });

describe('through the pocketbase SDK', () => {
  it('runs create, upsert (both ways), update and delete in one batch and answers in order', async () => {
    const name = await openCollection('sdk');
    const keep = await createRecord(s, name, { title: 'keep' });
    const gone = await createRecord(s, name, { title: 'gone' });
    const pb = await s.admin();
    const b = pb.createBatch();
    b.collection(name).create({ title: 'created' });
    b.collection(name).upsert({ id: 'upsertcreated01', title: 'upsert-new' });
    b.collection(name).upsert({ id: keep.id, title: 'upsert-existing' });
    b.collection(name).update(keep.id, { title: 'updated' });
    b.collection(name).delete(gone.id);
    const results = await b.send();

    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 204]);
    expect(results[0]!.body).toMatchObject({ title: 'created', collectionName: name });
    expect(results[1]!.body).toMatchObject({ id: 'upsertcreated01', title: 'upsert-new' });
    expect(results[2]!.body).toMatchObject({ id: keep.id, title: 'upsert-existing' });
    expect(results[3]!.body).toMatchObject({ id: keep.id, title: 'updated' });
    expect(results[4]!.body).toBeNull();

    const titles = (await allRecords(s, name)).map((r) => r.title).sort();
    expect(titles).toEqual(['created', 'updated', 'upsert-new']);
  });

  it('rejects with the failing index and rolls everything back', async () => {
    const name = await openCollection('sdkfail');
    const pb = await s.admin();
    const b = pb.createBatch();
    b.collection(name).create({ title: 'one' });
    b.collection(name).create({ title: '' });
    const err = await b.send().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientResponseError);
    const e = err as ClientResponseError;
    expect(e.status).toBe(400);
    expect(e.response).toMatchObject({ message: BATCH_FAILED, data: { requests: { 1: { code: 'batch_request_failed' } } } });
    expect(await allRecords(s, name)).toEqual([]);
  });

  it('stores the files of a sub-request sent as requests.<i>.<field>', async () => {
    const name = await openCollection('sdkfiles', {
      fields: [{ name: 'title', type: 'text', required: true }, { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1_000_000 }],
    });
    const pb = await s.admin();
    const b = pb.createBatch();
    b.collection(name).create({ title: 'no file' });
    b.collection(name).create({ title: 'with file', doc: new File(['hello batch'], 'note.txt', { type: 'text/plain' }) });
    const results = await b.send();
    const created = results[1]!.body as { id: string; doc: string; collectionId: string };
    expect(created.doc).toMatch(/^note_\w+\.txt$/);
    const file = await fetch(`${s.url}/api/files/${name}/${created.id}/${created.doc}`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('hello batch');
    expect((results[0]!.body as { doc: string }).doc).toBe('');
  });

  it('leaves no stored file behind when the batch rolls back', async () => {
    const name = await openCollection('sdkfilesrb', {
      fields: [{ name: 'title', type: 'text', required: true }, { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1_000_000 }],
    });
    const collectionId = (await s.request('GET', `/api/collections/${name}`, { token: admin })).body.id as string;
    const pb = await s.admin();
    const b = pb.createBatch();
    b.collection(name).create({ id: 'filerollback001', title: 'with file', doc: new File(['x'], 'a.txt', { type: 'text/plain' }) });
    b.collection(name).create({ title: '' });
    const err = await b.send().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientResponseError);
    expect(Object.keys((err as ClientResponseError).response.data.requests)).toEqual(['1']);
    expect(await allRecords(s, name)).toEqual([]);
    const dir = join(s.dir, 'storage', collectionId, 'filerollback001');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});

describe('success and rollback', () => {
  it('answers the results in request order: 200 with the record, 204 with body null', async () => {
    const name = await openCollection('order');
    const existing = await createRecord(s, name, { title: 'x' });
    const base = `/api/collections/${name}/records`;
    const r = await batch([
      { method: 'POST', url: base, body: { title: 'a' } },
      { method: 'POST', url: base, body: { title: 'b' } },
      { method: 'DELETE', url: `${base}/${existing.id}` },
    ]);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toHaveLength(3);
    expect(r.body[0]).toMatchObject({ status: 200, body: { title: 'a' } });
    expect(r.body[1]).toMatchObject({ status: 200, body: { title: 'b' } });
    expect(r.body[2]).toEqual({ status: 204, body: null });
    expect((await allRecords(s, name)).map((x) => x.title)).toEqual(['a', 'b']);
  });

  it('rolls back every earlier write when the 3rd sub-request fails, and names index 2', async () => {
    const name = await openCollection('rollback');
    const existing = await createRecord(s, name, { title: 'original' });
    const base = `/api/collections/${name}/records`;
    const r = await batch([
      { method: 'POST', url: base, body: { title: 'first' } },
      { method: 'PATCH', url: `${base}/${existing.id}`, body: { title: 'changed' } },
      { method: 'POST', url: base, body: { title: '' } },
      { method: 'POST', url: base, body: { title: 'never runs' } },
    ]);
    expect(r.status, r.text).toBe(400);
    expect(r.body).toEqual({
      status: 400,
      message: BATCH_FAILED,
      data: {
        requests: {
          2: {
            code: 'batch_request_failed',
            message: 'Batch request failed.',
            response: { status: 400, message: 'Failed to create record.', data: { title: { code: 'validation_required', message: 'Cannot be blank.' } } },
          },
        },
      },
    });
    const list = await s.request('GET', `${base}?perPage=100`, { token: admin });
    expect(list.body.items.map((x: { title: string }) => x.title)).toEqual(['original']);
  });

  it('rolls back cascaded deletes too', async () => {
    const parent = await openCollection('parent');
    const child = uniqueName('child');
    const parentId = (await s.request('GET', `/api/collections/${parent}`, { token: admin })).body.id;
    await createCollection(s, {
      name: child, listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
      fields: [{ name: 'title', type: 'text' }, { name: 'owner', type: 'relation', collectionId: parentId, cascadeDelete: true, maxSelect: 1 }],
    });
    const p = await createRecord(s, parent, { title: 'p' });
    await createRecord(s, child, { title: 'c', owner: p.id });
    const r = await batch([
      { method: 'DELETE', url: `/api/collections/${parent}/records/${p.id}` },
      { method: 'DELETE', url: `/api/collections/${parent}/records/${p.id}` },
    ]);
    expect(r.status, r.text).toBe(400);
    expect(r.body.data.requests[1].response).toMatchObject({ status: 404 });
    expect(await allRecords(s, parent)).toHaveLength(1);
    expect(await allRecords(s, child)).toHaveLength(1);
  });

  it('reports a sub-request on an unknown collection with its own 404 body', async () => {
    const r = await batch([{ method: 'POST', url: '/api/collections/missing_batch_xyz/records', body: {} }]);
    expect(r.status).toBe(400);
    expect(r.body.data.requests[0]).toEqual({
      code: 'batch_request_failed',
      message: 'Batch request failed.',
      response: { status: 404, message: 'Missing collection context.', data: {} },
    });
  });
});

describe('rules, auth, headers and context', () => {
  let users: { id: string; token: string };

  beforeAll(async () => {
    const email = `${uniqueName('bu')}@example.com`;
    const u = await createRecord(s, 'users', { email, password: 'password123', passwordConfirm: 'password123' });
    users = { id: u.id, token: await signIn(s, 'users', email, 'password123') };
  });

  it('applies each sub-request\'s createRule with the outer auth: a guest fails at that index', async () => {
    const open = await openCollection('guestok');
    const authOnly = await openCollection('authonly', { createRule: '@request.auth.id != ""' });
    const requests = [
      { method: 'POST', url: `/api/collections/${open}/records`, body: { title: 'guest' } },
      { method: 'POST', url: `/api/collections/${authOnly}/records`, body: { title: 'guest' } },
    ];
    const guest = await batch(requests);
    expect(guest.status, guest.text).toBe(400);
    expect(guest.body.data.requests).toEqual({
      1: { code: 'batch_request_failed', message: 'Batch request failed.', response: { status: 400, message: 'Failed to create record.', data: {} } },
    });
    expect(await allRecords(s, open)).toEqual([]);

    const signedIn = await batch(requests, users.token);
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(await allRecords(s, authOnly)).toHaveLength(1);
  });

  it('answers 403 inside the batch for a locked rule, and ignores an Authorization sub-header', async () => {
    const locked = await openCollection('locked', { createRule: null });
    const r = await batch([
      { method: 'POST', url: `/api/collections/${locked}/records`, headers: { Authorization: admin }, body: { title: 'x' } },
    ], users.token);
    expect(r.status).toBe(400);
    expect(r.body.data.requests[0].response).toEqual({ status: 403, message: 'Only superusers can perform this action.', data: {} });
    expect(await allRecords(s, locked)).toEqual([]);
  });

  it('keeps the outer Authorization header out of reach of a sub-request\'s headers', async () => {
    const name = await openCollection('authheader', { createRule: '@request.headers.authorization = ""' });
    const r = await batch([
      { method: 'POST', url: `/api/collections/${name}/records`, headers: { Authorization: 'Bearer forged' }, body: { title: 'x' } },
    ]);
    expect(r.status, r.text).toBe(200);
    expect(await allRecords(s, name)).toHaveLength(1);
  });

  it('gives rules @request.context = "batch", the sub-request\'s headers over the outer ones, and its query', async () => {
    const name = await openCollection('context', {
      createRule: '@request.context = "batch" && @request.headers.x_batch_tag = "inner" && @request.query.tag = "q"',
    });
    const base = `/api/collections/${name}/records`;
    const direct = await s.request('POST', `${base}?tag=q`, { body: { title: 'direct' }, headers: { 'X-Batch-Tag': 'inner' } });
    expect(direct.status).toBe(400);

    const outerOnly = await s.request('POST', '/api/batch', {
      headers: { 'X-Batch-Tag': 'outer' },
      body: { requests: [{ method: 'POST', url: `${base}?tag=q`, body: { title: 'outer header' } }] },
    });
    expect(outerOnly.status).toBe(400);

    const overridden = await s.request('POST', '/api/batch', {
      headers: { 'X-Batch-Tag': 'outer' },
      body: { requests: [{ method: 'POST', url: `${base}?tag=q`, headers: { 'X-Batch-Tag': 'inner' }, body: { title: 'inner header' } }] },
    });
    expect(overridden.status, overridden.text).toBe(200);
    expect((await allRecords(s, name)).map((x) => x.title)).toEqual(['inner header']);
  });

  it('checks the updateRule on update and on the update side of an upsert', async () => {
    const name = await openCollection('owned', {
      fields: [{ name: 'title', type: 'text', required: true }, { name: 'owner', type: 'text' }],
      updateRule: 'owner = @request.auth.id',
    });
    const mine = await createRecord(s, name, { title: 'mine', owner: users.id });
    const theirs = await createRecord(s, name, { title: 'theirs', owner: 'someoneelse' });
    const base = `/api/collections/${name}/records`;
    const ok = await batch([
      { method: 'PATCH', url: `${base}/${mine.id}`, body: { title: 'mine 2' } },
      { method: 'PUT', url: base, body: { id: mine.id, title: 'mine 3' } },
    ], users.token);
    expect(ok.status, ok.text).toBe(200);
    const refused = await batch([
      { method: 'PATCH', url: `${base}/${mine.id}`, body: { title: 'mine 4' } },
      { method: 'PUT', url: base, body: { id: theirs.id, title: 'stolen' } },
    ], users.token);
    expect(refused.status).toBe(400);
    expect(refused.body.data.requests[1].response).toMatchObject({ status: 404 });
    expect((await readRecord(s, name, mine.id)).title).toBe('mine 3');
    expect((await readRecord(s, name, theirs.id)).title).toBe('theirs');
  });
});

describe('realtime', () => {
  it('publishes the events of a committed batch in order, and none of a rolled-back one', async () => {
    const name = await openCollection('live');
    const base = `/api/collections/${name}/records`;
    const pb = s.client().autoCancellation(false);
    const events: { action: string; title: string }[] = [];
    const unsubscribe = await pb.collection(name).subscribe('*', (e) => events.push({ action: e.action, title: e.record.title as string }));
    try {
      const failed = await batch([
        { method: 'POST', url: base, body: { title: 'rolled back 1' } },
        { method: 'POST', url: base, body: { title: 'rolled back 2' } },
        { method: 'POST', url: base, body: { title: '' } },
      ]);
      expect(failed.status).toBe(400);
      const ok = await batch([
        { method: 'POST', url: base, body: { id: 'liveupdated0001', title: 'one' } },
        { method: 'PATCH', url: `${base}/liveupdated0001`, body: { title: 'two' } },
      ]);
      expect(ok.status, ok.text).toBe(200);
      // Events arrive in publish order: once the committed batch's last event is in, any
      // event of the rolled-back batch would be in too.
      const deadline = Date.now() + 10_000;
      while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(events).toEqual([{ action: 'create', title: 'one' }, { action: 'update', title: 'two' }]);
    } finally {
      await unsubscribe();
    }
  });
});

describe('upsert', () => {
  it('creates when body.id is absent or unknown, updates when it names an existing record', async () => {
    const name = await openCollection('upsert');
    const existing = await createRecord(s, name, { title: 'old' });
    const base = `/api/collections/${name}/records`;
    const r = await batch([
      { method: 'PUT', url: base, body: { title: 'no id' } },
      { method: 'PUT', url: base, body: { id: 'newupsertid0001', title: 'unknown id' } },
      { method: 'PUT', url: base, body: { id: existing.id, title: 'new' } },
    ]);
    expect(r.status, r.text).toBe(200);
    expect(r.body[0].body.id).toMatch(/^[a-z0-9]{15}$/);
    expect(r.body[1].body).toMatchObject({ id: 'newupsertid0001', title: 'unknown id' });
    expect(r.body[2].body).toMatchObject({ id: existing.id, title: 'new' });
    expect(await allRecords(s, name)).toHaveLength(3);
  });

  it('sees records created earlier in the same batch', async () => {
    const name = await openCollection('upsert2');
    const base = `/api/collections/${name}/records`;
    const r = await batch([
      { method: 'POST', url: base, body: { id: 'samebatchid0001', title: 'v1' } },
      { method: 'PUT', url: base, body: { id: 'samebatchid0001', title: 'v2' } },
    ]);
    expect(r.status, r.text).toBe(200);
    expect((await allRecords(s, name)).map((x) => x.title)).toEqual(['v2']);
  });
});

describe('expand and fields in sub-requests', () => {
  it('expands relations inside the batch transaction and picks fields per sub-response', async () => {
    const authors = await openCollection('authors');
    const authorsId = (await s.request('GET', `/api/collections/${authors}`, { token: admin })).body.id;
    const posts = await openCollection('posts', {
      fields: [{ name: 'title', type: 'text', required: true }, { name: 'author', type: 'relation', collectionId: authorsId, maxSelect: 1 }],
    });
    const r = await batch([
      // The author exists only inside the batch's transaction when the post expands it.
      { method: 'POST', url: `/api/collections/${authors}/records`, body: { id: 'batchauthor0001', title: 'Ann' } },
      { method: 'POST', url: `/api/collections/${posts}/records?expand=author`, body: { title: 'p1', author: 'batchauthor0001' } },
      { method: 'POST', url: `/api/collections/${posts}/records?fields=id,title`, body: { title: 'p2', author: 'batchauthor0001' } },
    ]);
    expect(r.status, r.text).toBe(200);
    expect(r.body[1].body.expand.author).toMatchObject({ id: 'batchauthor0001', title: 'Ann' });
    expect(Object.keys(r.body[2].body).sort()).toEqual(['id', 'title']);
  });

  it('expands through the SDK option', async () => {
    const authors = await openCollection('sdkauthors');
    const authorsId = (await s.request('GET', `/api/collections/${authors}`, { token: admin })).body.id;
    const posts = await openCollection('sdkposts', {
      fields: [{ name: 'title', type: 'text', required: true }, { name: 'author', type: 'relation', collectionId: authorsId, maxSelect: 1 }],
    });
    const a = await createRecord(s, authors, { title: 'Bo' });
    const pb = await s.admin();
    const b = pb.createBatch();
    b.collection(posts).create({ title: 'p', author: a.id }, { expand: 'author' });
    const [result] = await b.send();
    expect(result!.body).toMatchObject({ title: 'p', expand: { author: { id: a.id, title: 'Bo' } } });
  });
});

describe('actions a sub-request may not run', () => {
  it.each([
    ['GET a list', 'GET', (c: string) => `/api/collections/${c}/records`],
    ['GET a record', 'GET', (c: string) => `/api/collections/${c}/records/abc`],
    ['POST with an id', 'POST', (c: string) => `/api/collections/${c}/records/abc`],
    ['PATCH without an id', 'PATCH', (c: string) => `/api/collections/${c}/records`],
    ['DELETE without an id', 'DELETE', (c: string) => `/api/collections/${c}/records`],
    ['PUT with an id', 'PUT', (c: string) => `/api/collections/${c}/records/abc`],
    ['another API', 'PATCH', () => '/api/settings'],
    ['a nested batch', 'POST', () => '/api/batch'],
    ['an absolute url', 'POST', (c: string) => `http://example.com/api/collections/${c}/records`],
  ])('fails the sub-request: %s', async (_label, method, url) => {
    const name = await openCollection('action');
    const r = await batch([
      { method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'ok' } },
      { method, url: url(name), body: { title: 'x' } },
    ]);
    expect(r.status, r.text).toBe(400);
    expect(r.body.message).toBe(BATCH_FAILED);
    expect(r.body.data.requests[1]).toMatchObject({ code: 'batch_request_failed', response: { status: 400, data: {} } });
    expect(await allRecords(s, name)).toEqual([]);
  });
});

describe('limits from settings', () => {
  it('answers 403 while batch is disabled, before reading the body', async () => {
    await setBatch({ enabled: false });
    try {
      const r = await batch([{ method: 'POST', url: '/api/collections/x/records' }], admin);
      expect(r).toMatchObject({ status: 403, body: { status: 403, message: 'Batch requests are not allowed.', data: {} } });
      const pb = s.client();
      const b = pb.createBatch();
      b.collection('x').create({});
      await expect(b.send()).rejects.toMatchObject({ status: 403 });
    } finally {
      await setBatch({ enabled: true });
    }
  });

  it('refuses more sub-requests than maxRequests with 400 and runs none', async () => {
    const name = await openCollection('max');
    await setBatch({ maxRequests: 2 });
    try {
      const base = `/api/collections/${name}/records`;
      const three = [1, 2, 3].map((n) => ({ method: 'POST', url: base, body: { title: `t${n}` } }));
      const r = await batch(three);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({
        status: 400, message: INVALID,
        data: { requests: { code: 'validation_length_too_long', message: 'The length must be no more than 2.', params: { max: 2 } } },
      });
      expect(await allRecords(s, name)).toEqual([]);
      expect((await batch(three.slice(0, 2))).status).toBe(200);
    } finally {
      await setBatch({ maxRequests: 50 });
    }
  });

  it('answers 413 for a body over maxBodySize, JSON or multipart, and accepts it once the limit is raised', async () => {
    const name = await openCollection('size');
    const base = `/api/collections/${name}/records`;
    const requests = [{ method: 'POST', url: base, body: { title: 'y'.repeat(3000) } }];
    await setBatch({ maxBodySize: 1000 });
    try {
      const r = await batch(requests);
      expect(r).toMatchObject({ status: 413, body: { status: 413, message: 'Request entity too large.', data: {} } });
      const pb = s.client();
      const b = pb.createBatch();
      b.collection(name).create({ title: 'y'.repeat(3000) });
      await expect(b.send()).rejects.toMatchObject({ status: 413 });
      expect(await allRecords(s, name)).toEqual([]);
    } finally {
      await setBatch({ maxBodySize: 0 });
    }
    expect((await batch(requests)).status).toBe(200);
  });

  it('is not capped by the server-wide body limit (32 MiB) when maxBodySize allows more', async () => {
    const name = await openCollection('big');
    const padding = 'p'.repeat(33 << 20);
    const plain = await s.request('POST', `/api/collections/${name}/records`, { body: { title: 'direct', padding } });
    expect(plain.status).toBe(413);
    const r = await s.request('POST', '/api/batch', {
      body: { padding, requests: [{ method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'big batch' } }] },
    });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect((await allRecords(s, name)).map((x) => x.title)).toEqual(['big batch']);
  });
});

describe('malformed bodies', () => {
  const required = { code: 'validation_required', message: 'Cannot be blank.' };
  const invalid = { code: 'validation_invalid_value', message: 'Invalid value.' };
  const notIn = { code: 'validation_in_invalid', message: 'Must be a valid value.' };
  const url = '/api/collections/x/records';
  it.each([
    ['no requests key', {}, { requests: required }],
    ['requests null', { requests: null }, { requests: required }],
    ['an empty list', { requests: [] }, { requests: required }],
    ['requests an object', { requests: { 0: { method: 'POST', url } } }, { requests: invalid }],
    ['requests a string', { requests: 'POST x' }, { requests: invalid }],
    ['an item that is not an object', { requests: [5] }, { requests: { 0: { method: required, url: required } } }],
    ['a missing method', { requests: [{ url }] }, { requests: { 0: { method: required } } }],
    ['an unknown method', { requests: [{ method: 'TRACE', url }] }, { requests: { 0: { method: notIn } } }],
    ['a lower-case method', { requests: [{ method: 'post', url }] }, { requests: { 0: { method: notIn } } }],
    ['a method that is not a string', { requests: [{ method: 1, url }] }, { requests: { 0: { method: notIn } } }],
    ['a missing url', { requests: [{ method: 'POST' }] }, { requests: { 0: { url: required } } }],
    ['a url that is not a string', { requests: [{ method: 'POST', url: ['a'] }] }, { requests: { 0: { url: invalid } } }],
    ['a url over 2000 characters', { requests: [{ method: 'POST', url: url + '?x=' + 'a'.repeat(2000) }] },
      { requests: { 0: { url: { code: 'validation_length_too_long', message: 'The length must be no more than 2000.', params: { max: 2000 } } } } }],
    ['headers that are not an object', { requests: [{ method: 'POST', url, headers: 'x' }] }, { requests: { 0: { headers: invalid } } }],
    ['a header value that is not a string', { requests: [{ method: 'POST', url, headers: { 'X-A': 1 } }] }, { requests: { 0: { headers: invalid } } }],
    ['a body that is not an object', { requests: [{ method: 'POST', url, body: [1] }] }, { requests: { 0: { body: invalid } } }],
    ['errors in several items', { requests: [{ method: 'POST', url }, { url }, { method: 'GET' }] },
      { requests: { 1: { method: required }, 2: { url: required } } }],
  ])('%s → 400 with per-field errors', async (_label, body, data) => {
    const r = await s.request('POST', '/api/batch', { body });
    expect(r.status, r.text).toBe(400);
    expect(r.body).toEqual({ status: 400, message: INVALID, data });
  });

  it.each([
    ['invalid JSON', '{"requests": [', 'application/json'],
    ['a JSON array', '[1,2]', 'application/json'],
    ['an unsupported content type', 'requests', 'text/plain'],
  ])('%s → 400', async (_label, body, type) => {
    const r = await s.request('POST', '/api/batch', { body, headers: { 'Content-Type': type } });
    expect(r.status, r.text).toBe(400);
    expect(r.body.status).toBe(400);
  });

  it('reads multipart bodies with @jsonPayload as the SDK sends them', async () => {
    const name = await openCollection('multipart');
    const form = new FormData();
    form.append('@jsonPayload', JSON.stringify({ requests: [{ method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'mp' } }] }));
    const res = await fetch(`${s.url}/api/batch`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject([{ status: 200, body: { title: 'mp' } }]);
  });
});
