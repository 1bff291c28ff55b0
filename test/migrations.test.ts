/**
 * Migrations as files (docs/migrations.md, docs/hooks.md §6): files written by the
 * test into a migrations folder, applied when a real node starts and by the
 * `plinth migrate` commands; the history in `_migrations`; a failing file rolls
 * everything back and stops the start naming it; automigrate writes files that
 * recreate the schema on a fresh database; `migrate collections` round-trips.
 * On SQLite and, with PLINTH_TEST_DIALECT=postgres, on PostgreSQL.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlinth } from '../src/app/create-plinth.js';
import { isMigrationError } from '../src/app/migration-error.js';
import type { CliContext } from '../src/cli/cli-context.js';
import { runCli } from '../src/cli/run-cli.js';
import type { PlinthConfig } from '../src/config/config.js';
import { uniqueName } from './helpers/collections.js';
import { childEnv, runPlinth } from './helpers/plinth-process.js';
import { createTestDatabase, postgresSkipReason, testDialect } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const scratch = mkdtempSync(join(tmpdir(), 'plinth-migrations-'));
const dropLater: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const drop of dropLater) await drop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A database of the test's own (a data directory; on PostgreSQL also a database) and a migrations folder. */
interface Place {
  dir: string;
  migrations: string;
  databaseUrl?: string;
}

async function freshPlace(migrations = mkdtempSync(join(scratch, 'm-'))): Promise<Place> {
  const dir = mkdtempSync(join(scratch, 'd-'));
  if (testDialect() !== 'postgres') return { dir, migrations };
  const database = await createTestDatabase();
  dropLater.push(() => database.drop());
  return { dir, migrations, databaseUrl: database.url };
}

function configOf(place: Place, extra: Partial<PlinthConfig> = {}): Partial<PlinthConfig> {
  return { dir: place.dir, migrationsDir: place.migrations, ...(place.databaseUrl ? { databaseUrl: place.databaseUrl } : {}), ...extra };
}

/** Starts a real node over `place`; its migrations apply as it starts. */
function startNode(place: Place, extra: Partial<PlinthConfig> = {}): Promise<TestServer> {
  return startTestServer(configOf(place, extra));
}

/** A node over `place`, built but not started (tests start it themselves). */
function buildNode(place: Place): ReturnType<typeof createPlinth> {
  const base = { http: { host: '127.0.0.1', port: 0 }, origins: ['*'], dev: false, logLevel: 'silent', bodyLimit: 1 << 20, queryTimeout: 30 } as const;
  return createPlinth({ ...base, origins: ['*'], ...configOf(place) } as PlinthConfig, { logger: false });
}

/** Starts a node over `place`'s database that applies no migration, to look at it. */
function inspect(place: Place): Promise<TestServer> {
  return startNode(place, { migrationsDir: join(scratch, 'no-such-folder') });
}

/** Runs `plinth …` in-process against `place`; resolves with the exit code and output. */
async function plinth(place: Place, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const env: NodeJS.ProcessEnv = { PLINTH_DIR: place.dir, PLINTH_MIGRATIONS_DIR: place.migrations };
  if (place.databaseUrl) env.DATABASE_URL = place.databaseUrl;
  const ctx: CliContext = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env, cwd: scratch, version: 'test',
    createPlinth: (config, options) => createPlinth(config, options),
    onShutdownSignal: () => () => undefined,
  };
  const code = await runCli(args, ctx);
  return { code, stdout, stderr };
}

function write(place: Place, file: string, text: string): void {
  writeFileSync(join(place.migrations, file), text);
}

/** A JavaScript migration creating a base collection with one text field. */
function createCollectionJs(name: string): string {
  return `export default {
  async up(app) {
    await app.save({ name: ${JSON.stringify(name)}, type: 'base', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] });
  },
  async down(app) {
    await app.delete(app.findCollectionByNameOrId(${JSON.stringify(name)}));
  },
};
`;
}

/** A TypeScript migration inserting a row through app.db(), inside a nested runInTransaction. */
function seedTs(collection: string, title: string): string {
  return `interface Post { id: string; title: string }
export default {
  async up(app: any): Promise<void> {
    await app.runInTransaction(async (tx: any) => {
      const post: Post = { id: ${JSON.stringify(title.padEnd(15, 'x').slice(0, 15))}, title: ${JSON.stringify(title)} };
      await tx.db().insertInto(${JSON.stringify(collection)}).values(post).execute();
    });
  },
  async down(app: any): Promise<void> {
    await app.db().deleteFrom(${JSON.stringify(collection)}).execute();
  },
};
`;
}

async function history(s: TestServer): Promise<string[]> {
  const rows = await s.node.db().selectFrom('_migrations').select(['file', 'applied']).orderBy('applied').execute();
  return rows.map((r: { file: string }) => r.file);
}

async function titles(s: TestServer, collection: string): Promise<string[]> {
  const res = await s.request('GET', `/api/collections/${collection}/records?sort=title`);
  expect(res.status).toBe(200);
  return res.body.items.map((r: { title: string }) => r.title);
}

describe('migrations applied at start', () => {
  it('applies the pending files in name order, records them, and applies nothing twice', async () => {
    const place = await freshPlace();
    const posts = uniqueName('posts');
    write(place, '1700000002_seed.ts', seedTs(posts, 'hello'));
    write(place, '1700000001_create_posts.js', createCollectionJs(posts));
    write(place, 'helpers.ts', 'throw new Error("not a migration: never loaded");\n');
    write(place, '1700000003_types.d.ts', 'export {};\n');

    let s = await startNode(place);
    try {
      expect(await titles(s, posts)).toEqual(['hello']);
      expect(await history(s)).toEqual(['1700000001_create_posts.js', '1700000002_seed.ts']);
    } finally {
      await s.close();
    }

    // A second start over the same database: nothing applies again; a new file applies alone.
    write(place, '1700000004_more.ts', seedTs(posts, 'again').replace("'again'.padEnd", "'again'.padEnd"));
    s = await startNode(place);
    try {
      expect(await titles(s, posts)).toEqual(['again', 'hello']);
      expect(await history(s)).toEqual(['1700000001_create_posts.js', '1700000002_seed.ts', '1700000004_more.ts']);
    } finally {
      await s.close();
    }
  });

  it('starts on an empty database with a missing migrations folder', async () => {
    const place = await freshPlace(join(scratch, 'no-such-folder'));
    const s = await startNode(place);
    try {
      expect(await history(s)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('rolls every pending migration back when one fails, and stops the start naming the file', async () => {
    const place = await freshPlace();
    const posts = uniqueName('posts');
    write(place, '1700000001_create_posts.js', createCollectionJs(posts));
    write(place, '1700000002_broken.ts', `export default {
  async up(app: any) {
    await app.db().insertInto(${JSON.stringify(posts)}).values({ id: 'aaaaaaaaaaaaaaa', title: 'kept?' }).execute();
    throw new Error('the disk is lava');
  },
};
`);

    const node = await buildNode(place);
    let failure: unknown;
    try {
      await node.start();
    } catch (err) {
      failure = err;
    } finally {
      await node.stop();
    }
    expect(isMigrationError(failure)).toBe(true);
    expect((failure as Error).message).toBe('failed to apply migration 1700000002_broken.ts:4:11: the disk is lava');

    // Nothing of the first file was kept: its collection is not there, no history.
    unlinkSync(join(place.migrations, '1700000002_broken.ts'));
    unlinkSync(join(place.migrations, '1700000001_create_posts.js'));
    const s = await startNode(place);
    try {
      expect((await s.request('GET', `/api/collections/${posts}`, { token: await s.adminToken() })).status).toBe(404);
      expect(await history(s)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('makes plinth serve exit 1 naming the failing file', async () => {
    const place = await freshPlace();
    write(place, '1700000001_fine.ts', 'export default { async up() {} };\n');
    write(place, '1700000002_broken.ts', 'export default {\n  async up(app: unknown) {\n    throw new Error("no such thing");\n  },\n};\n');
    const env = childEnv({ PLINTH_MIGRATIONS_DIR: place.migrations, ...(place.databaseUrl ? { DATABASE_URL: place.databaseUrl } : {}) });
    const run = await runPlinth(['serve', '--http=127.0.0.1:0', `--dir=${place.dir}`], env, scratch);
    expect(run.code).toBe(1);
    expect(run.out).toContain('Error: failed to apply migration 1700000002_broken.ts:3:11: no such thing\n');
    expect(run.out).not.toContain('Server started');
  });

  it.skipIf(postgresSkipReason() !== undefined || testDialect() !== 'postgres')('applies each file once when several nodes start together on one PostgreSQL database', async () => {
    const place = await freshPlace();
    const posts = uniqueName('posts');
    write(place, '1700000001_create_posts.js', createCollectionJs(posts));
    write(place, '1700000002_seed.ts', seedTs(posts, 'once'));
    const nodes = await Promise.all([1, 2, 3].map(() => buildNode(place)));
    try {
      await Promise.all(nodes.map((node) => node.start()));
      for (const node of nodes) {
        expect(await node.db().selectFrom(posts).select('title').execute()).toEqual([{ title: 'once' }]);
        expect(node.findCollectionByNameOrId(posts).name).toBe(posts);
      }
      const rows = await nodes[0]!.db().selectFrom('_migrations').select('file').orderBy('file').execute();
      expect(rows.map((r: { file: string }) => r.file)).toEqual(['1700000001_create_posts.js', '1700000002_seed.ts']);
    } finally {
      for (const node of nodes) await node.stop();
    }
  });

  it("applies and reverts the shop example's schema", async () => {
    const shop = fileURLToPath(new URL('../examples/shop/plinth_migrations', import.meta.url));
    const place = await freshPlace(shop);
    const s = await startNode(place);
    try {
      const token = await s.adminToken();
      for (const name of ['products', 'orders']) expect((await s.request('GET', `/api/collections/${name}`, { token })).status).toBe(200);
      expect(await history(s)).toEqual(readdirSync(shop).sort());
    } finally {
      await s.close();
    }
    expect((await plinth(place, 'migrate', 'down')).code).toBe(0);
    const after = await inspect(place);
    try {
      const token = await after.adminToken();
      for (const name of ['products', 'orders']) expect((await after.request('GET', `/api/collections/${name}`, { token })).status).toBe(404);
    } finally {
      await after.close();
    }
  });

  it('names a file that is not a migration', async () => {
    const place = await freshPlace();
    write(place, '1700000001_nothing.js', 'export default { down() {} };\n');
    const result = await plinth(place, 'migrate', 'up');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: migration 1700000001_nothing.js does not default-export { up(app), down(app) }\n');
  });
});

/** A TypeScript migration saving a record built with `Record` from 'plinth' (the running server's class). */
function recordTs(collection: string, title: string): string {
  return `import { Record, type PlinthApp } from 'plinth';

export default {
  async up(app: PlinthApp) {
    const record = new Record(app.findCollectionByNameOrId(${JSON.stringify(collection)}), { title: ${JSON.stringify(title)} });
    await app.save(record);
  },
  async down(app: PlinthApp) {
    const found = await app.db().selectFrom(${JSON.stringify(collection)}).select('id').where('title', '=', ${JSON.stringify(title)}).execute();
    for (const row of found) await app.delete(await app.findRecordById(${JSON.stringify(collection)}, row.id));
  },
};
`;
}

describe('plinth migrate', () => {
  it('applies with up, reverts the latest with down [N], and keeps the history', async () => {
    const place = await freshPlace();
    const posts = uniqueName('posts');
    write(place, '1700000001_create_posts.js', createCollectionJs(posts));
    write(place, '1700000002_first.ts', recordTs(posts, 'first'));
    write(place, '1700000003_second.ts', recordTs(posts, 'second'));

    expect(await plinth(place, 'migrate', 'up')).toEqual({
      code: 0, stderr: '',
      stdout: 'Applied 1700000001_create_posts.js\nApplied 1700000002_first.ts\nApplied 1700000003_second.ts\n',
    });
    expect((await plinth(place, 'migrate')).stdout).toBe('No new migrations to apply.\n');

    expect(await plinth(place, 'migrate', 'down')).toEqual({ code: 0, stderr: '', stdout: 'Reverted 1700000003_second.ts\n' });
    let s = await inspect(place);
    try {
      expect(await titles(s, posts)).toEqual(['first']);
      expect(await history(s)).toEqual(['1700000001_create_posts.js', '1700000002_first.ts']);
    } finally {
      await s.close();
    }

    expect((await plinth(place, 'migrate', 'down', '2')).stdout).toBe('Reverted 1700000002_first.ts\nReverted 1700000001_create_posts.js\n');
    expect((await plinth(place, 'migrate', 'down')).stdout).toBe('No migrations to revert.\n');
    s = await inspect(place);
    try {
      expect((await s.request('GET', `/api/collections/${posts}`, { token: await s.adminToken() })).status).toBe(404);
      expect(await history(s)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('rolls a failing down back, naming the file', async () => {
    const place = await freshPlace();
    const posts = uniqueName('posts');
    write(place, '1700000001_create_posts.js', createCollectionJs(posts));
    write(place, '1700000002_stuck.js', 'export default { up() {}, down() { throw new Error("cannot go back"); } };\n');
    expect((await plinth(place, 'migrate', 'up')).code).toBe(0);
    const result = await plinth(place, 'migrate', 'down', '2');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: failed to revert migration 1700000002_stuck.js:1:42: cannot go back\n');
    expect((await plinth(place, 'migrate', 'down')).code).toBe(1);
    // Nothing was reverted: the collection and both rows are still there.
    write(place, '1700000002_stuck.js', 'export default { up() {} };\n');
    expect((await plinth(place, 'migrate', 'down', '1')).stdout).toBe('Reverted 1700000002_stuck.js\n');
    expect((await plinth(place, 'migrate', 'down', '1')).stdout).toBe('Reverted 1700000001_create_posts.js\n');
  });

  it('creates a blank migration that applies and reverts', async () => {
    const place = await freshPlace();
    const created = await plinth(place, 'migrate', 'create', 'Add posts!');
    expect(created.code).toBe(0);
    const [file] = readdirSync(place.migrations);
    expect(file).toMatch(/^\d{10}_add_posts\.ts$/);
    expect(created.stdout).toBe(`Created ${join(place.migrations, file!)}\n`);
    const js = await plinth(place, 'migrate', 'create', 'seedData', '--js');
    expect(js.stdout).toMatch(/_seed_data\.js\n$/);
    expect((await plinth(place, 'migrate', 'up')).stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect((await plinth(place, 'migrate', 'down', '2')).stdout.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('forgets the applied migrations whose file is gone with history-sync', async () => {
    const place = await freshPlace();
    write(place, '1700000001_a.js', 'export default { up() {} };\n');
    write(place, '1700000002_b.js', 'export default { up() {} };\n');
    expect((await plinth(place, 'migrate', 'up')).code).toBe(0);
    unlinkSync(join(place.migrations, '1700000001_a.js'));
    expect((await plinth(place, 'migrate', 'history-sync')).stdout).toBe(`The _migrations table was synced with ${place.migrations}; forgot 1700000001_a.js.\n`);
    const s = await startNode(place);
    try {
      expect(await history(s)).toEqual(['1700000002_b.js']);
    } finally {
      await s.close();
    }
  });

  it('answers usage mistakes with exit code 2', async () => {
    const place = await freshPlace();
    const cases: Array<[string[], string]> = [
      [['migrate', 'sideways'], 'Error: unknown migrate command "sideways"\nRun "plinth migrate --help" for usage.\n'],
      [['migrate', 'down', '0'], 'Error: migrate down: "0" is not a number of migrations (1 or more)\nRun "plinth migrate --help" for usage.\n'],
      [['migrate', 'down', 'x'], 'Error: migrate down: "x" is not a number of migrations (1 or more)\nRun "plinth migrate --help" for usage.\n'],
      [['migrate', 'create'], 'Error: migrate create: missing NAME\nRun "plinth migrate --help" for usage.\n'],
      [['migrate', 'create', '!!!'], 'Error: migrate create: "!!!" has no letter or digit to name a file with\nRun "plinth migrate --help" for usage.\n'],
      [['migrate', 'up', '--js'], 'Error: migrate up: --js applies to create and collections only\nRun "plinth migrate --help" for usage.\n'],
      [['migrate', 'history-sync', 'now'], 'Error: unexpected argument "now"\nRun "plinth migrate --help" for usage.\n'],
    ];
    for (const [args, stderr] of cases) expect(await plinth(place, ...args), args.join(' ')).toEqual({ code: 2, stdout: '', stderr });
    expect(readdirSync(place.migrations)).toEqual([]);
  });
});

/** Every collection as a migration carries it (no timestamps, secrets or providers), by name. */
async function schemaOf(s: TestServer): Promise<Record<string, unknown>> {
  const res = await s.request('GET', '/api/collections?perPage=500', { token: await s.adminToken() });
  expect(res.status).toBe(200);
  const out: Record<string, unknown> = {};
  for (const c of res.body.items as Array<Record<string, any>>) {
    const { created: _created, updated: _updated, ...rest } = c;
    if (rest.oauth2) rest.oauth2 = { ...rest.oauth2, providers: [] };
    out[c.name] = rest;
  }
  return out;
}

describe('automigrate', () => {
  it('writes a file per collection change made through the API that recreates the schema on a fresh database', async () => {
    const place = await freshPlace();
    const authors = uniqueName('authors');
    const posts = uniqueName('posts');
    const drafts = uniqueName('drafts');
    let expected: Record<string, unknown>;
    const s = await startNode(place, { automigrate: true });
    try {
      const pb = await s.admin();
      const a = await pb.collections.create({ name: authors, type: 'auth', fields: [{ name: 'bio', type: 'editor' }] });
      const p = await pb.collections.create({
        name: posts, type: 'base', listRule: '',
        fields: [{ name: 'title', type: 'text', required: true }, { name: 'author', type: 'relation', collectionId: a.id, maxSelect: 1 }],
        indexes: [`CREATE INDEX idx_${posts}_title ON ${posts} (title)`],
      });
      await pb.collections.create({ name: drafts, type: 'base' });
      // A change of rules, a new field, a removed field and a rename of another collection.
      await pb.collections.update(posts, { viewRule: 'author = @request.auth.id', indexes: [], fields: [...p.fields.filter((f) => f.name !== 'title'), { name: 'body', type: 'text' }] });
      await pb.collections.update(authors, { name: `${authors}_x`, manageRule: 'id = @request.auth.id' });
      await pb.collections.delete(drafts);
      // A PATCH that changes nothing a migration carries writes nothing.
      await pb.collections.update(posts, {});
      expected = await schemaOf(s);
    } finally {
      await s.close();
    }
    // In name order, the order the changes were made in, though several fell in one second.
    const files = readdirSync(place.migrations).sort();
    expect(files.map((f) => f.replace(/^\d+_/, ''))).toEqual([
      `created_${authors}.ts`, `created_${posts}.ts`, `created_${drafts}.ts`, `updated_${posts}.ts`, `updated_${authors}.ts`, `deleted_${drafts}.ts`,
    ]);
    expect(files).toHaveLength(6);
    const created = readFileSync(join(place.migrations, files.find((f) => f.endsWith(`created_${authors}.ts`))!), 'utf8');
    expect(created).not.toMatch(/"secret"|"created"|"updated"/);

    // Recorded as applied where the change was made: a restart applies nothing.
    const again = await startNode(place, { automigrate: true });
    try {
      expect(await history(again)).toEqual(files);
      expect(await schemaOf(again)).toEqual(expected);
    } finally {
      await again.close();
    }

    // A fresh database with the same folder: the migrations recreate the schema, and
    // changes made by migrations write no file even with automigrate on.
    const fresh = await freshPlace(place.migrations);
    const other = await startNode(fresh, { automigrate: true });
    try {
      expect(await schemaOf(other)).toEqual(expected);
      expect(await history(other)).toEqual(files);
      expect(readdirSync(place.migrations).sort()).toEqual(files);
    } finally {
      await other.close();
    }

    // Their down reverts them, latest first, back to the empty schema.
    expect((await plinth(fresh, 'migrate', 'down', '6')).code).toBe(0);
    const empty = await inspect(fresh);
    try {
      const names = Object.keys(await schemaOf(empty));
      for (const name of [authors, `${authors}_x`, posts, drafts]) expect(names).not.toContain(name);
    } finally {
      await empty.close();
    }
  });

  it('writes one file for an import, which re-imports on a fresh database and reverts', async () => {
    const place = await freshPlace();
    const kept = uniqueName('kept');
    const gone = uniqueName('gone');
    const added = uniqueName('added');
    let expected: Record<string, unknown>;
    const s = await startNode(place);
    try {
      const pb = await s.admin();
      await pb.collections.create({ name: kept, type: 'base', fields: [{ name: 'a', type: 'text' }] });
      await pb.collections.create({ name: gone, type: 'base' });
      // Made while automigrate was off: a snapshot carries them to other databases.
      expect((await plinth(place, 'migrate', 'collections')).code).toBe(0);
    } finally {
      await s.close();
    }
    const snapshot = readdirSync(place.migrations);
    expect(snapshot).toHaveLength(1);

    const t = await startNode(place, { automigrate: true });
    try {
      const pb = await t.admin();
      const all = (await pb.collections.getFullList()).filter((c) => c.name !== gone);
      // A new field, a new collection, one left out (deleteMissing): a file of plain JSON, as the dashboard sends.
      const changed = all.map((c) => (c.name === kept ? { ...c, fields: [...c.fields, { name: 'b', type: 'number' }] } : c));
      const res = await t.request('PUT', '/api/collections/import', {
        token: await t.adminToken(),
        body: { deleteMissing: true, collections: [...changed, { name: added, type: 'base', fields: [{ name: 'x', type: 'bool' }] }] },
      });
      expect(res.status).toBe(204);
      expected = await schemaOf(t);
    } finally {
      await t.close();
    }
    const files = readdirSync(place.migrations).sort();
    expect(files).toHaveLength(2);
    expect(files[1]).toMatch(/^\d+_imported_collections\.ts$/);

    const fresh = await freshPlace(place.migrations);
    const other = await startNode(fresh);
    try {
      expect(await schemaOf(other)).toEqual(expected);
    } finally {
      await other.close();
    }
    expect((await plinth(fresh, 'migrate', 'down')).stdout).toBe(`Reverted ${files[1]}\n`);
    const back = await inspect(fresh);
    try {
      const names = Object.keys(await schemaOf(back));
      expect(names).toContain(gone);
      expect(names).not.toContain(added);
      expect((await schemaOf(back))[kept]).toMatchObject({ fields: expect.not.arrayContaining([expect.objectContaining({ name: 'b' })]) });
    } finally {
      await back.close();
    }
  });
});

describe('plinth migrate collections', () => {
  it('writes one file that recreates every collection on a fresh database, recorded as applied where it was written', async () => {
    const place = await freshPlace();
    const team = uniqueName('team');
    const view = uniqueName('v');
    let expected: Record<string, unknown>;
    const s = await startNode(place);
    try {
      const pb = await s.admin();
      const t = await pb.collections.create({ name: team, type: 'base', listRule: '', fields: [{ name: 'name', type: 'text' }, { name: 'size', type: 'number', min: 1 }] });
      await pb.collections.create({ name: view, type: 'view', listRule: '', viewQuery: `SELECT id, name FROM ${team}` });
      await pb.collections.update('users', { fields: [...(await pb.collections.getOne('users')).fields, { name: 'nick', type: 'text' }] });
      expect(t.id).toBeTruthy();
      expected = await schemaOf(s);
    } finally {
      await s.close();
    }
    const made = await plinth(place, 'migrate', 'collections', '--js');
    expect(made.code).toBe(0);
    const [file] = readdirSync(place.migrations);
    expect(file).toMatch(/^\d+_collections_snapshot\.js$/);
    expect(made.stdout).toBe(`Created ${join(place.migrations, file!)}\n`);
    expect((await plinth(place, 'migrate', 'up')).stdout).toBe('No new migrations to apply.\n');

    const fresh = await freshPlace(place.migrations);
    const other = await startNode(fresh);
    try {
      expect(await schemaOf(other)).toEqual(expected);
      expect(await history(other)).toEqual([file]);
    } finally {
      await other.close();
    }
  });
});
