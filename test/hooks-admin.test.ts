/**
 * Collection, settings, realtime, file and batch hooks (docs/hooks.md §2) at the
 * HTTP boundary: the collection model hooks fire for every collection change —
 * API or import — inside its transaction, the request hooks wrap their routes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/collections.js';
import { BadRequestError, ForbiddenError } from '../src/errors/api-errors.js';
import type { HookHandle } from '../src/tools/hook.js';
import { HookHandles } from './helpers/hook-test-server.js';

// Node 20 has no EventSource; the SDK uses the global one.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

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
afterEach(() => {
  hooks.unbindAll();
});

const track = (h: HookHandle): void => hooks.track(h);

function baseCollection(name: string): Record<string, unknown> {
  return { name, type: 'base', fields: [{ name: 'title', type: 'text' }] };
}

describe('collection model hooks', () => {
  it('onCollectionCreate changes the collection before it is saved, inside the transaction, and after-success follows the commit', async () => {
    const name = uniqueName('hooked');
    const seen: string[] = [];
    track(s.node.onCollectionCreate(async (e) => {
      seen.push(`create:${e.collection.name}`);
      e.collection.listRule = '';
      await e.next();
      // Inside the transaction the bound app sees the new row.
      const { rows } = await (await import('kysely')).sql<{ n: number }>`SELECT COUNT(*) AS n FROM _collections WHERE name = ${name}`.execute(e.app.db());
      seen.push(`rows:${Number(rows[0]!.n)}`);
    }));
    track(s.node.onCollectionAfterCreateSuccess((e) => {
      seen.push(`success:${e.collection.name}:${s.node.findCollectionByNameOrId(name).listRule}`);
      return e.next();
    }));
    const res = await s.request('POST', '/api/collections', { token, body: baseCollection(name) });
    expect(res.status).toBe(200);
    expect(res.body.listRule).toBe('');
    expect(seen).toEqual([`create:${name}`, 'rows:1', `success:${name}:`]);
  });

  it('a throw in onCollectionValidate refuses the change with its status and rolls back; after-error hooks see the error', async () => {
    const name = uniqueName('refused');
    const errors: unknown[] = [];
    track(s.node.onCollectionValidate(() => {
      throw new BadRequestError('No new collections today.');
    }));
    track(s.node.onCollectionAfterCreateError((e) => {
      errors.push(e.error);
      return e.next();
    }));
    const res = await s.request('POST', '/api/collections', { token, body: baseCollection(name) });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('No new collections today.');
    expect(errors).toHaveLength(1);
    expect((await s.request('GET', `/api/collections/${name}`, { token })).status).toBe(404);
  });

  it('update and delete hooks fire with the collection name as tag; a delete handler that does not go on keeps the collection', async () => {
    const name = uniqueName('tagged');
    const other = uniqueName('other');
    await s.request('POST', '/api/collections', { token, body: baseCollection(name) });
    await s.request('POST', '/api/collections', { token, body: baseCollection(other) });
    const updated: string[] = [];
    track(s.node.onCollectionUpdate(async (e) => {
      updated.push(e.collection.name);
      await e.next();
    }, name));
    track(s.node.onCollectionDelete(() => undefined, name));
    const deleted: string[] = [];
    track(s.node.onCollectionAfterDeleteSuccess((e) => { deleted.push(e.collection.name); return e.next(); }));
    expect((await s.request('PATCH', `/api/collections/${name}`, { token, body: { viewRule: '' } })).status).toBe(200);
    expect((await s.request('PATCH', `/api/collections/${other}`, { token, body: { viewRule: '' } })).status).toBe(200);
    expect(updated).toEqual([name]);
    expect((await s.request('DELETE', `/api/collections/${name}`, { token })).status).toBe(204);
    expect((await s.request('GET', `/api/collections/${name}`, { token })).status).toBe(200);
    expect((await s.request('DELETE', `/api/collections/${other}`, { token })).status).toBe(204);
    expect((await s.request('GET', `/api/collections/${other}`, { token })).status).toBe(404);
    expect(deleted).toEqual([other]);
  });

  it('in a transaction of app code the model hooks run inside it, and the after hooks wait for its commit or rollback', async () => {
    const kept = uniqueName('joinedkept');
    const dropped = uniqueName('joineddropped');
    const seen: string[] = [];
    track(s.node.onCollectionCreate(async (e) => {
      seen.push(`create:${e.collection.name}`);
      await e.next();
    }));
    track(s.node.onCollectionAfterCreateSuccess((e) => {
      seen.push(`success:${e.collection.name}`);
      return e.next();
    }));
    track(s.node.onCollectionAfterCreateError((e) => {
      seen.push(`error:${e.collection.name}`);
      return e.next();
    }));
    await s.node.runInTransaction(async (tx) => {
      await tx.importCollections([baseCollection(kept)]);
      seen.push('before commit');
    });
    expect(seen).toEqual([`create:${kept}`, 'before commit', `success:${kept}`]);
    seen.length = 0;
    await expect(s.node.runInTransaction(async (tx) => {
      await tx.importCollections([baseCollection(dropped)]);
      seen.push('before rollback');
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    expect(seen).toEqual([`create:${dropped}`, 'before rollback', `error:${dropped}`]);
    expect((await s.request('GET', `/api/collections/${dropped}`, { token })).status).toBe(404);
  });

  it('an import fires the model hooks per collection: create, update and delete of the missing ones', async () => {
    const kept = uniqueName('kept');
    const fresh = uniqueName('fresh');
    await s.request('POST', '/api/collections', { token, body: baseCollection(kept) });
    const all = (await s.request('GET', '/api/collections?perPage=500', { token })).body.items as Record<string, unknown>[];
    const stale = uniqueName('stale');
    await s.request('POST', '/api/collections', { token, body: baseCollection(stale) });
    const seen: string[] = [];
    track(s.node.onCollectionCreate(async (e) => { seen.push(`create:${e.collection.name}`); await e.next(); }));
    track(s.node.onCollectionUpdate(async (e) => { seen.push(`update:${e.collection.name}`); await e.next(); }, kept));
    track(s.node.onCollectionDelete(async (e) => { seen.push(`delete:${e.collection.name}`); await e.next(); }, stale));
    const success: string[] = [];
    track(s.node.onCollectionAfterDeleteSuccess((e) => { success.push(e.collection.name); return e.next(); }));
    const list = [...all, baseCollection(fresh)];
    const res = await s.request('PUT', '/api/collections/import', { token, body: { collections: list, deleteMissing: true } });
    expect(res.status).toBe(204);
    expect(seen).toContain(`create:${fresh}`);
    expect(seen).toContain(`update:${kept}`);
    expect(seen).toContain(`delete:${stale}`);
    expect(success).toContain(stale);
  });
});

describe('collection request hooks', () => {
  it('onCollectionCreateRequest sees the draft, may change it, and its throw answers its status with nothing saved', async () => {
    const name = uniqueName('req');
    track(s.node.onCollectionCreateRequest(async (e) => {
      expect(e.hasSuperuserAuth()).toBe(true);
      if (e.collection.name.endsWith('_no')) throw new ForbiddenError('Not this one.');
      e.collection.viewRule = '';
      await e.next();
      e.setHeader('x-hooked', e.collection.id);
    }));
    const res = await s.request('POST', '/api/collections', { token, body: baseCollection(name) });
    expect(res.status).toBe(200);
    expect(res.body.viewRule).toBe('');
    expect(res.headers.get('x-hooked')).toBe(res.body.id);
    const refused = await s.request('POST', '/api/collections', { token, body: baseCollection(`${name}_no`) });
    expect(refused.status).toBe(403);
    expect((await s.request('GET', `/api/collections/${name}_no`, { token })).status).toBe(404);
  });

  it('list, view, update, delete and import request hooks wrap their routes and may answer themselves', async () => {
    const name = uniqueName('wrapped');
    await s.request('POST', '/api/collections', { token, body: baseCollection(name) });
    track(s.node.onCollectionsListRequest(async (e) => {
      await e.next();
      e.result.items = e.collections.filter((c) => c.name === name).map(() => ({ only: name }));
    }));
    expect((await s.request('GET', '/api/collections?perPage=500', { token })).body.items).toEqual([{ only: name }]);
    track(s.node.onCollectionViewRequest((e) => e.json(200, { viewed: e.collection.name }), name));
    expect((await s.request('GET', `/api/collections/${name}`, { token })).body).toEqual({ viewed: name });
    track(s.node.onCollectionUpdateRequest(async (e) => {
      e.collection.listRule = 'id != ""';
      await e.next();
    }, name));
    expect((await s.request('PATCH', `/api/collections/${name}`, { token, body: { listRule: '' } })).body.listRule).toBe('id != ""');
    track(s.node.onCollectionDeleteRequest(() => { throw new BadRequestError('Kept.'); }, name));
    expect((await s.request('DELETE', `/api/collections/${name}`, { token })).status).toBe(400);
    let imported: unknown;
    track(s.node.onCollectionsImportRequest((e) => { imported = e.collectionsData; }));
    const res = await s.request('PUT', '/api/collections/import', { token, body: { collections: [baseCollection(uniqueName('never'))] } });
    expect(res.status).toBe(204);
    expect(Array.isArray(imported)).toBe(true);
  });
});

/** Polls until `check` holds (no timing assertion: it only bounds the wait). */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function openCollection(): Promise<string> {
  const name = uniqueName('open');
  const res = await s.request('POST', '/api/collections', { token, body: {
    name, type: 'base', fields: [{ name: 'title', type: 'text' }, { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1000 }],
    listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
  } });
  expect(res.status).toBe(200);
  return name;
}

describe('settings hooks', () => {
  it('onSettingsListRequest may change the answer; onSettingsUpdateRequest sees old and new settings and may change or refuse them', async () => {
    track(s.node.onSettingsListRequest(async (e) => {
      await e.next();
      e.settings = { ...e.settings, meta: { ...e.settings.meta, appName: 'Listed' } };
    }));
    expect((await s.request('GET', '/api/settings', { token })).body.meta.appName).toBe('Listed');
    const before = (await s.request('PATCH', '/api/settings', { token, body: {} })).body.meta.appName as string;
    let old = '';
    track(s.node.onSettingsUpdateRequest(async (e) => {
      old = e.oldSettings.meta.appName;
      if (e.newSettings.meta.appName === 'forbidden') throw new ForbiddenError('Not that name.');
      e.newSettings.meta.senderName = 'Hooked sender';
      await e.next();
    }));
    const reloads: string[] = [];
    track(s.node.onSettingsReload(async (e) => {
      reloads.push(e.settings.meta.appName);
      await e.next();
    }));
    const res = await s.request('PATCH', '/api/settings', { token, body: { meta: { appName: 'Renamed' } } });
    expect(res.status).toBe(200);
    expect(res.body.meta.senderName).toBe('Hooked sender');
    expect(old).toBe(before);
    await until(() => reloads.includes('Renamed'), 'onSettingsReload');
    const refused = await s.request('PATCH', '/api/settings', { token, body: { meta: { appName: 'forbidden' } } });
    expect(refused.status).toBe(403);
    expect((await s.request('GET', '/api/settings', { token })).body.meta.senderName).toBe('Hooked sender');
    await s.request('PATCH', '/api/settings', { token, body: { meta: { appName: before } } });
  });
});

describe('file hooks', () => {
  it('onFileDownloadRequest sees the record and field, may refuse or serve another file; onFileTokenRequest may replace the token', async () => {
    const name = await openCollection();
    const form = new FormData();
    form.append('title', 'first');
    form.append('doc', new Blob(['hello file'], { type: 'text/plain' }), 'a.txt');
    const pb = s.client();
    const record = await pb.collection(name).create(form);
    const other = await pb.collection(name).create((() => {
      const f = new FormData();
      f.append('title', 'second');
      f.append('doc', new Blob(['other file'], { type: 'text/plain' }), 'b.txt');
      return f;
    })());
    const url = `/api/files/${name}/${record.id}/${record.doc}`;
    track(s.node.onFileDownloadRequest(async (e) => {
      expect(e.record.id).toBe(record.id);
      expect(e.fileField.name).toBe('doc');
      if (e.request.query.refuse) throw new ForbiddenError('No download.');
      if (e.request.query.swap) {
        e.servedPath = e.servedPath.replace(`${record.id}/${record.doc}`, `${other.id}/${other.doc}`);
        e.servedName = 'swapped.txt';
      }
      await e.next();
    }, name));
    expect((await s.request('GET', url)).text).toBe('hello file');
    expect((await s.request('GET', `${url}?refuse=1`)).status).toBe(403);
    const swapped = await s.request('GET', `${url}?swap=1`);
    expect(swapped.text).toBe('other file');
    expect(swapped.headers.get('content-disposition')).toContain('swapped.txt');

    track(s.node.onFileTokenRequest(async (e) => {
      expect(e.record.collection().name).toBe('_superusers');
      e.token = `${e.token}-seen`;
      await e.next();
    }));
    const tokenRes = await s.request('POST', '/api/files/token', { token });
    expect(tokenRes.status).toBe(200);
    expect(tokenRes.body.token).toMatch(/-seen$/);
  });
});

describe('batch hooks', () => {
  it('onBatchRequest sees the sub-requests and may change them; not calling next refuses the batch with nothing written', async () => {
    const name = await openCollection();
    await s.request('PATCH', '/api/settings', { token, body: { batch: { enabled: true, maxRequests: 50 } } });
    track(s.node.onBatchRequest(async (e) => {
      if (e.batch.length > 1) return e.json(403, { refused: e.batch.length });
      e.batch[0]!.body.title = 'from hook';
      await e.next();
    }));
    const one = await s.request('POST', '/api/batch', { token, body: { requests: [{ method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'x' } }] } });
    expect(one.status).toBe(200);
    expect(one.body[0].body.title).toBe('from hook');
    const two = await s.request('POST', '/api/batch', { token, body: { requests: [
      { method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'y' } },
      { method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'z' } },
    ] } });
    expect(two.status).toBe(403);
    expect(two.body).toEqual({ refused: 2 });
    expect((await s.request('GET', `/api/collections/${name}/records`, { token })).body.totalItems).toBe(1);
  });
});

describe('realtime hooks', () => {
  it('connect, subscribe and message-send hooks: refuse a stream, change subscriptions, change and drop messages', async () => {
    const name = await openCollection();
    const refused = uniqueName('refused');
    track(s.node.onRealtimeConnectRequest(async (e) => {
      if (e.request.headers['x-refuse']) return e.json(403, { refused: true });
      await e.next();
      expect(e.client?.id).toBeTruthy();
    }));
    const res = await s.request('GET', '/api/realtime', { headers: { 'x-refuse': '1' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ refused: true });

    const subscribed: string[][] = [];
    track(s.node.onRealtimeSubscribeRequest(async (e) => {
      subscribed.push([...e.subscriptions]);
      // Whatever the client asks for, it also follows `name`.
      e.subscriptions = [...e.subscriptions.filter((t) => t !== refused), name];
      await e.next();
    }));
    track(s.node.onRealtimeMessageSend(async (e) => {
      if (e.message.name !== name) return e.next();
      const data = JSON.parse(e.message.data);
      if (data.record.title === 'drop') return undefined;
      data.record.title = `${data.record.title}!`;
      e.message.data = JSON.stringify(data);
      await e.next();
    }));
    const stream = new EventSource(`${s.url}/api/realtime`);
    try {
      const clientId = await new Promise<string>((resolve) => {
        stream.addEventListener('PB_CONNECT', (e) => resolve(JSON.parse((e as MessageEvent).data).clientId));
      });
      const seen: string[] = [];
      stream.addEventListener(name, (e) => seen.push(JSON.parse((e as MessageEvent).data).record.title));
      const sub = await s.request('POST', '/api/realtime', { body: { clientId, subscriptions: [refused] } });
      expect(sub.status).toBe(204);
      expect(subscribed).toEqual([[refused]]);
      await s.request('POST', `/api/collections/${name}/records`, { body: { title: 'drop' } });
      await s.request('POST', `/api/collections/${name}/records`, { body: { title: 'keep' } });
      await until(() => seen.length > 0, 'a realtime message');
      expect(seen).toEqual(['keep!']);
    } finally {
      stream.close();
    }
  });
});
