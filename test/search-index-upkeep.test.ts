/**
 * The full-text index kept in step (docs/search.md §4) at the HTTP boundary, on SQLite and on
 * PostgreSQL with PLINTH_TEST_DIALECT=postgres: by every write and schema change, through
 * renames (which keep the index), a backup and its restore, a field made searchable over existing rows (6,000: more
 * than PostgreSQL fills inside the schema change, so both engines take their online path),
 * and an index made by an older Plinth.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from './helpers/collections.js';
import { testDialect } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const ROWS = 6000;
let s: TestServer;
let admin: PocketBase;

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.admin();
});
afterAll(async () => {
  await s?.close();
});

function sdkStatus(err: unknown): number {
  return err instanceof ClientResponseError ? err.status : -1;
}

describe('the index follows every write and schema change', () => {
  /** The `k` values a search finds in `collection`, sorted. */
  async function found(collection: string, filter: string, token?: string): Promise<string[]> {
    const qs = new URLSearchParams({ filter, perPage: '500' });
    const r = await s.request('GET', `/api/collections/${collection}/records?${qs}`, { token });
    expect(r.status, r.text).toBe(200);
    return r.body.items.map((i: { k: string }) => i.k).sort();
  }

  it('create, update, delete and truncate', async () => {
    const name = uniqueName('notes');
    await admin.collections.create({ name, type: 'base', listRule: '', fields: [{ name: 'k', type: 'text' }, { name: 'body', type: 'text', searchable: true }] } as any);
    const a = await admin.collection(name).create({ k: 'a', body: 'purple elephants dance' });
    await admin.collection(name).create({ k: 'b', body: 'green turtles swim' });
    expect(await found(name, "search('elephant')")).toEqual(['a']);
    await admin.collection(name).update(a.id, { body: 'orange tigers sleep' });
    expect(await found(name, "search('elephant')")).toEqual([]);
    expect(await found(name, "search('tiger')")).toEqual(['a']);
    await admin.collection(name).delete(a.id);
    expect(await found(name, "search('tiger')")).toEqual([]);
    expect(await found(name, "search('turtle')")).toEqual(['b']);
    const r = await s.request('DELETE', `/api/collections/${name}/truncate`, { token: await s.adminToken() });
    expect(r.status).toBe(204);
    expect(await found(name, "search('turtle')")).toEqual([]);
    await admin.collection(name).create({ k: 'c', body: 'turtles again' });
    expect(await found(name, "search('turtle')")).toEqual(['c']);
  });

  it('collection rename, field rename, field removal, and the option turned off and on', async () => {
    const name = uniqueName('docs');
    const c = await admin.collections.create({
      name, type: 'base', listRule: '',
      fields: [{ name: 'k', type: 'text' }, { name: 'title', type: 'text', searchable: true }, { name: 'body', type: 'editor', searchable: true }],
    } as any);
    await admin.collection(name).create({ k: 'a', title: 'Quantum gardening', body: '<p>Tomatoes in space</p>' });
    await admin.collection(name).create({ k: 'b', title: 'Space travel', body: '<p>Rockets and gardens</p>' });
    expect(await found(name, "search('garden')")).toEqual(['a', 'b']);

    const renamed = uniqueName('docs2');
    await admin.collections.update(c.id, { name: renamed });
    expect(await found(renamed, "search('garden')")).toEqual(['a', 'b']);

    const fields = (await admin.collections.getOne(c.id)).fields;
    const title = fields.find((f: any) => f.name === 'title') as any;
    await admin.collections.update(c.id, { fields: fields.map((f: any) => (f.id === title.id ? { ...f, name: 'headline' } : f)) });
    expect(await found(renamed, "search(headline, 'quantum')")).toEqual(['a']);
    // Written after the renames: indexed under the new names.
    await admin.collection(renamed).create({ k: 'c', headline: 'Quantum leap', body: '<p>A jump</p>' });
    expect(await found(renamed, "search(headline, 'quantum')")).toEqual(['a', 'c']);
    const bad = await admin.collection(renamed).getList(1, 10, { filter: "search(title, 'quantum')" }).catch((e: unknown) => e);
    expect(sdkStatus(bad)).toBe(400);

    const afterRename = (await admin.collections.getOne(c.id)).fields;
    await admin.collections.update(c.id, { fields: afterRename.filter((f: any) => f.name !== 'body') });
    expect(await found(renamed, "search('rocket')")).toEqual([]);
    expect(await found(renamed, "search('space')")).toEqual(['b']);

    const withoutBody = (await admin.collections.getOne(c.id)).fields;
    await admin.collections.update(c.id, { fields: withoutBody.map((f: any) => ({ ...f, searchable: undefined })) });
    const none = await admin.collection(renamed).getList(1, 10, { filter: "search('space')" }).catch((e: unknown) => e);
    expect(sdkStatus(none)).toBe(400);

    // Turned on over existing rows: the index is filled in the background, batch by batch.
    const plain = (await admin.collections.getOne(c.id)).fields;
    await admin.collections.update(c.id, { fields: plain.map((f: any) => (f.name === 'headline' ? { ...f, searchable: true } : f)) });
    await expect.poll(() => found(renamed, "search('quantum')"), { timeout: 10_000 }).toEqual(['a', 'c']);
  });
});

describe('renames keep the index', () => {
  it('a renamed collection and searchable field neither drop nor refill the index, and it goes on being kept', async () => {
    const name = uniqueName('kept');
    const c = await admin.collections.create({ name, type: 'base', listRule: '', fields: [{ name: 'k', type: 'text' }, { name: 'headline', type: 'text', searchable: true }] } as any);
    for (const k of ['a', 'b']) await admin.collection(name).create({ k, headline: `harbour lights ${k}` });
    // What identifies the index: on SQLite the fill's start (a rebuild starts from the last row),
    // on PostgreSQL the GIN index's oid.
    const stamp = async () => {
      const db = s.node.db();
      if (testDialect() === 'postgres') return (await sql<{ v: number }>`SELECT oid::int8 AS v FROM pg_class WHERE relname = ${`_search_${c.id}`}`.execute(db)).rows[0]?.v;
      return (await sql<{ v: number }>`SELECT start AS v FROM _plinth_search WHERE name = ${`_search_${c.id}`}`.execute(db)).rows[0]?.v;
    };
    const before = await stamp();
    expect(before).toBeDefined();
    const renamed = uniqueName('kept2');
    const fields = (await admin.collections.getOne(c.id)).fields.map((f: any) => (f.name === 'headline' ? { ...f, name: 'title' } : f));
    await admin.collections.update(c.id, { name: renamed, fields });
    expect(await stamp()).toBe(before);
    const keys = async (filter: string) => (await admin.collection(renamed).getFullList({ filter, sort: 'k' })).map((r) => r.k as string);
    expect(await keys("search(title, 'harbour')")).toEqual(['a', 'b']);
    await admin.collection(renamed).create({ k: 'c', title: 'harbour master' });
    await admin.collection(renamed).update((await admin.collection(renamed).getFirstListItem("k = 'a'")).id, { title: 'open sea' });
    expect(await keys("search(title, 'harbour')")).toEqual(['b', 'c']);
    expect(await keys("search('sea')")).toEqual(['a']);
  });
});

describe('backups', () => {
  it('a backup of a searchable collection restores with its index', async () => {
    const name = uniqueName('kept');
    await admin.collections.create({ name, type: 'base', listRule: '', fields: [{ name: 'k', type: 'text' }, { name: 'body', type: 'text', searchable: true }] } as any);
    await admin.collection(name).create({ k: 'a', body: 'lighthouse keeper' });
    expect(await admin.backups.create('search_kept.zip')).toBe(true);
    await admin.collection(name).create({ k: 'b', body: 'lighthouse painter' });
    expect(await admin.backups.restore('search_kept.zip')).toBe(true);
    const again = await s.admin();
    const found = await again.collection(name).getFullList({ filter: "search('lighthouse')" });
    expect(found.map((r) => r.k)).toEqual(['a']);
  });
});

describe('a field made searchable over existing rows', () => {
  it('finds new rows at once and every existing row once the fill has run', async () => {
    const name = uniqueName('notes');
    const c = await admin.collections.create({ name, type: 'base', listRule: '', fields: [{ name: 'body', type: 'text' }] } as any);
    // Every 10th row is about lighthouses (written in SQL: 6,000 API requests would take the test's time).
    await sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${ROWS})
      INSERT INTO ${sql.table(name)} (id, body) SELECT 'row' || n, CASE WHEN n % 10 = 0 THEN 'lighthouse keepers' ELSE 'ships at sea' END FROM g`.execute(s.node.db());
    const count = async (filter: string) => (await admin.collection(name).getList(1, 1, { filter })).totalItems;

    const fields = (await admin.collections.getOne(c.id)).fields;
    await admin.collections.update(c.id, { fields: fields.map((f: any) => (f.name === 'body' ? { ...f, searchable: true } : f)) });
    const fresh = await admin.collection(name).create({ body: 'a lighthouse painted red' });
    expect((await admin.collection(name).getFullList({ filter: "search('painted')" })).map((r) => r.id)).toEqual([fresh.id]);

    await expect.poll(() => count("search('lighthouse')"), { timeout: 30_000, interval: 200 }).toBe(ROWS / 10 + 1);
    expect(await count("search('ships')")).toBe(ROWS - ROWS / 10);
    expect(await count("search('ships') && search('lighthouse')")).toBe(0);
  });
});

describe('an index made by an older Plinth (SQLite)', () => {
  it.skipIf(testDialect() !== 'sqlite')('is recreated with the current table options before the node serves, filled online, and finds every row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plinth-search-upgrade-'));
    try {
      const first = await startTestServer({ dir });
      const pb = await first.admin();
      const name = uniqueName('old');
      const c = await pb.collections.create({ name, type: 'base', listRule: '', fields: [{ name: 'k', type: 'text' }, { name: 'body', type: 'text', searchable: true }] } as any);
      for (const k of ['a', 'b', 'c']) await pb.collection(name).create({ k, body: `lighthouse keepers ${k}` });
      await first.close();
      // The table as an older Plinth made it: external content, prefix indexes of 2–4 characters (docs/search.md §4.1).
      const fts = `_search_${c.id}`;
      const file = new Database(join(dir, 'data.db'));
      file.exec(`DROP TABLE "${fts}"; CREATE VIRTUAL TABLE "${fts}" USING fts5("body", content='${name}', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 0', prefix='2 3 4');
        INSERT INTO "${fts}"("${fts}") VALUES('rebuild')`);
      const definition = () => String((file.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(fts) as { sql: string }).sql);
      expect(definition()).not.toContain("prefix='2 3 4 5 6 7 8'");
      const second = await startTestServer({ dir });
      try {
        const client = await second.admin();
        // Recreated before the node serves (its searches name this layout's columns): contentless, with the current prefix indexes.
        expect(definition()).toContain("content=''");
        expect(definition()).toContain("prefix='2 3 4 5 6 7 8'");
        await client.collection(name).create({ k: 'd', body: 'lighthouse keepers d' });
        let found: string[] = [];
        for (let i = 0; i < 100 && found.length < 4; i++) {
          found = (await client.collection(name).getFullList({ filter: "search('lighthouse keeper')", sort: '-@rank' })).map((r) => r.k as string);
          if (found.length < 4) await new Promise((r) => setTimeout(r, 50));
        }
        expect(found).toEqual(['d', 'c', 'b', 'a']);
        // A long word's prefix, which the new prefix indexes serve.
        expect((await client.collection(name).getFullList({ filter: "search('lighthous')" })).length).toBe(4);
      } finally {
        await second.close();
        file.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
