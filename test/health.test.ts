/**
 * `GET /api/health` (docs/api.md §9, docs/observability.md §2): `data.canBackup` for superusers
 * only, false while a backup or restore runs; readiness (`?ready=1`) 200 once the database
 * (and Redis when set) answer a ping, 503 while one does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { userToken } from './helpers/collections.js';
import { redisSkipReason, redisTestUrl, testRedisPrefix } from './helpers/test-redis.js';
import type { Services } from '../src/app/services.js';
import { IDLE_BACKUP_STATUS } from '../src/core/health/backup-status.js';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

/** The node's services (what the backups service will swap its status into). */
const services = (server: TestServer): Services => (server.node as unknown as { services: Services }).services;

describe('canBackup', () => {
  it('is reported to superusers only, through the SDK', async () => {
    const guest = await s.client().health.check();
    expect(guest).toEqual({ code: 200, message: 'API is healthy.', data: {} });
    const user = await s.request('GET', '/api/health', { token: await userToken(s) });
    expect(user.body.data).toEqual({});
    const admin = await (await s.admin()).health.check();
    expect(admin.data).toMatchObject({ canBackup: true, realIP: '127.0.0.1' });
  });

  it('is false while a backup or restore runs', async () => {
    services(s).backupStatus = { isBusy: async () => true };
    try {
      const admin = await (await s.admin()).health.check();
      expect(admin.data.canBackup).toBe(false);
    } finally {
      services(s).backupStatus = IDLE_BACKUP_STATUS;
    }
  });
});

describe('readiness (?ready=1)', () => {
  it('answers 200 when the database answers', async () => {
    const r = await s.request('GET', '/api/health?ready=1');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ code: 200, message: 'API is healthy.', data: {} });
  });

  it('answers 503 while a backing service does not answer, and 200 again once it does', async () => {
    let up = false;
    services(s).readiness.push({ name: 'flaky', ping: () => (up ? Promise.resolve() : new Promise(() => undefined)) });
    try {
      const down = await s.request('GET', '/api/health?ready=1');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 503, message: 'Service temporarily unavailable.', data: {} });
      // Liveness does not ping: a node whose database is down is alive, only not ready.
      expect((await s.request('GET', '/api/health')).status).toBe(200);
      expect((await s.request('GET', '/api/health?ready=0')).status).toBe(200);
      up = true;
      expect((await s.request('GET', '/api/health?ready=1')).status).toBe(200);
    } finally {
      services(s).readiness.pop();
    }
  });

  it.skipIf(redisSkipReason() !== undefined)('pings Redis too when REDIS_URL is set', async () => {
    const node = await startTestServer({ redisUrl: redisTestUrl(), redisPrefix: testRedisPrefix() });
    try {
      expect(services(node).readiness.map((p) => p.name)).toEqual(['database', 'redis', 'shutdown']);
      expect((await node.request('GET', '/api/health?ready=1')).status).toBe(200);
    } finally {
      await node.close();
    }
  });
});
