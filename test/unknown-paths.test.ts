/**
 * A path PocketBase does not have is a bare JSON 404, not a 501: every endpoint
 * PocketBase has is implemented (docs/api.md §1.1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let adminToken: string;

beforeAll(async () => {
  s = await startTestServer();
  adminToken = await s.adminToken();
});
afterAll(async () => {
  await s?.close();
});

describe('paths PocketBase does not have', () => {
  it('are still a 404', async () => {
    expect((await s.request('GET', '/api/logz', { token: adminToken })).status).toBe(404);
    expect((await s.request('PUT', '/api/logs', { token: adminToken })).status).toBe(404);
  });
});
