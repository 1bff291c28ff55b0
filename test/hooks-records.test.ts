/**
 * Record model hooks (docs/hooks.md §2) at the HTTP boundary: they fire for every
 * write — API, batch, app code, cascades, the password rehash — inside the write's
 * transaction, and the after hooks fire after commit (success) or rollback (error).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import bcrypt from 'bcryptjs';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, uniqueName } from './helpers/collections.js';
import { BadRequestError } from '../src/errors/api-errors.js';
import { RecordModel } from '../src/core/records/record-model.js';
import type { HookHandle } from '../src/tools/hook.js';
import { HookHandles } from './helpers/hook-test-server.js';

let s: TestServer;
let token: string;
const hooks = new HookHandles();

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
});
afterAll(async () => {
  await s.close();
});

const track = (h: HookHandle): void => hooks.track(h);
const unbindAll = (): void => hooks.unbindAll();

async function twoCollections(): Promise<{ parent: string; child: string; audit: string }> {
  const parent = uniqueName('parent');
  const child = uniqueName('child');
  const audit = uniqueName('audit');
  const p = await createCollection(s, token, { name: parent, type: 'base', fields: [{ name: 'title', type: 'text', max: 20 }], listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' });
  await createCollection(s, token, {
    name: child, type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
    fields: [{ name: 'note', type: 'text' }, { name: 'parent', type: 'relation', collectionId: p.id, maxSelect: 1, cascadeDelete: true }, { name: 'parents', type: 'relation', collectionId: p.id, maxSelect: 5 }],
  });
  await createCollection(s, token, { name: audit, type: 'base', fields: [{ name: 'what', type: 'text' }], listRule: '', viewRule: '' });
  return { parent, child, audit };
}

async function count(collection: string): Promise<number> {
  const res = await s.request('GET', `/api/collections/${collection}/records?perPage=1`, { token });
  return res.body.totalItems;
}

describe('record model hooks', () => {
  it('onRecordCreate changes the record before it is written, only for its tagged collection', async () => {
    const { parent, child } = await twoCollections();
    const seen: string[] = [];
    track(s.node.onRecordCreate(async (e) => {
      seen.push(e.collection.name);
      e.record.set('title', e.record.getString('title').toUpperCase());
      await e.next();
      expect(e.record.isNew()).toBe(false);
    }, parent));
    const res = await s.request('POST', `/api/collections/${parent}/records`, { body: { title: 'shout' } });
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('SHOUT');
    expect((await s.request('GET', `/api/collections/${parent}/records/${res.body.id}`)).body.title).toBe('SHOUT');
    await s.request('POST', `/api/collections/${child}/records`, { body: { note: 'x' } });
    expect(seen).toEqual([parent]);
    unbindAll();
  });

  it('onRecordValidate runs before the field checks; a thrown ApiError answers its status and writes nothing', async () => {
    const { parent } = await twoCollections();
    track(s.node.onRecordValidate(async (e) => {
      if (e.record.getString('title') === 'forbidden') throw new BadRequestError('No forbidden titles.', { title: { code: 'validation_forbidden', message: 'No.' } });
      await e.next();
    }, parent));
    const bad = await s.request('POST', `/api/collections/${parent}/records`, { body: { title: 'forbidden' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ status: 400, message: 'No forbidden titles.', data: { title: { code: 'validation_forbidden', message: 'No.' } } });
    expect(await count(parent)).toBe(0);
    // The field checks still run after the hook.
    const tooLong = await s.request('POST', `/api/collections/${parent}/records`, { body: { title: 'x'.repeat(30) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.data.title.code).toBe('validation_max_text_constraint');
    unbindAll();
  });

  it('writes a hook makes through e.app join the write: kept on commit, rolled back with it', async () => {
    const { parent, audit } = await twoCollections();
    track(s.node.onRecordCreate(async (e) => {
      await e.app.save(new RecordModel(e.app.findCollectionByNameOrId(audit), { what: `create ${e.record.getString('title')}` }));
      await e.next();
    }, parent));
    expect((await s.request('POST', `/api/collections/${parent}/records`, { body: { title: 'ok' } })).status).toBe(200);
    expect(await count(audit)).toBe(1);
    // The record fails its field checks after the hook wrote the audit row: both roll back.
    expect((await s.request('POST', `/api/collections/${parent}/records`, { body: { title: 'y'.repeat(30) } })).status).toBe(400);
    expect(await count(audit)).toBe(1);
    unbindAll();
  });

  it('fires for batch writes, and after a failed batch only the error hooks fire', async () => {
    const { parent } = await twoCollections();
    const events: string[] = [];
    track(s.node.onRecordCreate(async (e) => { events.push(`create:${e.record.getString('title')}`); await e.next(); }, parent));
    track(s.node.onRecordAfterCreateSuccess(async (e) => { events.push(`success:${e.record.getString('title')}`); await e.next(); }, parent));
    track(s.node.onRecordAfterCreateError(async (e) => { events.push(`error:${e.record.getString('title')}`); expect(e.error).toBeTruthy(); await e.next(); }, parent));
    await s.request('PATCH', '/api/settings', { token, body: { batch: { enabled: true, maxRequests: 10, timeout: 3 } } });
    const ok = await s.request('POST', '/api/batch', { token, body: { requests: [
      { method: 'POST', url: `/api/collections/${parent}/records`, body: { title: 'a' } },
      { method: 'POST', url: `/api/collections/${parent}/records`, body: { title: 'b' } },
    ] } });
    expect(ok.status).toBe(200);
    expect(events).toEqual(['create:a', 'create:b', 'success:a', 'success:b']);
    events.length = 0;
    const failed = await s.request('POST', '/api/batch', { token, body: { requests: [
      { method: 'POST', url: `/api/collections/${parent}/records`, body: { title: 'c' } },
      { method: 'POST', url: `/api/collections/${parent}/records`, body: { title: 'z'.repeat(30) } },
    ] } });
    expect(failed.status).toBe(400);
    // `c` was written and rolled back with the batch: it gets its error hook, never a success.
    expect(events).toEqual(['create:c', 'create:' + 'z'.repeat(30), 'error:c', 'error:' + 'z'.repeat(30)]);
    expect(await count(parent)).toBe(2);
    unbindAll();
  });

  it('fires for cascaded deletes and for the reference removals a delete causes', async () => {
    const { parent, child } = await twoCollections();
    const p1 = await createRecord(s, token, parent, { title: 'p1' });
    const p2 = await createRecord(s, token, parent, { title: 'p2' });
    const cascaded = await createRecord(s, token, child, { note: 'cascaded', parent: p1 });
    const referencing = await createRecord(s, token, child, { note: 'referencing', parents: [p1, p2] });
    const deleted: string[] = [];
    const updated: string[] = [];
    track(s.node.onRecordDelete(async (e) => { deleted.push(e.record.id); await e.next(); }));
    track(s.node.onRecordUpdate(async (e) => { updated.push(`${e.record.id}:${JSON.stringify(e.record.get('parents'))}`); await e.next(); }, child));
    expect((await s.request('DELETE', `/api/collections/${parent}/records/${p1}`, { token })).status).toBe(204);
    expect(deleted.sort()).toEqual([cascaded, p1].sort());
    expect(updated).toEqual([`${referencing}:${JSON.stringify([p2])}`]);
    unbindAll();
  });

  it('a delete hook that throws keeps the record and its cascade', async () => {
    const { parent, child } = await twoCollections();
    const p = await createRecord(s, token, parent, { title: 'keep' });
    await createRecord(s, token, child, { note: 'child', parent: p });
    track(s.node.onRecordDelete(async () => { throw new BadRequestError('Children are protected.'); }, child));
    const res = await s.request('DELETE', `/api/collections/${parent}/records/${p}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Children are protected.');
    expect(await count(parent)).toBe(1);
    expect(await count(child)).toBe(1);
    unbindAll();
  });

  it('fires onRecordUpdate for the password rehash at sign-in, and the session survives it', async () => {
    const users = uniqueName('users');
    await createCollection(s, token, { name: users, type: 'auth', fields: [], passwordAuth: { enabled: true, identityFields: ['email'] } });
    const id = await createRecord(s, token, users, { email: 'rehash@example.com', password: 'pass-12345678', passwordConfirm: 'pass-12345678' });
    const legacy = bcrypt.hashSync('pass-12345678', 4);
    await sql`UPDATE ${sql.table(users)} SET password = ${legacy} WHERE id = ${id}`.execute(s.node.db());
    const rehashed: string[] = [];
    track(s.node.onRecordUpdate(async (e) => { rehashed.push(e.record.getString('password').slice(0, 9)); await e.next(); }, users));
    const first = await s.request('POST', `/api/collections/${users}/auth-with-password`, { body: { identity: 'rehash@example.com', password: 'pass-12345678' } });
    expect(first.status).toBe(200);
    expect(rehashed).toEqual(['$argon2id']);
    // The stored hash was replaced and the token issued before it still works (tokenKey kept).
    const refreshed = await s.request('POST', `/api/collections/${users}/auth-refresh`, { token: first.body.token });
    expect(refreshed.status).toBe(200);
    unbindAll();
  });

  it('fires onRecordUpdate for each record a field conversion rewrites, after-success once the schema change commits', async () => {
    const { parent, child } = await twoCollections();
    const p1 = await createRecord(s, token, parent, { title: 'p1' });
    const r = await createRecord(s, token, child, { note: 'one', parent: p1 });
    const seen: string[] = [];
    track(s.node.onRecordUpdate(async (e) => { seen.push(`update:${JSON.stringify(e.record.get('parent'))}`); await e.next(); }, child));
    track(s.node.onRecordAfterUpdateSuccess(async (e) => { seen.push(`success:${e.record.id}`); await e.next(); }, child));
    const schema = (await s.request('GET', `/api/collections/${child}`, { token })).body;
    const fields = schema.fields.map((f: { name: string }) => (f.name === 'parent' ? { ...f, maxSelect: 3 } : f));
    expect((await s.request('PATCH', `/api/collections/${child}`, { token, body: { fields } })).status).toBe(200);
    expect(seen).toEqual([`update:${JSON.stringify([p1])}`, `success:${r}`]);
    expect((await s.request('GET', `/api/collections/${child}/records/${r}`)).body.parent).toEqual([p1]);
    unbindAll();
  });

  it('app code saves through the same pipeline: validation, hooks, after-success once committed', async () => {
    const { parent } = await twoCollections();
    const order: string[] = [];
    track(s.node.onRecordCreate(async (e) => { order.push('create'); await e.next(); }, parent));
    track(s.node.onRecordAfterCreateSuccess(async (e) => { order.push('success'); await e.next(); }, parent));
    const c = s.node.findCollectionByNameOrId(parent);
    await s.node.runInTransaction(async (tx) => {
      await tx.save(new RecordModel(c, { title: 'from code' }));
      order.push('saved');
    });
    expect(order).toEqual(['create', 'saved', 'success']);
    await expect(s.node.save(new RecordModel(c, { title: 'q'.repeat(40) }))).rejects.toMatchObject({ status: 400 });
    await expect(s.node.runInTransaction(async (tx) => {
      await tx.save(new RecordModel(c, { title: 'rolled back' }));
      throw new Error('boom');
    })).rejects.toThrow('boom');
    const titles = (await s.request('GET', `/api/collections/${parent}/records`)).body.items.map((r: { title: string }) => r.title);
    expect(titles).toEqual(['from code']);
    unbindAll();
  });
});
