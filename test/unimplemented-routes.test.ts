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
  ['GET', '/api/logs', '/api/logs'],
  ['GET', '/api/logs/stats', '/api/logs/stats'],
  ['GET', '/api/logs/abc123', '/api/logs/{id}'],
  ['DELETE', '/api/logs', '/api/logs'],
  ['POST', '/api/sql', '/api/sql'],
  ['POST', '/api/settings/test/s3', '/api/settings/test/s3'],
  ['POST', '/api/settings/apple/generate-client-secret', '/api/settings/apple/generate-client-secret'],
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
    for (const call of [admin.logs.getList()]) {
      const err = await call.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ClientResponseError);
      expect((err as ClientResponseError).status).toBe(501);
    }
  });

  it('a path PocketBase does not have is still a 404', async () => {
    expect((await s.request('GET', '/api/logz', { token: adminToken })).status).toBe(404);
    expect((await s.request('PUT', '/api/logs', { token: adminToken })).status).toBe(404);
  });
});
