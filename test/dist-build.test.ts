/**
 * The shipped build: scripts/build.mjs bundles src/ the way `npm run build` does,
 * and the bundle runs as `plinth` runs it. The rest of the suite imports src/, so
 * this is the one place that would notice a bundling mistake: a module that
 * breaks when bundled, or one loaded on first use (argon2, jose, sharp, file-type,
 * pg) that the bundle cannot find.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from './helpers/files.js';
import { sqlitePassOnly } from './helpers/sqlite-pass-only.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'plinth-dist-'));
const entry = join(scratch, 'dist/cli/main.js');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node args…` in the scratch directory; `onStdout` sees the output as it arrives. */
function node(args: string[], env: NodeJS.ProcessEnv = {}, onStdout?: (text: string, stop: () => void) => void): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PLINTH_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL'));
  const child = spawn(process.execPath, args, { cwd: scratch, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    run.stdout += chunk;
    onStdout?.(run.stdout, () => child.kill('SIGTERM'));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  return new Promise((done) => child.on('close', (code) => done({ ...run, code })));
}

const onlyOnce = sqlitePassOnly('the bundle test (it runs the built plinth on SQLite)');

beforeAll(async () => {
  if (onlyOnce !== undefined) return;
  // The bundle resolves its external packages (native addons, pg, …) and reads its
  // version from package.json, both relative to itself, as in a checkout.
  copyFileSync(join(root, 'package.json'), join(scratch, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  const build = await node([join(root, 'scripts/build.mjs'), join(scratch, 'dist')]);
  expect(build.code, build.stderr).toBe(0);
});

describe.skipIf(onlyOnce !== undefined)('the bundled dist/', () => {
  it('prints its version', async () => {
    const run = await node([entry, '--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^plinth version \d+\.\d+\.\d+/);
  });

  it('creates a superuser, serves the API with auth, files and thumbs, and stops on SIGTERM', async () => {
    const dir = join(scratch, 'data');
    const upsert = await node([entry, 'superuser', 'upsert', 'admin@example.com', 'dist-password-123', `--dir=${dir}`]);
    expect(upsert.code, upsert.stderr).toBe(0);

    let checks: Promise<void> | undefined;
    const serve = await node([entry, 'serve', '--http=127.0.0.1:0', `--dir=${dir}`, '--logLevel=warn'], {}, (out, stop) => {
      const url = /Server started at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url && !checks) checks = exercise(url).finally(stop);
    });
    expect(checks, serve.stderr).toBeDefined();
    await checks;
    expect(serve.code, serve.stderr).toBe(0);
    expect(serve.stdout).toContain('Received SIGTERM');
  });

  it('names DATABASE_URL when PostgreSQL cannot be reached', async () => {
    const run = await node([entry, 'serve', '--http=127.0.0.1:0', `--dir=${join(scratch, 'pg')}`], { DATABASE_URL: 'postgres://plinth@127.0.0.1:1/none' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DATABASE_URL');
  });
});

/** One pass over the features whose modules load on first use. */
async function exercise(url: string): Promise<void> {
  expect((await fetch(`${url}/api/health`)).status).toBe(200);

  const auth = await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identity: 'admin@example.com', password: 'dist-password-123' }),
  });
  expect(auth.status).toBe(200);
  const { token } = (await auth.json()) as { token: string };

  const created = await fetch(`${url}/api/collections`, {
    method: 'POST', headers: { 'content-type': 'application/json', Authorization: token },
    body: JSON.stringify({
      name: 'docs', type: 'base', listRule: '', viewRule: '', createRule: '',
      fields: [{ name: 'title', type: 'text' }, { name: 'pic', type: 'file', maxSelect: 1, thumbs: ['4x4'] }],
    }),
  });
  expect(created.status).toBe(200);

  const form = new FormData();
  form.set('title', 'hello');
  form.set('pic', new Blob([await png(16, 16)], { type: 'image/png' }), 'pic.png');
  const record = await fetch(`${url}/api/collections/docs/records`, { method: 'POST', body: form });
  expect(record.status).toBe(200);
  const { id, pic } = (await record.json()) as { id: string; pic: string };

  // The SQL console runs each statement in a child process: a module of its own in the bundle.
  const sql = await fetch(`${url}/api/sql`, {
    method: 'POST', headers: { 'content-type': 'application/json', Authorization: token },
    body: JSON.stringify({ query: "select title from docs" }),
  });
  expect(sql.status, await sql.clone().text()).toBe(200);
  expect(((await sql.json()) as { rows: unknown[][] }).rows).toEqual([['hello']]);

  const thumb = await fetch(`${url}/api/files/docs/${id}/${pic}?thumb=4x4`);
  expect(thumb.status).toBe(200);
  expect(thumb.headers.get('content-type')).toBe('image/png');
  expect((await thumb.arrayBuffer()).byteLength).toBeGreaterThan(0);

  const list = await fetch(`${url}/api/collections/docs/records?filter=${encodeURIComponent("title ~ 'hel'")}`);
  expect(((await list.json()) as { totalItems: number }).totalItems).toBe(1);
}
