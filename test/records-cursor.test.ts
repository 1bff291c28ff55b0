/**
 * Cursor pagination (docs/api.md §3.10): a walk with `cursor` returns, page by
 * page, exactly what page-numbered lists return for the same sort with the id appended,
 * whatever the sort (relation paths, json values of mixed types, NULLs); bad cursors are a
 * 400 naming `cursor`; rules hold; inserts during a walk neither repeat nor skip rows.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, signIn, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
});
afterAll(async () => { await s?.close(); });

/** Walks a list with cursors and returns every item's id and the pages it took. */
async function walk(path: string, query: string, token?: string): Promise<{ ids: string[]; pages: any[] }> {
  const ids: string[] = [];
  const pages: any[] = [];
  let cursor = '';
  for (let i = 0; i < 500; i++) {
    const r = await s.request('GET', `${path}?${query}&cursor=${encodeURIComponent(cursor)}`, { token });
    expect(r.status, r.text).toBe(200);
    pages.push(r.body);
    ids.push(...r.body.items.map((x: any) => x.id));
    if (r.body.nextCursor === null) return { ids, pages };
    cursor = r.body.nextCursor;
  }
  throw new Error('the walk did not end');
}

/** The ids of the one-page offset list with the same sort and the id as its last key. */
async function reference(path: string, sort: string, filter = ''): Promise<string[]> {
  const last = sort.split(',').filter((x) => x.trim() !== '').at(-1) ?? '';
  const full = sort === '' ? 'id' : `${sort},${last.startsWith('-') ? '-' : ''}id`;
  const r = await s.request('GET', `${path}?perPage=1000&sort=${encodeURIComponent(full)}&filter=${encodeURIComponent(filter)}`, { token: admin });
  expect(r.status, r.text).toBe(200);
  return r.body.items.map((x: any) => x.id);
}

describe('cursor walks match page-numbered lists', () => {
  let people: string;
  let items: string;
  beforeAll(async () => {
    people = uniqueName('cpeople');
    await createCollection(s, { name: people, listRule: '', viewRule: '', fields: [{ name: 'name', type: 'text' }] });
    const ids: string[] = [];
    for (const name of ['', 'ann', 'bob', 'ann']) ids.push((await createRecord(s, people, { name })).id);
    const pc = (await s.request('GET', `/api/collections/${people}`, { token: admin })).body;
    items = uniqueName('citems');
    await createCollection(s, {
      name: items, listRule: '', viewRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'n', type: 'number' },
        { name: 'flag', type: 'bool' },
        { name: 'when', type: 'date' },
        { name: 'meta', type: 'json' },
        { name: 'owner', type: 'relation', collectionId: pc.id, maxSelect: 1 },
      ],
    });
    // Ties, NULLs and mixed json types on purpose: the seek must treat each as the order does.
    const metas = [null, 1, 2.5, -3, 'a', 'B', '10', true, false, { x: 1 }, [1, 2], 'a', 1];
    const rnd = fc.sample(fc.tuple(fc.constantFrom('x', 'y', 'z', ''), fc.integer({ min: -2, max: 2 }), fc.boolean(), fc.nat(12), fc.nat(4), fc.nat(3)), { numRuns: 45, seed: 7 });
    for (const [title, n, flag, m, o, d] of rnd) {
      await createRecord(s, items, {
        title, n, flag, meta: metas[m], owner: o < ids.length ? ids[o] : '',
        when: d === 0 ? '' : `2024-0${d}-01 10:00:00.000Z`,
      });
    }
  });

  it('walks every sort in the same order as offset pages, on random sorts and page sizes', async () => {
    const keys = ['title', 'n', 'flag', 'when', 'meta', 'owner.name', 'owner', '@rowid', 'meta.x'];
    const path = `/api/collections/${items}/records`;
    await fc.assert(fc.asyncProperty(
      fc.uniqueArray(fc.tuple(fc.constantFrom(...keys), fc.boolean()), { minLength: 0, maxLength: 3, selector: (x) => x[0] }),
      fc.integer({ min: 1, max: 17 }),
      fc.constantFrom('', 'n >= 0', "title != 'x'"),
      async (sortItems, perPage, filter) => {
        const sort = sortItems.map(([k, desc]) => (desc ? `-${k}` : k)).join(',');
        const expected = await reference(path, sort, filter);
        const { ids, pages } = await walk(path, `perPage=${perPage}&sort=${encodeURIComponent(sort)}&filter=${encodeURIComponent(filter)}`, admin);
        expect(ids).toEqual(expected);
        expect(pages.map((p) => p.page)).toEqual(pages.map((_, i) => i + 1));
        for (const p of pages) expect(p).toMatchObject({ perPage, totalItems: -1, totalPages: -1 });
      },
    ), { numRuns: 40, seed: 11 });
  });

  it('walks a view collection, whose columns may be NULL, like its offset pages', async () => {
    const view = uniqueName('cview');
    await createCollection(s, { name: view, type: 'view', listRule: '', viewRule: '', viewQuery: `SELECT id, title, n, meta FROM ${items}` });
    const path = `/api/collections/${view}/records`;
    for (const sort of ['-n,title', 'meta', '-meta', '']) {
      const { ids } = await walk(path, `perPage=4&sort=${encodeURIComponent(sort)}`, admin);
      expect(ids, sort).toEqual(await reference(path, sort));
    }
  });

  it('keeps the keys of a list, adds nextCursor and works through the SDK', async () => {
    const pb = await s.admin();
    const first = await pb.collection(items).getList(1, 20, { cursor: '', sort: '-n' });
    expect(Object.keys(first)).toEqual(['page', 'perPage', 'totalItems', 'totalPages', 'items', 'nextCursor']);
    expect(first.items).toHaveLength(20);
    const second = await pb.collection(items).getList(1, 20, { cursor: (first as any).nextCursor, sort: '-n' });
    expect(second.page).toBe(2);
    expect(second.items.map((x) => x.id)).not.toContain(first.items[0]!.id);
  });

  it('answers a 400 naming cursor for a bad cursor', async () => {
    const path = `/api/collections/${items}/records`;
    const first = await s.request('GET', `${path}?perPage=5&sort=n&cursor=`, { token: admin });
    const cursor: string = first.body.nextCursor;
    const other = await s.request('GET', `/api/collections/${people}/records?perPage=1&cursor=`, { token: admin });
    const [body, sig] = cursor.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), k: ['x', 'y'] })).toString('base64url');
    const bad = [
      'garbage', '.', 'a.b', `${body}.`, `${body}x.${sig}`, `${forged}.${sig}`, 'x'.repeat(9000),
      // A signature with one character changed (never to itself: a signature may end in `AA`).
      `${body}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`,
    ];
    for (const c of bad) {
      const r = await s.request('GET', `${path}?perPage=5&sort=n&cursor=${encodeURIComponent(c)}`, { token: admin });
      expect(r.status, c).toBe(400);
      expect(r.body.data.cursor.code).toBe('validation_invalid_cursor');
    }
    for (const q of ['sort=-n', 'sort=n&filter=n>0', 'sort=title']) {
      const r = await s.request('GET', `${path}?perPage=5&${q}&cursor=${encodeURIComponent(cursor)}`, { token: admin });
      expect(r.status, q).toBe(400);
      expect(r.body.data.cursor.message).toMatch(/another/);
    }
    const cross = await s.request('GET', `${path}?perPage=1&cursor=${encodeURIComponent(other.body.nextCursor)}`, { token: admin });
    expect(cross.status).toBe(400);
    const random = await s.request('GET', `${path}?sort=@random&cursor=`, { token: admin });
    expect(random.status).toBe(400);
    expect(random.body.data.cursor).toBeDefined();
    const invalidSort = await s.request('GET', `${path}?sort=nope&cursor=`, { token: admin });
    expect(invalidSort.status).toBe(400);
  });
});

describe('cursor walks under rules', () => {
  it('shows a user only what the list rule lets them list, and refuses another user\'s cursor', async () => {
    const users = uniqueName('cusers');
    await createCollection(s, { name: users, type: 'auth', listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', fields: [], passwordAuth: { enabled: true, identityFields: ['email'] } });
    const uc = (await s.request('GET', `/api/collections/${users}`, { token: admin })).body;
    const a = await createRecord(s, users, { email: 'a@example.com', password: 'password-123', passwordConfirm: 'password-123' });
    const b = await createRecord(s, users, { email: 'b@example.com', password: 'password-123', passwordConfirm: 'password-123' });
    const notes = uniqueName('cnotes');
    await createCollection(s, {
      name: notes, listRule: 'owner = @request.auth.id', viewRule: 'owner = @request.auth.id',
      fields: [{ name: 'owner', type: 'relation', collectionId: uc.id, maxSelect: 1 }, { name: 'n', type: 'number' }],
    });
    for (let i = 0; i < 12; i++) await createRecord(s, notes, { owner: i % 3 === 0 ? a.id : b.id, n: i });
    const ta = await signIn(s, users, 'a@example.com', 'password-123');
    const tb = await signIn(s, users, 'b@example.com', 'password-123');
    const path = `/api/collections/${notes}/records`;
    const seen = await walk(path, 'perPage=2&sort=-n', ta);
    const allowed = (await s.request('GET', `${path}?perPage=100&sort=-n`, { token: ta })).body.items.map((x: any) => x.id);
    expect(seen.ids).toEqual(allowed);
    expect(seen.ids).toHaveLength(4);
    const guest = await walk(path, 'perPage=2', undefined);
    expect(guest.ids).toEqual([]);
    const cursorA = (await s.request('GET', `${path}?perPage=1&cursor=`, { token: ta })).body.nextCursor;
    const stolen = await s.request('GET', `${path}?perPage=1&cursor=${encodeURIComponent(cursorA)}`, { token: tb });
    expect(stolen.status).toBe(400);
    // A hidden email sorts as NULL for others: a cursor over it reveals nothing more.
    const hidden = await s.request('GET', `/api/collections/${users}/records?sort=email&cursor=`, { token: ta });
    expect(hidden.status).toBe(200);
    expect(hidden.body.items.map((x: any) => x.id)).toEqual([a.id]);
    const secret = await s.request('GET', `${path}?sort=owner.password&cursor=`, { token: ta });
    expect(secret.status).toBe(400);
  });
});

describe('cursor walks during inserts', () => {
  it('returns every row that existed before the walk exactly once', async () => {
    const name = uniqueName('cins');
    await createCollection(s, { name, listRule: '', viewRule: '', createRule: '', fields: [{ name: 'n', type: 'number' }] });
    const before: string[] = [];
    for (let i = 0; i < 30; i++) before.push((await createRecord(s, name, { n: i % 7 })).id);
    for (const sort of ['', '-n', 'n']) {
      const path = `/api/collections/${name}/records`;
      const seen: string[] = [];
      let cursor = '';
      for (let i = 0; i < 100; i++) {
        const [r] = await Promise.all([
          s.request('GET', `${path}?perPage=4&sort=${encodeURIComponent(sort)}&cursor=${encodeURIComponent(cursor)}`),
          s.request('POST', path, { body: { n: (i * 5) % 9 - 1 } }),
          s.request('POST', path, { body: { n: i % 7 } }),
        ]);
        expect(r.status, r.text).toBe(200);
        seen.push(...r.body.items.map((x: any) => x.id));
        if (r.body.nextCursor === null) break;
        cursor = r.body.nextCursor;
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of before) expect(seen).toContain(id);
    }
  });
});
