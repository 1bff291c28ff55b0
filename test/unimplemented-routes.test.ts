/**
 * Endpoints PocketBase has and Plinth does not implement yet answer a JSON 501
 * saying so (not a bare 404), each only after the check PocketBase's endpoint
 * makes first: a superuser (401 for a guest, 403 for another account), or for a
 * backup download a superuser's file token (403).
 */
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let admin: PocketBase;
let adminToken: string;
let user: PocketBase;

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.admin();
  adminToken = await s.adminToken();
  await admin.collection('users').create({ email: 'someone@example.com', password: 'some-password-1', passwordConfirm: 'some-password-1' });
  user = s.client().autoCancellation(false);
  await user.collection('users').authWithPassword('someone@example.com', 'some-password-1');
});
afterAll(async () => {
  await s?.close();
});

const SUPERUSER_ONLY: [method: string, path: string, documented: string][] = [
  ['GET', '/api/backups', '/api/backups'],
  ['POST', '/api/backups', '/api/backups'],
  ['POST', '/api/backups/upload', '/api/backups/upload'],
  ['DELETE', '/api/backups/pb_backup_1.zip', '/api/backups/{key}'],
  ['POST', '/api/backups/pb_backup_1.zip/restore', '/api/backups/{key}/restore'],
];

describe('superuser-only endpoints Plinth lacks', () => {
  it.each(SUPERUSER_ONLY)('%s %s: 401, 403, then 501 for a superuser', async (method, path, documented) => {
    const body = method === 'POST' ? {} : undefined;
    const guest = await s.request(method, path, { body });
    expect(guest.status).toBe(401);
    expect(guest.body).toEqual({ status: 401, message: 'The request requires valid record authorization token.', data: {} });
    const other = await s.request(method, path, { body, token: user.authStore.token });
    expect(other.status).toBe(403);
    const res = await s.request(method, path, { body, token: adminToken });
    expect(res.status).toBe(501);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ status: 501, message: `${method} ${documented} is not implemented in Plinth yet.`, data: {} });
  });

  it('the SDK gets a ClientResponseError with status 501', async () => {
    for (const call of [admin.backups.getFullList()]) {
      const err = await call.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ClientResponseError);
      expect((err as ClientResponseError).status).toBe(501);
    }
  });

  it('a guest\'s backup upload is refused before its body is read', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(1 << 20)]), 'pb_backup.zip');
    const res = await fetch(`${s.url}/api/backups/upload`, { method: 'POST', body: form });
    expect(res.status).toBe(401);
  });

  it('a path PocketBase does not have is still a 404', async () => {
    expect((await s.request('GET', '/api/logz', { token: adminToken })).status).toBe(404);
    expect((await s.request('PUT', '/api/logs', { token: adminToken })).status).toBe(404);
  });
});

describe('the backup download, which takes a superuser file token', () => {
  const path = '/api/backups/pb_backup_1.zip';

  it('403 without a token, with a bad one or with another account\'s; 501 with a superuser\'s', async () => {
    const forbidden = { status: 403, message: 'Insufficient permissions to access the resource.', data: {} };
    expect((await s.request('GET', path)).body).toEqual(forbidden);
    expect((await s.request('GET', `${path}?token=nonsense`)).body).toEqual(forbidden);
    expect((await s.request('GET', `${path}?token=${await user.files.getToken()}`)).body).toEqual(forbidden);
    // An auth token is not a file token.
    expect((await s.request('GET', `${path}?token=${adminToken}`)).status).toBe(403);
    const res = await s.request('GET', `${path}?token=${await admin.files.getToken()}`);
    expect(res.status).toBe(501);
    expect(res.body.message).toBe('GET /api/backups/{key} is not implemented in Plinth yet.');
  });

  // Last: once superuserIPs excludes this host, the superuser can no longer change it back.
  it('a superuser\'s file token from outside superuserIPs counts for nothing', async () => {
    const token = await admin.files.getToken();
    await admin.settings.update({ superuserIPs: ['10.1.2.3'] });
    expect((await s.request('GET', `${path}?token=${token}`)).status).toBe(403);
  });
});
