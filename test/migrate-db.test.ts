/**
 * `plinth migrate-db`: an embedded SQLite instance built through the API is copied
 * into PostgreSQL, then a node on PostgreSQL must serve the same collections,
 * records, sign-ins, filters, files and unique indexes, while the SQLite file stays
 * byte for byte as it was. Skipped with a printed reason without PLINTH_TEST_DATABASE_URL.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlinth, type PlinthNode } from '../src/app/create-plinth.js';
import type { PlinthConfig } from '../src/config/config.js';
import { migrateDb, type MigrateProgress } from '../src/app/migrate-db.js';
import type { CliContext } from '../src/cli/cli-context.js';
import { runCli } from '../src/cli/run-cli.js';
import { childEnv, runPlinth } from './helpers/plinth-process.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from './helpers/test-database.js';

const skip = postgresSkipReason();
const ADMIN = { email: 'root@example.com', password: 'root-password-123' };
const USER = { email: 'ada@example.com', password: 'ada-password-123' };
const POSTS = 300;

const scratch = mkdtempSync(join(tmpdir(), 'plinth-migrate-'));
const dir = join(scratch, 'data');
const databases: TestDatabase[] = [];
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A node on `dir`, on PostgreSQL when `databaseUrl` is given, listening on a free port. */
async function startNode(databaseUrl?: string): Promise<{ node: PlinthNode; url: string; admin(): Promise<PocketBase> }> {
  const config: PlinthConfig = {
    http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'silent',
    bodyLimit: 8 * 1024 * 1024, queryTimeout: 30, ...(databaseUrl ? { databaseUrl } : {}),
  };
  const node = await createPlinth(config, { logger: false });
  const { url } = await node.listen();
  return {
    node,
    url,
    async admin() {
      const pb = new PocketBase(url);
      pb.autoCancellation(false);
      await pb.collection('_superusers').authWithPassword(ADMIN.email, ADMIN.password);
      return pb;
    },
  };
}

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** What the SQLite node served before it was closed, to compare with the PostgreSQL node. */
interface Snapshot {
  collections: unknown[];
  pages: Record<string, unknown>;
  postIds: string[];
  file: { record: string; name: string; bytes: Buffer };
}

/** A list answer of the API. */
type Page = { items: unknown[] } & Record<string, unknown>;

/** The API answers compared on both nodes: default order, filters, expand, views. */
const PAGES: Record<string, string> = {
  posts: '/api/collections/posts/records?perPage=500',
  postsPage2: '/api/collections/posts/records?perPage=40&page=2',
  filtered: `/api/collections/posts/records?perPage=500&filter=${encodeURIComponent("views > 100 && published = true && tags.name ?= 'tag-2'")}&expand=author,tags`,
  sorted: '/api/collections/posts/records?perPage=500&sort=-views,title',
  jsonFilter: `/api/collections/posts/records?perPage=500&filter=${encodeURIComponent('meta.rank >= 250 && labels ~ "b"')}`,
  authors: '/api/collections/authors/records?perPage=500',
  view: '/api/collections/popular/records?perPage=500&sort=id',
  superusers: '/api/collections/_superusers/records',
};

async function fetchPages(pb: PocketBase): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(PAGES)) out[name] = await pb.send(path, {});
  return out;
}

/** Builds the SQLite instance through the API: every field type, relations, auth users, a view, indexes, files. */
async function buildSource(): Promise<Snapshot> {
  const source = await startNode();
  try {
    await source.node.superusers.upsert(ADMIN.email, ADMIN.password);
    const pb = await source.admin();
    const authors = await pb.collections.create({
      name: 'authors', type: 'auth', listRule: '', viewRule: '',
      fields: [{ name: 'name', type: 'text' }],
    });
    const tags = await pb.collections.create({ name: 'tags', type: 'base', listRule: '', fields: [{ name: 'name', type: 'text' }] });
    await pb.collections.create({
      name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'slug', type: 'text' },
        { name: 'body', type: 'editor' },
        { name: 'views', type: 'number' },
        { name: 'published', type: 'bool' },
        { name: 'contact', type: 'email' },
        { name: 'link', type: 'url' },
        { name: 'due', type: 'date' },
        { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
        { name: 'labels', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        { name: 'author', type: 'relation', collectionId: authors.id, maxSelect: 1 },
        { name: 'tags', type: 'relation', collectionId: tags.id, maxSelect: 5 },
        { name: 'meta', type: 'json' },
        { name: 'place', type: 'geoPoint' },
        { name: 'cover', type: 'file', maxSelect: 1, maxSize: 1024 * 1024 },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: [
        'CREATE UNIQUE INDEX idx_posts_slug ON posts (slug) WHERE slug != \'\'',
        'CREATE INDEX idx_posts_title ON posts (title COLLATE NOCASE)',
      ],
    });
    await pb.collections.create({ name: 'popular', type: 'view', listRule: '', viewQuery: 'SELECT id, title, views FROM posts WHERE views > 200' });

    const ada = await pb.collection('authors').create({ email: USER.email, password: USER.password, passwordConfirm: USER.password, name: 'Ada', verified: true });
    const bob = await pb.collection('authors').create({ email: 'bob@example.com', password: 'bob-password-123', passwordConfirm: 'bob-password-123', name: 'Bob' });
    const tagIds: string[] = [];
    for (let i = 0; i < 6; i++) tagIds.push((await pb.collection('tags').create({ name: `tag-${i}` })).id);
    const postIds: string[] = [];
    for (let i = 0; i < POSTS; i++) {
      const record = await pb.collection('posts').create({
        // Titles out of id order, quotes, unicode and an empty body: what text must keep.
        title: `Post ${(i * 37) % POSTS} "ünïcode" ${i % 7 === 0 ? 'Zebra' : 'apple'}`,
        slug: i % 10 === 0 ? '' : `post-${i}`,
        body: i % 5 === 0 ? '' : `<p>Body ${i}</p>`,
        views: (i * 13) % 400 + (i % 3 === 0 ? 0.5 : 0),
        published: i % 2 === 0,
        contact: i % 4 === 0 ? `c${i}@example.com` : '',
        link: i % 6 === 0 ? `https://example.com/${i}` : '',
        due: i % 3 === 0 ? `2024-0${(i % 9) + 1}-1${i % 10} 10:00:00.000Z` : '',
        status: i % 2 ? 'live' : 'draft',
        labels: ['a', 'b', 'c'].filter((_, k) => (i >> k) & 1),
        author: i % 3 === 0 ? '' : (i % 2 ? ada.id : bob.id),
        tags: tagIds.filter((_, k) => (i + k) % 4 === 0),
        meta: i % 8 === 0 ? null : { rank: i, nested: { list: [i, `${i}`, true] }, text: 'x\ny' },
        place: { lon: (i % 360) - 180, lat: (i % 180) - 90 },
      });
      postIds.push(record.id);
    }
    // Gaps in the rowids and records changed after creation: order must still follow insertion.
    for (const id of postIds.slice(50, 60)) await pb.collection('posts').delete(id);
    for (const id of postIds.slice(10, 20)) await pb.collection('posts').update(id, { views: 999 });
    const kept = postIds.filter((_, i) => i < 50 || i >= 60);
    const bytes = Buffer.from('%PDF-1.4 not really a pdf\n');
    const form = new FormData();
    form.append('cover', new Blob([bytes], { type: 'text/plain' }), 'notes.txt');
    const withFile = await pb.collection('posts').update(kept[3]!, form);
    // A job waiting in the queue comes along (docs/jobs.md §3).
    source.node.jobs.define('later', async () => 'ran on PostgreSQL');
    await source.node.jobs.enqueue('later', { n: 1 }, { runAt: Date.now() + 3_600_000, key: 'later-1' });

    return {
      collections: (await pb.send('/api/collections?perPage=500&sort=name', {})).items,
      pages: await fetchPages(pb),
      postIds: kept,
      file: { record: withFile.id, name: withFile.cover as string, bytes },
    };
  } finally {
    await source.node.close();
  }
}

describe.skipIf(skip !== undefined)('plinth migrate-db', () => {
  let snapshot: Snapshot;
  let hashBefore: string;
  let target: TestDatabase;
  const progress: MigrateProgress[] = [];
  let report: Awaited<ReturnType<typeof migrateDb>>;

  beforeAll(async () => {
    snapshot = await buildSource();
    hashBefore = sha256(join(dir, 'data.db'));
    target = await database();
    report = await migrateDb({ dir, to: target.url, onProgress: (p) => progress.push(p) });
  }, 300_000);

  afterAll(async () => {
    for (const db of databases) await db.drop().catch(() => undefined);
  });

  it('reports every table with its verified count, the view and the storage folder', () => {
    const rows = Object.fromEntries(report.tables.map((t) => [t.name, t.rows]));
    expect(rows).toMatchObject({ posts: POSTS - 10, authors: 2, tags: 6, _superusers: 1, _collections: 10 });
    expect(Object.keys(rows)).toEqual(expect.arrayContaining(['_params', '_externalAuths', '_otps', '_mfas', '_authOrigins']));
    expect(report.views).toEqual(['popular']);
    expect(report.skipped).toEqual([]);
    expect(report.storage).toBe(join(dir, 'storage'));
    // Progress: every table starts at 0 and ends at its total, in batches that only grow.
    const posts = progress.filter((p) => p.table === 'posts');
    expect(posts[0]).toMatchObject({ copied: 0, total: POSTS - 10 });
    expect(posts.at(-1)).toMatchObject({ copied: POSTS - 10, total: POSTS - 10, tables: report.tables.length });
    expect(posts.map((p) => p.copied)).toEqual([...posts.map((p) => p.copied)].sort((a, b) => a - b));
  });

  it('copies the logs of auxiliary.db into the _logs table, row for row', async () => {
    const aux = new Database(join(dir, 'auxiliary.db'), { readonly: true });
    const want = aux.prepare('SELECT id, created, level, message, data FROM _logs ORDER BY rowid').all() as Array<Record<string, unknown>>;
    aux.close();
    expect(want.length).toBeGreaterThan(0);
    expect(report.tables.find((t) => t.name === '_logs')).toEqual({ name: '_logs', rows: want.length });
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT id, created, level, message, data FROM _logs ORDER BY id');
      const byId = new Map(rows.map((r: Record<string, unknown>) => [r.id, r]));
      expect(byId.size).toBe(want.length);
      for (const row of want.slice(0, 20)) {
        const got = byId.get(row.id)!;
        const data = typeof got.data === 'string' ? JSON.parse(got.data) : got.data;
        expect({ ...got, level: Number(got.level), data }).toEqual({ ...row, level: Number(row.level), data: JSON.parse(row.data as string) });
      }
    } finally {
      await client.end();
    }
  });

  it('leaves the SQLite file byte for byte as it was', () => {
    expect(sha256(join(dir, 'data.db'))).toBe(hashBefore);
  });

  it('serves the same collections, records, order, filters, expands and files from PostgreSQL', async () => {
    const node = await startNode(target.url);
    try {
      const pb = await node.admin();
      expect((await pb.send('/api/collections?perPage=500&sort=name', {})).items).toEqual(snapshot.collections);
      const pages = await fetchPages(pb);
      // Compared record by record: a diff of whole pages would be too large to read.
      for (const name of Object.keys(PAGES)) {
        const [got, want] = [pages[name] as Page, snapshot.pages[name] as Page];
        expect({ name, ...got, items: got.items.length }).toEqual({ name, ...want, items: want.items.length });
        for (const [i, item] of want.items.entries()) expect({ name, i, item: got.items[i] }).toEqual({ name, i, item });
      }
      expect((pages.posts as { items: Array<{ id: string }> }).items.map((r) => r.id)).toEqual(snapshot.postIds);
      // Every compared answer holds records, so "equal" means something.
      for (const name of Object.keys(PAGES)) expect({ name, empty: (pages[name] as { items: unknown[] }).items.length === 0 }).toEqual({ name, empty: false });
      // The uploaded file is still found: its metadata came along, the bytes stayed in <dir>/storage.
      // NOTE: through inject, not a socket: a keep-alive connection that served a file
      // stream is sometimes not idle yet when the node closes, and close then waits for it.
      const res = await node.node.http.inject({ method: 'GET', url: `/api/files/posts/${snapshot.file.record}/${snapshot.file.name}` });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload).toEqual(snapshot.file.bytes);
    } finally {
      await node.node.close();
    }
  });

  it('keeps passwords, unique indexes and the insertion order going on PostgreSQL', async () => {
    const node = await startNode(target.url);
    try {
      const user = new PocketBase(node.url);
      const auth = await user.collection('authors').authWithPassword(USER.email, USER.password);
      expect(auth.record.name).toBe('Ada');
      await expect(user.collection('authors').authWithPassword(USER.email, 'wrong-password-1')).rejects.toMatchObject({ status: 400 });
      const pb = await node.admin();
      const duplicate = await pb.collection('posts').create({ title: 'dup', slug: 'post-1' }).catch((e: { status: number; data: any }) => e);
      expect(duplicate).toMatchObject({ status: 400, data: { data: { slug: { code: 'validation_not_unique' } } } });
      // A new record comes after every copied one: the insertion-order sequence continues.
      const added = await pb.collection('posts').create({ title: 'after the move', slug: 'after' });
      const list = await pb.collection('posts').getList(1, 2, { sort: '@rowid', filter: `id = "${added.id}" || id = "${snapshot.postIds.at(-1)}"` });
      expect(list.items.map((r) => r.id)).toEqual([snapshot.postIds.at(-1), added.id]);
      const all = await pb.send('/api/collections/posts/records?perPage=500&fields=id', {});
      expect(all.items.map((r: { id: string }) => r.id)).toEqual([...snapshot.postIds, added.id]);
      // The queued job came along with its key, and new jobs number on after it.
      node.node.jobs.define('later', async () => 'ran on PostgreSQL');
      const next = await node.node.jobs.enqueue('later', { n: 3 }, { delay: 3_600_000 });
      const copied = await node.node.jobs.enqueue('later', { n: 2 }, { key: 'later-1' });
      expect(copied.payload).toEqual({ n: 1 });
      const jobs = await pb.send('/api/jobs?name=later', {});
      expect(jobs.items.map((j: { id: string }) => j.id)).toEqual([next.id, copied.id]);
    } finally {
      await node.node.close();
    }
  });

  it('refuses a target that already holds data, and changes nothing there', async () => {
    await expect(migrateDb({ dir, to: target.url })).rejects.toThrow(/already holds a Plinth instance/);
    const other = await database();
    await query(other.url, 'CREATE TABLE unrelated (x int)');
    await expect(migrateDb({ dir, to: other.url })).rejects.toThrow(/is not empty \(tables "unrelated"\)/);
    expect(await query(other.url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).toEqual([{ table_name: 'unrelated' }]);
  });

  it('rolls everything back when a value cannot be copied', async () => {
    // SQLite keeps U+0000 in text; PostgreSQL refuses it. The copy fails half-way.
    const broken = join(scratch, 'broken');
    mkdirSync(broken);
    copyFileSync(join(dir, 'data.db'), join(broken, 'data.db'));
    const raw = new Database(join(broken, 'data.db'));
    raw.prepare(`UPDATE posts SET body = 'a' || char(0) || 'b' WHERE _rowid_ = (SELECT max(_rowid_) FROM posts)`).run();
    raw.close();
    const empty = await database();
    await expect(migrateDb({ dir: broken, to: empty.url })).rejects.toThrow(/copying "posts" failed/);
    expect(await query(empty.url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).toEqual([]);
  });

  it('creates a view after the view it reads, and refuses a view query PostgreSQL cannot run', async () => {
    /** A copy of the source with one more view collection, listed first (oldest). */
    const withView = (name: string, query: string): string => {
      const copy = join(scratch, name);
      mkdirSync(copy);
      copyFileSync(join(dir, 'data.db'), join(copy, 'data.db'));
      const raw = new Database(join(copy, 'data.db'));
      const popular = JSON.parse((raw.prepare(`SELECT data FROM _collections WHERE name = 'popular'`).get() as { data: string }).data);
      const view = { ...popular, id: `pbc_${name}`, name, viewQuery: query, created: '2000-01-01 00:00:00.000Z' };
      raw.exec(`CREATE VIEW ${name} AS ${query}`);
      raw.prepare('INSERT INTO _collections (id, name, type, system, data, created, updated) VALUES (?, ?, ?, 0, ?, ?, ?)')
        .run(view.id, name, 'view', JSON.stringify(view), view.created, view.created);
      raw.close();
      return copy;
    };
    const stacked = await database();
    const result = await migrateDb({ dir: withView('first_view', 'SELECT id, title, views FROM popular WHERE views > 300'), to: stacked.url });
    expect(result.views).toEqual(['first_view', 'popular']);
    expect(await query(stacked.url, 'SELECT count(*)::int AS n FROM first_view')).toEqual([{ n: expect.any(Number) }]);

    const empty = await database();
    const liteOnly = withView('lite_only', `SELECT id, strftime('%Y', created) AS year FROM posts`);
    await expect(migrateDb({ dir: liteOnly, to: empty.url })).rejects.toThrow(/the query of view collection "lite_only" does not run on PostgreSQL \(.*strftime/);
    expect(await query(empty.url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).toEqual([]);
  });

  it('runs from the command line with a report, and exits 2 naming a bad --to', async () => {
    const cliTarget = await database();
    const ok = await runPlinth(['migrate-db', `--dir=${dir}`, `--to=${cliTarget.url}`], childEnv({}), scratch);
    expect(ok.out).toContain('Verified: ');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/_superusers\s+1 row\b/);
    expect(ok.out).toMatch(/posts\s+290 rows/);
    expect(ok.out).toContain(`they stay in ${join(dir, 'storage')}`);
    expect(await query(cliTarget.url, 'SELECT count(*)::int AS n FROM posts')).toEqual([{ n: POSTS - 10 }]);
    expect(sha256(join(dir, 'data.db'))).toBe(hashBefore);

    const bad = await runPlinth(['migrate-db', `--dir=${dir}`, '--to=mysql://u:secret@h/db'], childEnv({}), scratch);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--to: "mysql://u:***@h/db": only PostgreSQL is supported');
    expect(bad.out).not.toContain('secret');
  }, 120_000);
});

/** A CliContext that keeps what the command prints. */
function cliContext(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const ctx: CliContext = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void out.push(text),
    env,
    cwd: scratch,
    version: '0.0.0',
    createPlinth: () => Promise.reject(new Error('migrate-db must not start a node')),
    onShutdownSignal: () => () => undefined,
  };
  return { ctx, output: () => out.join('') };
}

describe('plinth migrate-db command line', () => {
  const missing = join(scratch, 'nowhere');
  it.each<[string, string[], NodeJS.ProcessEnv, number, RegExp]>([
    ['help', ['migrate-db', '--help'], {}, 0, /Usage:\n {2}plinth migrate-db --to=postgres:/],
    ['help through plinth help', ['help', 'migrate-db'], {}, 0, /--dir=DIR {5}Data directory to copy from/],
    ['no --to', ['migrate-db', `--dir=${scratch}`], {}, 2, /Error: migrate-db: missing --to=postgres:\/\/.*\nRun "plinth migrate-db --help" for usage/],
    ['--to without a value', ['migrate-db', '--to'], {}, 2, /--to: needs a value/],
    ['--to that is no URL', ['migrate-db', '--to=not a url'], {}, 2, /Error: --to: "not a url" is not a URL like postgres:/],
    ['--to of another engine, password masked', ['migrate-db', '--to=mysql://u:secret@h/db'], {}, 2, /Error: --to: "mysql:\/\/u:\*\*\*@h\/db": only PostgreSQL/],
    ['an unknown flag', ['migrate-db', '--to=postgres://h/db', '--force'], {}, 2, /--force: unknown option/],
    ['a stray argument', ['migrate-db', '--to=postgres://h/db', 'extra'], {}, 2, /unexpected argument "extra"/],
    ['a directory without data.db', ['migrate-db', '--to=postgres://h/db', `--dir=${missing}`], {}, 2, /Error: --dir: no Plinth database at .*nowhere\/data\.db/],
    ['PLINTH_DIR without data.db', ['migrate-db', '--to=postgres://h/db'], { PLINTH_DIR: missing }, 2, /Error: --dir: no Plinth database at .*nowhere\/data\.db/],
    ['a file that is not a database', ['migrate-db', '--to=postgres://h/db', `--dir=${join(scratch, 'junk')}`], {}, 2, /Error: --dir: .*junk\/data\.db is not a Plinth database/],
  ])('%s', async (_name, argv, env, code, message) => {
    mkdirSync(join(scratch, 'junk'), { recursive: true });
    writeFileSync(join(scratch, 'junk', 'data.db'), 'not sqlite at all, just text that is long enough to be a header '.repeat(4));
    const { ctx, output } = cliContext(env);
    expect(await runCli(argv, ctx)).toBe(code);
    expect(output()).toMatch(message);
    expect(output()).not.toContain('secret');
  });

  it('exits 2 naming --to when PostgreSQL cannot be reached, and leaves the source alone', async () => {
    const source = join(scratch, 'unreachable');
    mkdirSync(source, { recursive: true });
    const raw = new Database(join(source, 'data.db'));
    raw.exec('CREATE TABLE _collections (id TEXT, name TEXT, type TEXT, system BOOLEAN, data TEXT, created TEXT, updated TEXT)');
    raw.close();
    const before = sha256(join(source, 'data.db'));
    const { ctx, output } = cliContext();
    expect(await runCli(['migrate-db', `--dir=${source}`, '--to=postgres://u:secret@127.0.0.1:1/db'], ctx)).toBe(2);
    expect(output()).toMatch(/Error: --to: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/db/);
    expect(output()).not.toContain('secret');
    expect(sha256(join(source, 'data.db'))).toBe(before);
  });
});
