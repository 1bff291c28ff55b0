import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let token: string;
beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
});
afterAll(async () => { await s?.close(); });

describe('settings API (docs/api.md §9)', () => {
  it('needs a superuser', async () => {
    expect((await s.request('GET', '/api/settings')).status).toBe(401);
    expect((await s.request('PATCH', '/api/settings', { body: { meta: { appName: 'x' } } })).status).toBe(401);
  });

  it('returns the defaults with every section', async () => {
    const res = await s.request('GET', '/api/settings', { token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['backups', 'batch', 'logs', 'meta', 'rateLimits', 's3', 'smtp', 'superuserIPs', 'trustedProxy'].sort());
    expect(res.body.batch).toMatchObject({ enabled: false, maxRequests: 50, timeout: 3 });
    expect(res.body.rateLimits.enabled).toBe(false);
  });

  it('merges a patch, keeps secrets write-only, and persists', async () => {
    const res = await s.request('PATCH', '/api/settings', { token, body: { meta: { appName: 'Shop' }, smtp: { password: 's3cret', host: 'mail.local' }, batch: { enabled: true } } });
    expect(res.status).toBe(200);
    expect(res.body.meta).toMatchObject({ appName: 'Shop', senderName: 'Support' });
    expect(res.body.smtp).toMatchObject({ host: 'mail.local', password: '' });
    expect(res.body.batch.enabled).toBe(true);
    const again = await s.request('GET', '/api/settings', { token });
    expect(again.body.meta.appName).toBe('Shop');
    expect(JSON.stringify(again.body)).not.toContain('s3cret');
  });

  it.each([
    ['not an object', '[1,2]', 400],
    ['wrong kind', { batch: { enabled: 'yes' } }, 400],
    ['invalid url', { meta: { appURL: 'not a url' } }, 400],
    ['bad rule', { rateLimits: { rules: [{ label: 'x', audience: 'nobody', duration: 0, maxRequests: 1 }] } }, 400],
  ])('refuses %s and changes nothing', async (_name, body, status) => {
    const before = await s.request('GET', '/api/settings', { token });
    const res = await s.request('PATCH', '/api/settings', { token, body });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ status, message: expect.any(String), data: expect.any(Object) });
    const after = await s.request('GET', '/api/settings', { token });
    expect(after.body).toEqual(before.body);
  });

  it('names the invalid setting in data', async () => {
    const res = await s.request('PATCH', '/api/settings', { token, body: { meta: { appURL: 'nope' } } });
    expect(res.body.data.meta.appURL.code).toBe('validation_invalid_url');
  });
});
