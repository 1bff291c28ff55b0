/**
 * A backup is engine-neutral (docs/operations.md, Backups): an archive written on
 * PostgreSQL restores into SQLite and one written on SQLite restores into
 * PostgreSQL, with every record, file and user as they were. Needs PostgreSQL
 * (PLINTH_TEST_DATABASE_URL); skipped with a printed reason without it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlinth, type PlinthNode } from '../src/app/create-plinth.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from './helpers/test-database.js';
import { SUPERUSER } from './helpers/test-server.js';

const skip = postgresSkipReason();

/** A node on SQLite or on `databaseUrl`, with the test superuser, listening. */
async function start(databaseUrl?: string): Promise<{ node: PlinthNode; pb: PocketBase; url: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-cross-'));
  const node = await createPlinth({
    http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'silent', bodyLimit: 32 << 20, queryTimeout: 30,
    ...(databaseUrl ? { databaseUrl } : {}),
  }, { logger: false });
  await node.superusers.upsert(SUPERUSER.email, SUPERUSER.password);
  const { url } = await node.listen();
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
  return { node, pb, url, dir };
}

async function download(pb: PocketBase, key: string): Promise<File> {
  const res = await fetch(pb.backups.getDownloadURL(await pb.files.getToken(), key));
  return new File([new Uint8Array(await res.arrayBuffer())], key, { type: 'application/zip' });
}

async function snapshot(pb: PocketBase): Promise<unknown> {
  return {
    notes: await pb.collection('notes').getFullList({ sort: '@rowid' }),
    users: await pb.collection('users').getFullList({ sort: '@rowid' }),
    collections: (await pb.collections.getFullList()).map((c) => c.name).sort(),
  };
}

let pg: Awaited<ReturnType<typeof start>>;
let lite: Awaited<ReturnType<typeof start>>;
let database: TestDatabase;

beforeAll(async () => {
  if (skip) return;
  database = await createTestDatabase();
  pg = await start(database.url);
  lite = await start();
});
afterAll(async () => {
  for (const side of [pg, lite]) {
    if (!side) continue;
    await side.node.close();
    rmSync(side.dir, { recursive: true, force: true });
  }
  await database?.drop();
});

describe.skipIf(skip !== undefined)('restoring into the other engine', () => {
  it('moves a PostgreSQL backup into SQLite and back', async () => {
    await pg.pb.collections.create({
      name: 'notes', type: 'base', listRule: '', viewRule: '',
      fields: [
        { name: 'title', type: 'text' }, { name: 'done', type: 'bool' }, { name: 'n', type: 'number' },
        { name: 'meta', type: 'json' }, { name: 'tags', type: 'select', values: ['a', 'b'], maxSelect: 2 },
        { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1000000 },
      ],
    });
    await pg.pb.collection('notes').create({ title: 'one', done: true, n: 2.5, meta: { deep: [1, true, null] }, tags: ['a', 'b'], doc: new File(['from postgres'], 'a.txt') });
    await pg.pb.collection('notes').create({ title: 'two', done: false, n: 0, meta: 'text' });
    await pg.pb.collection('users').create({ email: 'moved@example.com', password: 'moved-password-1', passwordConfirm: 'moved-password-1' });
    const onPg = await snapshot(pg.pb);
    await pg.pb.backups.create('from_pg.zip');

    await lite.pb.backups.upload({ file: await download(pg.pb, 'from_pg.zip') });
    await lite.pb.backups.restore('from_pg.zip');
    const litePb = new PocketBase(lite.url);
    await litePb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    expect(await snapshot(litePb)).toEqual(onPg);
    const [first] = await litePb.collection('notes').getFullList({ sort: '@rowid' });
    expect(await (await fetch(litePb.files.getURL(first!, first!.doc))).text()).toBe('from postgres');
    expect((await new PocketBase(lite.url).collection('users').authWithPassword('moved@example.com', 'moved-password-1')).record.email).toBe('moved@example.com');

    await litePb.collection('notes').create({ title: 'three', done: true });
    const onLite = await snapshot(litePb);
    await litePb.backups.create('from_sqlite.zip');
    await pg.pb.backups.upload({ file: await download(litePb, 'from_sqlite.zip') });
    await pg.pb.backups.restore('from_sqlite.zip');
    const pgPb = new PocketBase(pg.url);
    await pgPb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    expect(await snapshot(pgPb)).toEqual(onLite);
    // The insertion order continues after the restored rows.
    await pgPb.collection('notes').create({ title: 'four' });
    expect((await pgPb.collection('notes').getFullList({ sort: '@rowid' })).map((r) => r.title)).toEqual(['one', 'two', 'three', 'four']);
  }, 60_000);
});
