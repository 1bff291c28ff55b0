/**
 * A view's rows are public under its listRule, so a view must not publish what a
 * record JSON never shows (issue 10 item 10): wildcards and password/tokenKey
 * columns are refused at save with a 400 on `viewQuery`, copied fields keep their
 * type and `hidden` flag, and a copied auth email keeps its row's visibility.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/collections.js';

let s: TestServer;
let admin: string;
const PW = 'password123';

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  const users = await s.request('POST', '/api/collections', {
    token: admin,
    body: { name: 'vs_users', type: 'auth', listRule: '', viewRule: '', fields: [{ name: 'name', type: 'text' }, { name: 'secret', type: 'text', hidden: true }] },
  });
  expect(users.status, users.text).toBe(200);
  for (const [name, email, emailVisibility] of [['V', 'v-shown@example.com', true], ['H', 'h-hidden@example.com', false]] as const) {
    const r = await s.request('POST', '/api/collections/vs_users/records', {
      token: admin,
      body: { name, email, emailVisibility, secret: `secret-${name}`, password: PW, passwordConfirm: PW },
    });
    expect(r.status, r.text).toBe(200);
  }
});
afterAll(async () => { await s?.close(); });

async function createView(viewQuery: string): Promise<{ status: number; body: any; name: string; text: string }> {
  const name = uniqueName('vs_view');
  const res = await s.request('POST', '/api/collections', { token: admin, body: { name, type: 'view', listRule: '', viewRule: '', viewQuery } });
  return { status: res.status, body: res.body, name, text: res.text };
}

async function items(view: string, token?: string, filter?: string): Promise<any[]> {
  const qs = new URLSearchParams({ sort: 'name', ...(filter ? { filter } : {}) }).toString();
  const res = await s.request('GET', `/api/collections/${view}/records?${qs}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.body.items;
}

describe('queries that would publish secrets are refused with a 400 on viewQuery', () => {
  it.each([
    'SELECT * FROM vs_users',
    'SELECT u.* FROM vs_users u',
    'SELECT id, name, * FROM vs_users',
    'SELECT id, password FROM vs_users',
    'SELECT id, password AS p FROM vs_users',
    'SELECT id, substr(password, 1, 10) AS p FROM vs_users',
    'SELECT u.id, u.password AS p FROM vs_users AS u',
    'SELECT id, "tokenKey" AS t FROM vs_users',
    'SELECT id, tokenKey FROM vs_users',
    'SELECT id, [password] AS p FROM vs_users',
    'SELECT id, "name" FROM vs_users WHERE password != \'\'',
    'SELECT x.id, x.p FROM (SELECT id, password AS p FROM vs_users) x',
    'SELECT u.id, to_json(u) AS j FROM vs_users u',
    'SELECT id, CAST(vs_users AS TEXT) AS j FROM vs_users',
  ])('%s', async (query) => {
    const res = await createView(query);
    expect(res.status, res.text).toBe(400);
    expect(res.body.data.viewQuery?.code, res.text).toBe('validation_invalid_view_query');
    const missing = await s.request('GET', `/api/collections/${res.name}`, { token: admin });
    expect(missing.status).toBe(404);
  });

  it('count(*), a product and a string holding "password" are not mistaken for secrets', async () => {
    const res = await createView(`SELECT id, (SELECT count(*) FROM vs_users) * 2 AS n, 'password' AS label, name FROM vs_users`);
    expect(res.status, res.text).toBe(200);
    const rows = await items(res.name);
    expect(rows.map((r) => [r.n, r.label])).toEqual([[4, 'password'], [4, 'password']]);
  });
});

describe('copied fields keep their type, hidden flag and email visibility', () => {
  it('a hidden source field stays hidden; an email with its visibility column shows only where visible', async () => {
    const res = await createView('SELECT u.id, u.name, u.email, u."emailVisibility", u.secret, upper(u.secret) AS shout FROM vs_users u');
    expect(res.status, res.text).toBe(200);
    const field = (n: string) => res.body.fields.find((f: any) => f.name === n);
    expect(field('email')).toMatchObject({ type: 'email', hidden: false });
    expect(field('secret')).toMatchObject({ type: 'text', hidden: true });
    expect(field('shout')).toMatchObject({ hidden: true });
    expect(res.body.viewEmailGuards).toBeUndefined();

    const guest = await items(res.name);
    expect(guest.map((r) => r.name)).toEqual(['H', 'V']);
    expect(guest[0]).not.toHaveProperty('email');
    expect(guest[1].email).toBe('v-shown@example.com');
    for (const r of guest) {
      expect(r).not.toHaveProperty('secret');
      expect(r).not.toHaveProperty('shout');
      expect(JSON.stringify(r)).not.toContain('secret-');
    }
    const all = await items(res.name, admin);
    expect(all.map((r) => [r.email, r.secret, r.shout])).toEqual([
      ['h-hidden@example.com', 'secret-H', 'SECRET-H'],
      ['v-shown@example.com', 'secret-V', 'SECRET-V'],
    ]);
  });

  it('a hidden email in a view is no oracle for a filter', async () => {
    const res = await createView('SELECT u.id, u.name, u.email, u."emailVisibility" FROM vs_users u');
    expect(res.status, res.text).toBe(200);
    expect((await items(res.name, undefined, 'email ~ "example.com"')).map((r) => r.name)).toEqual(['V']);
    expect(await items(res.name, undefined, 'email < "h-hidden@example.coz"')).toEqual([]);
    expect(await items(res.name, undefined, 'email = "h-hidden@example.com"')).toEqual([]);
    expect((await items(res.name, admin, 'email = "h-hidden@example.com"')).map((r) => r.name)).toEqual(['H']);
  });

  it('an email without its visibility column, or read through a subquery, is for superusers only', async () => {
    for (const query of [
      'SELECT u.id, u.name, u.email FROM vs_users u',
      'SELECT x.id, x.name, x.email FROM (SELECT id, name, email FROM vs_users) x',
      'SELECT id, name, lower(email) AS mail FROM vs_users',
    ]) {
      const res = await createView(query);
      expect(res.status, res.text).toBe(200);
      for (const r of await items(res.name)) expect(JSON.stringify(r), query).not.toContain('@example.com');
      const all = await items(res.name, admin);
      expect(JSON.stringify(all), query).toContain('h-hidden@example.com');
    }
  });
});
