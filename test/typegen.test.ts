/**
 * `plinth typegen` (docs/typegen.md): types for the pocketbase SDK read from a running
 * server (`--url`) and from a data directory (`--dir`), checked with tsc against the SDK,
 * with a typed call that compiles and a wrong one that does not; and pocketbase-typegen
 * itself still reads the server's collections (`--url`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlinth } from '../src/app/create-plinth.js';
import type { CliContext } from '../src/cli/cli-context.js';
import { runCli } from '../src/cli/run-cli.js';
import { createCollection } from './helpers/collections.js';
import { SUPERUSER, startTestServer, type TestServer } from './helpers/test-server.js';
import { typeCheck } from './helpers/type-check.js';

let s: TestServer;
const scratch = mkdtempSync(join(tmpdir(), 'plinth-typegen-'));

function cliContext(env: NodeJS.ProcessEnv = {}): { ctx: CliContext; output: () => string } {
  const out: string[] = [];
  const ctx: CliContext = {
    stdout: (text) => void out.push(text), stderr: (text) => void out.push(text), env, cwd: scratch, version: '0.0.0',
    createPlinth: (config, options) => createPlinth(config, { logger: false, ...options }),
    onShutdownSignal: () => () => undefined,
  };
  return { ctx, output: () => out.join('') };
}

/** A program using the types as an app would; `wrong` adds a line that must not compile. */
function usage(wrong = '', writes = true): string {
  return `import PocketBase from 'pocketbase';
import { Collections, TgPostsStatusOptions, TgPostsTagsOptions, type TgPostsResponse, type TypedPocketBase, type CollectionRecords } from './pocketbase-types.js';
const pb = new PocketBase('http://127.0.0.1:8090') as TypedPocketBase;
export async function read(): Promise<string> {
  const post = await pb.collection('tg_posts').getOne('abc');
  const title: string = post.title;
  const views: number = post.views;
  const status: TgPostsStatusOptions | '' = post.status;
  const tags: string[] = post.tags;
  const when: string = post.created;
  const geo: number = post.place.lat;
  const member = await pb.collection('tg_members').authWithPassword('a@example.com', 'x');
  const nick: string = member.record.nick;
  const email: string = member.record.email;
  const page = await pb.collection(Collections.TgPosts).getList(1, 10);
  // pocketbase-typegen's record types also require id and the autodates, so only ours are written here.
  const body = ${writes ? "{ title: 'x', tags: [TgPostsTagsOptions.a, 'b'] } satisfies CollectionRecords['tg_posts']" : "{ title: TgPostsTagsOptions.a as string }"};
  const typed: TgPostsResponse<{ n: number }> = post as TgPostsResponse<{ n: number }>;
  const n: number | undefined = typed.meta?.n;
  ${wrong}
  return [title, views, status, tags, when, geo, nick, email, page.items.length, body.title, n].join();
}
`;
}

beforeAll(async () => {
  s = await startTestServer();
  const admin = await s.adminToken();
  const members = await createCollection(s, admin, {
    name: 'tg_members', type: 'auth', listRule: '', viewRule: '',
    fields: [
      { name: 'nick', type: 'text' }, { name: 'staffNote', type: 'text', hidden: true },
      { name: 'phone', type: 'text', readRule: '@request.auth.id = id' }, { name: 'grade', type: 'number', readRule: null },
    ],
  });
  await createCollection(s, admin, {
    name: 'tg_posts', listRule: '', viewRule: '',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'views', type: 'number' },
      { name: 'status', type: 'select', values: ['draft', 'live', 'in review'], maxSelect: 1 },
      { name: 'tags', type: 'select', values: ['a', 'b'], maxSelect: 2 },
      { name: 'author', type: 'relation', collectionId: members.id, maxSelect: 1 },
      { name: 'files', type: 'file', maxSelect: 3 },
      { name: 'meta', type: 'json' },
      { name: 'place', type: 'geoPoint' },
      { name: 'body', type: 'editor' },
      { name: 'published', type: 'bool' },
      { name: 'created', type: 'autodate', onCreate: true },
    ],
  });
});

afterAll(async () => {
  await s?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('plinth typegen --url', () => {
  it('writes types that compile against the SDK, and refuse a wrong use', async () => {
    const { ctx, output } = cliContext({ PLINTH_TYPEGEN_PASSWORD: SUPERUSER.password });
    const code = await runCli(['typegen', `--url=${s.url}`, `--email=${SUPERUSER.email}`, '--out=url-types.ts'], ctx);
    expect(output()).toMatch(/Wrote the types of \d+ collections/);
    expect(code).toBe(0);
    const types = readFileSync(join(scratch, 'url-types.ts'), 'utf8');
    expect(types).toContain('export const Collections = {');
    expect(types).toContain('TgPosts: "tg_posts"');
    expect(types).toContain('export type TypedPocketBase = PocketBase & {');
    // A password may be sent, never answered; a hidden field reaches superusers only, and a field
    // with a readRule only those it holds for: the API leaves the key out for the others.
    expect(types).toContain('export type TgMembersResponse<Texpand = unknown> = Required<Omit<TgMembersRecord, "password" | "staffNote" | "phone" | "grade">> & Pick<TgMembersRecord, "staffNote" | "phone" | "grade"> & AuthSystemFields<Texpand>;');
    expect(typeCheck({ 'pocketbase-types.ts': types, 'use.ts': usage() })).toEqual([]);
    const wrong = typeCheck({ 'pocketbase-types.ts': types, 'use.ts': usage("const bad: number = post.title; void bad;") });
    expect(wrong.join('\n')).toMatch(/not assignable to type 'number'/);
  });

  it('gives select fields whose option type names would be the same distinct names', async () => {
    const admin = await s.adminToken();
    const across = await createCollection(s, admin, {
      name: 'tg_kind', fields: [
        { name: 'of_x', type: 'select', values: ['a'], maxSelect: 1 },
        { name: 'mode_a', type: 'select', values: ['b'], maxSelect: 1 }, { name: 'modeA', type: 'select', values: ['c'], maxSelect: 1 },
      ],
    });
    const other = await createCollection(s, admin, { name: 'tg_kind_of', fields: [{ name: 'x', type: 'select', values: ['d'], maxSelect: 1 }] });
    const { ctx } = cliContext();
    try {
      expect(await runCli(['typegen', `--url=${s.url}`, `--token=${admin}`, '--out=names-types.ts'], ctx)).toBe(0);
    } finally {
      // pocketbase-typegen names these alike and then does not compile: its test below must not see them.
      for (const c of [across, other]) await s.request('DELETE', `/api/collections/${c.id}`, { token: admin });
    }
    const types = readFileSync(join(scratch, 'names-types.ts'), 'utf8');
    expect(types).toContain('"of_x"?: TgKindOfXOptions;');
    expect(types).toContain('"x"?: TgKindOfX2Options;');
    expect(types).toContain('"mode_a"?: TgKindModeAOptions;');
    expect(types).toContain('"modeA"?: TgKindModeA2Options;');
    expect(typeCheck({ 'pocketbase-types.ts': types })).toEqual([]);
  });

  it('reads a server served under a path, as behind a reverse proxy', async () => {
    // A proxy that serves the server under /pb/ and answers 404 elsewhere.
    const proxy = createServer((req, res) => {
      if (!req.url?.startsWith('/pb/')) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      const upstream = request(new URL(req.url.slice('/pb'.length), s.url), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/pb`;
    try {
      const { ctx, output } = cliContext({ PLINTH_TYPEGEN_PASSWORD: SUPERUSER.password });
      const code = await runCli(['typegen', `--url=${base}`, `--email=${SUPERUSER.email}`, '--out=proxied-types.ts'], ctx);
      expect(output()).toMatch(/Wrote the types of \d+ collections/);
      expect(code).toBe(0);
      expect(readFileSync(join(scratch, 'proxied-types.ts'), 'utf8')).toContain('TgPosts: "tg_posts"');
    } finally {
      await new Promise((done) => proxy.close(done));
    }
  });

  it('takes a token, and refuses bad credentials with a message', async () => {
    const { ctx, output } = cliContext();
    expect(await runCli(['typegen', `--url=${s.url}`, `--token=${await s.adminToken()}`, '--out=token-types.ts'], ctx)).toBe(0);
    expect(readFileSync(join(scratch, 'token-types.ts'), 'utf8')).toContain('TgMembers: "tg_members"');
    const bad = cliContext();
    expect(await runCli(['typegen', `--url=${s.url}`, '--token=nope', '--out=x.ts'], bad.ctx)).toBe(1);
    expect(bad.output()).toMatch(/\/api\/collections answered 401/);
    const none = cliContext();
    expect(await runCli(['typegen', `--url=${s.url}`], none.ctx)).toBe(2);
    expect(none.output()).toMatch(/needs a superuser/);
    const notUrl = cliContext();
    expect(await runCli(['typegen', '--url=ftp://x'], notUrl.ctx)).toBe(2);
    void output;
  });
});

describe('pocketbase-typegen --url', () => {
  it('still reads the collections and writes types that compile', async () => {
    const cli = join(import.meta.dirname, '..', 'node_modules', 'pocketbase-typegen', 'dist', 'cli.js');
    const out = join(scratch, 'pbtg-types.ts');
    await promisify(execFile)(process.execPath, [cli, '--url', s.url, '--email', SUPERUSER.email, '--password', SUPERUSER.password, '--out', out], { cwd: scratch, timeout: 60_000 });
    const types = readFileSync(out, 'utf8');
    expect(types).toContain('TgPosts: "tg_posts"');
    expect(types).toMatch(/export type TgPostsRecord/);
    expect(typeCheck({ 'pocketbase-types.ts': types, 'use.ts': usage('', false) })).toEqual([]);
  });
});

describe('plinth typegen --dir', () => {
  it('reads the data directory without a running server', async () => {
    await s.node.close();
    const { ctx, output } = cliContext(s.node.config.databaseUrl ? { DATABASE_URL: s.node.config.databaseUrl } : {});
    const code = await runCli(['typegen', `--dir=${s.dir}`, '--out=dir-types.ts'], ctx);
    expect(output()).toMatch(/Wrote the types/);
    expect(code).toBe(0);
    const fromDir = readFileSync(join(scratch, 'dir-types.ts'), 'utf8');
    expect(fromDir).toBe(readFileSync(join(scratch, 'url-types.ts'), 'utf8'));
  });

  it('refuses a folder that holds no data, creating nothing', async () => {
    const { ctx, output } = cliContext();
    const missing = join(scratch, 'no-such-data');
    expect(await runCli(['typegen', `--dir=${missing}`], ctx)).toBe(1);
    expect(output()).toMatch(/no data directory at/);
    expect(existsSync(missing)).toBe(false);
  });
});
