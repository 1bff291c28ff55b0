/**
 * Settings PocketBase's dashboard and SDK send back unchanged still save (docs/api.md §9).
 * A setting Plinth does not implement would be refused with a 400 naming it
 * (src/core/settings/settings-unsupported.test.ts); none is left today.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let token: string;
beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
});
afterAll(async () => {
  await s?.close();
});

const S3 = { enabled: true, bucket: 'b', region: 'r', endpoint: 'https://s3.example.com', accessKey: 'k', secret: 'secret-key' };

describe('what the dashboard and the SDK send back still saves', () => {
  it('a GET → PATCH round trip of the whole settings object', async () => {
    const pb = await s.admin();
    const all = await pb.settings.getAll();
    const saved = await pb.settings.update(all);
    expect(saved).toEqual(all);
  });

  it.each([
    ['S3 left disabled with its fields filled', { s3: { ...S3, enabled: false } }],
    ['no backup schedule, another number of backups kept', { backups: { cron: '', cronMaxKeep: 5, s3: { enabled: false } } }],
    ['request logs kept for no days', { logs: { maxDays: 0, minLevel: 4, logIP: false, logAuthId: true } }],
    ['request logs at the default', { logs: { maxDays: 5 } }],
  ])('%s', async (_what, body) => {
    const res = await s.request('PATCH', '/api/settings', { token, body });
    expect(res.status).toBe(200);
    const section = Object.keys(body)[0] as keyof typeof body;
    expect(res.body[section]).toMatchObject({ ...(body[section] as object), ...('secret' in (body[section] as object) ? { secret: '' } : {}) });
  });

  it('backups to S3, now implemented: saved, the secret never sent back', async () => {
    const res = await s.request('PATCH', '/api/settings', { token, body: { backups: { s3: S3 } } });
    expect(res.status).toBe(200);
    expect(res.body.backups.s3).toEqual({ ...S3, secret: '', forcePathStyle: false });
  });
});
