/**
 * An update that sets a password hashes it (argon2, tens of milliseconds of CPU) only
 * when the record exists and the caller may update it (issue 10 item 8b): a missing or
 * forbidden record answers 404 without hashing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, uniqueName } from './helpers/record-scenarios.js';

// NOTE: hashPassword is a module function, not a port; the test counts its calls.
const hashes = vi.hoisted(() => ({ count: 0 }));
vi.mock('../src/core/auth/password-hash.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/core/auth/password-hash.js')>();
  return {
    ...original,
    hashPassword: async (plain: string) => {
      hashes.count++;
      return original.hashPassword(plain);
    },
  };
});

let s: TestServer;
let members: string;
let bodyRule: string;
let memberId: string;
let otherId: string;

beforeAll(async () => {
  s = await startTestServer();
  members = uniqueName('members');
  bodyRule = uniqueName('bodyrule');
  await createCollection(s, { name: members, type: 'auth', listRule: '', viewRule: '', createRule: '', updateRule: 'id = @request.auth.id', fields: [] });
  // A rule that reads the body: the record is read, the body resolved, then the rule checked.
  await createCollection(s, { name: bodyRule, type: 'auth', listRule: '', viewRule: '', createRule: '', updateRule: '@request.body.name = "ok"', fields: [{ name: 'name', type: 'text' }] });
  memberId = (await createRecord(s, members, { email: 'm@example.com', password: 'password-123', passwordConfirm: 'password-123' })).id;
  otherId = (await createRecord(s, bodyRule, { email: 'o@example.com', password: 'password-123', passwordConfirm: 'password-123' })).id;
});
afterAll(async () => { await s?.close(); });

const newPassword = { password: 'new-password-1', passwordConfirm: 'new-password-1', oldPassword: 'password-123' };

describe('a password update hashes only for an updatable record', () => {
  it('answers 404 without hashing for a missing record', async () => {
    const before = hashes.count;
    const r = await s.request('PATCH', `/api/collections/${members}/records/missing1234567`, { body: newPassword });
    expect(r.status, r.text).toBe(404);
    expect(hashes.count).toBe(before);
  });

  it('answers 404 without hashing for a record the rule does not let the caller update', async () => {
    const before = hashes.count;
    const r = await s.request('PATCH', `/api/collections/${members}/records/${memberId}`, { body: newPassword });
    expect(r.status, r.text).toBe(404);
    const b = await s.request('PATCH', `/api/collections/${bodyRule}/records/${otherId}`, { body: { ...newPassword, name: 'no' } });
    expect(b.status, b.text).toBe(404);
    expect(hashes.count).toBe(before);
  });

  it('hashes once for an allowed update', async () => {
    const before = hashes.count;
    const r = await s.request('PATCH', `/api/collections/${members}/records/${memberId}`, { token: await s.adminToken(), body: newPassword });
    expect(r.status, r.text).toBe(200);
    expect(hashes.count).toBe(before + 1);
  });
});
