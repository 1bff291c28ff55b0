/**
 * The first-run install link (docs/security.md, "First-run install link"): `plinth serve`
 * without a superuser prints `{url}/_/#/install/{token}`; the token, used as a superuser
 * auth token through the SDK, creates the first superuser and nothing else; it stops
 * working once a superuser exists, on every node, and after 30 minutes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPlinth } from '../src/app/create-plinth.js';
import type { CliContext } from '../src/cli/cli-context.js';
import { runCli } from '../src/cli/run-cli.js';
import { INSTALLER_EMAIL } from '../src/core/auth/superuser-installer.js';
import { createTestDatabase, testDialect, type TestDatabase } from './helpers/test-database.js';

/** One `plinth serve` run in this process: its printed output and a way to stop it. */
interface ServeRun {
  url: string;
  link: string | undefined;
  stdout: () => string;
  stop(): Promise<number>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

/** A fresh data directory, and on PostgreSQL a fresh database, shared by the nodes of one test. */
async function freshInstall(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-install-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const flags = [`--dir=${dir}`];
  if (testDialect() === 'postgres') {
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    flags.push(`--databaseUrl=${db.url}`);
  }
  return flags;
}

/** A stand-in dashboard build: the link needs a served dashboard, whose real build the browser tests cover. */
function dashboardStub(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-install-ui-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Plinth</title>');
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(flags: string[]): Promise<ServeRun> {
  const out: string[] = [];
  const dashboardDir = flags.includes('--noDashboard') ? undefined : dashboardStub();
  let signal: ((name: string) => void) | undefined;
  const ctx: CliContext = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void out.push(text),
    env: {},
    cwd: process.cwd(),
    version: 'test',
    createPlinth: (config, options) => createPlinth({ ...config, dashboardDir }, { logger: options?.logger ?? false }),
    onShutdownSignal: (handler) => {
      signal = handler;
      return () => { signal = undefined; };
    },
  };
  const exited = runCli(['serve', '--http=127.0.0.1:0', '--logLevel=silent', ...flags], ctx);
  const started = await new Promise<string>((done, fail) => {
    const timer = setInterval(() => {
      // The addresses and the superuser hint are one write.
      const text = out.join('');
      if (/Data dir:/.test(text)) { clearInterval(timer); done(text); }
    }, 20);
    exited.then((code) => { clearInterval(timer); fail(new Error(`serve exited ${code}: ${out.join('')}`)); }, fail);
  });
  const url = /Server started at (\S+)/.exec(started)![1]!;
  const run: ServeRun = {
    url,
    link: /(http\S+\/_\/#\/install\/\S+)/.exec(started)?.[1],
    stdout: () => out.join(''),
    async stop() {
      signal?.('SIGTERM');
      return exited;
    },
  };
  cleanups.push(async () => void (await run.stop()));
  return run;
}

function tokenOf(link: string): string {
  return link.slice(link.indexOf('/_/#/install/') + '/_/#/install/'.length);
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ClientResponseError) return err.status;
    throw err;
  }
}

describe('the install link', () => {
  it('creates the first superuser through the SDK, and then stops working', async () => {
    const node = await serve(await freshInstall());
    expect(node.link, node.stdout()).toMatch(new RegExp(`^${node.url}/_/#/install/[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    expect(node.stdout()).toContain('valid 30 minutes');
    expect(node.stdout()).toContain('superuser upsert EMAIL PASSWORD');

    const installer = new PocketBase(node.url);
    installer.autoCancellation(false);
    installer.authStore.save(tokenOf(node.link!), null);
    // The token does nothing but create the first superuser.
    await expect(installer.collection('_superusers').getList()).rejects.toMatchObject({ status: 403, response: { message: 'The installer token may only create the first superuser.' } });
    expect(await status(installer.collections.getFullList())).toBe(403);
    expect(await status(installer.collection('users').create({ email: 'u@example.com', password: 'password123', passwordConfirm: 'password123' }))).toBe(403);
    expect(await status(installer.collection('_superusers').authRefresh())).toBe(403);

    const created = await installer.collection('_superusers').create({ email: 'first@example.com', password: 'first-password-1', passwordConfirm: 'first-password-1' });
    expect(created.email).toBe('first@example.com');
    // As the dashboard does: sign in right away, the spent token still in the auth store.
    const signedIn = await installer.collection('_superusers').authWithPassword('first@example.com', 'first-password-1');
    expect(signedIn.record.email).toBe('first@example.com');
    const spent = new PocketBase(node.url);
    spent.authStore.save(tokenOf(node.link!), null);

    // The dashboard then signs in as the new superuser, who sees only itself.
    const admin = new PocketBase(node.url);
    await admin.collection('_superusers').authWithPassword('first@example.com', 'first-password-1');
    expect((await admin.collection('_superusers').getFullList()).map((r) => r.email)).toEqual(['first@example.com']);

    // Spent: a second create with the same token is refused (the installer is gone: a guest's create), and nothing was created.
    expect(await status(spent.collection('_superusers').create({ email: 'second@example.com', password: 'second-password-1', passwordConfirm: 'second-password-1' }))).toBe(403);
    expect((await admin.collection('_superusers').getFullList()).map((r) => r.email)).toEqual(['first@example.com']);
  });

  it('works from any node, and once a superuser exists no node prints or honours one', async () => {
    const flags = await freshInstall();
    const a = await serve(flags);
    // SQLite: a second process would share the file; one in-process node with the same data stands for it.
    const b = await serve(flags);
    expect(a.link && b.link).toBeTruthy();
    const viaB = new PocketBase(b.url);
    viaB.authStore.save(tokenOf(b.link!), null);
    const viaA = new PocketBase(a.url);
    viaA.authStore.save(tokenOf(a.link!), null);
    // B's link works on A too: it is the same installer superuser, stored in the shared database.
    await viaA.collection('_superusers').create({ email: 'root@example.com', password: 'root-password-12', passwordConfirm: 'root-password-12' });
    expect(await status(viaB.collection('_superusers').create({ email: 'other@example.com', password: 'other-password-1', passwordConfirm: 'other-password-1' }))).toBeGreaterThanOrEqual(401);
    await a.stop();
    const c = await serve(flags);
    expect(c.link).toBeUndefined();
    expect(c.stdout()).not.toContain('No superuser exists yet');
    const admin = new PocketBase(c.url);
    await admin.collection('_superusers').authWithPassword('root@example.com', 'root-password-12');
    const emails = (await admin.collection('_superusers').getFullList()).map((r) => r.email);
    expect(emails).toEqual(['root@example.com']);
    expect(emails).not.toContain(INSTALLER_EMAIL);
  });

  it('is not printed without a dashboard (--noDashboard), which leaves the command', async () => {
    const flags = await freshInstall();
    const node = await serve([...flags, '--noDashboard']);
    expect(node.link).toBeUndefined();
    expect(node.stdout()).toContain('No superuser exists yet. Create the first one with:');
    expect(node.stdout()).toContain('superuser upsert EMAIL PASSWORD');
    await node.stop();
    const withUi = await serve(flags);
    expect(withUi.link).toBeTruthy();
  });

  it('is refused after 30 minutes', async () => {
    const flags = await freshInstall();
    const node = await serve(flags);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31 * 60 * 1000);
    const installer = new PocketBase(node.url);
    installer.authStore.save(tokenOf(node.link!), null);
    const answer = await status(installer.collection('_superusers').create({ email: 'late@example.com', password: 'late-password-12', passwordConfirm: 'late-password-12' }));
    expect(answer).toBe(403);
    vi.useRealTimers();
    // Still no superuser: a new start prints a new link.
    await node.stop();
    const again = await serve(flags);
    expect(again.link).toBeTruthy();
  });
});
