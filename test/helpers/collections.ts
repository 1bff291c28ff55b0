/**
 * Small helpers shared by the collections API scenarios: unique names, the
 * CRC32-based ids of docs/api.md §1.5, and a signed-in regular user.
 */
import { crc32 } from 'node:zlib';
import type { TestServer } from './test-server.js';

let counter = 0;

/** A collection name unique within the test run. */
export function uniqueName(prefix = 'c'): string {
  counter++;
  return `${prefix}_${counter}_${Math.random().toString(36).slice(2, 7)}`;
}

/** The default id of a collection: `pbc_` + decimal CRC32(type + name) (docs/api.md §1.5). */
export function collectionIdFor(type: string, name: string): string {
  return `pbc_${crc32(type + name)}`;
}

/** The default id of a field: type + decimal CRC32(name) (docs/api.md §1.5). */
export function fieldIdFor(type: string, name: string): string {
  return `${type}${crc32(name)}`;
}

/** Creates a record in `users` as superuser and signs it in; returns its token. */
export async function userToken(s: TestServer): Promise<string> {
  const admin = await s.adminToken();
  const email = `${uniqueName('u')}@example.com`;
  const password = 'user-password-123';
  const created = await s.request('POST', '/api/collections/users/records', {
    token: admin,
    body: { email, password, passwordConfirm: password },
  });
  if (created.status !== 200) throw new Error(`user create failed: ${created.status} ${created.text}`);
  const auth = await s.request('POST', '/api/collections/users/auth-with-password', { body: { identity: email, password } });
  if (auth.status !== 200) throw new Error(`user auth failed: ${auth.status} ${auth.text}`);
  return auth.body.token as string;
}

/** Creates a collection as `token`'s superuser and returns its JSON; fails the test on any other answer. */
export async function createCollection(s: TestServer, token: string, body: Record<string, unknown>): Promise<any> {
  const r = await s.request('POST', '/api/collections', { token, body });
  if (r.status !== 200) throw new Error(`collection create failed: ${r.status} ${r.text}`);
  return r.body;
}

/** Creates a record as `token`'s superuser and returns its id; fails the test on any other answer. */
export async function createRecord(s: TestServer, token: string, collection: string, body: Record<string, unknown>): Promise<string> {
  const r = await s.request('POST', `/api/collections/${collection}/records`, { token, body });
  if (r.status !== 200) throw new Error(`record create failed: ${r.status} ${r.text}`);
  return r.body.id as string;
}
