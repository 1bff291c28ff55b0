/**
 * Backups across process deaths and from the command line (docs/operations.md
 * §Backups), with real `plinth serve` processes:
 * - SIGKILL in the middle of a backup leaves the data intact and no half zip listed;
 *   the next node backs up again.
 * - `plinth backup create NAME` and `plinth backup restore KEY` over the data directory.
 * On PostgreSQL when PLINTH_TEST_DIALECT=postgres, else SQLite.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, requestJson, runPlinth, startPlinth, type PlinthProcess } from './helpers/plinth-process.js';
import { createTestDatabase, testDialect, type TestDatabase } from './helpers/test-database.js';
import { eventually } from './helpers/jobs.js';

const EMAIL = 'backups@example.com';
const PASSWORD = 'backups-password-123';

const scratch = mkdtempSync(join(tmpdir(), 'plinth-backups-'));
const dir = join(scratch, 'data');
let database: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;
let node: PlinthProcess | undefined;

async function signIn(url: string): Promise<string> {
  const res = await requestJson(`${url}/api/collections/_superusers/auth-with-password`, 'POST', { identity: EMAIL, password: PASSWORD });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

async function titles(url: string, token: string): Promise<string[]> {
  const res = await requestJson(`${url}/api/collections/notes/records?perPage=500&sort=title`, 'GET', undefined, token);
  expect(res.status).toBe(200);
  return res.body.items.map((r: { title: string }) => r.title);
}

beforeAll(async () => {
  if (testDialect() === 'postgres') database = await createTestDatabase();
  env = childEnv(database ? { DATABASE_URL: database.url } : {});
  const upsert = await runPlinth(['superuser', 'upsert', EMAIL, PASSWORD, `--dir=${dir}`], env, scratch);
  expect(upsert.code, upsert.out).toBe(0);
  // 120 MiB of incompressible files: zipping them takes long enough to be killed half way.
  for (let i = 0; i < 60; i++) {
    mkdirSync(join(dir, 'storage', 'bulk', `r${i}`), { recursive: true });
    writeFileSync(join(dir, 'storage', 'bulk', `r${i}`, 'blob.bin'), randomBytes(2 << 20));
  }
}, 120_000);

afterAll(async () => {
  await node?.stop();
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a backup killed half way', () => {
  it('leaves the data intact and no partial archive listed', async () => {
    node = await startPlinth([`--dir=${dir}`], env, scratch);
    let token = await signIn(node.url);
    const created = await requestJson(`${node.url}/api/collections`, 'POST', { name: 'notes', type: 'base', listRule: '', fields: [{ name: 'title', type: 'text' }] }, token);
    expect(created.status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await requestJson(`${node.url}/api/collections/notes/records`, 'POST', { title: `n${String(i).padStart(2, '0')}` }, token)).status).toBe(200);
    const before = await titles(node.url, token);

    void fetch(`${node.url}/api/backups`, { method: 'POST', headers: { Authorization: token, 'Content-Type': 'application/json' }, body: '{"name":"killed.zip"}' }).catch(() => undefined);
    await eventually(() => readdirSync(join(dir, 'backups')).some((f) => f.startsWith('.partial-')) || undefined, 'a backup under way');
    node.child.kill('SIGKILL');
    await node.exited;
    expect(readdirSync(join(dir, 'backups')).filter((f) => f.endsWith('.zip'))).toEqual([]);

    node = await startPlinth([`--dir=${dir}`], env, scratch);
    token = await signIn(node.url);
    expect((await requestJson(`${node.url}/api/backups`, 'GET', undefined, token)).body).toEqual([]);
    expect(readdirSync(join(dir, 'backups'))).toEqual([]);
    expect(await titles(node.url, token)).toEqual(before);
    expect((await requestJson(`${node.url}/api/backups`, 'POST', { name: 'after.zip' }, token)).status).toBe(204);
    expect((await requestJson(`${node.url}/api/backups`, 'GET', undefined, token)).body.map((b: { key: string }) => b.key)).toEqual(['after.zip']);
    await node.stop();
    node = undefined;
  }, 120_000);
});

describe('plinth backup', () => {
  it('creates a backup and restores it from the command line', async () => {
    const create = await runPlinth(['backup', 'create', 'cli_backup.zip', `--dir=${dir}`], env, scratch);
    expect(create.code, create.out).toBe(0);
    expect(create.out).toContain('cli_backup.zip');
    node = await startPlinth([`--dir=${dir}`], env, scratch);
    let token = await signIn(node.url);
    const before = await titles(node.url, token);
    const list = await requestJson(`${node.url}/api/collections/notes/records?perPage=1`, 'GET', undefined, token);
    expect((await requestJson(`${node.url}/api/collections/notes/records/${list.body.items[0].id}`, 'DELETE', undefined, token)).status).toBe(204);
    await node.stop();
    node = undefined;

    const restore = await runPlinth(['backup', 'restore', 'cli_backup.zip', `--dir=${dir}`], env, scratch);
    expect(restore.code, restore.out).toBe(0);
    const missing = await runPlinth(['backup', 'restore', 'nope.zip', `--dir=${dir}`], env, scratch);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('Missing or invalid backup file.');
    node = await startPlinth([`--dir=${dir}`], env, scratch);
    token = await signIn(node.url);
    expect(await titles(node.url, token)).toEqual(before);
    // Five process starts one after another: past 120 s on a busy 2-core machine running files side by side.
  }, 240_000);
});
