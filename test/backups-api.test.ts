/**
 * The backups API (docs/operations.md, Backups) at the HTTP boundary, through the
 * pocketbase SDK where it has the call: who may use it, names, download with a file
 * token, upload, delete, the scheduled backup, and backup → change → restore bringing
 * back every record, file, user and setting without a restart.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, uniqueName, userToken } from './helpers/collections.js';
import { eventually } from './helpers/jobs.js';

let s: TestServer;
let token: string;
let user: string;

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
  user = await userToken(s);
});
afterAll(async () => {
  await s.close();
});

const GUARDED: [method: string, path: string][] = [
  ['GET', '/api/backups'],
  ['POST', '/api/backups'],
  ['POST', '/api/backups/upload'],
  ['DELETE', '/api/backups/x.zip'],
  ['POST', '/api/backups/x.zip/restore'],
];

describe('who may use the backups API', () => {
  it.each(GUARDED)('%s %s: 401 for a guest, 403 for a user', async (method, path) => {
    expect((await s.request(method, path)).status).toBe(401);
    expect((await s.request(method, path, { token: user })).status).toBe(403);
  });

  it('downloads only with a superuser file token', async () => {
    const pb = await s.admin();
    await pb.backups.create('guarded.zip');
    expect((await s.request('GET', '/api/backups/guarded.zip')).status).toBe(403);
    expect((await s.request('GET', '/api/backups/guarded.zip', { token })).status).toBe(403);
    expect((await s.request('GET', '/api/backups/guarded.zip?token=nonsense')).body).toEqual({ status: 403, message: 'Insufficient permissions to access the resource.', data: {} });
    // An auth token is not a file token.
    expect((await s.request('GET', `/api/backups/guarded.zip?token=${token}`)).status).toBe(403);
    const userFileToken = (await s.request('POST', '/api/files/token', { token: user })).body.token as string;
    expect((await s.request('GET', `/api/backups/guarded.zip?token=${userFileToken}`)).status).toBe(403);
    const fileToken = await pb.files.getToken();
    const res = await fetch(pb.backups.getDownloadURL(fileToken, 'guarded.zip'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect((await s.request('GET', `/api/backups/missing.zip?token=${fileToken}`)).status).toBe(400);
  });
});

describe('who may use the backups API, continued', () => {
  it('refuses a guest\'s upload before its body is read', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(1 << 20)]), 'pb_backup.zip');
    const res = await fetch(`${s.url}/api/backups/upload`, { method: 'POST', body: form });
    expect(res.status).toBe(401);
  });

  it('counts a superuser\'s file token from outside superuserIPs for nothing', async () => {
    const other = await startTestServer();
    try {
      const pb = await other.admin();
      await pb.backups.create('ips.zip');
      const fileToken = await pb.files.getToken();
      await pb.settings.update({ superuserIPs: ['10.1.2.3'] });
      expect((await other.request('GET', `/api/backups/ips.zip?token=${fileToken}`)).status).toBe(403);
    } finally {
      await other.close();
    }
  });
});

describe('creating, listing, uploading and deleting backups', () => {
  it.each([
    ['Upper.zip'], ['no-extension'], ['dot.dot.zip'], ['../escape.zip'], ['.zip'], [`${'a'.repeat(150)}.zip`], ['spa ce.zip'],
  ])('refuses the name %j with a 400 naming it', async (name) => {
    const res = await s.request('POST', '/api/backups', { token, body: { name } });
    expect(res.status).toBe(400);
    expect(res.body.data.name.code).toBe('validation_match_invalid');
  });

  it('refuses a name that is not a string', async () => {
    const res = await s.request('POST', '/api/backups', { token, body: { name: 5 } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.data)).toEqual(['name']);
  });

  it('creates a named and a generated backup, lists them and refuses a taken name', async () => {
    const pb = await s.admin();
    expect(await pb.backups.create('named_1.zip')).toBe(true);
    const res = await s.request('POST', '/api/backups', { token, body: {} });
    expect(res.status).toBe(204);
    const list = await pb.backups.getFullList();
    const named = list.find((b) => b.key === 'named_1.zip');
    expect(named).toMatchObject({ key: 'named_1.zip' });
    expect(named!.size).toBeGreaterThan(100);
    expect(named!.modified).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(list.some((b) => /^plinth_\d{14}\.zip$/.test(b.key))).toBe(true);
    const again = await s.request('POST', '/api/backups', { token, body: { name: 'named_1.zip' } });
    expect(again.status).toBe(400);
    expect(again.body.data.name.code).toBe('validation_backup_name_exists');
  });

  it('uploads a zip, refuses another type and a taken name, and deletes', async () => {
    const pb = await s.admin();
    await pb.backups.create('to_copy.zip');
    const bytes = new Uint8Array(await (await fetch(pb.backups.getDownloadURL(await pb.files.getToken(), 'to_copy.zip'))).arrayBuffer());
    await pb.backups.upload({ file: new File([bytes], 'uploaded_copy.zip', { type: 'application/zip' }) });
    expect((await pb.backups.getFullList()).map((b) => b.key)).toContain('uploaded_copy.zip');
    const taken = await pb.backups.upload({ file: new File([bytes], 'uploaded_copy.zip') }).catch((e) => e);
    expect(taken.status).toBe(400);
    expect(taken.response.data.file.code).toBe('validation_backup_name_exists');
    const text = await pb.backups.upload({ file: new File(['not a zip'], 'text.zip') }).catch((e) => e);
    expect(text.status).toBe(400);
    expect(text.response.data.file.code).toBe('validation_invalid_mime_type');
    const none = await s.request('POST', '/api/backups/upload', { token, body: {} });
    expect(none.status).toBe(400);
    expect(none.body.data.file.code).toBe('validation_required');
    expect(await pb.backups.delete('uploaded_copy.zip')).toBe(true);
    expect((await pb.backups.getFullList()).map((b) => b.key)).not.toContain('uploaded_copy.zip');
    const gone = await s.request('DELETE', '/api/backups/uploaded_copy.zip', { token });
    expect(gone.status).toBe(400);
  });

  it('answers 400 when restoring a missing backup or an archive that is not Plinth\'s', async () => {
    const pb = await s.admin();
    const missing = await s.request('POST', '/api/backups/missing.zip/restore', { token });
    expect(missing).toMatchObject({ status: 400, body: { message: 'Missing or invalid backup file.' } });
    // A valid zip, but no manifest: nothing changes.
    const { ZipFile } = await import('yazl');
    const zip = new ZipFile();
    zip.addBuffer(Buffer.from('hello'), 'hello.txt');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    await pb.backups.upload({ file: new File([Buffer.concat(chunks)], 'foreign.zip') });
    const before = await pb.collections.getFullList();
    const res = await s.request('POST', '/api/backups/foreign.zip/restore', { token });
    expect(res.status).toBe(400);
    expect((await pb.collections.getFullList()).map((c) => c.name)).toEqual(before.map((c) => c.name));
  });
});

describe('one backup or restore at a time', () => {
  it('answers 400 "try again later" while a backup runs, and refuses to delete the one being written', async () => {
    // A backup started in-process marks the node busy before its first await; 64 MiB of
    // incompressible files keep it busy far longer than the requests below take.
    const bulk = join(s.dir, 'storage', 'bulk_test');
    mkdirSync(join(bulk, 'r1'), { recursive: true });
    writeFileSync(join(bulk, 'r1', 'blob.bin'), randomBytes(64 << 20));
    const running = s.node.backups.create();
    // PocketBase's dashboard reads canBackup from the health route before it offers a backup.
    expect((await s.request('GET', '/api/health', { token })).body.data.canBackup).toBe(false);
    const busy = { status: 400, body: { status: 400, message: 'Try again later - another backup/restore operation has already been started.', data: {} } };
    expect(await s.request('POST', '/api/backups', { token, body: {} })).toMatchObject(busy);
    expect(await s.request('POST', '/api/backups/guarded.zip/restore', { token })).toMatchObject(busy);
    const key = await running;
    expect((await s.request('GET', '/api/health', { token })).body.data.canBackup).toBe(true);
    rmSync(bulk, { recursive: true, force: true });
    expect((await s.request('POST', '/api/backups', { token, body: { name: 'after_busy.zip' } })).status).toBe(204);
    expect((await s.request('DELETE', `/api/backups/${key}`, { token })).status).toBe(204);
  });
});

describe('scheduled backups', () => {
  it('refuses a bad cron expression, then runs __pbAutoBackup__ keeping cronMaxKeep', async () => {
    const pb = await s.admin();
    const bad = await s.request('PATCH', '/api/settings', { token, body: { backups: { cron: 'every day' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.data.backups.cron.code).toBe('validation_invalid_value');
    await pb.settings.update({ backups: { cron: '0 3 * * *', cronMaxKeep: 1 } });
    expect((await pb.crons.getFullList()).map((c) => c.id)).toContain('__pbAutoBackup__');
    await pb.crons.run('__pbAutoBackup__');
    const auto = await eventually(async () => {
      const keys = (await pb.backups.getFullList()).map((b) => b.key).filter((k) => k.startsWith('@auto_pb_backup_'));
      return keys.length === 1 ? keys : undefined;
    }, 'a scheduled backup');
    expect(auto[0]).toMatch(/^@auto_pb_backup_plinth_\d{14}\.zip$/);
    await pb.settings.update({ backups: { cron: '' } });
    expect((await pb.crons.getFullList()).map((c) => c.id)).not.toContain('__pbAutoBackup__');
  });
});

describe('backup, change, restore', () => {
  it('brings back every record, file, user and setting, without a restart', async () => {
    const pb = await s.admin();
    const name = uniqueName('notes');
    await createCollection(s, token, {
      name, type: 'base', listRule: '', viewRule: '',
      fields: [
        { name: 'title', type: 'text' }, { name: 'done', type: 'bool' }, { name: 'n', type: 'number' },
        { name: 'meta', type: 'json' }, { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1000000 },
      ],
    });
    const a = await pb.collection(name).create({ title: 'first', done: true, n: 1.5, meta: { k: [1, 'two'] }, doc: new File(['file one'], 'one.txt') });
    const b = await pb.collection(name).create({ title: 'second line\nwith "quotes"', done: false, n: -3, meta: null });
    const email = `${uniqueName('keep')}@example.com`;
    await pb.collection('users').create({ email, password: 'keep-password-1', passwordConfirm: 'keep-password-1' });
    const hook = await s.request('POST', '/api/webhooks', { token, body: { name: 'kept', url: 'https://93.184.216.34/hook', events: [`${name}.delete`] } });
    expect(hook.status, hook.text).toBe(200);
    const records = await pb.collection(name).getFullList({ sort: '@rowid' });
    const users = await pb.collection('users').getFullList({ sort: '@rowid' });
    await pb.backups.create('before_change.zip');
    expect((await s.request('DELETE', `/api/webhooks/${hook.body.id}`, { token })).status).toBe(204);

    await pb.collection(name).delete(a.id);
    await pb.collection(name).update(b.id, { title: 'changed' });
    await pb.collection('users').delete(users.find((u) => u.email === email)!.id);
    const extra = uniqueName('extra');
    await createCollection(s, token, { name: extra, type: 'base', fields: [{ name: 't', type: 'text' }] });
    await pb.settings.update({ meta: { appName: 'Changed' } });

    expect(await pb.backups.restore('before_change.zip')).toBe(true);
    const again = await s.admin();
    expect(await again.collection(name).getFullList({ sort: '@rowid' })).toEqual(records);
    expect(await again.collection('users').getFullList({ sort: '@rowid' })).toEqual(users);
    expect((await again.collections.getFullList()).map((c) => c.name)).not.toContain(extra);
    expect((await again.settings.getAll()).meta.appName).toBe('Plinth');
    expect((await s.request('GET', `/api/webhooks/${hook.body.id}`, { token: again.authStore.token })).body).toMatchObject({ name: 'kept' });
    const file = await fetch(again.files.getURL(records[0]!, records[0]!.doc));
    expect(await file.text()).toBe('file one');
    const signedIn = await s.client().collection('users').authWithPassword(email, 'keep-password-1');
    expect(signedIn.record.email).toBe(email);
    // New writes after the restore work as before.
    const c = await again.collection(name).create({ title: 'after' });
    expect((await again.collection(name).getOne(c.id)).title).toBe('after');
  });
});
