/**
 * Making a field searchable over a table that already holds rows (docs/search.md §4.1, §4.2),
 * on either engine: the schema change answers without filling the index, rows written from
 * then on are found at once, and the existing rows once the fill has run. 6,000 rows: more
 * than PostgreSQL fills inside the schema change, so both engines take their online path.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from './helpers/collections.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const ROWS = 6000;
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

describe('a field made searchable over existing rows', () => {
  it('finds new rows at once and every existing row once the fill has run', async () => {
    const admin = await s.admin();
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
