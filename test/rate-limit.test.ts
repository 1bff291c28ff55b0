/**
 * The settings-driven rate limits of docs/api.md §1.9, the client IP behind trusted proxies
 * (`--trustedProxy`, settings.trustedProxy), health's realIP and the superuser IP
 * allow-list of docs/api.md §1.2. The server trusts 127.0.0.1 as a proxy, so requests pick their
 * client IP with X-Forwarded-For; inject() stands in for an untrusted peer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import type { RateLimitRule } from '../src/core/settings/settings.js';

let s: TestServer;
let admin: string;
let userToken: string;
let ipSeq = 0;
const freshIp = () => `203.0.${113 + Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;
const TOO_MANY = { status: 429, message: 'Too Many Requests.', data: {} };

const setSettings = async (body: unknown, from = '10.9.9.9') => {
  const r = await s.request('PATCH', '/api/settings', { token: admin, body, headers: { 'X-Forwarded-For': from } });
  expect(r.status).toBe(200);
  return r.body;
};
const rules = (list: Partial<RateLimitRule>[]) => setSettings({
  rateLimits: { enabled: true, excludedIPs: [], rules: list.map((r) => ({ audience: '', duration: 60, maxRequests: 2, ...r })) },
});

beforeAll(async () => {
  s = await startTestServer({ trustedProxies: ['127.0.0.1'] });
  admin = await s.adminToken();
  for (const name of ['rl_posts', 'rl_other']) {
    const r = await s.request('POST', '/api/collections', { token: admin, body: { name, type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text' }] } });
    expect(r.status).toBe(200);
  }
  const user = { email: 'rl-user@example.com', password: 'rl-password-1' };
  await s.request('POST', '/api/collections/users/records', { token: admin, body: { ...user, passwordConfirm: user.password } });
  userToken = (await s.request('POST', '/api/collections/users/auth-with-password', { body: { identity: user.email, password: user.password } })).body.token;
});

afterAll(async () => {
  await s?.close();
});

/** Sends `n` requests from one IP and returns their statuses. */
async function burst(n: number, method: string, path: string, ip: string, token?: string): Promise<number[]> {
  const out = [];
  for (let i = 0; i < n; i++) out.push((await s.request(method, path, { token, headers: { 'X-Forwarded-For': ip } })).status);
  return out;
}

describe('settings.rateLimits (docs/api.md §1.9)', () => {
  it('is off by default even with rules', async () => {
    const body = await setSettings({});
    expect(body.rateLimits.enabled).toBe(false);
    await setSettings({ rateLimits: { rules: [{ label: '/api/', audience: '', duration: 60, maxRequests: 1 }] } });
    expect(await burst(3, 'GET', '/api/health', freshIp())).toEqual([200, 200, 200]);
  });

  it('answers 429 with Retry-After and the spec error body past maxRequests', async () => {
    await rules([{ label: '/api/health', maxRequests: 2, duration: 30 }]);
    const ip = freshIp();
    expect(await burst(2, 'GET', '/api/health', ip)).toEqual([200, 200]);
    const r = await s.request('GET', '/api/health', { headers: { 'X-Forwarded-For': ip } });
    expect(r.status).toBe(429);
    expect(r.body).toEqual(TOO_MANY);
    const after = Number(r.headers.get('retry-after'));
    expect(after).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThanOrEqual(30);
    // The 429 is a normal answer: security headers and CORS as on any other (docs/api.md §1.1).
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    const cors = await s.request('GET', '/api/health', { headers: { 'X-Forwarded-For': ip, Origin: 'https://app.example' } });
    expect(cors.status).toBe(429);
    expect(cors.headers.get('access-control-allow-origin')).toBe('*');
    // Another client has its own counter.
    expect(await burst(1, 'GET', '/api/health', freshIp())).toEqual([200]);
  });

  // Each row: the rules, the request, how many pass before 429 (null: never limited within 4).
  const table: [string, Partial<RateLimitRule>[], string, string, number | null][] = [
    ['a path prefix', [{ label: '/api/', maxRequests: 2 }], 'GET', '/api/collections/rl_posts/records', 2],
    ['METHOD /path beats a prefix', [{ label: '/api/', maxRequests: 1 }, { label: 'GET /api/collections/rl_posts/records', maxRequests: 3 }], 'GET', '/api/collections/rl_posts/records', 3],
    ['name:action beats *:action and paths', [{ label: '/api/', maxRequests: 1 }, { label: '*:list', maxRequests: 2 }, { label: 'rl_posts:list', maxRequests: 3 }], 'GET', '/api/collections/rl_posts/records', 3],
    ['*:action applies to every collection', [{ label: '*:list', maxRequests: 2 }, { label: 'rl_posts:list', maxRequests: 3 }], 'GET', '/api/collections/rl_other/records', 2],
    ['an action of another route does not match', [{ label: '*:create', maxRequests: 1 }], 'GET', '/api/collections/rl_posts/records', null],
    ['the longest prefix wins', [{ label: '/api/', maxRequests: 1 }, { label: '/api/collections/', maxRequests: 3 }], 'GET', '/api/collections/rl_posts/records', 3],
    ['*:auth covers auth-with-password', [{ label: '*:auth', maxRequests: 2 }], 'POST', '/api/collections/users/auth-with-password', 2],
    ['a prefix needs a whole segment', [{ label: '/api/healt/', maxRequests: 1 }], 'GET', '/api/health', null],
  ];
  it.each(table)('%s', async (_name, list, method, path, allowed) => {
    await rules(list);
    const statuses = await burst(4, method, path, freshIp());
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited === -1 ? null : firstLimited).toBe(allowed);
    if (allowed !== null) expect(statuses.slice(allowed)).toEqual(statuses.slice(allowed).map(() => 429));
  });

  it('counts a collection route per collection', async () => {
    await rules([{ label: '*:view', maxRequests: 1 }]);
    const ip = freshIp();
    expect(await burst(2, 'GET', '/api/collections/rl_posts/records/x', ip)).toEqual([404, 429]);
    expect(await burst(1, 'GET', '/api/collections/rl_other/records/x', ip)).toEqual([404]);
  });

  it.each([
    ['@guest limits guests only', '@guest', [429, 200]],
    ['@auth limits signed-in users only', '@auth', [200, 429]],
    ['"" limits both', '', [429, 429]],
  ] as const)('audience %s', async (_name, audience, expected) => {
    await rules([{ label: '/api/health', audience, maxRequests: 1 }]);
    const guestIp = freshIp();
    const userIp = freshIp();
    const guest = await burst(2, 'GET', '/api/health', guestIp);
    const user = await burst(2, 'GET', '/api/health', userIp, userToken);
    expect([guest[1], user[1]]).toEqual(expected);
  });

  it('never limits superusers or excludedIPs', async () => {
    const excluded = freshIp();
    await setSettings({ rateLimits: { enabled: true, excludedIPs: [excluded], rules: [{ label: '/api/', audience: '', duration: 60, maxRequests: 1 }] } });
    expect(await burst(3, 'GET', '/api/health', excluded)).toEqual([200, 200, 200]);
    expect(await burst(3, 'GET', '/api/health', freshIp(), admin)).toEqual([200, 200, 200]);
    expect(await burst(2, 'GET', '/api/health', freshIp())).toEqual([200, 429]);
  });

  it('a changed rule starts with a fresh window', async () => {
    const ip = freshIp();
    await rules([{ label: '/api/health', maxRequests: 1 }]);
    expect(await burst(2, 'GET', '/api/health', ip)).toEqual([200, 429]);
    await rules([{ label: '/api/health', maxRequests: 2 }]);
    expect(await burst(3, 'GET', '/api/health', ip)).toEqual([200, 200, 429]);
    await setSettings({ rateLimits: { enabled: false } });
    expect(await burst(2, 'GET', '/api/health', ip)).toEqual([200, 200]);
  });
});

describe('client IP (trusted proxies) and health realIP', () => {
  const realIp = async (headers: Record<string, string>, remoteAddress?: string) => {
    if (remoteAddress) {
      const r = await s.node.http.inject({ method: 'GET', url: '/api/health', headers: { authorization: admin, ...headers }, remoteAddress });
      return r.json().data.realIP as string;
    }
    return (await s.request('GET', '/api/health', { token: admin, headers })).body.data.realIP as string;
  };

  it.each([
    ['no proxy header: the peer', {}, {}, '127.0.0.1'],
    ['X-Forwarded-For from a trusted peer', {}, { 'X-Forwarded-For': '192.0.2.7' }, '192.0.2.7'],
    ['the rightmost untrusted hop', {}, { 'X-Forwarded-For': '192.0.2.1, 192.0.2.2, 127.0.0.1' }, '192.0.2.2'],
    ['useLeftmostIP takes the first', { useLeftmostIP: true }, { 'X-Forwarded-For': '192.0.2.1, 192.0.2.2' }, '192.0.2.1'],
    ['a configured header instead', { headers: ['CF-Connecting-IP'] }, { 'CF-Connecting-IP': '192.0.2.9', 'X-Forwarded-For': '192.0.2.8' }, '192.0.2.9'],
    ['junk in the header: the peer', {}, { 'X-Forwarded-For': 'unknown, <script>' }, '127.0.0.1'],
    ['IPv4-mapped IPv6 is IPv4', {}, { 'X-Forwarded-For': '::ffff:192.0.2.5' }, '192.0.2.5'],
  ] as const)('%s', async (_name, trustedProxy, headers, expected) => {
    await setSettings({ trustedProxy: { headers: [], useLeftmostIP: false, ...trustedProxy } });
    expect(await realIp(headers as Record<string, string>)).toBe(expected);
  });

  it('ignores proxy headers from a peer that is not a trusted proxy', async () => {
    await setSettings({ trustedProxy: { headers: [], useLeftmostIP: false } });
    expect(await realIp({ 'x-forwarded-for': '192.0.2.7' }, '198.18.0.1')).toBe('198.18.0.1');
  });

  it('reports a possible proxy header to superusers only', async () => {
    const su = await s.request('GET', '/api/health', { token: admin, headers: { 'X-Forwarded-For': '192.0.2.7' } });
    expect(su.body.data.possibleProxyHeader).toBe('X-Forwarded-For');
    const guest = await s.request('GET', '/api/health', { headers: { 'X-Forwarded-For': '192.0.2.7' } });
    expect(guest.body.data).toEqual({});
  });
});

describe('superuserIPs (docs/api.md §1.2)', () => {
  const inside = '10.20.30.40';
  const outside = '192.0.2.200';
  beforeAll(async () => {
    await setSettings({ superuserIPs: ['10.0.0.0/8'] }, inside);
  });
  afterAll(async () => {
    await setSettings({ superuserIPs: [] }, inside);
  });

  it.each([
    ['a superuser request from inside the list', 'GET', '/api/settings', inside, (): string => admin, 200],
    ['a superuser request from outside', 'GET', '/api/settings', outside, (): string => admin, 403],
    ['a superuser on a public route from outside', 'GET', '/api/health', outside, (): string => admin, 403],
    ['a user from outside is not affected', 'GET', '/api/health', outside, (): string => userToken, 200],
    ['a guest from outside is not affected', 'GET', '/api/health', outside, (): string => '', 200],
  ] as const)('%s', async (_name, method, path, ip, token, status) => {
    const r = await s.request(method, path, { token: token() || undefined, headers: { 'X-Forwarded-For': ip } });
    expect(r.status).toBe(status);
    if (status === 403) expect(r.body).toEqual({ status: 403, message: 'You are not allowed to perform this request.', data: {} });
  });

  it('refuses a superuser sign-in from outside, before checking the password', async () => {
    const body = { identity: 'admin@example.com', password: 'admin-password-123' };
    const out = await s.request('POST', '/api/collections/_superusers/auth-with-password', { body, headers: { 'X-Forwarded-For': outside } });
    expect(out.status).toBe(403);
    const wrong = await s.request('POST', '/api/collections/_superusers/auth-with-password', { body: { ...body, password: 'nope-nope-nope' }, headers: { 'X-Forwarded-For': outside } });
    expect(wrong.status).toBe(403);
    const ok = await s.request('POST', '/api/collections/_superusers/auth-with-password', { body, headers: { 'X-Forwarded-For': inside } });
    expect(ok.status).toBe(200);
  });
});

describe('settings validation of IP lists', () => {
  it.each([
    [{ superuserIPs: ['10.0.0.0/8', 'not-an-ip'] }, { superuserIPs: { 1: { code: 'validation_invalid_value', message: 'Invalid value.' } } }],
    [{ rateLimits: { excludedIPs: ['10.0.0.1:80'] } }, { rateLimits: { excludedIPs: { 0: { code: 'validation_invalid_value', message: 'Invalid value.' } } } }],
  ])('%j → 400', async (body, data) => {
    const r = await s.request('PATCH', '/api/settings', { token: admin, body, headers: { 'X-Forwarded-For': '10.9.9.9' } });
    expect(r.status).toBe(400);
    expect(r.body.data).toEqual(data);
  });
});
