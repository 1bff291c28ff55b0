/**
 * App code that holds the outer `app` (the one its hooks file captured) inside a
 * transaction joins that transaction (docs/hooks.md §4): in a request hook of a write,
 * in a model hook, and in `runInTransaction`'s function. On SQLite the outer app used
 * to wait forever for the one connection the transaction held; on PostgreSQL it wrote
 * outside the transaction, so a failed request kept what its hook wrote.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHooks } from '../src/app/hooks-loader.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection } from './helpers/collections.js';

/** Long enough for a slow machine; a deadlock never ends, so it fails here. */
const NO_DEADLOCK_MS = 20_000;

// Every data call in these hooks goes through the captured `app`, never `e.app` or `tx`.
const HOOKS = `
import { BadRequestError, definePlugin, Record } from 'plinth';

export default definePlugin((app) => {
  app.jobs.define('gaps-note', async () => undefined);

  app.onRecordCreateRequest(async (e) => {
    const item = await app.findRecordById('items', e.record.getString('item'));
    item.set('sold+', 1);
    await app.save(item);
    await app.save(new Record(app.findCollectionByNameOrId('log'), { what: 'request ' + e.record.getString('note') }));
    await e.next();
    // Seen inside the transaction: the order the action just inserted.
    const mine = await app.countRecords('orders', 'note = {:note}', { note: e.record.getString('note') });
    if (mine !== 1) throw new BadRequestError('The order is not visible to the outer app.');
    if (e.record.getString('note').startsWith('fail')) throw new Error('the request fails after its write');
    if (e.record.getString('note').startsWith('later')) {
      // Not awaited: it runs after the write committed, in a transaction of its own.
      setTimeout(() => void app.save(new Record(app.findCollectionByNameOrId('log'), { what: 'after ' + e.record.getString('note') })), 50);
    }
  }, 'orders');

  app.onRecordCreate(async (e) => {
    await e.next();
    await app.runInTransaction(async (tx) => {
      await tx.save(new Record(tx.findCollectionByNameOrId('log'), { what: 'model ' + e.record.getString('note') }));
    });
  }, 'orders');

  app.routerAdd('POST', '/api/gaps/transfer', async (e) => {
    const { fail } = await e.bindBody();
    await app.runInTransaction(async (tx) => {
      const item = await tx.findRecordById('items', 'itemaaaaaaaaaaa', { forUpdate: true });
      item.set('sold+', 10);
      await tx.save(item);
      await app.save(new Record(app.findCollectionByNameOrId('log'), { what: 'route' }));
      await app.runInTransaction(async (inner) => {
        await inner.save(new Record(inner.findCollectionByNameOrId('log'), { what: 'route nested' }));
      });
      await app.jobs.enqueue('gaps-note', { fail });
      if (fail) throw new BadRequestError('Transfer refused.');
    });
    return e.json(200, { ok: true });
  });
});
`;

let s: TestServer;
let token: string;
const hooksDir = mkdtempSync(join(tmpdir(), 'plinth-outer-app-'));

beforeAll(async () => {
  writeFileSync(join(hooksDir, 'outer.ts'), HOOKS);
  s = await startTestServer({}, { plugins: await loadHooks(hooksDir, hooksDir) });
  token = await s.adminToken();
  const items = await createCollection(s, token, { name: 'items', type: 'base', fields: [{ name: 'sold', type: 'number' }] });
  await createCollection(s, token, { name: 'log', type: 'base', fields: [{ name: 'what', type: 'text' }] });
  await createCollection(s, token, {
    name: 'orders', type: 'base', createRule: '',
    fields: [{ name: 'note', type: 'text' }, { name: 'item', type: 'relation', collectionId: items.id, maxSelect: 1 }],
  });
  const item = await s.request('POST', '/api/collections/items/records', { token, body: { id: 'itemaaaaaaaaaaa', sold: 0 } });
  if (item.status !== 200) throw new Error(`item: ${item.status} ${item.text}`);
});
afterAll(async () => {
  await s?.close();
  rmSync(hooksDir, { recursive: true, force: true });
});

async function sold(): Promise<number> {
  return (await s.request('GET', '/api/collections/items/records/itemaaaaaaaaaaa', { token })).body.sold;
}

async function logged(): Promise<string[]> {
  const res = await s.request('GET', '/api/collections/log/records?perPage=500', { token });
  if (res.status !== 200) throw new Error(`log: ${res.status} ${res.text}`);
  return res.body.items.map((r: { what: string }) => r.what).sort();
}

async function jobsNamed(name: string): Promise<number> {
  const res = await s.request('GET', `/api/jobs?name=${name}`, { token });
  if (res.status !== 200) throw new Error(`jobs: ${res.status} ${res.text}`);
  return res.body.totalItems;
}

describe('the outer app inside a transaction', () => {
  it('a request hook of a create reads and writes through the outer app inside the write, without waiting for it', async () => {
    const before = await sold();
    const res = await s.request('POST', '/api/collections/orders/records', { body: { note: 'ok1', item: 'itemaaaaaaaaaaa' } });
    expect(res.status).toBe(200);
    expect(await sold()).toBe(before + 1);
    expect(await logged()).toEqual(expect.arrayContaining(['request ok1', 'model ok1']));
  }, NO_DEADLOCK_MS);

  it('what the hook wrote through the outer app rolls back with a request that fails', async () => {
    const before = { sold: await sold(), log: (await logged()).length };
    const res = await s.request('POST', '/api/collections/orders/records', { body: { note: 'fail1', item: 'itemaaaaaaaaaaa' } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Something went wrong while processing your request.');
    expect(await sold()).toBe(before.sold);
    expect((await logged()).length).toBe(before.log);
    expect((await s.request('GET', '/api/collections/orders/records?filter=note%3D%22fail1%22', { token })).body.totalItems).toBe(0);
  }, NO_DEADLOCK_MS);

  it('work a hook leaves running past its write uses the database once the transaction ended', async () => {
    const res = await s.request('POST', '/api/collections/orders/records', { body: { note: 'later1', item: 'itemaaaaaaaaaaa' } });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 15_000;
    while (!(await logged()).includes('after later1')) {
      if (Date.now() > deadline) throw new Error('the late write never arrived');
      await new Promise((r) => setTimeout(r, 20));
    }
  }, NO_DEADLOCK_MS);

  it('inside runInTransaction the outer app and a nested runInTransaction join the transaction, and roll back with it', async () => {
    const before = { sold: await sold(), entries: await logged() };
    const refused = await s.request('POST', '/api/gaps/transfer', { body: { fail: true } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe('Transfer refused.');
    expect(await sold()).toBe(before.sold);
    expect(await logged()).toEqual(before.entries);
    expect(await jobsNamed('gaps-note')).toBe(0);

    const ok = await s.request('POST', '/api/gaps/transfer', { body: { fail: false } });
    expect(ok.status).toBe(200);
    expect(await sold()).toBe(before.sold + 10);
    expect(await logged()).toEqual([...before.entries, 'route', 'route nested'].sort());
    expect(await jobsNamed('gaps-note')).toBe(1);
  }, NO_DEADLOCK_MS);
});
