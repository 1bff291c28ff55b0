/**
 * The record request hooks (docs/hooks.md §2) on a real server: each of the five
 * sees the request, the collection and the record (list: the result), may change
 * it, stop the action (204) or answer itself; they fire after the rule check, for
 * batch sub-requests too, inside the write's transaction (a throw rolls back), and
 * only for their tags.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthApp } from '../src/app/plinth-app.js';
import { RecordModel } from '../src/core/records/record-model.js';
import { BadRequestError } from '../src/errors/api-errors.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { allRecords, createCollection, createRecord, signIn, uniqueName } from './helpers/record-scenarios.js';

const GENERIC = 'Something went wrong while processing your request.';

let s: TestServer;
let admin: string;
let userToken: string;
let userId: string;
const items = uniqueName('items');
const logs = uniqueName('logs');
const closed = uniqueName('closed');
const untagged = uniqueName('plain');
const seen: Record<string, unknown>[] = [];

/** Each hook acts on a title that names what to do: `stop …`, `answer …`, `throw …`, `bug …`, `log …`. */
function hooks(app: PlinthApp): void {
  app.onRecordsListRequest(async (e) => {
    seen.push({ hook: 'list', collection: e.collection.name, before: e.result.totalItems });
    if (e.requestInfo().query.stop === '1') return;
    await e.next();
    e.result = { ...e.result, items: e.result.items.map((i) => ({ ...i, listed: true })) };
  }, items);

  app.onRecordViewRequest(async (e) => {
    const title = e.record.getString('title');
    if (title.startsWith('HIDE')) return;
    if (title.startsWith('SHOUT')) return e.json(203, { custom: title });
    e.record.set('title', `${title} (viewed)`);
    await e.next();
  }, items);

  app.onRecordCreateRequest(async (e) => {
    const title = e.record.getString('title');
    seen.push({ hook: 'create', title, auth: e.auth?.id ?? null, body: e.requestInfo().body, context: e.requestInfo().context, method: e.request.method });
    if (title.startsWith('stop')) return;
    if (title.startsWith('answer')) return e.json(202, { custom: title });
    if (title.startsWith('throw')) throw new BadRequestError('Titles may not start with throw.');
    e.record.set('title', title.toUpperCase());
    // A write of the hook joins the request's transaction.
    const log = new RecordModel(e.app.findCollectionByNameOrId(logs));
    log.set('title', `created ${title}`);
    await e.app.save(log);
    await e.next();
    if (title.startsWith('bug')) throw new Error('hook bug after the write');
    e.setHeader('X-Hooked', 'create');
  }, items);

  app.onRecordUpdateRequest(async (e) => {
    const title = e.record.getString('title');
    if (title.startsWith('stop')) return;
    e.record.set('title', `${title}!`);
    await e.next();
  }, items);

  app.onRecordDeleteRequest(async (e) => {
    if (e.record.getString('title').startsWith('KEEP')) return;
    await e.next();
  }, items);

  app.onRecordCreateRequest(async (e) => {
    seen.push({ hook: 'create-closed' });
    await e.next();
  }, closed);
}

beforeAll(async () => {
  s = await startTestServer({}, { plugins: [hooks] });
  admin = await s.adminToken();
  const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '', fields: [{ name: 'title', type: 'text' }] };
  await createCollection(s, { name: items, ...open });
  await createCollection(s, { name: logs, ...open });
  await createCollection(s, { name: untagged, ...open });
  await createCollection(s, { name: closed, ...open, createRule: null });
  const email = `${uniqueName('u')}@example.com`;
  const created = await s.request('POST', '/api/collections/users/records', { token: admin, body: { email, password: 'user-password-1', passwordConfirm: 'user-password-1' } });
  userId = created.body.id;
  userToken = await signIn(s, 'users', email, 'user-password-1');
  const batch = await s.request('PATCH', '/api/settings', { token: admin, body: { batch: { enabled: true, maxRequests: 50 } } });
  expect(batch.status, batch.text).toBe(200);
});

afterAll(async () => {
  await s?.close();
});

const titles = async (collection: string) => (await allRecords(s, collection)).map((r) => r.title as string);

describe('onRecordCreateRequest', () => {
  it('sees the record with the body applied, the auth and the request, and its changes are saved', async () => {
    seen.length = 0;
    const pb = s.client();
    pb.authStore.save(userToken);
    const record = await pb.collection(items).create({ title: 'apple' });
    expect(record.title).toBe('APPLE');
    expect((await allRecords(s, items)).find((r) => r.id === record.id).title).toBe('APPLE');
    expect(seen.filter((x) => x.hook === 'create')).toEqual([{ hook: 'create', title: 'apple', auth: userId, body: { title: 'apple' }, context: 'default', method: 'POST' }]);
    expect(await titles(logs)).toContain('created apple');
    const raw = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'pear' } });
    expect(raw.headers.get('x-hooked')).toBe('create');
  });

  it('stops the write with 204 when the handler does not call next, or answers what it set', async () => {
    const stopped = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'stop me' } });
    expect(stopped.status).toBe(204);
    expect(stopped.text).toBe('');
    const answered = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'answer me' } });
    expect(answered.status).toBe(202);
    expect(answered.body).toEqual({ custom: 'answer me' });
    expect(await titles(items)).not.toContain('stop me');
    expect(await titles(items)).not.toContain('answer me');
  });

  it('answers an ApiError with its status and rolls back the write and the hook\'s own writes on any other throw', async () => {
    const refused = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'throw it' } });
    expect(refused.body).toEqual({ status: 400, message: 'Titles may not start with throw.', data: {} });
    const bug = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'bug here' } });
    expect(bug.status).toBe(400);
    expect(bug.body).toEqual({ status: 400, message: GENERIC, data: {} });
    expect(await titles(items)).not.toContain('BUG HERE');
    expect(await titles(logs)).not.toContain('created bug here');
  });

  it('runs after the rule check, and only for its tags', async () => {
    seen.length = 0;
    const denied = await s.request('POST', `/api/collections/${closed}/records`, { body: { title: 'x' } });
    expect(denied.status).toBe(403);
    expect(seen).toEqual([]);
    const plain = await s.request('POST', `/api/collections/${untagged}/records`, { body: { title: 'stop not hooked' } });
    expect(plain.status).toBe(200);
    expect(plain.body.title).toBe('stop not hooked');
  });
});

describe('onRecordsListRequest and onRecordViewRequest', () => {
  it('lets a list handler see and change the result, or stop it', async () => {
    seen.length = 0;
    const list = await s.client().collection(items).getList(1, 50);
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((i) => i.listed === true)).toBe(true);
    expect(seen[0]).toMatchObject({ hook: 'list', collection: items, before: list.totalItems });
    const stopped = await s.request('GET', `/api/collections/${items}/records?stop=1`);
    expect(stopped.status).toBe(204);
    const plain = await s.request('GET', `/api/collections/${untagged}/records`);
    expect(plain.body.items.every((i: Record<string, unknown>) => i.listed === undefined)).toBe(true);
  });

  it('lets a view handler change the record shown, stop, or answer', async () => {
    const plain = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'plain' } });
    const viewed = await s.client().collection(items).getOne(plain.body.id);
    expect(viewed.title).toBe('PLAIN (viewed)');
    const hidden = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'hide me' } });
    expect((await s.request('GET', `/api/collections/${items}/records/${hidden.body.id}`)).status).toBe(204);
    const shout = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'shout' } });
    const answered = await s.request('GET', `/api/collections/${items}/records/${shout.body.id}`);
    expect(answered.status).toBe(203);
    expect(answered.body).toEqual({ custom: 'SHOUT' });
    const other = await createRecord(s, untagged, { title: 'HIDE' });
    expect((await s.request('GET', `/api/collections/${untagged}/records/${other.id}`)).body.title).toBe('HIDE');
  });
});

describe('onRecordUpdateRequest and onRecordDeleteRequest', () => {
  it('lets an update handler change the record or stop the update', async () => {
    const created = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'pear' } });
    const id = created.body.id as string;
    const updated = await s.client().collection(items).update(id, { title: 'peach' });
    expect(updated.title).toBe('peach!');
    const stopped = await s.request('PATCH', `/api/collections/${items}/records/${id}`, { body: { title: 'stop it' } });
    expect(stopped.status).toBe(204);
    expect((await allRecords(s, items)).find((r) => r.id === id).title).toBe('peach!');
  });

  it('lets a delete handler keep the record', async () => {
    const keep = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'keep' } });
    expect((await s.request('DELETE', `/api/collections/${items}/records/${keep.body.id}`)).status).toBe(204);
    expect((await allRecords(s, items)).some((r) => r.id === keep.body.id)).toBe(true);
    const gone = await s.request('POST', `/api/collections/${items}/records`, { body: { title: 'gone' } });
    expect((await s.request('DELETE', `/api/collections/${items}/records/${gone.body.id}`)).status).toBe(204);
    expect((await allRecords(s, items)).some((r) => r.id === gone.body.id)).toBe(false);
  });
});

describe('batch sub-requests', () => {
  it('run the hooks with the sub-request as the request', async () => {
    seen.length = 0;
    const pb = s.client();
    pb.authStore.save(userToken);
    const batch = pb.createBatch();
    batch.collection(items).create({ title: 'in batch' });
    batch.collection(items).create({ title: 'answer batch' });
    batch.collection(items).create({ title: 'stop batch' });
    const results = await batch.send();
    expect(results[0]).toMatchObject({ status: 200, body: { title: 'IN BATCH' } });
    expect(results[1]).toEqual({ status: 202, body: { custom: 'answer batch' } });
    expect(results[2]).toEqual({ status: 204, body: null });
    expect(seen[0]).toEqual({ hook: 'create', title: 'in batch', auth: userId, body: { title: 'in batch' }, context: 'batch', method: 'POST' });
    expect(await titles(logs)).toContain('created in batch');
  });

  it('roll the whole batch back when a hook throws', async () => {
    const r = await s.request('POST', '/api/batch', {
      body: { requests: [
        { method: 'POST', url: `/api/collections/${items}/records`, body: { title: 'first of failed' } },
        { method: 'POST', url: `/api/collections/${items}/records`, body: { title: 'bug in batch' } },
      ] },
    });
    expect(r.status).toBe(400);
    expect(r.body.data.requests['1'].response).toEqual({ status: 400, message: GENERIC, data: {} });
    expect(await titles(items)).not.toContain('FIRST OF FAILED');
    expect(await titles(logs)).not.toContain('created first of failed');
  });
});

describe('binding', () => {
  it('stops running a handler once unbound', async () => {
    const c = uniqueName('bound');
    await createCollection(s, { name: c, listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] });
    const handle = s.node.onRecordCreateRequest(async (e) => {
      e.record.set('title', 'hooked');
      await e.next();
    }, c);
    expect((await s.request('POST', `/api/collections/${c}/records`, { body: { title: 'a' } })).body.title).toBe('hooked');
    handle.unbind();
    expect((await s.request('POST', `/api/collections/${c}/records`, { body: { title: 'a' } })).body.title).toBe('a');
  });
});
