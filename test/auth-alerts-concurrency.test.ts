/**
 * New-location alerts under concurrency (docs/api.md §5.1, `authAlert`): correct sign-ins
 * that arrive together from one new origin all succeed, and the origin is
 * remembered once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const PW = 'password123';
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  const admin = await s.admin();
  // The built-in per-IP auth limits would stop this file's burst of sign-ins from one address.
  await admin.settings.update({ rateLimits: { excludedIPs: ['127.0.0.1'] } });
});
afterAll(async () => {
  await s?.close();
});

describe('concurrent sign-ins from one new origin', () => {
  it.each([
    ['the first sign-ins of a record', 0],
    ['a record that signed in elsewhere before', 1],
  ])('%s all answer 200 and record the origin once', async (_name, earlier) => {
    const email = `race-${Math.random().toString(36).slice(2, 9)}@example.com`;
    const admin = await s.admin();
    const user = await admin.collection('users').create({ email, password: PW, passwordConfirm: PW });
    const signIn = (ua: string) => s.request('POST', '/api/collections/users/auth-with-password', {
      body: { identity: email, password: PW }, headers: { 'User-Agent': ua },
    });
    for (let i = 0; i < earlier; i++) expect((await signIn(`Earlier/${i}`)).status).toBe(200);

    const answers = await Promise.all(Array.from({ length: 12 }, () => signIn('Burst/1.0')));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));

    const filter = encodeURIComponent(`recordRef = '${user.id}'`);
    const origins = await s.request('GET', `/api/collections/_authOrigins/records?filter=${filter}`, { token: await s.adminToken() });
    expect(origins.status).toBe(200);
    expect(origins.body.totalItems).toBe(earlier + 1);
  });
});
