/**
 * Collection, settings, realtime, file and batch hooks (docs/hooks.md §2) at the
 * HTTP boundary: the collection model hooks fire for every collection change —
 * API or import — inside its transaction, the request hooks wrap their routes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/collections.js';
import { BadRequestError, ForbiddenError } from '../src/errors/api-errors.js';
import type { HookHandle } from '../src/tools/hook.js';

let s: TestServer;
let token: string;
const handles: HookHandle[] = [];

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
});
afterAll(async () => {
  await s.close();
});
afterEach(() => {
  for (const h of handles.splice(0)) h.unbind();
});

function track(h: HookHandle): void {
  handles.push(h);
}

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
    expect((await s.request('PATCH', `/api/collections/${name}`, { token, body: { viewRule: '' } })).status).toBe(200);
    expect((await s.request('PATCH', `/api/collections/${other}`, { token, body: { viewRule: '' } })).status).toBe(200);
    expect(updated).toEqual([name]);
    expect((await s.request('DELETE', `/api/collections/${name}`, { token })).status).toBe(204);
    expect((await s.request('GET', `/api/collections/${name}`, { token })).status).toBe(200);
    expect((await s.request('DELETE', `/api/collections/${other}`, { token })).status).toBe(204);
    expect((await s.request('GET', `/api/collections/${other}`, { token })).status).toBe(404);
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
