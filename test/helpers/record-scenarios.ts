/**
 * Small helpers for the records API scenario tables: create collections and
 * records as the superuser, sign users in, and run table rows.
 */
import { expect } from 'vitest';
import type { TestServer } from './test-server.js';

/** One row of an HTTP scenario table. */
export interface Scenario {
  name: string;
  method: string;
  url: string;
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  status: number;
  /** A subset the response body must match (toMatchObject). */
  expect?: unknown;
  /** Top-level or dotted keys the response body must not contain. */
  absent?: string[];
}

/** A fresh collection name for one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Creates a collection as superuser and returns its JSON; fails the test on a non-200. */
export async function createCollection(s: TestServer, body: Record<string, unknown>): Promise<any> {
  const r = await s.request('POST', '/api/collections', { token: await s.adminToken(), body });
  expect(r.status, `create collection ${String(body.name)}: ${r.text}`).toBe(200);
  return r.body;
}

/** Creates a record as superuser and returns its JSON; fails the test on a non-200. */
export async function createRecord(s: TestServer, collection: string, body: Record<string, unknown>): Promise<any> {
  const r = await s.request('POST', `/api/collections/${collection}/records`, { token: await s.adminToken(), body });
  expect(r.status, `create record in ${collection}: ${r.text}`).toBe(200);
  return r.body;
}

/** Reads a record as superuser (undefined when it is gone). */
export async function readRecord(s: TestServer, collection: string, id: string): Promise<any> {
  const r = await s.request('GET', `/api/collections/${collection}/records/${id}`, { token: await s.adminToken() });
  return r.status === 200 ? r.body : undefined;
}

/** All records of a collection as superuser, in insertion order. */
export async function allRecords(s: TestServer, collection: string): Promise<any[]> {
  const r = await s.request('GET', `/api/collections/${collection}/records?perPage=1000`, { token: await s.adminToken() });
  expect(r.status, r.text).toBe(200);
  return r.body.items;
}

/** Signs an auth record in with its password and returns the token. */
export async function signIn(s: TestServer, collection: string, identity: string, password: string): Promise<string> {
  const r = await s.request('POST', `/api/collections/${collection}/auth-with-password`, { body: { identity, password } });
  expect(r.status, `sign in ${identity}: ${r.text}`).toBe(200);
  return r.body.token;
}

/** Creates a `users` record as a guest (its createRule is "") and signs it in. */
export async function makeUser(s: TestServer, email: string): Promise<{ id: string; token: string }> {
  const r = await s.request('POST', '/api/collections/users/records', { body: { email, password: 'password123', passwordConfirm: 'password123' } });
  expect(r.status, r.text).toBe(200);
  return { id: r.body.id, token: await signIn(s, 'users', email, 'password123') };
}

/** Runs every row of a scenario table in order. */
export async function runScenarios(s: TestServer, rows: Scenario[]): Promise<void> {
  for (const row of rows) {
    const r = await s.request(row.method, row.url, { body: row.body, token: row.token, headers: row.headers });
    expect(r.status, `${row.name}: ${r.text}`).toBe(row.status);
    if (row.expect !== undefined) expect(r.body, row.name).toMatchObject(row.expect as object);
    for (const key of row.absent ?? []) expect(pick(r.body, key), `${row.name}: ${key} must be absent`).toBeUndefined();
  }
}

function pick(value: any, path: string): unknown {
  let cur = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[part];
  }
  return cur;
}
