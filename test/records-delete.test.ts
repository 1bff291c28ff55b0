/**
 * Delete with relations (docs/api.md §3.5): cascadeDelete removes referencing records
 * recursively, a required relation without cascade blocks the delete, an
 * optional one just loses the id, and a blocked delete changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { allRecords, createCollection, createRecord, readRecord, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
});
afterAll(async () => { await s?.close(); });

const BLOCKED = { status: 400, message: 'Failed to delete record. Make sure that the record is not part of a required relation reference.', data: {} };

async function del(collection: string, id: string) {
  return s.request('DELETE', `/api/collections/${collection}/records/${id}`, { token: admin });
}

describe('delete with references', () => {
  it('cascades recursively through single and multiple relations', async () => {
    const a = await createCollection(s, { name: uniqueName('a'), fields: [{ name: 't', type: 'text' }] });
    const b = await createCollection(s, { name: uniqueName('b'), fields: [{ name: 'a', type: 'relation', collectionId: a.id, maxSelect: 1, cascadeDelete: true }] });
    const c = await createCollection(s, { name: uniqueName('c'), fields: [{ name: 'bs', type: 'relation', collectionId: b.id, maxSelect: 5, cascadeDelete: true }] });
    const a1 = await createRecord(s, a.name, { t: 'a1' });
    const a2 = await createRecord(s, a.name, { t: 'a2' });
    const b1 = await createRecord(s, b.name, { a: a1.id });
    const b2 = await createRecord(s, b.name, { a: a2.id });
    const cOnly = await createRecord(s, c.name, { bs: [b1.id] });
    const cBoth = await createRecord(s, c.name, { bs: [b1.id, b2.id] });
    const r = await del(a.name, a1.id);
    expect(r.status, r.text).toBe(204);
    expect(r.text).toBe('');
    expect(await readRecord(s, a.name, a1.id)).toBeUndefined();
    expect(await readRecord(s, b.name, b1.id)).toBeUndefined();
    // cOnly lost its only b → cascaded; cBoth keeps b2.
    expect(await readRecord(s, c.name, cOnly.id)).toBeUndefined();
    expect((await readRecord(s, c.name, cBoth.id)).bs).toEqual([b2.id]);
    expect((await allRecords(s, a.name)).map((x) => x.id)).toEqual([a2.id]);
  });

  it('removes the id from optional relations', async () => {
    const tags = await createCollection(s, { name: uniqueName('tags'), fields: [{ name: 't', type: 'text' }] });
    const items = await createCollection(s, { name: uniqueName('items'), fields: [{ name: 'tag', type: 'relation', collectionId: tags.id, maxSelect: 1 }, { name: 'tags', type: 'relation', collectionId: tags.id, maxSelect: 3 }] });
    const t1 = await createRecord(s, tags.name, { t: '1' });
    const t2 = await createRecord(s, tags.name, { t: '2' });
    const item = await createRecord(s, items.name, { tag: t1.id, tags: [t1.id, t2.id] });
    expect((await del(tags.name, t1.id)).status).toBe(204);
    expect(await readRecord(s, items.name, item.id)).toMatchObject({ tag: '', tags: [t2.id] });
  });

  it('blocks on a required relation without cascade and changes nothing, even deep in a cascade', async () => {
    const a = await createCollection(s, { name: uniqueName('ra'), fields: [{ name: 't', type: 'text' }] });
    const b = await createCollection(s, { name: uniqueName('rb'), fields: [{ name: 'a', type: 'relation', collectionId: a.id, maxSelect: 1, cascadeDelete: true }] });
    const opt = await createCollection(s, { name: uniqueName('ro'), fields: [{ name: 'a', type: 'relation', collectionId: a.id, maxSelect: 2 }] });
    const req = await createCollection(s, { name: uniqueName('rq'), fields: [{ name: 'b', type: 'relation', collectionId: b.id, maxSelect: 1, required: true }] });
    const a1 = await createRecord(s, a.name, { t: 'a1' });
    const b1 = await createRecord(s, b.name, { a: a1.id });
    const o1 = await createRecord(s, opt.name, { a: [a1.id] });
    const q1 = await createRecord(s, req.name, { b: b1.id });
    const snapshot = async () => ({ a: await allRecords(s, a.name), b: await allRecords(s, b.name), o: await allRecords(s, opt.name), q: await allRecords(s, req.name) });
    const before = await snapshot();
    // a1 → cascades to b1 → b1 is required by q1 → the whole delete fails.
    const r = await del(a.name, a1.id);
    expect(r.status, r.text).toBe(400);
    expect(r.body).toEqual(BLOCKED);
    expect(await snapshot()).toEqual(before);
    expect((await readRecord(s, opt.name, o1.id)).a).toEqual([a1.id]);
    const direct = await del(b.name, b1.id);
    expect(direct.body).toEqual(BLOCKED);
    expect(await snapshot()).toEqual(before);
    // Removing the blocker lets the cascade through.
    expect((await del(req.name, q1.id)).status).toBe(204);
    expect((await del(a.name, a1.id)).status).toBe(204);
    expect(await readRecord(s, b.name, b1.id)).toBeUndefined();
    expect((await readRecord(s, opt.name, o1.id)).a).toEqual([]);
  });

  it('keeps a multi relation that still holds other ids even when required', async () => {
    const t = await createCollection(s, { name: uniqueName('mt'), fields: [{ name: 'x', type: 'text' }] });
    const h = await createCollection(s, { name: uniqueName('mh'), fields: [{ name: 'ts', type: 'relation', collectionId: t.id, maxSelect: 3, required: true }] });
    const t1 = await createRecord(s, t.name, { x: '1' });
    const t2 = await createRecord(s, t.name, { x: '2' });
    const holder = await createRecord(s, h.name, { ts: [t1.id, t2.id] });
    expect((await del(t.name, t1.id)).status).toBe(204);
    expect((await readRecord(s, h.name, holder.id)).ts).toEqual([t2.id]);
    const blocked = await del(t.name, t2.id);
    expect(blocked.body).toEqual(BLOCKED);
    expect((await readRecord(s, h.name, holder.id)).ts).toEqual([t2.id]);
    expect(await readRecord(s, t.name, t2.id)).toBeDefined();
  });
});
