/**
 * Regular-expression denial of service at the HTTP boundary (issue 10, items 1–3):
 * request data that made a backtracking regular expression run for seconds to
 * forever (an email with 120 labels, a million-digit number, a value against a
 * nested-quantifier field pattern) answers promptly, `/api/health` keeps
 * answering meanwhile, and a pattern RE2 refuses is refused at collection save.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/collections.js';

let s: TestServer;
let admin: string;

// 2 + 240 + 1 = 243 characters: under the 255 the forms allow and the 254 an address may have.
// NOTE: the old regular expression doubled its work per label; 28 labels took 8 s, 120 would never end.
const EVIL_EMAIL = `a@${'a.'.repeat(120)}1`;
const EVIL_PATTERN = '^([a-z0-9]+[-_]?)+$';
// "Well under" what the old code took (seconds to forever), generous for a loaded machine.
const PROMPT_MS = 3000;

/** Sends an attack and a health check together; both must answer within PROMPT_MS. */
async function attack(method: string, path: string, body: unknown, token?: string) {
  const started = Date.now();
  const [res, health] = await Promise.all([
    s.request(method, path, { body, ...(token ? { token } : {}) }),
    s.request('GET', '/api/health'),
  ]);
  const elapsed = Date.now() - started;
  expect(health.status).toBe(200);
  expect(elapsed, `${method} ${path} took ${elapsed} ms`).toBeLessThan(PROMPT_MS);
  return res;
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  const users = await s.request('PATCH', '/api/collections/users', { token: admin, body: { otp: { enabled: true } } });
  expect(users.status, users.text).toBe(200);
});

afterAll(async () => {
  await s?.close();
});

describe('an email crafted to backtrack (item 1)', () => {
  it.each([
    ['/api/collections/users/request-verification'],
    ['/api/collections/users/request-password-reset'],
    ['/api/collections/_superusers/request-password-reset'],
    ['/api/collections/users/request-otp'],
  ])('POST %s answers 400 validation_is_email promptly', async (path) => {
    const res = await attack('POST', path, { email: EVIL_EMAIL });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.email.code).toBe('validation_is_email');
  });

  it('a sign-up with it answers 400 promptly and creates nothing', async () => {
    const res = await attack('POST', '/api/collections/users/records', { email: EVIL_EMAIL, password: 'password-123', passwordConfirm: 'password-123' });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.email.code).toBe('validation_is_email');
    const list = await s.request('GET', '/api/collections/users/records', { token: admin });
    expect(list.body.totalItems).toBe(0);
  });

  it('request-email-change with it answers 400 promptly', async () => {
    const created = await s.request('POST', '/api/collections/users/records', {
      token: admin,
      body: { email: 'changer@example.com', password: 'password-123', passwordConfirm: 'password-123' },
    });
    expect(created.status, created.text).toBe(200);
    const auth = await s.request('POST', '/api/collections/users/auth-with-password', { body: { identity: 'changer@example.com', password: 'password-123' } });
    expect(auth.status, auth.text).toBe(200);
    const res = await attack('POST', '/api/collections/users/request-email-change', { newEmail: EVIL_EMAIL }, auth.body.token);
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.newEmail.code).toBe('validation_is_email');
    await s.request('DELETE', `/api/collections/users/records/${created.body.id}`, { token: admin });
  });

  it('still accepts an ordinary address', async () => {
    const res = await attack('POST', '/api/collections/users/request-verification', { email: 'someone@example.com' });
    expect(res.status, res.text).toBe(204);
  });
});

describe('a million-digit number (item 2)', () => {
  let name: string;
  const digits = '1'.repeat(1_000_000) + 'x';

  beforeAll(async () => {
    name = uniqueName('nums');
    const res = await s.request('POST', '/api/collections', {
      token: admin,
      body: { name, createRule: '', updateRule: '', listRule: '', viewRule: '', fields: [{ name: 'views', type: 'number' }, { name: 'title', type: 'text' }] },
    });
    expect(res.status, res.text).toBe(200);
  });

  it('a guest create answers promptly and stores 0, as Go casts an unparsable string', async () => {
    const res = await attack('POST', `/api/collections/${name}/records`, { views: digits, title: 't' });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.body.views).toBe(0);
    const stored = await s.request('GET', `/api/collections/${name}/records/${res.body.id}`);
    expect(stored.body.views).toBe(0);
  });

  it('an update of a missing record answers 404 promptly', async () => {
    const res = await attack('PATCH', `/api/collections/${name}/records/missingmissing1`, { views: digits });
    expect(res.status, res.text.slice(0, 300)).toBe(404);
  });

  it('ordinary numbers still cast', async () => {
    const res = await attack('POST', `/api/collections/${name}/records`, { views: '1_000.5' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.views).toBe(1000.5);
  });
});

describe('field patterns run on RE2 (item 3)', () => {
  let name: string;

  beforeAll(async () => {
    name = uniqueName('slugs');
    const res = await s.request('POST', '/api/collections', {
      token: admin,
      body: { name, createRule: '', listRule: '', viewRule: '', fields: [{ name: 'slug', type: 'text', pattern: EVIL_PATTERN }] },
    });
    expect(res.status, res.text).toBe(200);
  });

  it('a value crafted against a nested-quantifier pattern answers 400 promptly', async () => {
    const res = await attack('POST', `/api/collections/${name}/records`, { slug: 'a'.repeat(4999) + '!' });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.slug.code).toBe('validation_invalid_format');
    const list = await s.request('GET', `/api/collections/${name}/records`);
    expect(list.body.totalItems).toBe(0);
  });

  it('a matching value is stored', async () => {
    const res = await attack('POST', `/api/collections/${name}/records`, { slug: 'my-first_post' });
    expect(res.status, res.text).toBe(200);
  });

  it.each([
    ['lookahead', { pattern: '^(?=.*[0-9]).+$' }, 'pattern'],
    ['backreference', { pattern: '^(a)\\1$' }, 'pattern'],
    ['lookbehind', { pattern: '(?<!a)b' }, 'pattern'],
    ['repeat count over 1000', { pattern: 'a{1001}' }, 'pattern'],
    ['autogenerate lookahead', { autogeneratePattern: '(?=a)[a-z]{5}' }, 'autogeneratePattern'],
    ['autogenerate of a hundred million characters', { autogeneratePattern: '(((a*)*)*)*' }, 'autogeneratePattern'],
  ])('a %s is refused at create with 400 and nothing saved', async (_label, options, key) => {
    const coll = uniqueName('re2');
    const res = await s.request('POST', '/api/collections', { token: admin, body: { name: coll, fields: [{ name: 'code', type: 'text', ...options }] } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.fields['1'][key].code, res.text).toMatch(/^validation_invalid_(regex|autogenerate_pattern)$/);
    expect((await s.request('GET', `/api/collections/${coll}`, { token: admin })).status).toBe(404);
  });

  it('an RE2-invalid pattern is refused at update with 400 and the collection unchanged', async () => {
    const before = await s.request('GET', `/api/collections/${name}`, { token: admin });
    const fields = before.body.fields.map((f: any) => (f.name === 'slug' ? { ...f, pattern: '^(?!admin).+$' } : f));
    const res = await s.request('PATCH', `/api/collections/${name}`, { token: admin, body: { fields } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.fields['1'].pattern.code).toBe('validation_invalid_regex');
    const after = await s.request('GET', `/api/collections/${name}`, { token: admin });
    expect(after.body.fields.find((f: any) => f.name === 'slug').pattern).toBe(EVIL_PATTERN);
  });

  it('a password pattern is matched on RE2 too', async () => {
    const users = await s.request('GET', '/api/collections/users', { token: admin });
    const fields = users.body.fields.map((f: any) => (f.name === 'password' ? { ...f, pattern: '^([a-z0-9]+[-_]?)+$' } : f));
    expect((await s.request('PATCH', '/api/collections/users', { token: admin, body: { fields } })).status).toBe(200);
    const password = 'a'.repeat(70) + '!';
    const res = await attack('POST', '/api/collections/users/records', { email: 'p@example.com', password, passwordConfirm: password });
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.password.code).toBe('validation_invalid_format');
  });
});
